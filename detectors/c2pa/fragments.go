package c2pa

import (
	"bytes"
	"errors"
	"fmt"
	"io"
)

// Caps for a Merkle binding over the fragments of a fragmented MP4.
const (
	maxMerkleMaps     = 1024
	maxFragments      = 100_000
	maxMerkleBoxBytes = 1 << 20
	// A proof longer than a tree of 2^63 leaves is deep is never needed.
	maxMerkleProof = 64
	maxPurposeLen  = 64
)

// ErrFragmentsNeeded marks a BMFF binding that is a Merkle tree over
// fragments kept in other files (DASH/HLS media segments): the init segment
// alone cannot be checked, which says nothing about tampering.
var ErrFragmentsNeeded = errors.New("the binding covers fragments in other files")

// c2paBoxUUID is the extended type of the C2PA uuid boxes of BMFF files
// (C2PA 2.2 A.4): the manifest store in the init segment, and in each
// fragment its Merkle leaf.
var c2paBoxUUID = []byte{0xD8, 0xFE, 0xC3, 0xD6, 0x1B, 0x0E, 0x48, 0x3C, 0x92, 0x97, 0x58, 0x28, 0x87, 0x7E, 0xC4, 0x81}

// MerkleMap is one tree of a c2pa.hash.bmff.v2/v3 binding over fragments
// (C2PA 2.2 section 18.6.3): each fragment's hash is a leaf, and Hashes is
// one whole layer of the tree (the leaves themselves, or a layer up to the
// root), which a fragment's proof leads to.
type MerkleMap struct {
	UniqueID, LocalID int64
	Count             int64
	Alg               string
	// InitHash binds the init segment: its hash minus the exclusions.
	InitHash []byte
	Hashes   [][]byte
}

func readMerkleMaps(v any) []MerkleMap {
	var out []MerkleMap
	for _, e := range asSlice(v) {
		if len(out) == maxMerkleMaps {
			break
		}
		m := asMap(e)
		mm := MerkleMap{
			UniqueID: integer(m["uniqueId"]), LocalID: integer(m["localId"]), Count: integer(m["count"]),
			Alg: str(m["alg"]), InitHash: bytesOf(m["initHash"]),
		}
		for _, h := range asSlice(m["hashes"]) {
			mm.Hashes = append(mm.Hashes, bytesOf(h))
		}
		out = append(out, mm)
	}
	return out
}

// merkleLeaf is what a fragment's C2PA "merkle" uuid box says: which tree
// (uniqueId, localId) it is a leaf of, where (location), and the proof: the
// sibling hashes from the leaf up to the layer the manifest stores.
type merkleLeaf struct {
	UniqueID int64    `cbor:"uniqueId"`
	LocalID  int64    `cbor:"localId"`
	Location int64    `cbor:"location"`
	Hashes   [][]byte `cbor:"hashes"`
}

func (l merkleLeaf) String() string {
	return fmt.Sprintf("leaf %d of tree %d/%d", l.Location, l.UniqueID, l.LocalID)
}

// verify walks leaf up the tree: at each layer it is hashed with its
// sibling from the proof (left sibling first), or passes up alone when it
// is the odd last node; the walk stops at the layer of len(Hashes) nodes
// (or the root) and compares with the stored node there.
func (m MerkleMap) verify(alg string, leaf []byte, l merkleLeaf) bool {
	if l.Location < 0 || l.Location >= m.Count || len(m.Hashes) == 0 {
		return false
	}
	node, idx, width, proof := leaf, l.Location, m.Count, l.Hashes
	for width > 1 && width != int64(len(m.Hashes)) {
		if sibling := idx ^ 1; sibling < width {
			if len(proof) == 0 {
				return false
			}
			h, err := hasher(alg)
			if err != nil {
				return false
			}
			if idx%2 == 1 {
				h.Write(proof[0])
				h.Write(node)
			} else {
				h.Write(node)
				h.Write(proof[0])
			}
			node, proof = h.Sum(nil), proof[1:]
		}
		idx /= 2
		width = (width + 1) / 2
	}
	return idx < int64(len(m.Hashes)) && bytes.Equal(m.Hashes[idx], node)
}

// Fragment is one file that may be a fragment (media segment) of a
// fragmented MP4. Open is called only while the fragment is checked, so a
// folder of thousands of segments holds one open at a time.
type Fragment struct {
	Name string
	Open func() (r io.ReaderAt, size int64, close func() error, err error)
}

// FragmentOf makes a Fragment of bytes in memory.
func FragmentOf(name string, b []byte) Fragment {
	return Fragment{Name: name, Open: func() (io.ReaderAt, int64, func() error, error) {
		return bytes.NewReader(b), int64(len(b)), func() error { return nil }, nil
	}}
}

// FragmentState is what checking one fragment found.
type FragmentState string

const (
	FragmentMatch    FragmentState = "match"
	FragmentMismatch FragmentState = "mismatch"
	// FragmentForeign: the file holds no leaf of this manifest's trees
	// (another rendition's segment, or no C2PA fragment at all).
	FragmentForeign FragmentState = "foreign"
	// FragmentUnreadable: its boxes or its leaf do not parse.
	FragmentUnreadable FragmentState = "unreadable"
)

// FragmentCheck is the verdict on one fragment file.
type FragmentCheck struct {
	Name   string
	State  FragmentState
	Detail string
}

// FragmentsResult is what checking an init segment with its fragments found.
type FragmentsResult struct {
	// InitMatch says whether the init segment matches every initHash.
	InitMatch bool
	Fragments []FragmentCheck
	// Leaves counts the trees' leaves; Missing names those no fragment
	// matched (the first few).
	Leaves, Matched int64
	Missing         []string
}

// Mismatched lists the fragments whose hash is not the tree's leaf.
func (r FragmentsResult) Mismatched() []FragmentCheck { return r.with(FragmentMismatch) }

// Unreadable lists the fragments that did not parse.
func (r FragmentsResult) Unreadable() []FragmentCheck { return r.with(FragmentUnreadable) }

func (r FragmentsResult) with(s FragmentState) []FragmentCheck {
	var out []FragmentCheck
	for _, f := range r.Fragments {
		if f.State == s {
			out = append(out, f)
		}
	}
	return out
}

const maxMissingNamed = 8

// CheckBMFFFragments checks a Merkle c2pa.hash.bmff.v2/v3 binding the way
// C2PA 2.2 section 18.6.3 describes for a fragmented MP4 kept as an init
// segment and separate fragment files: the init segment's hash minus the
// exclusions against each tree's initHash, and each fragment's hash minus
// the same exclusions (so without its own C2PA merkle box) as the leaf its
// merkle box names, walked up the tree with the box's proof. A fragment
// whose leaf names no tree of this binding belongs to something else and is
// set aside. The error is for a binding that cannot be checked at all.
func CheckBMFFFragments(init io.ReaderAt, initSize int64, bh BMFFHash, frags []Fragment) (FragmentsResult, error) {
	var res FragmentsResult
	if len(bh.Merkle) == 0 {
		return res, errors.New("the BMFF hash has no Merkle tree over fragments")
	}
	if len(bh.Hash) > 0 {
		return res, errors.New("the BMFF hash of a fragmented MP4 also carries a whole-file hash, which C2PA does not allow")
	}
	if len(frags) > maxFragments {
		return res, fmt.Errorf("more than %d fragments", maxFragments)
	}
	res.InitMatch = true
	initChecked := map[string]bool{}
	for _, m := range bh.Merkle {
		alg := firstOf(m.Alg, bh.Alg)
		if _, err := hasher(alg); err != nil {
			return res, err
		}
		if m.Count <= 0 || len(m.Hashes) == 0 {
			return res, fmt.Errorf("Merkle tree %d/%d has no leaves or no hashes", m.UniqueID, m.LocalID)
		}
		if len(m.InitHash) == 0 {
			return res, fmt.Errorf("Merkle tree %d/%d has no initHash: the init segment is not bound", m.UniqueID, m.LocalID)
		}
		key := alg + string(m.InitHash)
		if initChecked[key] {
			continue
		}
		initChecked[key] = true
		sum, err := bmffDigest(init, initSize, bh, alg)
		if err != nil {
			return res, fmt.Errorf("init segment: %w", err)
		}
		res.InitMatch = res.InitMatch && bytes.Equal(sum, m.InitHash)
	}
	covered := map[[2]int64]map[int64]bool{}
	for _, f := range frags {
		res.Fragments = append(res.Fragments, checkFragment(f, bh, covered))
	}
	for _, m := range bh.Merkle {
		res.Leaves += m.Count
		got := covered[[2]int64{m.UniqueID, m.LocalID}]
		res.Matched += int64(len(got))
		for i := int64(0); i < m.Count && len(res.Missing) < maxMissingNamed; i++ {
			if !got[i] {
				res.Missing = append(res.Missing, merkleLeaf{UniqueID: m.UniqueID, LocalID: m.LocalID, Location: i}.String())
			}
		}
	}
	return res, nil
}

// checkFragment checks every leaf one fragment file holds and records the
// leaves that match in covered.
func checkFragment(f Fragment, bh BMFFHash, covered map[[2]int64]map[int64]bool) FragmentCheck {
	fc := FragmentCheck{Name: f.Name}
	r, size, closeFn, err := f.Open()
	if err != nil {
		fc.State, fc.Detail = FragmentUnreadable, err.Error()
		return fc
	}
	defer closeFn()
	leaves, err := fragmentLeaves(r, size)
	if err != nil {
		fc.State, fc.Detail = FragmentUnreadable, err.Error()
		return fc
	}
	fc.State, fc.Detail = FragmentForeign, "no C2PA Merkle leaf of this manifest"
	for _, l := range leaves {
		i := indexOfTree(bh.Merkle, l)
		if i < 0 {
			continue
		}
		m := bh.Merkle[i]
		alg := firstOf(m.Alg, bh.Alg)
		sum, err := bmffDigest(r, size, bh, alg)
		if err != nil {
			fc.State, fc.Detail = FragmentUnreadable, err.Error()
			return fc
		}
		if !m.verify(alg, sum, l) {
			fc.State, fc.Detail = FragmentMismatch, l.String()+" does not match the manifest's Merkle tree"
			return fc
		}
		key := [2]int64{l.UniqueID, l.LocalID}
		if covered[key] == nil {
			covered[key] = map[int64]bool{}
		}
		covered[key][l.Location] = true
		fc.State, fc.Detail = FragmentMatch, l.String()
	}
	return fc
}

func indexOfTree(maps []MerkleMap, l merkleLeaf) int {
	for i, m := range maps {
		if m.UniqueID == l.UniqueID && m.LocalID == l.LocalID {
			return i
		}
	}
	return -1
}

// fragmentLeaves reads the leaves a fragment's top-level C2PA "merkle" uuid
// boxes hold: after the uuid, a FullBox version and flags, the purpose
// "merkle" NUL-terminated, then the leaf as CBOR (zero padding may follow).
func fragmentLeaves(r io.ReaderAt, size int64) ([]merkleLeaf, error) {
	budget := maxBMFFBoxes
	top, err := bmffChildren(r, 0, size, &budget)
	if err != nil {
		return nil, err
	}
	var out []merkleLeaf
	for _, b := range top {
		if b.typ != "uuid" {
			continue
		}
		var ext [16]byte
		if _, err := r.ReadAt(ext[:], b.off+b.hdr-16); err != nil {
			return nil, err
		}
		if !bytes.Equal(ext[:], c2paBoxUUID) {
			continue
		}
		body := b.size - b.hdr
		if body > maxMerkleBoxBytes {
			// A manifest store has no business in a fragment; a leaf is small.
			continue
		}
		data := make([]byte, body)
		if _, err := r.ReadAt(data, b.off+b.hdr); err != nil {
			return nil, err
		}
		if len(data) < 4 {
			return nil, fmt.Errorf("C2PA uuid box at %d is too short", b.off)
		}
		purpose, rest, ok := bytes.Cut(data[4:], []byte{0})
		if !ok || len(purpose) > maxPurposeLen {
			return nil, fmt.Errorf("C2PA uuid box at %d has no purpose", b.off)
		}
		if string(purpose) != "merkle" {
			continue
		}
		var l merkleLeaf
		if _, err := decMode.UnmarshalFirst(rest, &l); err != nil {
			return nil, fmt.Errorf("C2PA merkle box at %d: %w", b.off, err)
		}
		if len(l.Hashes) > maxMerkleProof {
			return nil, fmt.Errorf("C2PA merkle box at %d: a proof of %d hashes", b.off, len(l.Hashes))
		}
		out = append(out, l)
	}
	return out, nil
}
