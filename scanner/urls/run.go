package urls

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"strconv"
	"strings"
	"sync"
)

// Shard selects the part of a list this machine vets: hosts whose hash mod N
// is I, so n machines split one list without overlap and each host's policy
// is fetched by one machine only.
type Shard struct{ I, N int }

// ParseShard reads "i/n" (0 <= i < n).
func ParseShard(s string) (Shard, error) {
	if s == "" {
		return Shard{0, 1}, nil
	}
	a, b, ok := strings.Cut(s, "/")
	i, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || n < 1 || i < 0 || i >= n {
		return Shard{}, fmt.Errorf("--shard %q: want i/n with 0 <= i < n, e.g. 0/4", s)
	}
	return Shard{i, n}, nil
}

// Mine reports whether host belongs to this shard.
func (s Shard) Mine(host string) bool {
	if s.N <= 1 {
		return true
	}
	h := fnv.New32a()
	h.Write([]byte(strings.ToLower(host)))
	return int(h.Sum32()%uint32(s.N)) == s.I
}

// Done is the set of URLs already in an earlier output (for --resume), kept
// as 64-bit hashes so a million URLs cost about 40 MB, not their text.
type Done map[uint64]struct{}

func hashURL(u string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(u))
	return h.Sum64()
}

// LoadDone reads the "location" of every complete JSONL line of an earlier
// output. A last line cut by a crash is ignored, so that URL is vetted again.
func LoadDone(r io.Reader) (Done, error) {
	d := Done{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		var rec struct {
			Location string `json:"location"`
		}
		if json.Unmarshal(sc.Bytes(), &rec) == nil && rec.Location != "" {
			d[hashURL(rec.Location)] = struct{}{}
		}
	}
	return d, sc.Err()
}

// Has reports whether u was vetted before.
func (d Done) Has(u string) bool {
	_, ok := d[hashURL(u)]
	return ok
}

// RunOptions configures a run over a list.
type RunOptions struct {
	Concurrency int
	Shard       Shard
	Resume      Done
	// Emit receives every result, from one goroutine, in completion order.
	Emit func(Result) error
	// Progress is told after each URL.
	Progress func(done int)
}

// Run vets every URL read from items. It returns ctx.Err() when interrupted;
// the results emitted so far are complete.
func (v *Vetter) Run(ctx context.Context, items <-chan Item, opt RunOptions) error {
	if opt.Concurrency <= 0 {
		opt.Concurrency = 64
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	results := make(chan Result, opt.Concurrency)
	jobs := make(chan Item)
	var wg sync.WaitGroup
	for range opt.Concurrency {
		wg.Go(func() {
			for it := range jobs {
				var r Result
				if it.Err != nil {
					r = Result{Location: it.URL, Error: it.Err.Error()}
				} else {
					r = v.Vet(ctx, it.URL)
				}
				select {
				case results <- r:
				case <-ctx.Done():
					return
				}
			}
		})
	}
	go func() {
		defer close(jobs)
		for it := range items {
			if it.Err == nil {
				if opt.Resume != nil && opt.Resume.Has(it.URL) {
					continue
				}
				if u, _, err := Origin(it.URL); err == nil && !opt.Shard.Mine(u.Host) {
					continue
				}
			}
			select {
			case jobs <- it:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() { wg.Wait(); close(results) }()
	n := 0
	var emitErr error
	for r := range results {
		if r.canceled {
			continue // cut short by the interrupt: not a verdict, vetted again on --resume
		}
		if emitErr == nil && opt.Emit != nil {
			if err := opt.Emit(r); err != nil {
				emitErr = err
				cancel()
			}
		}
		n++
		if opt.Progress != nil {
			opt.Progress(n)
		}
	}
	if emitErr != nil {
		return emitErr
	}
	return ctx.Err()
}
