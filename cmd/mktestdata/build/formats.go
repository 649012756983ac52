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
type placeStore func(store []byte) (file []byte, exclStart, exclLen int, err error)

// bound embeds m with a correct c2pa.hash.data binding: the hash covers
// every byte outside the exclusion, whose place depends on the store's size,
// which depends on how the exclusion encodes (and on a time-stamp's
// signature, whose length varies); passes repeat until the exclusion and
// the hash both hold.
func bound(m Manifest, place placeStore) ([]byte, error) {
	hash := make([]byte, sha256.Size)
	start, length := 0, 0
	// A time-stamp's length varies from one signing to the next (its time
	// is encoded without trailing zeros), so two passes in a row may differ
	// by a byte: enough passes make a stable pair all but certain.
	for range 256 {
		store, err := m.Store(hash, start, length)
		if err != nil {
			return nil, err
		}
		file, s, l, err := place(store)
		if err != nil {
			return nil, err
		}
		h := sha256.New()
		h.Write(file[:s])
		h.Write(file[s+l:])
		sum := h.Sum(nil)
		if s == start && l == length && bytes.Equal(sum, hash) {
			return file, nil
		}
		hash, start, length = sum, s, l
	}
	return nil, fmt.Errorf("the exclusion or its hash did not settle")
}

// SignedPNG embeds m in a caBX chunk right after IHDR (C2PA A.3.2); the
// binding excludes the whole chunk, its length, type and CRC included, as
// the reference implementation does.
func SignedPNG(png []byte, m Manifest) ([]byte, error) {
	return bound(m, func(store []byte) ([]byte, int, int, error) {
		chunk := PNGChunk("caBX", store)
		out := append(append(append([]byte{}, png[:afterIHDR]...), chunk...), png[afterIHDR:]...)
		return out, afterIHDR, len(chunk), nil
	})
}

// SignedSVG embeds m as C2PA A.3.3 says: base64 in svg/metadata/c2pa:manifest.
// The binding excludes the base64 text.
func SignedSVG(m Manifest) ([]byte, error) {
	return bound(m, func(store []byte) ([]byte, int, int, error) {
		head := `<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:c2pa="http://c2pa.org/manifest" width="64" height="48" viewBox="0 0 64 48">
<metadata><c2pa:manifest>`
		text := base64.StdEncoding.EncodeToString(store)
		tail := `</c2pa:manifest></metadata>
<rect x="4" y="4" width="56" height="40" fill="#3a7bd5"/><circle cx="32" cy="24" r="12" fill="#ffd166"/>
</svg>
`
		return []byte(head + text + tail), len(head), len(text), nil
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
	return bound(m, func(store []byte) ([]byte, int, int, error) {
		tag, at := id3GEOB(store)
		return append(tag, audio...), at, len(store), nil
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
	return bound(m, func(store []byte) ([]byte, int, int, error) {
		tag, at := id3GEOB(store)
		return append(tag, flac...), at, len(store), nil
	})
}

func isoBox(typ string, payload []byte) []byte {
	return jumbfBox(typ, payload) // same framing: 32-bit size, 4-character type
}

// assetBox is a box of a generated file as the general box hash names it.
type assetBox struct {
	name           string
	offset, length int
	zeroAt         int // 4 bytes hashed as zeros, when not 0
}

// placeBoxes builds a file around a store and lists its boxes in file order.
type placeBoxes func(store []byte) ([]byte, []assetBox)

// boxBound embeds m with a correct c2pa.hash.boxes binding, one entry per
// box. Hashes have a fixed size, so the layout does not move when they are
// filled in.
func boxBound(m Manifest, place placeBoxes) ([]byte, error) {
	entries := func(file []byte, boxes []assetBox) []BoxHashEntry {
		var out []BoxHashEntry
		for _, b := range boxes {
			e := BoxHashEntry{Names: []string{b.name}, Hash: []byte{0}, Pad: []byte{}}
			if b.name != "C2PA" {
				data := bytes.Clone(file[b.offset : b.offset+b.length])
				if b.zeroAt != 0 {
					copy(data[b.zeroAt-b.offset:], []byte{0, 0, 0, 0})
				}
				sum := sha256.Sum256(data)
				e.Hash = sum[:]
			}
			out = append(out, e)
		}
		return out
	}
	m.Boxes = []BoxHashEntry{}
	store, err := m.Store(nil, 0, 0)
	if err != nil {
		return nil, err
	}
	file, boxes := place(store)
	m.Boxes = entries(file, boxes) // placeholder layout: the hashes' sizes are final
	if store, err = m.Store(nil, 0, 0); err != nil {
		return nil, err
	}
	file, boxes = place(store)
	m.Boxes = entries(file, boxes)
	if store, err = m.Store(nil, 0, 0); err != nil {
		return nil, err
	}
	final, again := place(store)
	if len(final) != len(file) || len(again) != len(boxes) {
		return nil, fmt.Errorf("the box layout did not settle")
	}
	return final, nil
}

// jxlFile is a JPEG XL container (ISO/IEC 18181-2) with the store as a
// top-level jumb box (C2PA A.3.8) before the codestream box.
func jxlFile(store, codestream []byte) ([]byte, []assetBox) {
	var file []byte
	var boxes []assetBox
	for _, b := range []struct {
		name string
		box  []byte
	}{
		{"JXL ", isoBox("JXL ", []byte{0x0D, 0x0A, 0x87, 0x0A})},
		{"ftyp", isoBox("ftyp", []byte("jxl \x00\x00\x00\x00jxl "))},
		{"C2PA", store}, // the store is itself a jumb superbox
		{"jxlc", isoBox("jxlc", codestream)},
	} {
		boxes = append(boxes, assetBox{name: b.name, offset: len(file), length: len(b.box)})
		file = append(file, b.box...)
	}
	return file, boxes
}

// SignedJXL embeds m in a JPEG XL container with a c2pa.hash.data binding
// that excludes the jumb box.
func SignedJXL(m Manifest, codestream []byte) ([]byte, error) {
	return bound(m, func(store []byte) ([]byte, int, int, error) {
		file, boxes := jxlFile(store, codestream)
		return file, boxes[2].offset, boxes[2].length, nil
	})
}

// SignedJXLBoxes embeds m in a JPEG XL container with the c2pa.hash.boxes
// binding the reference implementation writes for JPEG XL.
func SignedJXLBoxes(m Manifest, codestream []byte) ([]byte, error) {
	return boxBound(m, func(store []byte) ([]byte, []assetBox) { return jxlFile(store, codestream) })
}

// fontFile is an OpenType font (CFF outlines) with a C2PA table (C2PA A.3.9)
// holding the store, a name table and, when withHead, a head table whose
// checkSumAdjustment is set as the font format asks. The directory's
// checksum of the C2PA table is left 0: it would change with the store,
// which a data hash cannot allow (a box hash leaves the directory out).
func fontFile(store []byte, name string, withHead bool) ([]byte, []assetBox, int) {
	c2paTable := make([]byte, fontTableHeader)
	binary.BigEndian.PutUint16(c2paTable[2:], 1) // version 0.1
	binary.BigEndian.PutUint32(c2paTable[12:], fontTableHeader)
	binary.BigEndian.PutUint32(c2paTable[16:], uint32(len(store)))
	c2paTable = append(c2paTable, store...)
	type table struct {
		tag  string
		data []byte
	}
	tables := []table{{"C2PA", c2paTable}}
	if withHead {
		head := make([]byte, 54)
		binary.BigEndian.PutUint32(head, 0x00010000)      // version
		binary.BigEndian.PutUint32(head[12:], 0x5F0F3CF5) // magicNumber
		tables = append(tables, table{"head", head})
	}
	tables = append(tables, table{"name", []byte(name)})
	dir := []byte("OTTO")
	dir = binary.BigEndian.AppendUint16(dir, uint16(len(tables)))
	dir = append(dir, 0, 32, 0, 1, 0, byte(16*len(tables)-32)) // searchRange, entrySelector, rangeShift
	var data []byte
	var boxes []assetBox
	headAt := 0
	off := len(dir) + 16*len(tables)
	for _, t := range tables {
		sum := uint32(0)
		if t.tag != "C2PA" {
			sum = tableChecksum(t.data)
		}
		at := off + len(data)
		box := assetBox{name: t.tag, offset: at, length: len(t.data)}
		if t.tag == "head" {
			headAt, box.zeroAt = at, at+8
		}
		boxes = append(boxes, box)
		dir = append(dir, t.tag...)
		dir = binary.BigEndian.AppendUint32(dir, sum)
		dir = binary.BigEndian.AppendUint32(dir, uint32(at))
		dir = binary.BigEndian.AppendUint32(dir, uint32(len(t.data)))
		data = append(data, t.data...)
		for len(data)%4 != 0 {
			data = append(data, 0) // tables start on 4-byte boundaries
		}
	}
	file := append(dir, data...)
	if headAt != 0 {
		binary.BigEndian.PutUint32(file[headAt+8:], 0xB1B0AFBA-tableChecksum(file))
	}
	return file, boxes, boxes[0].offset + fontTableHeader
}

// SignedFont embeds m in an OpenType font with a c2pa.hash.data binding
// that excludes the store inside the C2PA table.
func SignedFont(m Manifest, name string) ([]byte, error) {
	return bound(m, func(store []byte) ([]byte, int, int, error) {
		file, _, storeAt := fontFile(store, name, false)
		return file, storeAt, len(store), nil
	})
}

// SignedFontBoxes embeds m in an OpenType font with a head table and the
// c2pa.hash.boxes binding C2PA 18.7.3.6 gives fonts: one box per table.
func SignedFontBoxes(m Manifest, name string) ([]byte, error) {
	return boxBound(m, func(store []byte) ([]byte, []assetBox) {
		file, boxes, _ := fontFile(store, name, true)
		return file, boxes
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

// riffChunk frames one RIFF chunk: little-endian size, padded to an even
// length.
func riffChunk(id string, data []byte) []byte {
	out := binary.LittleEndian.AppendUint32([]byte(id), uint32(len(data)))
	out = append(out, data...)
	if len(data)%2 == 1 {
		out = append(out, 0)
	}
	return out
}

// signedRIFF builds a RIFF file of the given form (WEBP, WAVE) from chunks,
// with m in a C2PA chunk at the end, as C2PA has it; the binding excludes that
// chunk. The RIFF header's size is hashed: it depends only on the store's
// length.
func signedRIFF(m Manifest, form string, chunks ...[]byte) ([]byte, error) {
	return bound(m, func(store []byte) ([]byte, int, int, error) {
		body := []byte(form)
		for _, c := range chunks {
			body = append(body, c...)
		}
		at := 8 + len(body)
		c2pa := riffChunk("C2PA", store)
		body = append(body, c2pa...)
		return append(binary.LittleEndian.AppendUint32([]byte("RIFF"), uint32(len(body))), body...), at, len(c2pa), nil
	})
}

// SignedWebP embeds m in a 1x1 lossless WebP (a VP8L chunk: the signature
// byte 0x2F, width and height, then the one pixel's entropy-coded data).
func SignedWebP(m Manifest) ([]byte, error) {
	vp8l := []byte{0x2F, 0x00, 0x00, 0x00, 0x10, 0x07, 0x10, 0x11, 0x11, 0x88, 0x88, 0xFE, 0x07}
	return signedRIFF(m, "WEBP", riffChunk("VP8L", vp8l))
}

// SignedWAV embeds m in a WAVE file of n silent 16-bit mono samples at
// 8 kHz whose last sample's low byte is seed.
func SignedWAV(m Manifest, n int, seed byte) ([]byte, error) {
	fmtChunk := []byte{1, 0, 1, 0} // PCM, mono
	fmtChunk = binary.LittleEndian.AppendUint32(fmtChunk, 8000)
	fmtChunk = binary.LittleEndian.AppendUint32(fmtChunk, 16000)
	fmtChunk = append(fmtChunk, 2, 0, 16, 0) // block align, bits per sample
	samples := make([]byte, 2*n)
	samples[len(samples)-2] = seed
	return signedRIFF(m, "WAVE", riffChunk("fmt ", fmtChunk), riffChunk("data", samples))
}

// pngFile puts the store in a caBX chunk after IHDR and lists the boxes as
// C2PA's general box hash names them for PNG: "PNGh" for the signature,
// each chunk by its type, "C2PA" for caBX.
func pngFile(store, png []byte) ([]byte, []assetBox) {
	const afterIHDR = 8 + 8 + 13 + 4
	file := append(append(append([]byte{}, png[:afterIHDR]...), PNGChunk("caBX", store)...), png[afterIHDR:]...)
	boxes := []assetBox{{name: "PNGh", length: 8}}
	for off := 8; off+8 <= len(file); {
		n := int(binary.BigEndian.Uint32(file[off:]))
		name := string(file[off+4 : off+8])
		if name == "caBX" {
			name = "C2PA"
		}
		boxes = append(boxes, assetBox{name: name, offset: off, length: n + 12})
		off += n + 12
	}
	return file, boxes
}

// SignedPNGBoxes embeds m in png (made by PNG) with a c2pa.hash.boxes
// binding, one entry per chunk.
func SignedPNGBoxes(m Manifest, png []byte) ([]byte, error) {
	return boxBound(m, func(store []byte) ([]byte, []assetBox) { return pngFile(store, png) })
}

// jpegFile puts the store in an APP11 segment after SOI and lists the
// segments as C2PA's general box hash names them for JPEG (the file is
// image/jpeg's output: SOI, DQT, SOF0, DHT, SOS with its scan data, EOI).
func jpegFile(store, jpg []byte) ([]byte, []assetBox, error) {
	seg, err := app11(store)
	if err != nil {
		return nil, nil, err
	}
	file := append(append(append([]byte{}, jpg[:2]...), seg...), jpg[2:]...)
	names := map[byte]string{0xD8: "SOI", 0xD9: "EOI", 0xDA: "SOS", 0xDB: "DQT", 0xC4: "DHT", 0xC0: "SOF0", 0xEB: "C2PA"}
	var boxes []assetBox
	for off := 0; off+2 <= len(file); {
		name, ok := names[file[off+1]]
		if !ok {
			return nil, nil, fmt.Errorf("marker 0x%02X at %d not expected in image/jpeg output", file[off+1], off)
		}
		n := 2
		if name != "SOI" && name != "EOI" {
			n += int(binary.BigEndian.Uint16(file[off+2:]))
		}
		if name == "SOS" {
			for off+n+1 < len(file) && (file[off+n] != 0xFF || file[off+n+1] == 0x00) {
				n++
			}
		}
		boxes = append(boxes, assetBox{name: name, offset: off, length: n})
		off += n
	}
	return file, boxes, nil
}

// SignedJPEGBoxes embeds m in jpg (made by JPEG) with a c2pa.hash.boxes
// binding, one entry per segment.
func SignedJPEGBoxes(m Manifest, jpg []byte) ([]byte, error) {
	var placeErr error
	file, err := boxBound(m, func(store []byte) ([]byte, []assetBox) {
		file, boxes, err := jpegFile(store, jpg)
		placeErr = err
		return file, boxes
	})
	if placeErr != nil {
		return nil, placeErr
	}
	return file, err
}

// gifFile is a 1x1 GIF with a global colour table and the store in a
// C2PA_GIF application extension after it (C2PA A.3.5), its blocks named
// as C2PA's general box hash names them for GIF.
func gifFile(store []byte) ([]byte, []assetBox) {
	ext := []byte{0x21, 0xFF, 11}
	ext = append(ext, "C2PA_GIF\x01\x00\x00"...)
	for rest := store; len(rest) > 0; {
		n := min(len(rest), 255)
		ext = append(append(ext, byte(n)), rest[:n]...)
		rest = rest[n:]
	}
	ext = append(ext, 0)
	var file []byte
	var boxes []assetBox
	for _, b := range []struct {
		name string
		data []byte
	}{
		{"GIF89a", []byte("GIF89a")},
		{"LSD", []byte{1, 0, 1, 0, 0x80, 0, 0, 0x10, 0x20, 0x30, 0xF0, 0xE0, 0xD0}}, // with a 2-colour table
		{"C2PA", ext},
		{"21FE", append([]byte{0x21, 0xFE, 5}, "hello\x00"...)},
		{"2C", []byte{0x2C, 0, 0, 0, 0, 1, 0, 1, 0, 0}},
		{"TBID", []byte{2, 2, 0x44, 0x01, 0}},
		{"3B", []byte{0x3B}},
	} {
		boxes = append(boxes, assetBox{name: b.name, offset: len(file), length: len(b.data)})
		file = append(file, b.data...)
	}
	return file, boxes
}

// SignedGIFBoxes makes a GIF holding m with a c2pa.hash.boxes binding, one
// entry per block.
func SignedGIFBoxes(m Manifest) ([]byte, error) {
	return boxBound(m, gifFile)
}
