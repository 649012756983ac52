package container

import (
	"encoding/binary"
	"fmt"
)

// fontC2PAHeader is the size of the C2PA font table's header (C2PA A.3.9.2):
// majorVersion, minorVersion (uint16), activeManifestUriOffset (Offset32),
// activeManifestUriLength, reserved (uint16), manifestStoreOffset
// (Offset32), manifestStoreLength (uint32).
const fontC2PAHeader = 20

// font reads the table directory of an OpenType or TrueType font and the
// C2PA table it lists (C2PA A.3.9): an embedded manifest store, a URI to the
// active manifest, or both. Only the C2PA table's bytes are read.
func (s *src) font() error {
	h, err := s.small(0, 12)
	if err != nil {
		return err
	}
	if len(h) < 12 {
		return fmt.Errorf("font header truncated (%d bytes)", len(h))
	}
	n := int(binary.BigEndian.Uint16(h[4:]))
	dir, err := s.small(12, 16*n)
	if err != nil {
		return err
	}
	if len(dir) < 16*n {
		return fmt.Errorf("font table directory declares %d tables, the file ends after %d", n, len(dir)/16)
	}
	for i := range n {
		if err := s.tick(); err != nil {
			return err
		}
		rec := dir[16*i : 16*i+16]
		tag, off, length := string(rec[:4]), int64(binary.BigEndian.Uint32(rec[8:])), int64(binary.BigEndian.Uint32(rec[12:]))
		box := HashBox{Name: tag, Offset: off, Length: length}
		if tag == "head" && length >= 12 {
			// checkSumAdjustment covers the whole font, manifest included:
			// the box hash reads it as zero (C2PA 18.7.3.6).
			box.ZeroAt = off + 8
		}
		if off+length > s.size {
			// Kept in the list: a box hash over it then fails to read,
			// and says so, rather than calling a cut file altered.
			s.problem("font table %q at %d declares %d bytes, the file ends at %d (truncated)", tag, off, length, s.size)
		}
		s.b.HashBoxes = append(s.b.HashBoxes, box)
		if tag == "C2PA" {
			s.fontC2PA(int64(12+16*i), off, length)
		}
	}
	return nil
}

// fontC2PA reads the C2PA table that the directory record at rec places at
// off, n bytes long.
func (s *src) fontC2PA(rec, off, n int64) {
	where := fmt.Sprintf("font C2PA table at %d", off)
	t, err := s.read(off, n, "font C2PA table")
	if err != nil {
		// The table is not in the file: the store is placed at its record.
		s.b.JUMBF = append(s.b.JUMBF, Block{Where: where, Offset: rec, C2PAOnly: true, Malformed: err.Error()})
		return
	}
	if len(t) < fontC2PAHeader {
		s.b.JUMBF = append(s.b.JUMBF, Block{Where: where, Offset: rec, C2PAOnly: true,
			Malformed: fmt.Sprintf("the table is %d bytes, shorter than its %d-byte header", len(t), fontC2PAHeader)})
		return
	}
	// Offsets count from the table's start; 0 with length 0 means absent.
	part := func(at, length int64) ([]byte, error) {
		if at < 0 || length < 0 || at > int64(len(t)) || length > int64(len(t))-at {
			return nil, fmt.Errorf("[%d, +%d] runs past the %d-byte table", at, length, len(t))
		}
		return t[at : at+length], nil
	}
	if uriLen := int64(binary.BigEndian.Uint16(t[8:])); uriLen > 0 {
		if uri, err := part(int64(binary.BigEndian.Uint32(t[4:])), uriLen); err != nil {
			s.problem("%s: active manifest URI %v", where, err)
		} else {
			s.b.ManifestURIs = append(s.b.ManifestURIs, string(uri))
		}
	}
	storeAt, storeLen := int64(binary.BigEndian.Uint32(t[12:])), int64(binary.BigEndian.Uint32(t[16:]))
	if storeLen == 0 {
		return
	}
	store, err := part(storeAt, storeLen)
	if err != nil {
		s.b.JUMBF = append(s.b.JUMBF, Block{Where: where, Offset: off, C2PAOnly: true, Malformed: "the manifest store " + err.Error()})
		return
	}
	s.b.JUMBF = append(s.b.JUMBF, Block{Data: store, Where: where, Offset: off + storeAt, C2PAOnly: true})
}
