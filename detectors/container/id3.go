package container

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strings"
)

// id3C2PATypes are the GEOB MIME types of a C2PA manifest store (C2PA A.3.4
// and 11.4; the second is deprecated but still written).
var id3C2PATypes = map[string]bool{"application/c2pa": true, "application/x-c2pa-manifest-store": true}

// id3 reads the ID3v2 tag at the start of an MP3, or of a FLAC stream wrapped
// in one: C2PA A.3.4 puts the manifest store in the object of a GEOB frame
// whose MIME type is application/c2pa; XMP sits in a PRIV frame owned by
// "XMP". Only frame headers and those frames are read (cover art is
// skipped), except in a tag unsynchronised as a whole, which is read whole
// (capped by MaxBlock) to undo that first.
func (s *src) id3() error {
	h, err := s.small(0, 10)
	if err != nil {
		return err
	}
	if len(h) < 10 || string(h[:3]) != "ID3" {
		return nil // bare MPEG frames or a bare FLAC stream: no tag
	}
	major, flags := h[3], h[5]
	size, ok := synchsafe(h[6:10])
	if !ok {
		return fmt.Errorf("ID3v2 tag size %x is not a synchsafe integer", h[6:10])
	}
	if major < 2 || major > 4 {
		return fmt.Errorf("ID3v2.%d tag: not a version this reader knows (2 to 4)", major)
	}
	end := 10 + size
	if major == 4 && flags&0x10 != 0 {
		end += 10 // footer
	}
	if after, _ := s.small(end, 4); string(after) == "fLaC" {
		s.b.MediaType, s.b.Kind = "audio/flac", "audio"
	}
	if size > s.size-10 {
		s.problem("ID3v2 tag declares %d bytes, only %d present (file truncated)", size, s.size-10)
		size = s.size - 10
	}
	body := id3Body{s: s, n: int(size)}
	if major < 4 && flags&0x80 != 0 {
		// v2.2 and v2.3 unsynchronise the whole tag.
		tag, err := s.read(10, size, "unsynchronised ID3v2 tag")
		if err != nil {
			return err
		}
		body.mem = resync(tag)
		body.n = len(body.mem)
	}
	return s.id3Frames(body, major, flags)
}

// id3Body serves the bytes of a tag after its 10-byte header: from the file,
// or from memory once resynchronised.
type id3Body struct {
	s   *src
	mem []byte
	n   int
}

// get returns n bytes at pos (the caller keeps pos+n within the body);
// a frame's payload counts against the caps, a header does not.
func (b id3Body) get(pos, n int, payload bool, what string) ([]byte, error) {
	switch {
	case b.mem != nil:
		return b.mem[pos : pos+n], nil
	case payload:
		return b.s.read(int64(10+pos), int64(n), what)
	}
	return b.s.small(int64(10+pos), n)
}

// synchsafe decodes a 28-bit ID3 integer stored 7 bits a byte.
func synchsafe(b []byte) (int64, bool) {
	var n int64
	for _, c := range b {
		if c&0x80 != 0 {
			return 0, false
		}
		n = n<<7 | int64(c)
	}
	return n, true
}

// resync undoes ID3 unsynchronisation: every 0xFF 0x00 was 0xFF.
func resync(b []byte) []byte {
	if !bytes.Contains(b, []byte{0xFF, 0x00}) {
		return b
	}
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		out = append(out, b[i])
		if b[i] == 0xFF && i+1 < len(b) && b[i+1] == 0x00 {
			i++
		}
	}
	return out
}

// id3Frames walks the frames of a tag body.
func (s *src) id3Frames(body id3Body, major, flags byte) error {
	pos := 0
	if flags&0x40 != 0 {
		if major == 2 {
			return fmt.Errorf("ID3v2.2 tag is compressed (no scheme was ever defined): not read")
		}
		if body.n < 4 {
			return fmt.Errorf("ID3v2 extended header truncated")
		}
		h, err := body.get(0, 4, false, "")
		if err != nil {
			return err
		}
		if major == 3 {
			pos = int(binary.BigEndian.Uint32(h)) + 4 // the size excludes itself
		} else {
			n, ok := synchsafe(h)
			if !ok {
				return fmt.Errorf("ID3v2.4 extended header size is not synchsafe")
			}
			pos = int(n)
		}
		if pos < 0 || pos > body.n {
			return fmt.Errorf("ID3v2 extended header declares %d bytes, the tag has %d", pos, body.n)
		}
	}
	hdr := 10
	if major == 2 {
		hdr = 6
	}
	for pos+hdr <= body.n {
		h, err := body.get(pos, hdr, false, "")
		if err != nil {
			return err
		}
		if h[0] == 0 {
			return nil // padding
		}
		if err := s.tick(); err != nil {
			return err
		}
		var id string
		var n int64
		var fflags byte
		switch major {
		case 2:
			id, n = string(h[:3]), int64(h[3])<<16|int64(h[4])<<8|int64(h[5])
		case 3:
			id, n, fflags = string(h[:4]), int64(binary.BigEndian.Uint32(h[4:])), h[9]
		default:
			var ok bool
			id, fflags = string(h[:4]), h[9]
			if n, ok = synchsafe(h[4:8]); !ok {
				return fmt.Errorf("ID3v2.4 frame %q at %d: size is not synchsafe", id, 10+pos)
			}
		}
		at := 10 + int64(pos)
		if n > int64(body.n-pos-hdr) {
			return fmt.Errorf("ID3v2 frame %q at %d declares %d bytes, only %d left in the tag", id, at, n, body.n-pos-hdr)
		}
		dataAt := pos + hdr
		pos = dataAt + int(n)
		if id != "GEOB" && id != "GEO" && id != "PRIV" && id != "PRV" {
			continue
		}
		data, err := body.get(dataAt, int(n), true, "ID3v2 "+id+" frame")
		if err == nil {
			data, err = s.id3Payload(data, major, fflags, id, at)
		}
		if err != nil {
			s.problem("%v", err)
			continue
		}
		s.id3Frame(id, data, major, at)
	}
	return nil
}

// id3Payload strips a frame's format-flag fields (v2.3 and v2.4 differ) and
// undoes per-frame unsynchronisation and compression.
func (s *src) id3Payload(data []byte, major, fflags byte, id string, at int64) ([]byte, error) {
	var compressed, encrypted bool
	skip := 0
	switch major {
	case 3:
		compressed, encrypted = fflags&0x80 != 0, fflags&0x40 != 0
		for _, f := range []struct {
			set bool
			n   int
		}{{compressed, 4}, {encrypted, 1}, {fflags&0x20 != 0, 1}} {
			if f.set {
				skip += f.n
			}
		}
	case 4:
		compressed, encrypted = fflags&0x08 != 0, fflags&0x04 != 0
		for _, f := range []struct {
			set bool
			n   int
		}{{fflags&0x40 != 0, 1}, {encrypted, 1}, {fflags&0x01 != 0, 4}} {
			if f.set {
				skip += f.n
			}
		}
	}
	if skip > len(data) {
		return nil, fmt.Errorf("ID3v2 frame %q at %d is shorter than its flag fields", id, at)
	}
	data = data[skip:]
	if major == 4 && fflags&0x02 != 0 {
		data = resync(data)
	}
	if encrypted {
		return nil, fmt.Errorf("ID3v2 frame %q at %d is encrypted: not read", id, at)
	}
	if compressed {
		out, err := inflate(data, s.lim.MaxBlock)
		if err != nil {
			return nil, fmt.Errorf("ID3v2 frame %q at %d: %w", id, at, err)
		}
		if err := s.account(at, int64(len(out)), "decompressed ID3v2 "+id+" frame"); err != nil {
			return nil, err
		}
		data = out
	}
	return data, nil
}

// id3Frame reads a GEOB frame (encoding, MIME type, file name, description,
// object) or a PRIV frame (owner, data).
func (s *src) id3Frame(id string, data []byte, major byte, at int64) {
	if id == "PRIV" || id == "PRV" {
		if owner, xmp, ok := bytes.Cut(data, []byte{0}); ok && string(owner) == "XMP" {
			s.b.XMP = append(s.b.XMP, Block{Data: xmp, Where: fmt.Sprintf("ID3v2.%d PRIV XMP frame at %d", major, at), Offset: at})
		}
		return
	}
	if len(data) < 1 {
		s.problem("ID3v2 GEOB frame at %d is empty", at)
		return
	}
	enc, rest := data[0], data[1:]
	mime, rest, ok := bytes.Cut(rest, []byte{0})
	if !ok {
		s.problem("ID3v2 GEOB frame at %d: MIME type not terminated", at)
		return
	}
	if !id3C2PATypes[strings.ToLower(strings.TrimSpace(string(mime)))] {
		return
	}
	where := fmt.Sprintf("ID3v2.%d GEOB frame (%s) at %d", major, mime, at)
	for range 2 { // file name, description
		if rest, ok = cutID3String(rest, enc); !ok {
			s.b.JUMBF = append(s.b.JUMBF, Block{Where: where, Offset: at, C2PAOnly: true, Malformed: "the GEOB frame's file name or description is not terminated"})
			return
		}
	}
	s.b.JUMBF = append(s.b.JUMBF, Block{Data: rest, Where: where, Offset: at, C2PAOnly: true})
}

// cutID3String drops one string terminated as its encoding says: one zero
// byte for ISO-8859-1 and UTF-8, two (on a 2-byte boundary) for UTF-16.
func cutID3String(b []byte, enc byte) ([]byte, bool) {
	if enc != 1 && enc != 2 {
		_, rest, ok := bytes.Cut(b, []byte{0})
		return rest, ok
	}
	for i := 0; i+1 < len(b); i += 2 {
		if b[i] == 0 && b[i+1] == 0 {
			return b[i+2:], true
		}
	}
	return nil, false
}
