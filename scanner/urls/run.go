package urls

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"slices"
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
	// Emit receives every result, from one goroutine, in input order.
	Emit func(Result) error
	// Progress is told after each URL.
	Progress func(done int)
}

// RunStats is what a run did besides its results.
type RunStats struct {
	// Vetted is the number of results emitted; Resumed the number of URLs
	// skipped because the earlier output (RunOptions.Resume) has them.
	Vetted, Resumed int
}

// numbered is an item or its result with its place among the items sent to
// be vetted.
type numbered[T any] struct {
	seq int
	v   T
}

// Run vets every URL read from items. It returns ctx.Err() when interrupted;
// the results emitted so far are complete. Results are emitted in input
// order: a URL that answers late holds back the ones after it, and at most
// window(Concurrency) URLs are in flight or waiting, so memory stays bounded
// however slow one URL is.
func (v *Vetter) Run(ctx context.Context, items <-chan Item, opt RunOptions) (RunStats, error) {
	if opt.Concurrency <= 0 {
		opt.Concurrency = 64
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var stats RunStats
	results := make(chan numbered[Result], opt.Concurrency)
	jobs := make(chan numbered[Item])
	// A slot is taken when a URL is sent to be vetted and given back when
	// its result is emitted.
	slots := make(chan struct{}, window(opt.Concurrency))
	var wg sync.WaitGroup
	for range opt.Concurrency {
		wg.Go(func() {
			for job := range jobs {
				var r Result
				if it := job.v; it.Err != nil {
					r = Result{Location: it.URL, Error: it.Err.Error()}
				} else {
					r = v.Vet(ctx, it.URL)
				}
				r.Kept = job.v.Kept
				select {
				case results <- numbered[Result]{job.seq, r}:
				case <-ctx.Done():
					return
				}
			}
		})
	}
	var resumed int
	fed := make(chan struct{})
	go func() {
		defer close(fed)
		defer close(jobs)
		seq := 0
		for {
			var it Item
			select {
			case i, ok := <-items:
				if !ok {
					return
				}
				it = i
			case <-ctx.Done():
				return
			}
			if it.Err == nil {
				// Results are written without credentials: --resume
				// finds a URL under the name it was written with.
				it.URL = v.fetch.UseCredentials(it.URL)
				if opt.Resume != nil && opt.Resume.Has(it.URL) {
					resumed++
					continue
				}
				if u, _, err := Origin(it.URL); err == nil && !opt.Shard.Mine(u.Host) {
					continue
				}
			}
			select {
			case slots <- struct{}{}:
			case <-ctx.Done():
				return
			}
			select {
			case jobs <- numbered[Item]{seq, it}:
				seq++
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() { wg.Wait(); close(results) }()
	var emitErr error
	emit := func(r Result) {
		if r.canceled {
			return // cut short by the interrupt: not a verdict, vetted again on --resume
		}
		if emitErr == nil && opt.Emit != nil {
			if err := opt.Emit(r); err != nil {
				emitErr = err
				cancel()
			}
		}
		stats.Vetted++
		if opt.Progress != nil {
			opt.Progress(stats.Vetted)
		}
	}
	// The reorder buffer: results that finished before one sent earlier.
	waiting := map[int]Result{}
	next := 0
	for r := range results {
		waiting[r.seq] = r.v
		for {
			w, ok := waiting[next]
			if !ok {
				break
			}
			delete(waiting, next)
			next++
			<-slots
			emit(w)
		}
	}
	// After an interrupt a result may never come (its worker stopped): the
	// finished ones after it are still verdicts, emitted in order.
	rest := make([]int, 0, len(waiting))
	for seq := range waiting {
		rest = append(rest, seq)
	}
	slices.Sort(rest)
	for _, seq := range rest {
		emit(waiting[seq])
	}
	<-fed
	stats.Resumed = resumed
	if emitErr != nil {
		return stats, emitErr
	}
	return stats, ctx.Err()
}

// window is how many URLs may be in flight or finished and waiting for a
// slower one before them.
func window(concurrency int) int { return 4 * concurrency }
