package crawl

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/aiaudit/aiaudit/reports/digestset"
)

// spillQueue is colly's request queue storage: first in, first out, with at
// most memLimit requests in memory and the rest spilled to an unlinked temp
// file. A crawl's frontier can hold every URL of a site (a sitemap lists
// them all at the start); this way it costs disk, not memory.
type spillQueue struct {
	mu       sync.Mutex
	memLimit int
	maxSize  int
	head     [][]byte // popped first
	file     *os.File // spilled records: 4-byte length, then the request
	w        *bufio.Writer
	readOff  int64
	spilled  int // records in the file not read back yet
}

var errQueueEmpty = errors.New("queue is empty")

func newSpillQueue(memLimit, maxSize int) *spillQueue {
	return &spillQueue{memLimit: max(1, memLimit), maxSize: maxSize}
}

func (q *spillQueue) Init() error { return nil }

func (q *spillQueue) AddRequest(b []byte) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.head)+q.spilled >= q.maxSize {
		return fmt.Errorf("crawl queue full (%d requests)", q.maxSize)
	}
	// Once anything is spilled, new requests go after it: order is kept.
	if q.spilled == 0 && len(q.head) < q.memLimit {
		q.head = append(q.head, b)
		return nil
	}
	if q.file == nil {
		f, err := digestset.TempFile("crawl queue")
		if err != nil {
			return err
		}
		q.file, q.w = f, bufio.NewWriterSize(f, 64<<10)
	}
	var n [4]byte
	binary.LittleEndian.PutUint32(n[:], uint32(len(b)))
	q.w.Write(n[:])
	if _, err := q.w.Write(b); err != nil {
		return fmt.Errorf("crawl queue spill file: %w", err)
	}
	q.spilled++
	return nil
}

func (q *spillQueue) GetRequest() ([]byte, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.head) == 0 && q.spilled > 0 {
		if err := q.refill(); err != nil {
			return nil, err
		}
	}
	if len(q.head) == 0 {
		return nil, errQueueEmpty
	}
	b := q.head[0]
	q.head[0] = nil
	q.head = q.head[1:]
	return b, nil
}

// refill reads the oldest spilled requests back, up to memLimit; when the
// file is drained it is emptied for reuse.
func (q *spillQueue) refill() error {
	if err := q.w.Flush(); err != nil {
		return fmt.Errorf("crawl queue spill file: %w", err)
	}
	r := bufio.NewReaderSize(io.NewSectionReader(q.file, q.readOff, 1<<62), 64<<10)
	q.head = make([][]byte, 0, min(q.spilled, q.memLimit))
	for q.spilled > 0 && len(q.head) < q.memLimit {
		var n [4]byte
		if _, err := io.ReadFull(r, n[:]); err != nil {
			return fmt.Errorf("crawl queue spill file: %w", err)
		}
		b := make([]byte, binary.LittleEndian.Uint32(n[:]))
		if _, err := io.ReadFull(r, b); err != nil {
			return fmt.Errorf("crawl queue spill file: %w", err)
		}
		q.head = append(q.head, b)
		q.readOff += int64(4 + len(b))
		q.spilled--
	}
	if q.spilled == 0 {
		q.readOff = 0
		if err := q.file.Truncate(0); err != nil {
			return fmt.Errorf("crawl queue spill file: %w", err)
		}
		if _, err := q.file.Seek(0, io.SeekStart); err != nil {
			return fmt.Errorf("crawl queue spill file: %w", err)
		}
		q.w.Reset(q.file)
	}
	return nil
}

func (q *spillQueue) QueueSize() (int, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.head) + q.spilled, nil
}

// close removes the spill file.
func (q *spillQueue) close() {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.file != nil {
		q.file.Close()
		q.file = nil
	}
}
