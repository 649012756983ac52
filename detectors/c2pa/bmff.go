package c2pa

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
)

// Caps for walking a hostile file's boxes while checking a BMFF binding.
const (
	maxBMFFBoxes  = 100_000
	maxXPathDepth = 16
)

// ErrBMFFUnsupported marks a BMFF binding this reader does not evaluate
// (flags predicates, a Merkle tree over a single file's chunks): not
// checked, never a mismatch.
var ErrBMFFUnsupported = errors.New("not supported")

type bmffBox struct {
	typ       string
	off, size int64
	hdr       int64 // header length: 8, 16 with a 64-bit size, +16 for uuid
}

// CheckBMFFHash recomputes a c2pa.hash.bmff binding. Exclusions select boxes
// by path and predicates (length, version, data bytes at an offset). In
// v2/v3 every top-level box that no exclusion removes whole is hashed as its
// file offset (8 bytes, big-endian) followed by its bytes, minus the excluded
// nested boxes and subset ranges. The C2PA 1.x c2pa.hash.bmff has no offsets:
// it hashes the file's bytes minus every excluded range, so an excluded box
// may move without breaking it. The file is streamed, never held.
func CheckBMFFHash(r io.ReaderAt, size int64, bh BMFFHash) (bool, error) {
	if len(bh.Hash) == 0 && len(bh.Merkle) > 0 {
		return false, ErrFragmentsNeeded
	}
	if len(bh.Merkle) > 0 {
		return false, fmt.Errorf("a Merkle tree over this file's own chunks: %w", ErrBMFFUnsupported)
	}
	if len(bh.Hash) == 0 {
		return false, errors.New("the BMFF hash assertion has no hash")
	}
	sum, err := bmffDigest(r, size, bh, bh.Alg)
	if err != nil {
		return false, err
	}
	return bytes.Equal(sum, bh.Hash), nil
}

// bmffDigest hashes a file (a whole asset, an init segment or a fragment)
// with alg the way bh's version and exclusions say.
func bmffDigest(r io.ReaderAt, size int64, bh BMFFHash, alg string) ([]byte, error) {
	h, err := hasher(alg)
	if err != nil {
		return nil, err
	}
	budget := maxBMFFBoxes
	top, err := bmffChildren(r, 0, size, &budget)
	if err != nil {
		return nil, err
	}
	var cut []Exclusion // absolute byte ranges removed from hashed boxes
	whole := map[int64]bool{}
	for _, ex := range bh.Exclusions {
		path := strings.Split(strings.Trim(ex.XPath, "/"), "/")
		if ex.XPath == "" || len(path) > maxXPathDepth {
			return nil, fmt.Errorf("exclusion path %q is not usable", ex.XPath)
		}
		boxes, err := bmffFind(r, top, path, &budget)
		if err != nil {
			return nil, err
		}
		for _, b := range boxes {
			ok, err := bmffMatches(r, b, ex)
			if err != nil {
				return nil, err
			}
			if !ok {
				continue
			}
			switch {
			case len(ex.Subset) > 0:
				for _, sub := range ex.Subset {
					start := b.off + min(max(sub.Start, 0), b.size)
					end := b.off + b.size
					if sub.Length > 0 {
						end = min(start+sub.Length, end)
					}
					cut = append(cut, Exclusion{Start: start, Length: end - start})
				}
			case len(path) == 1 && bh.Label != BMFFHashV1: // v1 cuts whole boxes like any range
				whole[b.off] = true
			default:
				cut = append(cut, Exclusion{Start: b.off, Length: b.size})
			}
		}
	}
	sort.Slice(cut, func(i, j int) bool { return cut[i].Start < cut[j].Start })
	if bh.Label == BMFFHashV1 {
		if err := hashRange(h, r, 0, size, cut); err != nil {
			return nil, err
		}
		return h.Sum(nil), nil
	}
	for _, b := range top {
		if whole[b.off] {
			continue
		}
		var mark [8]byte
		binary.BigEndian.PutUint64(mark[:], uint64(b.off))
		h.Write(mark[:])
		if err := hashRange(h, r, b.off, b.off+b.size, cut); err != nil {
			return nil, err
		}
	}
	return h.Sum(nil), nil
}

// bmffChildren lists the boxes in [start, end).
func bmffChildren(r io.ReaderAt, start, end int64, budget *int) ([]bmffBox, error) {
	var out []bmffBox
	var hdr [32]byte
	for off := start; off+8 <= end; {
		if *budget--; *budget < 0 {
			return nil, errors.New("too many boxes")
		}
		if _, err := r.ReadAt(hdr[:8], off); err != nil {
			return nil, fmt.Errorf("box header at %d: %w", off, err)
		}
		b := bmffBox{typ: string(hdr[4:8]), off: off, size: int64(binary.BigEndian.Uint32(hdr[:4])), hdr: 8}
		switch b.size {
		case 1:
			if _, err := r.ReadAt(hdr[8:16], off+8); err != nil {
				return nil, fmt.Errorf("box size at %d: %w", off, err)
			}
			b.size, b.hdr = int64(binary.BigEndian.Uint64(hdr[8:16])), 16
		case 0:
			b.size = end - off
		}
		if b.typ == "uuid" {
			b.hdr += 16
		}
		if b.size < b.hdr || b.size > end-off {
			return nil, fmt.Errorf("box %q at %d: size %d does not fit", b.typ, off, b.size)
		}
		out = append(out, b)
		off += b.size
	}
	return out, nil
}

// bmffFind returns the boxes at path below the top-level boxes.
func bmffFind(r io.ReaderAt, level []bmffBox, path []string, budget *int) ([]bmffBox, error) {
	var found []bmffBox
	for _, b := range level {
		if b.typ != path[0] {
			continue
		}
		if len(path) == 1 {
			found = append(found, b)
			continue
		}
		start := b.off + b.hdr
		if b.typ == "meta" {
			start += 4 // a FullBox: version and flags before its children
		}
		kids, err := bmffChildren(r, start, b.off+b.size, budget)
		if err != nil {
			return nil, err
		}
		more, err := bmffFind(r, kids, path[1:], budget)
		if err != nil {
			return nil, err
		}
		found = append(found, more...)
	}
	return found, nil
}

// bmffMatches applies an exclusion's predicates to one box.
func bmffMatches(r io.ReaderAt, b bmffBox, ex BMFFExclusion) (bool, error) {
	if ex.Length != nil && *ex.Length != b.size {
		return false, nil
	}
	if len(ex.Flags) > 0 {
		return false, fmt.Errorf("exclusion %s tests box flags: %w", ex.XPath, ErrBMFFUnsupported)
	}
	if ex.Version != nil {
		var v [1]byte
		if b.hdr >= b.size {
			return false, nil
		}
		if _, err := r.ReadAt(v[:], b.off+b.hdr); err != nil {
			return false, err
		}
		if int64(v[0]) != *ex.Version {
			return false, nil
		}
	}
	for _, d := range ex.Data {
		if d.Offset < 0 || d.Offset+int64(len(d.Value)) > b.size || len(d.Value) > 1<<16 {
			return false, nil
		}
		got := make([]byte, len(d.Value))
		if _, err := r.ReadAt(got, b.off+d.Offset); err != nil {
			return false, err
		}
		if !bytes.Equal(got, d.Value) {
			return false, nil
		}
	}
	return true, nil
}
