package container

import (
	"bytes"
	"encoding/binary"
	"fmt"
)

var (
	uuidC2PA = []byte{0xD8, 0xFE, 0xC3, 0xD6, 0x1B, 0x0E, 0x48, 0x3C, 0x92, 0x97, 0x58, 0x28, 0x87, 0x7E, 0xC4, 0x81}
	uuidXMP  = []byte{0xBE, 0x7A, 0xCF, 0xCB, 0x97, 0xA9, 0x42, 0xE8, 0x9C, 0x71, 0x99, 0x94, 0x91, 0xE3, 0xAF, 0xAC}
)

// bmffContainers are the boxes descended into to reach XMP in QuickTime
// (moov/udta/XMP_); media data boxes are never read.
var bmffContainers = map[string]bool{"moov": true, "udta": true}

// bmff walks ISO BMFF boxes (MP4, MOV, HEIC, AVIF) reading only box headers
// and the boxes that carry metadata. The C2PA uuid box may sit anywhere among
// the top-level boxes: an fMP4 init segment puts it after mfra and free.
func (s *src) bmff() error {
	return s.bmffBoxes(0, s.size, 0, "")
}

func (s *src) bmffBoxes(off, end int64, depth int, path string) error {
	if depth > 8 {
		return fmt.Errorf("BMFF boxes nested deeper than 8 at %d", off)
	}
	for off+8 <= end {
		if err := s.tick(); err != nil {
			return err
		}
		h, err := s.small(off, 32)
		if err != nil {
			return err
		}
		size := int64(binary.BigEndian.Uint32(h))
		typ := string(h[4:8])
		hdr := int64(8)
		switch size {
		case 1:
			if len(h) < 16 {
				return fmt.Errorf("BMFF box %q at %d truncated", typ, off)
			}
			large := binary.BigEndian.Uint64(h[8:])
			if large > uint64(1<<62) {
				return fmt.Errorf("BMFF box %q at %d declares %d bytes", typ, off, large)
			}
			size, hdr = int64(large), 16
		case 0:
			size = end - off
		}
		if size < hdr {
			return fmt.Errorf("BMFF box %q at %d declares %d bytes, less than its header", typ, off, size)
		}
		if off+size > end {
			s.problem("BMFF box %q at %d declares %d bytes, only %d present (file truncated)", typ, off, size, end-off)
			size = end - off
		}
		body := off + hdr
		if depth == 0 && s.b.MediaType == "image/jxl" {
			name := typ
			if typ == "jumb" {
				name = "C2PA" // every top-level JUMBF box, as the reference names it
			}
			s.b.HashBoxes = append(s.b.HashBoxes, HashBox{Name: name, Offset: off, Length: size})
		}
		switch {
		case typ == "uuid" && size-hdr >= 16:
			s.bmffUUID(off, body, size-hdr, path)
		case typ == "XMP_":
			if data, err := s.read(body, size-hdr, "QuickTime XMP_ box"); err == nil {
				s.b.XMP = append(s.b.XMP, Block{Data: data, Where: "BMFF " + path + "/XMP_ box", Offset: off})
			} else {
				s.problem("%v", err)
			}
		case typ == "meta" && depth == 0:
			s.heifMeta(body, size-hdr)
		case depth == 0 && (typ == "jumb" || typ == "xml " || typ == "Exif" || typ == "brob"):
			s.boxMetadata(typ, off, body, size)
		case bmffContainers[typ]:
			if err := s.bmffBoxes(body, off+size, depth+1, path+"/"+typ); err != nil {
				return err
			}
		}
		off += size
	}
	return nil
}

func (s *src) bmffUUID(off, body, n int64, path string) {
	id, err := s.small(body, 16)
	if err != nil {
		s.problem("BMFF uuid box at %d: %v", off, err)
		return
	}
	switch {
	case bytes.Equal(id, uuidC2PA):
		data, err := s.read(body+16, n-16, "BMFF C2PA uuid box")
		if err != nil {
			s.problem("%v", err)
			return
		}
		// FullBox version+flags, NUL-terminated purpose, then for a
		// "manifest" box a u64 offset to the first merkle box, then the store.
		if len(data) < 5 {
			s.problem("BMFF C2PA uuid box at %d too short", off)
			return
		}
		purpose, rest, ok := bytes.Cut(data[4:], []byte{0})
		if !ok {
			s.problem("BMFF C2PA uuid box at %d has no purpose string", off)
			return
		}
		switch string(purpose) {
		case "manifest":
			if len(rest) < 8 {
				s.problem("BMFF C2PA manifest box at %d too short", off)
				return
			}
			s.b.JUMBF = append(s.b.JUMBF, Block{Data: rest[8:], Where: fmt.Sprintf("BMFF uuid box (C2PA manifest) at %d", off), Offset: off})
		case "merkle":
			// Merkle boxes carry hashes for fragmented media, no claims.
		default:
			s.b.JUMBF = append(s.b.JUMBF, Block{Data: rest, Where: fmt.Sprintf("BMFF uuid box (C2PA %s) at %d", purpose, off), Offset: off})
		}
	case bytes.Equal(id, uuidXMP):
		data, err := s.read(body+16, n-16, "BMFF XMP uuid box")
		if err != nil {
			s.problem("%v", err)
			return
		}
		s.b.XMP = append(s.b.XMP, Block{Data: data, Where: fmt.Sprintf("BMFF XMP uuid box%s at %d", path, off), Offset: off})
	}
}

// boxMetadata reads the top-level metadata boxes of the JPEG XL container
// (ISO/IEC 18181-2; JPEG 2000 uses the same): a JUMBF superbox (C2PA A.3.8:
// the manifest store is a top-level jumb box), XMP in "xml ", EXIF in "Exif"
// after a 4-byte offset to the TIFF header.
func (s *src) boxMetadata(typ string, off, body, size int64) {
	where := fmt.Sprintf("%q box at %d", typ, off)
	if typ == "brob" {
		// Brotli-compressed metadata; C2PA does not allow a compressed
		// manifest store here (it could not be box-hashed).
		if inner, err := s.small(body, 4); err == nil && len(inner) == 4 {
			s.problem("Brotli-compressed %q box at %d not read", inner, off)
		}
		return
	}
	from := body
	if typ == "jumb" {
		from = off // a JUMBF superbox is the box itself, header included
	}
	data, err := s.read(from, off+size-from, where)
	if err != nil {
		s.problem("%v", err)
		return
	}
	switch typ {
	case "jumb":
		s.b.JUMBF = append(s.b.JUMBF, Block{Data: data, Where: "JUMBF " + where, Offset: off})
	case "xml ":
		s.b.XMP = append(s.b.XMP, Block{Data: data, Where: "XMP " + where, Offset: off})
	case "Exif":
		if len(data) < 4 || int64(binary.BigEndian.Uint32(data)) > int64(len(data)-4) {
			s.problem("EXIF %s: bad TIFF header offset", where)
			return
		}
		s.b.EXIF = append(s.b.EXIF, Block{Data: data[4+binary.BigEndian.Uint32(data):], Where: "EXIF " + where, Offset: off})
	}
}
