package container

import (
	"bytes"
	"compress/zlib"
	"encoding/base64"
	"encoding/binary"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aiaudit/aiaudit/cmd/mktestdata/build"
)

// fakeStore stands in for a manifest store: the container layer only cuts
// it out; the c2pa package judges it.
var fakeStore = []byte("\x00\x00\x00\x18jumb\x00\x00\x00\x10jumdc2pa....")

var testManifest = build.Manifest{Generator: "g", Action: "c2pa.created", DigitalSourceType: "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia", SoftwareAgent: "a"}

func svgDoc(metadata string) []byte {
	return []byte(`<?xml version="1.0"?>
<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">` + metadata + `<title>caf&eacute;</title><rect width="10" height="10"/></svg>`)
}

func TestSVGManifest(t *testing.T) {
	enc := base64.StdEncoding.EncodeToString(fakeStore)
	for name, c := range map[string]struct {
		metadata  string
		stores    int
		malformed bool
	}{
		"declared namespace":           {`<metadata><c2pa:manifest xmlns:c2pa="http://c2pa.org/manifest">` + enc + `</c2pa:manifest></metadata>`, 1, false},
		"undeclared prefix":            {`<metadata><c2pa:manifest>` + enc + `</c2pa:manifest></metadata>`, 1, false},
		"other prefix, C2PA namespace": {`<metadata><m:manifest xmlns:m="http://c2pa.org/manifest">` + enc + `</m:manifest></metadata>`, 1, false},
		"wrapped base64":               {"<metadata>\n <c2pa:manifest>\n  " + enc[:10] + "\n  " + enc[10:] + "\n </c2pa:manifest>\n</metadata>", 1, false},
		"not base64":                   {`<metadata><c2pa:manifest>not*base64!</c2pa:manifest></metadata>`, 1, true},
		"empty placeholder":            {`<metadata><c2pa:manifest></c2pa:manifest></metadata>`, 0, false},
		"outside metadata":             {`<g><c2pa:manifest>` + enc + `</c2pa:manifest></g>`, 0, false},
		"no metadata":                  {``, 0, false},
		"another namespace":            {`<metadata><x:manifest xmlns:x="urn:other">` + enc + `</x:manifest></metadata>`, 0, false},
	} {
		bl := read(t, svgDoc(c.metadata))
		assert.Equal(t, "image/svg+xml", bl.MediaType, name)
		require.Len(t, bl.JUMBF, c.stores, "%s: %v", name, bl.Problems)
		if c.stores == 0 {
			continue
		}
		b := bl.JUMBF[0]
		assert.True(t, b.C2PAOnly, name)
		if c.malformed {
			assert.Contains(t, b.Malformed, "not base64", name)
			continue
		}
		assert.Empty(t, b.Malformed, name)
		assert.Equal(t, fakeStore, b.Data, name)
	}
}

func TestSVGXMPAndDamage(t *testing.T) {
	x := `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/></x:xmpmeta>`
	bl := read(t, svgDoc(`<metadata><?xpacket begin=""?>`+x+`<?xpacket end="w"?></metadata>`))
	require.Len(t, bl.XMP, 1)
	assert.Equal(t, x, string(bl.XMP[0].Data))

	// Damage after the manifest: the store found is kept, the damage named.
	enc := base64.StdEncoding.EncodeToString(fakeStore)
	doc := svgDoc(`<metadata><c2pa:manifest>` + enc + `</c2pa:manifest></metadata>`)
	broken := append(doc[:len(doc)-20:len(doc)-20], "</g></svg>"...)
	bl = read(t, broken)
	require.Len(t, bl.JUMBF, 1)
	assert.Equal(t, fakeStore, bl.JUMBF[0].Data)
	require.NotNil(t, bl.Stopped)
	assert.Contains(t, bl.Stopped.Error(), "not well-formed XML")

	// A store over the cap is skipped and says so.
	big := svgDoc(`<metadata><c2pa:manifest>` + strings.Repeat("QUFB", 2000) + `</c2pa:manifest></metadata>`)
	bl, err := Read(bytes.NewReader(big), int64(len(big)), Limits{MaxBlock: 1000})
	require.NoError(t, err)
	assert.Empty(t, bl.JUMBF)
	assert.Contains(t, strings.Join(bl.Problems, "\n"), "over the 1000-byte cap")
}

// id3Frame frames one ID3v2 frame for major version 2, 3 or 4.
func id3Frame(major byte, id string, fflags byte, payload []byte) []byte {
	switch major {
	case 2:
		return append(append([]byte(id), byte(len(payload)>>16), byte(len(payload)>>8), byte(len(payload))), payload...)
	case 3:
		return append(append(binary.BigEndian.AppendUint32([]byte(id), uint32(len(payload))), 0, fflags), payload...)
	}
	return append(append(append([]byte(id), ss(len(payload))...), 0, fflags), payload...)
}

func ss(n int) []byte {
	return []byte{byte(n >> 21 & 0x7F), byte(n >> 14 & 0x7F), byte(n >> 7 & 0x7F), byte(n & 0x7F)}
}

func id3Tag(major, flags byte, frames ...[]byte) []byte {
	body := bytes.Join(frames, nil)
	body = append(body, make([]byte, 16)...) // padding
	return append(append([]byte{'I', 'D', '3', major, 0, flags}, ss(len(body))...), body...)
}

func geob(mime string, enc byte, data []byte) []byte {
	p := append([]byte{enc}, mime...)
	p = append(p, 0)
	if enc == 1 {
		p = append(p, 0xFF, 0xFE, 'c', 0, 0, 0, 0xFF, 0xFE, 'd', 0, 0, 0) // UTF-16 name and description
	} else {
		p = append(p, "c2pa\x00desc\x00"...)
	}
	return append(p, data...)
}

func TestID3GEOB(t *testing.T) {
	mp3 := build.MP3Frames(2, 0)
	deflated := func(b []byte) []byte {
		var buf bytes.Buffer
		w := zlib.NewWriter(&buf)
		w.Write(b)
		w.Close()
		return buf.Bytes()
	}
	unsync := func(b []byte) []byte { return bytes.ReplaceAll(b, []byte{0xFF}, []byte{0xFF, 0x00}) }
	storeFF := append(append([]byte{}, fakeStore...), 0xFF, 0xE0, 0xFF) // needs unsynchronisation
	for name, c := range map[string]struct {
		tag  []byte
		want []byte
	}{
		"v2.4":                 {id3Tag(4, 0, id3Frame(4, "TIT2", 0, []byte("\x03song")), id3Frame(4, "GEOB", 0, geob("application/c2pa", 3, fakeStore))), fakeStore},
		"v2.3 deprecated MIME": {id3Tag(3, 0, id3Frame(3, "GEOB", 0, geob("application/x-c2pa-manifest-store", 0, fakeStore))), fakeStore},
		"v2.3 UTF-16 strings":  {id3Tag(3, 0, id3Frame(3, "GEOB", 0, geob("application/c2pa", 1, fakeStore))), fakeStore},
		"v2.2 GEO":             {id3Tag(2, 0, id3Frame(2, "GEO", 0, geob("application/c2pa", 0, fakeStore))), fakeStore},
		"v2.3 whole-tag unsynchronisation": {func() []byte {
			tag := id3Tag(3, 0x80, id3Frame(3, "GEOB", 0, geob("application/c2pa", 0, storeFF)))
			body := unsync(tag[10:])
			return append(append(tag[:6:6], ss(len(body))...), body...)
		}(), storeFF},
		"v2.4 frame unsynchronisation": {id3Tag(4, 0, id3Frame(4, "GEOB", 0x02, unsync(geob("application/c2pa", 0, storeFF)))), storeFF},
		"v2.3 compressed":              {id3Tag(3, 0, id3Frame(3, "GEOB", 0x80, append(binary.BigEndian.AppendUint32(nil, 99), deflated(geob("application/c2pa", 0, fakeStore))...))), fakeStore},
		"v2.4 compressed with length":  {id3Tag(4, 0, id3Frame(4, "GEOB", 0x09, append(ss(99), deflated(geob("application/c2pa", 0, fakeStore))...))), fakeStore},
		"v2.3 extended header": {func() []byte {
			tag := id3Tag(3, 0x40, append([]byte{0, 0, 0, 6, 0, 0, 0, 0, 0, 0}, id3Frame(3, "GEOB", 0, geob("application/c2pa", 0, fakeStore))...))
			return tag
		}(), fakeStore},
		"another object": {id3Tag(4, 0, id3Frame(4, "GEOB", 0, geob("image/png", 0, fakeStore))), nil},
	} {
		bl := read(t, append(c.tag, mp3...))
		assert.Equal(t, "audio/mpeg", bl.MediaType, name)
		if c.want == nil {
			assert.Empty(t, bl.JUMBF, name)
			continue
		}
		require.Len(t, bl.JUMBF, 1, "%s: %v", name, bl.Problems)
		assert.Equal(t, c.want, bl.JUMBF[0].Data, name)
		assert.True(t, bl.JUMBF[0].C2PAOnly, name)
		assert.Nil(t, bl.Stopped, name)
	}
}

func TestID3Damage(t *testing.T) {
	good := id3Tag(4, 0, id3Frame(4, "GEOB", 0, geob("application/c2pa", 3, fakeStore)))
	flac := append(append([]byte{}, good...), build.FLACStream(0)...)
	bl := read(t, flac)
	assert.Equal(t, "audio/flac", bl.MediaType, "an ID3 tag before fLaC is FLAC")
	require.Len(t, bl.JUMBF, 1)

	for name, c := range map[string]struct {
		file []byte
		want string
	}{
		"encrypted":       {id3Tag(4, 0, id3Frame(4, "GEOB", 0x04, append([]byte{1}, geob("application/c2pa", 0, fakeStore)...))), "encrypted"},
		"frame too long":  {append(good[:10:10], append(id3Frame(4, "GEOB", 0, geob("application/c2pa", 0, fakeStore))[:4], 0x7F, 0x7F, 0x7F, 0x7F, 0, 0)...), "only"},
		"not synchsafe":   {append([]byte("ID3\x04\x00\x00\x80\x00\x00\x00"), good[10:]...), "synchsafe"},
		"unknown version": {append([]byte("ID3\x07\x00\x00"), good[6:]...), "version"},
		"truncated tag":   {good[:len(good)-30], "truncated"},
		"corrupt zlib":    {id3Tag(3, 0, id3Frame(3, "GEOB", 0x80, []byte{0, 0, 0, 1, 0x78, 0x9c})), "corrupt compressed data"},
	} {
		bl := read(t, c.file)
		all := strings.Join(bl.Problems, "\n")
		assert.Contains(t, all, c.want, "%s: %v", name, bl.Problems)
	}
	// A compressed frame may not grow past the cap.
	var z bytes.Buffer
	w := zlib.NewWriter(&z)
	w.Write(geob("application/c2pa", 0, make([]byte, 4<<20)))
	w.Close()
	bomb := id3Tag(3, 0, id3Frame(3, "GEOB", 0x80, append([]byte{0, 0x40, 0, 0}, z.Bytes()...)))
	bl, err := Read(bytes.NewReader(bomb), int64(len(bomb)), Limits{MaxBlock: 1 << 20})
	require.NoError(t, err)
	assert.Empty(t, bl.JUMBF)
	assert.Contains(t, strings.Join(bl.Problems, "\n"), "decompresses beyond the 1048576-byte cap")

	// A GEOB whose strings never end is a malformed store, not a missing one.
	bl = read(t, id3Tag(4, 0, id3Frame(4, "GEOB", 0, append([]byte{1}, "application/c2pa\x00no terminator"...))))
	require.Len(t, bl.JUMBF, 1)
	assert.NotEmpty(t, bl.JUMBF[0].Malformed)
}

// sfnt builds a font whose only table is C2PA, with table as its bytes.
func sfnt(table []byte) []byte {
	f := []byte("\x00\x01\x00\x00\x00\x01\x00\x10\x00\x00\x00\x00C2PA\x00\x00\x00\x00")
	f = binary.BigEndian.AppendUint32(f, 28)
	f = binary.BigEndian.AppendUint32(f, uint32(len(table)))
	return append(f, table...)
}

func c2paTable(uriAt, uriLen, storeAt, storeLen uint32, tail []byte) []byte {
	t := []byte{0, 0, 0, 1}
	t = binary.BigEndian.AppendUint32(t, uriAt)
	t = binary.BigEndian.AppendUint16(t, uint16(uriLen))
	t = append(t, 0, 0)
	t = binary.BigEndian.AppendUint32(t, storeAt)
	t = binary.BigEndian.AppendUint32(t, storeLen)
	return append(t, tail...)
}

func TestFontC2PATable(t *testing.T) {
	otf, err := build.SignedFont(testManifest, "name")
	require.NoError(t, err)
	bl := read(t, otf)
	assert.Equal(t, "font/otf", bl.MediaType)
	require.Len(t, bl.JUMBF, 1)
	assert.Equal(t, "jumb", string(bl.JUMBF[0].Data[4:8]))
	assert.True(t, bl.JUMBF[0].C2PAOnly)

	uri := "https://example.com/font.c2pa"
	bl = read(t, sfnt(c2paTable(20, uint32(len(uri)), 0, 0, []byte(uri))))
	assert.Equal(t, "font/ttf", bl.MediaType)
	assert.Empty(t, bl.JUMBF)
	assert.Equal(t, []string{uri}, bl.ManifestURIs)

	both := sfnt(c2paTable(20, uint32(len(uri)), 20+uint32(len(uri)), uint32(len(fakeStore)), append([]byte(uri), fakeStore...)))
	bl = read(t, both)
	require.Len(t, bl.JUMBF, 1)
	assert.Equal(t, fakeStore, bl.JUMBF[0].Data)
	assert.Equal(t, []string{uri}, bl.ManifestURIs)

	for name, file := range map[string][]byte{
		"store past the table": sfnt(c2paTable(0, 0, 20, 1000, fakeStore)),
		"short header":         sfnt([]byte{0, 0, 0, 1, 0, 0}),
		"table past the file":  sfnt(c2paTable(0, 0, 20, uint32(len(fakeStore)), fakeStore))[:40],
	} {
		bl := read(t, file)
		require.Len(t, bl.JUMBF, 1, name)
		assert.NotEmpty(t, bl.JUMBF[0].Malformed, name)
		assert.Nil(t, bl.JUMBF[0].Data, name)
	}
	bl = read(t, sfnt(c2paTable(4000, 5, 0, 0, nil)))
	assert.Empty(t, bl.ManifestURIs)
	assert.Contains(t, strings.Join(bl.Problems, "\n"), "active manifest URI")

	truncatedDir := []byte("OTTO\x00\x30\x00\x10\x00\x00\x00\x00name\x00\x00\x00\x00")
	bl = read(t, truncatedDir)
	assert.ErrorContains(t, bl.Stopped, "declares 48 tables")
}

func TestJXLBoxes(t *testing.T) {
	jxl, err := build.SignedJXL(testManifest, []byte{0xFF, 0x0A})
	require.NoError(t, err)
	bl := read(t, jxl)
	assert.Equal(t, "image/jxl", bl.MediaType)
	require.Len(t, bl.JUMBF, 1)
	assert.Equal(t, "jumb", string(bl.JUMBF[0].Data[4:8]))
	assert.Equal(t, jxl[bl.JUMBF[0].Offset:bl.JUMBF[0].Offset+int64(len(bl.JUMBF[0].Data))], bl.JUMBF[0].Data)

	x := []byte("<x:xmpmeta xmlns:x='adobe:ns:meta/'/>")
	tiff := []byte("II*\x00\x08\x00\x00\x00\x00\x00\x00\x00\x00\x00")
	file := bmffFile(box("JXL ", []byte{0x0D, 0x0A, 0x87, 0x0A}), box("ftyp", []byte("jxl \x00\x00\x00\x00jxl ")),
		box("Exif", append([]byte{0, 0, 0, 0}, tiff...)), box("xml ", x), box("brob", []byte("jumb\x1b\x00")), box("jxlc", []byte{0xFF, 0x0A}))
	bl = read(t, file)
	require.Len(t, bl.XMP, 1)
	assert.Equal(t, x, bl.XMP[0].Data)
	require.Len(t, bl.EXIF, 1)
	assert.Equal(t, tiff, bl.EXIF[0].Data)
	assert.Contains(t, strings.Join(bl.Problems, "\n"), `Brotli-compressed "jumb" box`)

	bl = read(t, []byte{0xFF, 0x0A, 0xFA, 0x1F})
	assert.Equal(t, "image/jxl", bl.MediaType, "a bare codestream")
	assert.Empty(t, bl.JUMBF)
	assert.Nil(t, bl.Stopped)
}

// fuzzLimits keep hostile inputs cheap; every block must respect them.
var fuzzLimits = Limits{MaxBlock: 1 << 20, MaxTotal: 2 << 20, MaxText: 1 << 20, MaxScan: 4 << 20}

// fuzzRead reads data and checks what every format owes: no block over the
// caps, every block found at an offset inside the file.
func fuzzRead(t *testing.T, data []byte) *Blocks {
	bl, err := Read(bytes.NewReader(data), int64(len(data)), fuzzLimits)
	if err != nil {
		return nil
	}
	total := 0
	for _, group := range [][]Block{bl.XMP, bl.EXIF, bl.JUMBF} {
		for _, b := range group {
			if int64(len(b.Data)) > fuzzLimits.MaxBlock {
				t.Fatalf("%s: %d bytes, over the %d-byte cap", b.Where, len(b.Data), fuzzLimits.MaxBlock)
			}
			if b.Offset < 0 || (b.Offset >= int64(len(data)) && len(data) > 0) {
				t.Fatalf("%s: offset %d outside the %d-byte file", b.Where, b.Offset, len(data))
			}
			total += len(b.Data)
		}
	}
	if int64(total) > fuzzLimits.MaxTotal {
		t.Fatalf("blocks hold %d bytes, over the %d-byte per-file cap", total, fuzzLimits.MaxTotal)
	}
	return bl
}

// boxesInFile asserts that the boxes a JPEG XL box hash covers lie in the
// file, in order, without overlapping: what the checker hashes is there.
func boxesInFile(t *testing.T, data []byte, bl *Blocks) {
	end := int64(0)
	for _, b := range bl.HashBoxes {
		if b.Offset < end || b.Length < 0 || b.Offset+b.Length > int64(len(data)) {
			t.Fatalf("box %q [%d, +%d] overlaps the previous one or runs past the %d-byte file", b.Name, b.Offset, b.Length, len(data))
		}
		end = b.Offset + b.Length
	}
}

// inFile asserts that a block is the file's own bytes at its offset.
func inFile(t *testing.T, data []byte, b Block) {
	if b.Data == nil {
		return
	}
	if end := b.Offset + int64(len(b.Data)); end > int64(len(data)) || !bytes.Equal(data[b.Offset:end], b.Data) {
		t.Fatalf("%s: %d bytes at %d are not the file's bytes there", b.Where, len(b.Data), b.Offset)
	}
}

func FuzzSVG(f *testing.F) {
	svg, err := build.SignedSVG(testManifest)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(svg)
	f.Add(svgDoc(`<metadata><c2pa:manifest>not*base64</c2pa:manifest><x:xmpmeta xmlns:x="adobe:ns:meta/"/></metadata>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		bl := fuzzRead(t, data)
		if bl == nil || bl.MediaType != "image/svg+xml" {
			return
		}
		for _, b := range bl.XMP {
			inFile(t, data, b)
		}
		for _, b := range bl.JUMBF {
			if !b.C2PAOnly || len(b.Data) > len(data)*3/4 {
				t.Fatalf("%s: %d bytes decoded from a %d-byte file", b.Where, len(b.Data), len(data))
			}
		}
	})
}

func FuzzID3(f *testing.F) {
	mp3, err := build.SignedMP3(testManifest, build.MP3Frames(1, 0))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(mp3)
	f.Add(id3Tag(3, 0x80, id3Frame(3, "GEOB", 0x80, []byte{0, 0, 0, 9, 0x78, 0x9c, 0xFF, 0x00})))
	f.Add(id3Tag(2, 0, id3Frame(2, "GEO", 0, geob("application/c2pa", 1, fakeStore))))
	f.Fuzz(func(t *testing.T, data []byte) {
		bl := fuzzRead(t, data)
		if bl == nil || bl.Kind != "audio" {
			return
		}
		if bl.MediaType == "audio/flac" && !bytes.Contains(data, []byte("fLaC")) {
			t.Fatal("FLAC without its marker")
		}
		for _, b := range bl.JUMBF {
			if !b.C2PAOnly || b.Offset < 10 {
				t.Fatalf("%s: a GEOB store at %d, inside the tag header", b.Where, b.Offset)
			}
		}
	})
}

func FuzzFont(f *testing.F) {
	otf, err := build.SignedFont(testManifest, "n")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(otf)
	if boxed, err := build.SignedFontBoxes(testManifest, "n"); err == nil {
		f.Add(boxed)
	}
	f.Add(sfnt(c2paTable(20, 3, 23, uint32(len(fakeStore)), append([]byte("uri"), fakeStore...))))
	f.Fuzz(func(t *testing.T, data []byte) {
		bl := fuzzRead(t, data)
		if bl == nil {
			return
		}
		for _, b := range bl.JUMBF {
			inFile(t, data, b)
		}
		for _, u := range bl.ManifestURIs {
			if len(u) > 0xFFFF || !bytes.Contains(data, []byte(u)) {
				t.Fatalf("manifest URI %q is not in the file", u)
			}
		}
	})
}

func FuzzJXL(f *testing.F) {
	jxl, err := build.SignedJXL(testManifest, []byte{0xFF, 0x0A})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(jxl)
	if boxed, err := build.SignedJXLBoxes(testManifest, []byte{0xFF, 0x0A}); err == nil {
		f.Add(boxed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		bl := fuzzRead(t, data)
		if bl == nil {
			return
		}
		if bl.MediaType == "image/jxl" {
			boxesInFile(t, data, bl)
		}
		for _, b := range bl.JUMBF {
			inFile(t, data, b)
			if string(b.Data[4:8]) != "jumb" {
				t.Fatalf("%s: a JUMBF block that is not a jumb box", b.Where)
			}
		}
	})
}

// An MP3's cover art is skipped by offset: only frame headers and the C2PA
// and XMP frames are read.
func TestID3ReadsOnlyTheFramesThatMatter(t *testing.T) {
	art := id3Frame(4, "APIC", 0, make([]byte, 8<<20))
	head := id3Tag(4, 0, art, id3Frame(4, "GEOB", 0, geob("application/c2pa", 0, fakeStore)))
	r := &countingReader{head: head, size: int64(len(head)) + 1<<20}
	bl, err := Read(r, r.size, Limits{})
	require.NoError(t, err)
	require.Len(t, bl.JUMBF, 1)
	assert.Equal(t, fakeStore, bl.JUMBF[0].Data)
	assert.Less(t, r.read.Load(), int64(headRead+4<<10), "8 MiB of cover art is not read")
}

// FuzzPNG: the chunks a PNG box hash covers lie in the file, in order,
// signature first, and none are named when bytes follow IEND.
func FuzzPNG(f *testing.F) {
	plain, err := build.PNG(6, 4, true)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(plain)
	if boxed, err := build.SignedPNGBoxes(testManifest, plain); err == nil {
		f.Add(boxed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		bl := fuzzRead(t, data)
		if bl == nil || bl.MediaType != "image/png" || bl.HashBoxes == nil {
			return
		}
		boxesInFile(t, data, bl)
		if bl.HashBoxes[0].Name != "PNGh" {
			t.Fatalf("the signature is not the first box: %+v", bl.HashBoxes)
		}
		if last := bl.HashBoxes[len(bl.HashBoxes)-1]; last.Name == "IEND" && last.Offset+last.Length != int64(len(data)) {
			t.Fatalf("bytes after IEND, yet boxes named: %+v", last)
		}
		for _, b := range bl.HashBoxes[1:] {
			if b.Name == "caBX" || b.Name != "C2PA" && string(data[b.Offset+4:b.Offset+8]) != b.Name {
				t.Fatalf("chunk at %d named %q", b.Offset, b.Name)
			}
		}
	})
}

// FuzzJPEGHashBoxes: a JPEG's segments, when named, tile the whole file from
// SOI to EOI with no gap, and the manifest store's box is an APP11 segment
// run; otherwise an error, never a partial list.
func FuzzJPEGHashBoxes(f *testing.F) {
	jpg, err := build.JPEG(8, 8, 2)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(jpg)
	if boxed, err := build.SignedJPEGBoxes(testManifest, jpg); err == nil {
		f.Add(boxed)
	}
	f.Add([]byte{0xFF, 0xD8, 0xFF, 0xDA, 0, 2, 1, 0xFF, 0x00, 0xFF, 0xD9})
	f.Fuzz(func(t *testing.T, data []byte) {
		boxes, err := JPEGHashBoxes(bytes.NewReader(data), int64(len(data)), Limits{MaxBoxes: 1000})
		if err != nil {
			if boxes != nil {
				t.Fatalf("boxes with an error: %v", err)
			}
			return
		}
		if len(boxes) < 2 || boxes[0].Name != "SOI" || boxes[len(boxes)-1].Name != "EOI" || len(boxes) > 1000 {
			t.Fatalf("not SOI ... EOI: %+v", boxes)
		}
		end := int64(0)
		for _, b := range boxes {
			if b.Offset != end || b.Length < 2 {
				t.Fatalf("box %q at %d (+%d) after %d", b.Name, b.Offset, b.Length, end)
			}
			if b.Name == "C2PA" && (data[b.Offset+1] != 0xEB || !bytes.Equal(data[b.Offset+28:b.Offset+32], []byte("c2pa"))) {
				t.Fatalf("C2PA box at %d is no store segment", b.Offset)
			}
			end = b.Offset + b.Length
		}
		if end != int64(len(data)) {
			t.Fatalf("boxes end at %d of %d", end, len(data))
		}
	})
}

// FuzzGIF: a GIF's named blocks, when listed, tile the whole file from the
// header to the trailer, and the store's block is the C2PA_GIF extension.
func FuzzGIF(f *testing.F) {
	if boxed, err := build.SignedGIFBoxes(testManifest); err == nil {
		f.Add(boxed)
	}
	f.Add([]byte("GIF89a\x01\x00\x01\x00\x00\x00\x00\x2C\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02\x44\x01\x00\x3B"))
	f.Fuzz(func(t *testing.T, data []byte) {
		bl := fuzzRead(t, data)
		if bl == nil || bl.MediaType != "image/gif" || bl.HashBoxes == nil {
			return
		}
		end := int64(0)
		for _, b := range bl.HashBoxes {
			if b.Offset != end || b.Length < 1 {
				t.Fatalf("block %q at %d (+%d) after %d", b.Name, b.Offset, b.Length, end)
			}
			if b.Name == "C2PA" && !bytes.HasPrefix(data[b.Offset:], []byte("\x21\xFF\x0BC2PA_GIF")) {
				t.Fatalf("C2PA block at %d is no C2PA_GIF extension", b.Offset)
			}
			end = b.Offset + b.Length
		}
		if end != int64(len(data)) || bl.HashBoxes[len(bl.HashBoxes)-1].Name != "3B" {
			t.Fatalf("blocks end at %d of %d: %+v", end, len(data), bl.HashBoxes)
		}
	})
}
