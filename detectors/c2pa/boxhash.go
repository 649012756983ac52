package c2pa

import (
	"bytes"
	"fmt"
	"hash"
	"io"
)

// BoxHash is the c2pa.hash.boxes hard binding (C2PA 18.7, "General Box
// Hash"): the asset's boxes in file order, each entry one box or a run of
// boxes with the hash of their bytes. JPEG XL and fonts bind this way, and
// PNG, JPEG and GIF may.
type BoxHash struct {
	Alg   string
	Boxes []BoxHashEntry
}

// BoxHashEntry covers the boxes Names from the start of the first to the end
// of the last. The manifest store's own box is named "C2PA" and not hashed;
// an Excluded entry is not compared.
type BoxHashEntry struct {
	Names    []string
	Alg      string
	Hash     []byte
	Excluded bool
}

// AssetBox is one box of the asset as the format's general-box-hash rules
// name it (C2PA 18.7.3): a JPEG XL top-level box or a PNG chunk by its
// type, "C2PA" for the manifest store's box; a font table by its tag, in
// directory order; "PNGh" for a PNG's 8-byte signature.
type AssetBox struct {
	Name           string
	Offset, Length int64
	// Zeroed are byte ranges hashed as zeros (a font's head
	// checkSumAdjustment, which changes when the manifest is added).
	Zeroed []Exclusion
}

// boxHashName is the name the spec gives the box holding the manifest store.
const boxHashName = "C2PA"

// pngSignature names a PNG's signature, which the entries may leave out (the
// reference then starts at the first chunk).
const pngSignature = "PNGh"

func readBoxHash(a map[string]any) *BoxHash {
	bh := &BoxHash{Alg: str(a["alg"])}
	for _, b := range asSlice(a["boxes"]) {
		bm := asMap(b)
		e := BoxHashEntry{Alg: str(bm["alg"]), Hash: bytesOf(bm["hash"])}
		e.Excluded, _ = bm["excluded"].(bool)
		for _, n := range asSlice(bm["names"]) {
			e.Names = append(e.Names, str(n))
		}
		bh.Boxes = append(bh.Boxes, e)
	}
	return bh
}

// CheckBoxHash validates a general box hash against the asset's boxes as
// C2PA 15.12.3 says: the entries list every box, in file order, and each
// run of boxes hashes to its value. A box the entries do not list, or lists
// out of order, is a mismatch (assertion.boxesHash.unknownBox / mismatch).
func CheckBoxHash(r io.ReaderAt, boxes []AssetBox, bh BoxHash) (bool, error) {
	if len(bh.Boxes) == 0 {
		return false, fmt.Errorf("the box hash assertion lists no boxes")
	}
	if len(boxes) == 0 {
		return false, fmt.Errorf("the asset's boxes are not named for a box hash (read for JPEG XL, PNG, JPEG, GIF and fonts only)")
	}
	next := 0
	if boxes[0].Name == pngSignature && (len(bh.Boxes[0].Names) == 0 || bh.Boxes[0].Names[0] != pngSignature) {
		next = 1
	}
	for _, e := range bh.Boxes {
		if len(e.Names) == 0 {
			return false, fmt.Errorf("a box hash entry has no names")
		}
		if next+len(e.Names) > len(boxes) {
			return false, nil // lists boxes the asset does not have
		}
		run := boxes[next : next+len(e.Names)]
		for i, n := range e.Names {
			if run[i].Name != n {
				return false, nil // another box, or out of order
			}
		}
		next += len(run)
		if e.Names[0] == boxHashName {
			if len(e.Names) != 1 {
				return false, fmt.Errorf("the C2PA box is listed with other boxes")
			}
			continue
		}
		if e.Excluded {
			continue
		}
		alg := e.Alg
		if alg == "" {
			alg = bh.Alg
		}
		h, err := hasher(alg)
		if err != nil {
			return false, err
		}
		last := run[len(run)-1]
		var zeroed []Exclusion
		for _, b := range run {
			zeroed = append(zeroed, b.Zeroed...)
		}
		if err := hashZeroed(h, r, run[0].Offset, last.Offset+last.Length, zeroed); err != nil {
			return false, err
		}
		if !bytes.Equal(h.Sum(nil), e.Hash) {
			return false, nil
		}
	}
	return next == len(boxes), nil // a box left over is one the entries do not cover
}

// hashZeroed hashes [from, to) with the zeroed ranges (in file order, inside
// it) read as zero bytes.
func hashZeroed(h hash.Hash, r io.ReaderAt, from, to int64, zeroed []Exclusion) error {
	pos := from
	for _, z := range zeroed {
		if z.Start < pos || z.Length < 0 || z.Start+z.Length > to {
			return fmt.Errorf("zeroed range [%d, +%d] outside its box", z.Start, z.Length)
		}
		if _, err := io.CopyN(h, io.NewSectionReader(r, pos, z.Start-pos), z.Start-pos); err != nil {
			return err
		}
		h.Write(make([]byte, z.Length))
		pos = z.Start + z.Length
	}
	_, err := io.CopyN(h, io.NewSectionReader(r, pos, to-pos), to-pos)
	return err
}
