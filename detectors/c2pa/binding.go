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
)

// CheckDataHash recomputes a c2pa.hash.data binding over the asset bytes,
// skipping the exclusion ranges, and compares. It streams through the file in
// fixed-size reads, so memory does not depend on the asset's size.
func CheckDataHash(r io.ReaderAt, size int64, dh DataHash) (bool, error) {
	var h hash.Hash
	switch strings.ToLower(dh.Alg) {
	case "", "sha256":
		h = sha256.New()
	case "sha384":
		h = sha512.New384()
	case "sha512":
		h = sha512.New()
	default:
		return false, fmt.Errorf("hash algorithm %q is not supported", dh.Alg)
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
		if _, err := io.Copy(h, io.NewSectionReader(r, pos, e.Start-pos)); err != nil {
			return false, err
		}
		pos = e.Start + e.Length
	}
	if _, err := io.Copy(h, io.NewSectionReader(r, pos, size-pos)); err != nil {
		return false, err
	}
	return bytes.Equal(h.Sum(nil), dh.Hash), nil
}
