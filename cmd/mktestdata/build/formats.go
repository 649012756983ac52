package build

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
)

// placeStore builds a file around a manifest store and says which bytes a
// c2pa.hash.data binding excludes: where the store sits. The bytes outside
// the exclusion may depend on the store's length, never on its content.
type placeStore func(store []byte) (file []byte, exclStart, exclLen int)

// bound embeds m with a correct c2pa.hash.data binding: the hash covers
// every byte outside the exclusion, whose place depends on the store's size,
// which depends on how the exclusion encodes; a few passes settle it.
func bound(m Manifest, place placeStore) ([]byte, error) {
	start, length := 0, 0
	for range 6 {
		store, err := m.Store(make([]byte, sha256.Size), start, length)
		if err != nil {
			return nil, err
		}
		_, s, l := place(store)
		if s == start && l == length {
			break
		}
		start, length = s, l
	}
	store, err := m.Store(make([]byte, sha256.Size), start, length)
	if err != nil {
		return nil, err
	}
	file, _, _ := place(store)
	h := sha256.New()
	h.Write(file[:start])
	h.Write(file[start+length:])
	if store, err = m.Store(h.Sum(nil), start, length); err != nil {
		return nil, err
	}
	file, s, l := place(store)
	if s != start || l != length {
		return nil, fmt.Errorf("the exclusion did not settle ([%d,+%d] -> [%d,+%d])", start, length, s, l)
	}
	return file, nil
}

// SignedSVG embeds m as C2PA A.3.3 says: base64 in svg/metadata/c2pa:manifest.
// The binding excludes the base64 text.
func SignedSVG(m Manifest) ([]byte, error) {
	return bound(m, func(store []byte) ([]byte, int, int) {
		head := `<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:c2pa="http://c2pa.org/manifest" width="64" height="48" viewBox="0 0 64 48">
<metadata><c2pa:manifest>`
		text := base64.StdEncoding.EncodeToString(store)
		tail := `</c2pa:manifest></metadata>
<rect x="4" y="4" width="56" height="40" fill="#3a7bd5"/><circle cx="32" cy="24" r="12" fill="#ffd166"/>
</svg>
`
		return []byte(head + text + tail), len(head), len(text)
	})
}

// id3GEOB is an ID3v2.4 tag holding one GEOB frame (C2PA A.3.4) with the
// store as its object, and the offset of the object in the tag.
func id3GEOB(store []byte) ([]byte, int) {
	geob := append([]byte{3}, "application/c2pa\x00c2pa\x00c2pa manifest store\x00"...) // UTF-8 strings
	frame := append([]byte("GEOB"), synchsafe(len(geob)+len(store))...)
	frame = append(frame, 0, 0)
	objectAt := 10 + len(frame) + len(geob)
	frame = append(append(frame, geob...), store...)
	tag := append([]byte{'I', 'D', '3', 4, 0, 0}, synchsafe(len(frame))...)
	return append(tag, frame...), objectAt
}

func synchsafe(n int) []byte {
	return []byte{byte(n >> 21 & 0x7F), byte(n >> 14 & 0x7F), byte(n >> 7 & 0x7F), byte(n & 0x7F)}
}

// MP3Frames is silent MPEG-1 Layer III audio: n frames of 128 kbit/s at
// 44.1 kHz (417 bytes each); seed varies the padding so two files differ.
func MP3Frames(n int, seed byte) []byte {
	var out []byte
	for range n {
		f := make([]byte, 417)
		copy(f, []byte{0xFF, 0xFB, 0x90, 0x64})
		f[len(f)-1] = seed
		out = append(out, f...)
	}
	return out
}

// SignedMP3 embeds m in an ID3v2 GEOB frame before the MPEG frames; the
// binding excludes the GEOB object, as the reference implementation does.
func SignedMP3(m Manifest, audio []byte) ([]byte, error) {
	return bound(m, func(store []byte) ([]byte, int, int) {
		tag, at := id3GEOB(store)
		return append(tag, audio...), at, len(store)
	})
}

// FLACStream is a native FLAC stream: the marker and one STREAMINFO block
// (last-metadata-block flag set); no audio frames.
func FLACStream(seed byte) []byte {
	info := make([]byte, 34)
	binary.BigEndian.PutUint16(info, 4096)          // minimum block size
	binary.BigEndian.PutUint16(info[2:], 4096)      // maximum block size
	info[10], info[11], info[12] = 0x0A, 0xC4, 0x42 // 44.1 kHz, mono, 16 bits
	info[33] = seed
	return append([]byte("fLaC\x80\x00\x00\x22"), info...)
}

// SignedFLAC wraps a FLAC stream in an ID3v2 tag carrying m (C2PA A.3.4
// names FLAC with MP3; the reference reader takes the same GEOB frame).
func SignedFLAC(m Manifest, flac []byte) ([]byte, error) {
	return bound(m, func(store []byte) ([]byte, int, int) {
		tag, at := id3GEOB(store)
		return append(tag, flac...), at, len(store)
	})
}

func isoBox(typ string, payload []byte) []byte {
	return jumbfBox(typ, payload) // same framing: 32-bit size, 4-character type
}

// SignedJXL is a JPEG XL container (ISO/IEC 18181-2) with m's store as a
// top-level jumb box (C2PA A.3.8) before the codestream box; the binding
// excludes that box.
func SignedJXL(m Manifest, codestream []byte) ([]byte, error) {
	return bound(m, func(store []byte) ([]byte, int, int) {
		file := isoBox("JXL ", []byte{0x0D, 0x0A, 0x87, 0x0A})
		file = append(file, isoBox("ftyp", []byte("jxl \x00\x00\x00\x00jxl "))...)
		at := len(file)
		file = append(file, store...) // the store is itself a jumb superbox
		return append(file, isoBox("jxlc", codestream)...), at, len(store)
	})
}

// SignedFont is an OpenType font (CFF outlines) with a C2PA table (C2PA
// A.3.9) holding m's store and a name table. The binding excludes the store
// inside the C2PA table. The directory's checksum of the C2PA table would
// change with the store, which a data hash cannot allow, so it is left 0:
// the spec binds fonts with c2pa.hash.boxes, which leaves the directory out.
func SignedFont(m Manifest, name string) ([]byte, error) {
	return bound(m, func(store []byte) ([]byte, int, int) {
		c2paTable := make([]byte, fontTableHeader)
		binary.BigEndian.PutUint16(c2paTable[2:], 1) // version 0.1
		binary.BigEndian.PutUint32(c2paTable[12:], fontTableHeader)
		binary.BigEndian.PutUint32(c2paTable[16:], uint32(len(store)))
		c2paTable = append(c2paTable, store...)
		tables := []struct {
			tag  string
			data []byte
		}{{"C2PA", c2paTable}, {"name", []byte(name)}}
		dir := []byte("OTTO")
		dir = binary.BigEndian.AppendUint16(dir, uint16(len(tables)))
		dir = append(dir, 0, 32, 0, 1, 0, 0) // searchRange, entrySelector, rangeShift for 2 tables
		var data []byte
		off := len(dir) + 16*len(tables)
		storeAt := 0
		for _, t := range tables {
			sum := uint32(0)
			if t.tag != "C2PA" {
				sum = tableChecksum(t.data)
			} else {
				storeAt = off + len(data) + fontTableHeader
			}
			dir = append(dir, t.tag...)
			dir = binary.BigEndian.AppendUint32(dir, sum)
			dir = binary.BigEndian.AppendUint32(dir, uint32(off+len(data)))
			dir = binary.BigEndian.AppendUint32(dir, uint32(len(t.data)))
			data = append(data, t.data...)
			for len(data)%4 != 0 {
				data = append(data, 0) // tables start on 4-byte boundaries
			}
		}
		return append(dir, data...), storeAt, len(store)
	})
}

const fontTableHeader = 20

// tableChecksum is the sfnt table checksum: the sum of big-endian uint32
// words, the last one zero-padded.
func tableChecksum(b []byte) uint32 {
	var sum uint32
	p := append(bytes.Clone(b), 0, 0, 0)
	for i := 0; i+4 <= len(p); i += 4 {
		sum += binary.BigEndian.Uint32(p[i:])
	}
	return sum
}
