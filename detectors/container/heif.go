package container

import (
	"bytes"
	"encoding/binary"
	"fmt"
)

// heifItem is one item of a HEIF meta box that carries metadata.
type heifItem struct {
	kind   string // "Exif" or "XMP"
	offset uint64
	length uint64
	ok     bool
}

// heifMeta reads the item metadata of a HEIF/AVIF top-level meta box: item
// info (iinf) says which items are Exif or XMP (mime application/rdf+xml),
// item locations (iloc) say where their bytes are (ISO/IEC 23008-12, 14496-12).
func (s *src) heifMeta(off, size int64) {
	body, err := s.read(off, size, "HEIF meta box")
	if err != nil {
		s.problem("%v", err)
		return
	}
	if len(body) < 12 {
		return
	}
	items := map[uint32]*heifItem{}
	var iloc []byte
	for p := 4; p+8 <= len(body); { // after the FullBox version and flags
		n := int(binary.BigEndian.Uint32(body[p:]))
		typ := string(body[p+4 : p+8])
		if n < 8 || p+n > len(body) {
			s.problem("HEIF meta child %q at %d has a bad size", typ, off+int64(p))
			return
		}
		switch typ {
		case "iinf":
			s.heifInfo(body[p+8:p+n], items)
		case "iloc":
			iloc = body[p+8 : p+n]
		}
		p += n
	}
	if len(items) == 0 || iloc == nil {
		return
	}
	if err := heifLocations(iloc, items); err != nil {
		s.problem("HEIF iloc: %v", err)
	}
	for id, it := range items {
		if !it.ok {
			continue
		}
		data, err := s.read(int64(it.offset), int64(it.length), fmt.Sprintf("HEIF %s item %d", it.kind, id))
		if err != nil {
			s.problem("%v", err)
			continue
		}
		where := fmt.Sprintf("HEIF %s item %d", it.kind, id)
		if it.kind == "XMP" {
			s.b.XMP = append(s.b.XMP, Block{Data: data, Where: where, Offset: int64(it.offset)})
			continue
		}
		// Exif items start with a 4-byte offset to the TIFF header.
		if len(data) < 4 {
			continue
		}
		skip := int(binary.BigEndian.Uint32(data)) + 4
		if skip > len(data) {
			s.problem("HEIF Exif item %d: TIFF header offset past the item", id)
			continue
		}
		s.b.EXIF = append(s.b.EXIF, Block{Data: data[skip:], Where: where, Offset: int64(it.offset)})
	}
}

func (s *src) heifInfo(b []byte, items map[uint32]*heifItem) {
	if len(b) < 6 {
		return
	}
	p := 6 // FullBox + u16 count
	if b[0] != 0 {
		p = 8
	}
	for p+12 <= len(b) {
		n := int(binary.BigEndian.Uint32(b[p:]))
		if n < 12 || p+n > len(b) || string(b[p+4:p+8]) != "infe" {
			return
		}
		e := b[p+8 : p+n]
		p += n
		version := e[0]
		if version < 2 || len(e) < 12 {
			continue
		}
		var id uint32
		q := 4
		if version == 2 {
			id, q = uint32(binary.BigEndian.Uint16(e[q:])), q+2
		} else {
			if len(e) < 14 {
				continue
			}
			id, q = binary.BigEndian.Uint32(e[q:]), q+4
		}
		q += 2 // protection index
		typ := string(e[q : q+4])
		q += 4
		switch typ {
		case "Exif":
			items[id] = &heifItem{kind: "Exif"}
		case "mime":
			_, rest, ok := bytes.Cut(e[q:], []byte{0}) // item name
			if !ok {
				continue
			}
			ctype, _, _ := bytes.Cut(rest, []byte{0})
			if string(ctype) == "application/rdf+xml" {
				items[id] = &heifItem{kind: "XMP"}
			}
		}
	}
}

// heifLocations fills offset and length for the wanted items that are stored
// as one extent in the file (construction method 0).
func heifLocations(b []byte, items map[uint32]*heifItem) error {
	if len(b) < 8 {
		return fmt.Errorf("too short")
	}
	version := b[0]
	offSize, lenSize := int(b[4]>>4), int(b[4]&15)
	baseSize, idxSize := int(b[5]>>4), int(b[5]&15)
	if version == 0 {
		idxSize = 0
	}
	p := 6
	var count uint32
	r := reader{b: b}
	if version < 2 {
		count, p = uint32(r.u(p, 2)), p+2
	} else {
		count, p = uint32(r.u(p, 4)), p+4
	}
	for i := uint32(0); i < count && !r.bad; i++ {
		var id uint32
		if version < 2 {
			id, p = uint32(r.u(p, 2)), p+2
		} else {
			id, p = uint32(r.u(p, 4)), p+4
		}
		method := uint64(0)
		if version == 1 || version == 2 {
			method, p = r.u(p, 2)&15, p+2
		}
		p += 2 // data reference index
		base := r.u(p, baseSize)
		p += baseSize
		extents := int(r.u(p, 2))
		p += 2
		for e := 0; e < extents && !r.bad; e++ {
			p += idxSize
			eo, el := r.u(p, offSize), r.u(p+offSize, lenSize)
			p += offSize + lenSize
			if it := items[id]; it != nil && e == 0 && method == 0 && extents == 1 {
				it.offset, it.length, it.ok = base+eo, el, true
			}
		}
	}
	if r.bad {
		return fmt.Errorf("runs past the end of the box")
	}
	return nil
}

// reader reads big-endian unsigned fields of 0, 2, 4 or 8 bytes and
// remembers a read past the end instead of panicking.
type reader struct {
	b   []byte
	bad bool
}

func (r *reader) u(p, size int) uint64 {
	if size == 0 {
		return 0
	}
	if p < 0 || p+size > len(r.b) {
		r.bad = true
		return 0
	}
	switch size {
	case 1:
		return uint64(r.b[p])
	case 2:
		return uint64(binary.BigEndian.Uint16(r.b[p:]))
	case 4:
		return uint64(binary.BigEndian.Uint32(r.b[p:]))
	case 8:
		return binary.BigEndian.Uint64(r.b[p:])
	}
	r.bad = true
	return 0
}
