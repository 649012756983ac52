package container

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"sort"
)

var (
	exifPrefix   = []byte("Exif\x00\x00")
	xmpPrefix    = []byte("http://ns.adobe.com/xap/1.0/\x00")
	extXMPPrefix = []byte("http://ns.adobe.com/xmp/extension/\x00")
)

// app11Seg is one APP11 JUMBF segment (ISO 19566-5 Annex / C2PA A.3.3).
type app11Seg struct {
	en     uint16
	z      uint32
	box    []byte // the box bytes this segment carries (continuations stripped)
	lbox   uint64 // the box length the first segment declares
	tbox   string
	offset int64
}

type extXMP struct {
	full  uint32
	parts map[uint32][]byte
}

// jpeg walks the marker segments up to SOS. Metadata after the scan data is
// out of scope, as it is for the C2PA reference reader (c2pa-rs#736): a
// conforming writer puts APPn segments before the frame.
func (s *src) jpeg() error {
	var segs []app11Seg
	ext := map[string]*extXMP{}
	off := int64(2)
	for off+4 <= s.size {
		if err := s.tick(); err != nil {
			return err
		}
		h, err := s.small(off, 4)
		if err != nil {
			return err
		}
		if len(h) < 2 || h[0] != 0xFF {
			return fmt.Errorf("JPEG: no marker at %d (file damaged or truncated)", off)
		}
		marker := h[1]
		switch {
		case marker == 0xFF: // fill byte
			off++
			continue
		case marker == 0xD8 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7):
			off += 2
			continue
		case marker == 0xD9 || marker == 0xDA:
			off = s.size
			continue
		}
		if len(h) < 4 {
			break
		}
		segLen := int64(binary.BigEndian.Uint16(h[2:]))
		if segLen < 2 {
			return fmt.Errorf("JPEG: segment 0x%02X at %d has length %d", marker, off, segLen)
		}
		payloadOff, payloadLen := off+4, segLen-2
		if marker == 0xE1 || marker == 0xEB {
			// A truncated file still yields what it holds: a cut C2PA store
			// must be reported as malformed, not as absent.
			avail := min(payloadLen, s.size-payloadOff)
			p, err := s.read(payloadOff, avail, fmt.Sprintf("JPEG APP%d segment", marker-0xE0))
			if err != nil {
				s.problem("%v", err)
				break
			}
			if avail < payloadLen {
				s.problem("JPEG APP%d segment at %d declares %d bytes, only %d present (file truncated)", marker-0xE0, off, payloadLen, avail)
			}
			if marker == 0xE1 {
				s.jpegAPP1(p, payloadOff, ext)
			} else if seg, ok := parseAPP11(p, payloadOff); ok {
				segs = append(segs, seg)
			}
		}
		off += 2 + segLen
	}
	s.joinAPP11(segs)
	s.joinExtXMP(ext)
	return nil
}

func (s *src) jpegAPP1(p []byte, off int64, ext map[string]*extXMP) {
	switch {
	case bytes.HasPrefix(p, exifPrefix):
		s.b.EXIF = append(s.b.EXIF, Block{Data: p[len(exifPrefix):], Where: "JPEG APP1 Exif", Offset: off})
	case bytes.HasPrefix(p, xmpPrefix):
		s.b.XMP = append(s.b.XMP, Block{Data: p[len(xmpPrefix):], Where: "JPEG APP1 XMP", Offset: off})
	case bytes.HasPrefix(p, extXMPPrefix):
		// Extended XMP: GUID(32) full length(4) offset(4) data.
		q := p[len(extXMPPrefix):]
		if len(q) < 40 {
			s.problem("JPEG extended XMP segment at %d too short", off)
			return
		}
		guid := string(q[:32])
		full := binary.BigEndian.Uint32(q[32:])
		at := binary.BigEndian.Uint32(q[36:])
		e := ext[guid]
		if e == nil {
			e = &extXMP{full: full, parts: map[uint32][]byte{}}
			ext[guid] = e
		}
		e.parts[at] = q[40:]
	}
}

func (s *src) joinExtXMP(ext map[string]*extXMP) {
	for guid, e := range ext {
		if int64(e.full) > s.lim.MaxBlock {
			s.problem("extended XMP %s declares %d bytes, over the cap", guid, e.full)
			continue
		}
		buf := make([]byte, 0, e.full)
		offs := make([]uint32, 0, len(e.parts))
		for o := range e.parts {
			offs = append(offs, o)
		}
		sort.Slice(offs, func(i, j int) bool { return offs[i] < offs[j] })
		ok := true
		for _, o := range offs {
			if int(o) != len(buf) {
				ok = false
				break
			}
			buf = append(buf, e.parts[o]...)
		}
		if !ok || uint32(len(buf)) != e.full {
			s.problem("extended XMP %s incomplete (%d of %d bytes)", guid, len(buf), e.full)
			continue
		}
		s.b.XMP = append(s.b.XMP, Block{Data: buf, Where: "JPEG APP1 extended XMP"})
	}
}

// parseAPP11 reads the JUMBF segment header: CI "JP", En, Z, then the box
// header (repeated in every segment of one box).
func parseAPP11(p []byte, off int64) (app11Seg, bool) {
	if len(p) < 16 || p[0] != 'J' || p[1] != 'P' {
		return app11Seg{}, false
	}
	seg := app11Seg{en: binary.BigEndian.Uint16(p[2:]), z: binary.BigEndian.Uint32(p[4:]), offset: off}
	seg.lbox = uint64(binary.BigEndian.Uint32(p[8:]))
	seg.tbox = string(p[12:16])
	if seg.lbox == 1 {
		if len(p) < 24 {
			return app11Seg{}, false
		}
		seg.lbox = binary.BigEndian.Uint64(p[16:])
	}
	seg.box = p[8:]
	return seg, true
}

// joinAPP11 reassembles each JUMBF box from its segments: the first carries the
// box header, continuations repeat it and it is stripped (C2PA A.3.3).
func (s *src) joinAPP11(segs []app11Seg) {
	type key struct {
		en   uint16
		tbox string
	}
	groups := map[key][]app11Seg{}
	var order []key
	for _, sg := range segs {
		k := key{sg.en, sg.tbox}
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], sg)
	}
	for _, k := range order {
		g := groups[k]
		sort.SliceStable(g, func(i, j int) bool { return g[i].z < g[j].z })
		first := g[0]
		hdr := 8
		if len(first.box) >= 4 && binary.BigEndian.Uint32(first.box) == 1 {
			hdr = 16
		}
		data := append([]byte{}, first.box...)
		var malformed string
		for i, sg := range g[1:] {
			if sg.z != g[i].z+1 && malformed == "" {
				malformed = fmt.Sprintf("APP11 segment Z=%d missing (found Z=%d after Z=%d)", g[i].z+1, sg.z, g[i].z)
			}
			if len(sg.box) < hdr {
				continue
			}
			data = append(data, sg.box[hdr:]...)
		}
		if uint64(len(data)) < first.lbox && malformed == "" {
			malformed = fmt.Sprintf("LBox says %d bytes but the APP11 segments hold %d", first.lbox, len(data))
		} else if uint64(len(data)) < first.lbox {
			malformed += fmt.Sprintf("; LBox says %d bytes but the APP11 segments hold %d", first.lbox, len(data))
		}
		if first.lbox >= 8 && uint64(len(data)) > first.lbox {
			data = data[:first.lbox]
		}
		where := fmt.Sprintf("JPEG APP11 JUMBF, %d segment(s) (En=0x%04X, Z=%d..%d)", len(g), k.en, g[0].z, g[len(g)-1].z)
		s.b.JUMBF = append(s.b.JUMBF, Block{Data: data, Where: where, Offset: first.offset, Malformed: malformed})
	}
}
