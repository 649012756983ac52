package urls

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// Remote is a media file read over HTTP on demand: detectors ask for the
// byte ranges they need (box headers, metadata blocks) and only those are
// fetched, with Range requests, up to a cap. A server that ignores Range gets
// one plain GET, capped.
type Remote struct {
	Header http.Header
	Status int
	size   int64
	// whole is set when the server sent the whole body (no Range support).
	whole []byte
	f     *Fetcher
	ctx   context.Context
	host  string
	url   string
	mu    sync.Mutex
	spans map[int64][]byte // blockSize-aligned blocks already fetched
	got   int64
	limit int64
}

const blockSize = 64 << 10

// ErrOverCap is returned when a read would fetch more than the cap.
var ErrOverCap = errors.New("over the media byte cap")

// Open starts reading url: one Range request for the first block tells the
// size and whether ranges work.
func (f *Fetcher) Open(ctx context.Context, host, url string, limit int64) (*Remote, error) {
	r := &Remote{f: f, ctx: ctx, host: host, url: url, spans: map[int64][]byte{}, limit: limit}
	resp, err := f.getRange(ctx, host, url, 0, 4*blockSize, limit)
	if err != nil {
		return nil, err
	}
	r.Header, r.Status = resp.Header, resp.Status
	if resp.Status != http.StatusPartialContent {
		if resp.Status >= 300 {
			return r, nil
		}
		r.whole, r.size = resp.Body, int64(len(resp.Body))
		if resp.Truncated {
			return r, fmt.Errorf("larger than %d bytes and the server ignores Range requests: %w", limit, ErrOverCap)
		}
		return r, nil
	}
	total, ok := contentRangeTotal(resp.Header.Get("Content-Range"))
	if !ok {
		return nil, fmt.Errorf("bad Content-Range %q", resp.Header.Get("Content-Range"))
	}
	r.size = total
	r.store(0, resp.Body)
	return r, nil
}

// Size is the file's full size.
func (r *Remote) Size() int64 { return r.size }

// Fetched is how many bytes were transferred.
func (r *Remote) Fetched() int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.got
}

func (r *Remote) store(off int64, b []byte) {
	r.got += int64(len(b))
	for i := int64(0); i < int64(len(b)); i += blockSize {
		end := min(i+blockSize, int64(len(b)))
		r.spans[off+i] = b[i:end]
	}
}

// ReadAt serves reads from fetched blocks, fetching the missing ones.
func (r *Remote) ReadAt(p []byte, off int64) (int, error) {
	if r.whole != nil {
		return bytes.NewReader(r.whole).ReadAt(p, off)
	}
	if off >= r.size {
		return 0, io.EOF
	}
	want := min(int64(len(p)), r.size-off)
	r.mu.Lock()
	defer r.mu.Unlock()
	first := off / blockSize * blockSize
	last := (off + want - 1) / blockSize * blockSize
	// Fetch the missing blocks as one range.
	var missFrom, missTo int64 = -1, -1
	for b := first; b <= last; b += blockSize {
		if _, ok := r.spans[b]; !ok {
			if missFrom < 0 {
				missFrom = b
			}
			missTo = b
		}
	}
	if missFrom >= 0 {
		n := min(missTo+blockSize, r.size) - missFrom
		if r.got+n > r.limit {
			return 0, fmt.Errorf("reading %d bytes at %d: %w (%d already fetched)", n, missFrom, ErrOverCap, r.got)
		}
		resp, err := r.f.getRange(r.ctx, r.host, r.url, missFrom, n, n)
		if err != nil {
			return 0, err
		}
		if resp.Status != http.StatusPartialContent || int64(len(resp.Body)) != n {
			return 0, fmt.Errorf("range %d+%d: HTTP %d with %d bytes", missFrom, n, resp.Status, len(resp.Body))
		}
		r.store(missFrom, resp.Body)
	}
	done := 0
	for int64(done) < want {
		at := off + int64(done)
		blk := r.spans[at/blockSize*blockSize]
		done += copy(p[done:want], blk[at%blockSize:])
	}
	if want < int64(len(p)) {
		return done, io.EOF
	}
	return done, nil
}

// getRange asks for n bytes at off; limit caps a plain (non-206) answer.
func (f *Fetcher) getRange(ctx context.Context, host, url string, off, n, limit int64) (*Response, error) {
	return f.Get(ctx, host, url, limit, "Range", fmt.Sprintf("bytes=%d-%d", off, off+n-1))
}

func contentRangeTotal(v string) (int64, bool) {
	i := strings.LastIndexByte(v, '/')
	if i < 0 {
		return 0, false
	}
	n, err := strconv.ParseInt(v[i+1:], 10, 64)
	return n, err == nil && n >= 0
}
