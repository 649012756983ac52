package c2pa

import (
	"bytes"
	"crypto/sha256"
	"crypto/sha512"
	"fmt"
	"hash"
	"io"
	"sort"
	"strings"
	"sync"
)

// hasher is the hash a C2PA assertion (or, when it names none, its claim)
// names. Naming none at all is an error, as in the reference.
func hasher(alg string) (hash.Hash, error) {
	switch strings.ToLower(alg) {
	case "":
		return nil, fmt.Errorf("no hash algorithm is named")
	case "sha256":
		return sha256.New(), nil
	case "sha384":
		return sha512.New384(), nil
	case "sha512":
		return sha512.New(), nil
	}
	return nil, fmt.Errorf("hash algorithm %q is not supported", alg)
}

// CheckDataHash recomputes a c2pa.hash.data binding over the asset bytes,
// skipping the exclusion ranges, and compares. It streams through the file in
// fixed-size reads, so memory does not depend on the asset's size.
func CheckDataHash(r io.ReaderAt, size int64, dh DataHash) (bool, error) {
	h, err := hasher(dh.Alg)
	if err != nil {
		return false, err
	}
	if len(dh.Hash) == 0 {
		return false, fmt.Errorf("the data hash assertion has no hash")
	}
	ex := append([]Exclusion(nil), dh.Exclusions...)
	sort.Slice(ex, func(i, j int) bool { return ex[i].Start < ex[j].Start })
	pos := int64(0)
	for _, e := range ex {
		if e.Start < pos || e.Length < 0 || e.Start > size || e.Length > size-e.Start {
			return false, fmt.Errorf("exclusion [%d, +%d] lies outside the %d-byte asset or overlaps another", e.Start, e.Length, size)
		}
		pos = e.Start + e.Length
	}
	if err := hashRange(h, r, 0, size, ex); err != nil {
		return false, err
	}
	return bytes.Equal(h.Sum(nil), dh.Hash), nil
}

// copyBufs are hashRange's read buffers: io.Copy into a hash (no
// ReaderFrom) would allocate 32 KiB per range, two ranges per file.
var copyBufs = sync.Pool{New: func() any { return new([64 << 10]byte) }}

// hashRange hashes [from, to) minus the (sorted) cut ranges.
func hashRange(h hash.Hash, r io.ReaderAt, from, to int64, cut []Exclusion) error {
	buf := copyBufs.Get().(*[64 << 10]byte)
	defer copyBufs.Put(buf)
	pos := from
	for _, c := range cut {
		end := c.Start + c.Length
		if end <= pos || c.Start >= to {
			continue
		}
		if c.Start > pos {
			if _, err := io.CopyBuffer(h, io.NewSectionReader(r, pos, c.Start-pos), buf[:]); err != nil {
				return err
			}
		}
		pos = max(pos, min(end, to))
	}
	if pos < to {
		_, err := io.CopyBuffer(h, io.NewSectionReader(r, pos, to-pos), buf[:])
		return err
	}
	return nil
}
