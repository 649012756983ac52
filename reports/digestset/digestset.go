// Package digestset is an exact set of 16-byte digests, each with an
// optional 8-byte value, whose memory does not follow its size: the newest
// keys are in a map, older ones in sorted runs on unlinked temp files, with a
// fixed-size Bloom filter in front of the runs. A Bloom "maybe" is always
// confirmed on disk, so the set never answers "present" for a key that was
// not added: a crawl never skips a page it has not seen.
package digestset

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"slices"
	"sort"
)

// Key is a digest. Keys must be uniformly distributed (a hash such as
// xxh3-128): the Bloom filter and the cache index by the key's own bits.
type Key [16]byte

// Defaults used by New when given zero.
const (
	// DefaultMemKeys keys live in the map before they spill (under 1 MiB).
	DefaultMemKeys = 16 << 10
	// DefaultBloomBytes: 1 MiB of filter (four bits a key) keeps false
	// positives near 2 % at a million spilled keys; past that lookups get
	// slower, never wrong.
	DefaultBloomBytes = 1 << 20
)

// A run's record is a key and its value.
const recSize = 24

// blockKeys is how many records a run's sparse index skips: one index entry
// and one 6 KiB read per block.
const blockKeys = 256

// recentSlots is the size of the cache of keys found on disk: keys asked for
// again and again (a site's home page, linked from every page) are not read
// from disk each time.
const recentSlots = 1 << 12

// Set is not safe for concurrent use.
type Set struct {
	memLimit   int
	bloomBytes int
	mem        map[Key]struct{}
	memVals    map[Key]uint64 // the values of mem's keys that are not 0
	bloom      []uint64       // over every spilled key; nil until the first spill
	runs       []*run         // disjoint, oldest first
	recent     [recentSlots]Key
	recentVal  [recentSlots]uint64
	recentOK   [recentSlots]bool
	n          int
	buf        []byte
	err        error // the first disk error: the set is unusable after it
}

// New makes a set holding up to memKeys keys in memory and a Bloom filter of
// bloomBytes once it spills; zero takes the defaults.
func New(memKeys, bloomBytes int) *Set {
	if memKeys <= 0 {
		memKeys = DefaultMemKeys
	}
	if bloomBytes <= 0 {
		bloomBytes = DefaultBloomBytes
	}
	return &Set{memLimit: memKeys, bloomBytes: (bloomBytes + 7) / 8 * 8, mem: map[Key]struct{}{}, memVals: map[Key]uint64{}}
}

// Len is the number of keys added.
func (s *Set) Len() int { return s.n }

// Has reports whether k was added.
func (s *Set) Has(k Key) (bool, error) {
	_, found, err := s.Get(k)
	return found, err
}

// Get returns k's value, if k was added.
func (s *Set) Get(k Key) (v uint64, found bool, err error) {
	if s.err != nil {
		return 0, false, s.err
	}
	if _, ok := s.mem[k]; ok {
		return s.memVals[k], true, nil
	}
	slot := binary.LittleEndian.Uint64(k[8:]) % recentSlots
	if s.recentOK[slot] && s.recent[slot] == k {
		return s.recentVal[slot], true, nil
	}
	if s.bloom == nil || !s.bloomMaybe(k) {
		return 0, false, nil
	}
	for i := len(s.runs) - 1; i >= 0; i-- {
		v, found, err := s.runs[i].get(k, &s.buf)
		if err != nil {
			s.err = err
			return 0, false, err
		}
		if found {
			s.recent[slot], s.recentVal[slot], s.recentOK[slot] = k, v, true
			return v, true, nil
		}
	}
	return 0, false, nil
}

// Add adds k (with the value 0) and reports whether it was new.
func (s *Set) Add(k Key) (added bool, err error) { return s.AddValue(k, 0) }

// AddValue adds k with the value v unless k is there already (its value is
// then kept), and reports whether it was new.
func (s *Set) AddValue(k Key, v uint64) (added bool, err error) {
	if found, err := s.Has(k); err != nil || found {
		return false, err
	}
	s.mem[k] = struct{}{}
	if v != 0 {
		s.memVals[k] = v
	}
	s.n++
	if len(s.mem) >= s.memLimit {
		if err := s.spill(); err != nil {
			s.err = err
			return true, err
		}
	}
	return true, nil
}

// Close removes the set's files.
func (s *Set) Close() error {
	var first error
	for _, r := range s.runs {
		if err := r.f.Close(); err != nil && first == nil {
			first = err
		}
	}
	s.runs, s.mem, s.memVals = nil, nil, nil
	return first
}

// bloomPositions are the filter's four bit positions for k (double hashing
// on the key's two halves).
func (s *Set) bloomPositions(k Key) [4]uint64 {
	m := uint64(len(s.bloom)) * 64
	h1, h2 := binary.LittleEndian.Uint64(k[:8]), binary.LittleEndian.Uint64(k[8:])|1
	var p [4]uint64
	for i := range p {
		p[i] = (h1 + uint64(i)*h2) % m
	}
	return p
}

func (s *Set) bloomMaybe(k Key) bool {
	for _, p := range s.bloomPositions(k) {
		if s.bloom[p/64]&(1<<(p%64)) == 0 {
			return false
		}
	}
	return true
}

func (s *Set) bloomAdd(k Key) {
	for _, p := range s.bloomPositions(k) {
		s.bloom[p/64] |= 1 << (p % 64)
	}
}

// spill writes the map as a sorted run, then merges runs of equal size, so
// there are about log2(n/memLimit) runs.
func (s *Set) spill() error {
	if s.bloom == nil {
		s.bloom = make([]uint64, s.bloomBytes/8)
	}
	keys := make([]Key, 0, len(s.mem))
	for k := range s.mem {
		keys = append(keys, k)
		s.bloomAdd(k)
	}
	slices.SortFunc(keys, func(a, b Key) int { return bytes.Compare(a[:], b[:]) })
	r, err := writeRun(len(keys), func(w *bufio.Writer) error {
		var rec [recSize]byte
		for _, k := range keys {
			copy(rec[:16], k[:])
			binary.LittleEndian.PutUint64(rec[16:], s.memVals[k])
			if _, err := w.Write(rec[:]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	clear(s.mem)
	clear(s.memVals)
	s.runs = append(s.runs, r)
	for len(s.runs) >= 2 && s.runs[len(s.runs)-2].n <= s.runs[len(s.runs)-1].n {
		a, b := s.runs[len(s.runs)-2], s.runs[len(s.runs)-1]
		m, err := merge(a, b)
		if err != nil {
			return err
		}
		a.f.Close()
		b.f.Close()
		s.runs = append(s.runs[:len(s.runs)-2], m)
	}
	return nil
}

// run is a sorted file of records with the first key of every block in
// memory.
type run struct {
	f     *os.File
	n     int
	index []Key
}

// writeRun writes n records, in key order, to a new unlinked temp file.
func writeRun(n int, write func(*bufio.Writer) error) (*run, error) {
	f, err := TempFile("digest")
	if err != nil {
		return nil, err
	}
	w := bufio.NewWriterSize(f, 64<<10)
	if err := write(w); err == nil {
		err = w.Flush()
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("digest spill file: %w", err)
	}
	r := &run{f: f, n: n}
	// The index is read back rather than kept while writing, so a merge
	// builds it the same way.
	var k Key
	for i := 0; i < n; i += blockKeys {
		if _, err := f.ReadAt(k[:], int64(i)*recSize); err != nil {
			f.Close()
			return nil, fmt.Errorf("digest spill file: %w", err)
		}
		r.index = append(r.index, k)
	}
	return r, nil
}

// get looks k up: the block whose first key is the last at or below k, one
// read, a binary search in it.
func (r *run) get(k Key, buf *[]byte) (v uint64, found bool, err error) {
	b := sort.Search(len(r.index), func(i int) bool { return bytes.Compare(r.index[i][:], k[:]) > 0 }) - 1
	if b < 0 {
		return 0, false, nil
	}
	recs := min(blockKeys, r.n-b*blockKeys)
	if cap(*buf) < recs*recSize {
		*buf = make([]byte, blockKeys*recSize)
	}
	blk := (*buf)[:recs*recSize]
	if _, err := r.f.ReadAt(blk, int64(b)*blockKeys*recSize); err != nil {
		return 0, false, fmt.Errorf("digest spill file: %w", err)
	}
	key := func(i int) []byte { return blk[i*recSize : i*recSize+16] }
	i := sort.Search(recs, func(i int) bool { return bytes.Compare(key(i), k[:]) >= 0 })
	if i == recs || !bytes.Equal(key(i), k[:]) {
		return 0, false, nil
	}
	return binary.LittleEndian.Uint64(blk[i*recSize+16:]), true, nil
}

// merge writes two disjoint runs as one.
func merge(a, b *run) (*run, error) {
	return writeRun(a.n+b.n, func(w *bufio.Writer) error {
		ra, rb := a.reader(), b.reader()
		if err := ra.advance(); err != nil {
			return err
		}
		if err := rb.advance(); err != nil {
			return err
		}
		for ra.ok || rb.ok {
			from := rb
			if ra.ok && (!rb.ok || bytes.Compare(ra.rec[:16], rb.rec[:16]) < 0) {
				from = ra
			}
			if _, err := w.Write(from.rec[:]); err != nil {
				return err
			}
			if err := from.advance(); err != nil {
				return err
			}
		}
		return nil
	})
}

// runReader reads a run's records in order; rec is the current one while ok.
type runReader struct {
	r    *bufio.Reader
	left int
	rec  [recSize]byte
	ok   bool
}

func (r *run) reader() *runReader {
	return &runReader{r: bufio.NewReaderSize(io.NewSectionReader(r.f, 0, int64(r.n)*recSize), 64<<10), left: r.n}
}

func (rr *runReader) advance() error {
	if rr.ok = rr.left > 0; !rr.ok {
		return nil
	}
	rr.left--
	if _, err := io.ReadFull(rr.r, rr.rec[:]); err != nil {
		return fmt.Errorf("digest spill file: %w", err)
	}
	return nil
}
