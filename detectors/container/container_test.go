package container

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aiaudit/aiaudit/cmd/mktestdata/build"
	fixtures "github.com/aiaudit/aiaudit/detectors/testfixtures"
)

func read(t testing.TB, b []byte) *Blocks {
	t.Helper()
	bl, err := Read(bytes.NewReader(b), int64(len(b)), Limits{})
	require.NoError(t, err)
	return bl
}

func TestSharedFixturesBlocks(t *testing.T) {
	dir := fixtures.Dir(t, "media")
	jumbf := map[string]string{
		"c2pa_firefly_photoshop.jpg":               "JPEG APP11 JUMBF, 5 segment(s) (En=0x0211, Z=1..5)",
		"c2pa_adobe_express_firefly.pdf":           "PDF embedded file stream (object 1 0), no /Subtype",
		"c2pa_adobe_aca_watermarked.png":           "PNG caBX chunk at 33",
		"c2pa_fmp4_init.mp4":                       "BMFF uuid box (C2PA manifest) at 407",
		"c2pa_video.mp4":                           "BMFF uuid box (C2PA manifest) at 24",
		"c2pa_heic_notrain.heic":                   "BMFF uuid box (C2PA manifest) at 28",
		"c2pa_edit_ingredient_CA.jpg":              "JPEG APP11 JUMBF, 2 segment(s) (En=0x0211, Z=1..2)",
		"legacy_cai_prestandard.jpg":               "JPEG APP11 JUMBF, 1 segment(s) (En=0x0001, Z=1..1)",
		"sidecar_cloud_manifest.c2pa":              "raw JUMBF (.c2pa sidecar)",
		"malformed_c2pa_missing_app11_segment.jpg": "JPEG APP11 JUMBF, 1 segment(s) (En=0x0211, Z=1..1)",
	}
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	for _, e := range entries {
		name := e.Name()
		if strings.HasSuffix(name, ".md") || strings.HasSuffix(name, ".json") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, name))
		require.NoError(t, err)
		bl := read(t, b)
		if where, ok := jumbf[name]; ok {
			require.NotEmpty(t, bl.JUMBF, name)
			assert.Equal(t, where, bl.JUMBF[0].Where, name)
			assert.Equal(t, "jumb", string(bl.JUMBF[0].Data[4:8]), "%s: a block starts with the superbox", name)
		}
		if strings.HasPrefix(name, "sd_") || strings.HasPrefix(name, "plain_") {
			assert.Empty(t, bl.JUMBF, name)
		}
	}
	ps := read(t, fixtures.Read(t, "media", "c2pa_firefly_photoshop.jpg"))
	assert.Len(t, ps.JUMBF[0].Data, 256453, "5 APP11 segments reassembled to the declared store size")
	assert.Empty(t, ps.JUMBF[0].Malformed)

	missing := read(t, fixtures.Read(t, "media", "malformed_c2pa_missing_app11_segment.jpg"))
	assert.Equal(t, "LBox says 117241 bytes but the APP11 segments hold 64000", missing.JUMBF[0].Malformed)
	trunc := read(t, fixtures.Read(t, "media", "malformed_c2pa_truncated.jpg"))
	assert.Contains(t, trunc.JUMBF[0].Malformed, "LBox says 117241")
	assert.Contains(t, strings.Join(trunc.Problems, "\n"), "file truncated")

	for name, keys := range map[string][]string{
		"sd_a1111_parameters.png":        {"parameters"},
		"sd_comfyui_prompt_workflow.png": {"prompt", "workflow"},
		"sd_invokeai_metadata.png":       {"invokeai_metadata"},
		"sd_invokeai_legacy_sdmeta.png":  {"Dream", "sd-metadata"},
		"sd_fooocus.png":                 {"parameters", "fooocus_scheme"},
		"sd_novelai.png":                 {"Title", "Description", "Software", "Source", "Comment"},
	} {
		bl := read(t, fixtures.Read(t, "media", name))
		var got []string
		for _, e := range bl.Text {
			got = append(got, e.Key)
		}
		assert.ElementsMatch(t, keys, got, name)
	}
	for _, name := range []string{"xmp_dst_trainedAlgorithmicMedia_bing.jpg", "c2pa_stripped_xmp_provenance.jpg", "c2pa_video.mp4", "c2pa_adobe_aca_watermarked.png", "plain_document.pdf"} {
		bl := read(t, fixtures.Read(t, "media", name))
		require.NotEmpty(t, bl.XMP, name)
		assert.Contains(t, string(bl.XMP[0].Data), "x:xmpmeta", name)
	}
	for _, name := range []string{"sd_a1111_usercomment.jpg", "sd_a1111_usercomment.webp", "sd_comfyui_exif.webp", "sd_civitai.jpg", "plain_photo_exif.jpg"} {
		bl := read(t, fixtures.Read(t, "media", name))
		require.NotEmpty(t, bl.EXIF, name)
		assert.Contains(t, []string{"II*\x00", "MM\x00*"}, string(bl.EXIF[0].Data[:4]), name)
	}
}

// Every prefix of a valid file is a damaged file: parsing must not fail
// hard, panic or loop, and must say what is wrong.
func TestTruncatedAtEveryLength(t *testing.T) {
	files, err := build.All()
	require.NoError(t, err)
	for _, f := range files {
		for n := 0; n < len(f.Data); n++ {
			b := f.Data[:n]
			bl, err := Read(bytes.NewReader(b), int64(n), Limits{})
			if err != nil {
				continue // too short to sniff: an error, not a panic
			}
			if n > 64 && n < len(f.Data)-12 && (bl.MediaType == "image/png") {
				assert.NotEmpty(t, bl.Problems, "%s cut at %d", f.Name, n)
			}
		}
	}
}

// failingAt is a file whose reads past a point fail, as a remote file does
// past its byte cap: the full size is known, the bytes are not.
type failingAt struct {
	b    []byte
	from int64
}

var errInjected = errors.New("injected read failure")

func (f failingAt) ReadAt(p []byte, off int64) (int, error) {
	if off+int64(len(p)) > f.from {
		return 0, errInjected
	}
	return bytes.NewReader(f.b).ReadAt(p, off)
}

// A read that fails anywhere in any format stops the parser without a
// panic, and says what was not read: Stopped carries the read's error.
func TestReadFailureAtEveryOffset(t *testing.T) {
	files, err := build.All()
	require.NoError(t, err)
	for _, f := range files {
		for from := int64(16); from < int64(len(f.Data)); from += max(1, int64(len(f.Data))/200) {
			bl, err := Read(failingAt{f.Data, from}, int64(len(f.Data)), Limits{})
			if err != nil {
				assert.ErrorIs(t, err, errInjected, "%s failing from %d", f.Name, from)
				continue
			}
			if bl.Stopped != nil {
				assert.ErrorIs(t, bl.Stopped, errInjected, "%s failing from %d", f.Name, from)
			}
		}
		// A read failing before the last block is reported, in the formats
		// read block by block.
		bl, err := Read(failingAt{f.Data, int64(len(f.Data)) - 1}, int64(len(f.Data)), Limits{})
		if err == nil && (bl.MediaType == "image/png" || bl.MediaType == "image/jpeg") {
			assert.ErrorIs(t, bl.Stopped, errInjected, "%s: the last byte was not read", f.Name)
		}
	}
}

func pngWith(t *testing.T, chunks ...build.Chunk) []byte {
	t.Helper()
	b, err := build.PNG(8, 8, false, chunks...)
	require.NoError(t, err)
	return b
}

func TestZTXtBombIsCapped(t *testing.T) {
	var z bytes.Buffer
	w := zlib.NewWriter(&z)
	zeros := make([]byte, 1<<20)
	for range 64 { // 64 MiB of zeros in ~64 KiB
		w.Write(zeros)
	}
	w.Close()
	data := append([]byte("bomb\x00\x00"), z.Bytes()...)
	b := pngWith(t, build.Chunk{Type: "zTXt", Data: data}, build.TextChunk("tEXt", "parameters", "Steps: 1, Seed: 2"))
	bl, err := Read(bytes.NewReader(b), int64(len(b)), Limits{MaxText: 1 << 20})
	require.NoError(t, err)
	assert.Contains(t, strings.Join(bl.Problems, "\n"), "decompression bomb")
	require.Len(t, bl.Text, 1, "the chunks after the bomb are still read")
	assert.Equal(t, "parameters", bl.Text[0].Key)
}

func TestLyingLengths(t *testing.T) {
	// PNG chunk claiming 2 GiB.
	b := pngWith(t)
	lie := append([]byte{}, b[:33]...)
	lie = append(lie, 0x7F, 0xFF, 0xFF, 0xF0, 't', 'E', 'X', 't', 'k', 0, 'v')
	bl := read(t, lie)
	assert.Contains(t, strings.Join(bl.Problems, "\n"), "declares")

	// BMFF box with a 64-bit size far beyond the file.
	bm := bmffFile(box("ftyp", []byte("isom\x00\x00\x00\x00isom")), largeBox("mdat", 1<<40))
	bl = read(t, bm)
	assert.Contains(t, strings.Join(bl.Problems, "\n"), "truncated")

	// JPEG APP11 segment with a length past the end.
	j := []byte{0xFF, 0xD8, 0xFF, 0xEB, 0xFF, 0xF0, 'J', 'P', 0, 1, 0, 0, 0, 1}
	bl = read(t, j)
	assert.Contains(t, strings.Join(bl.Problems, "\n"), "file truncated")

	// TIFF whose IFD points to itself.
	tiff := []byte("II*\x00\x08\x00\x00\x00\x00\x00\x08\x00\x00\x00")
	bl = read(t, tiff)
	assert.Contains(t, strings.Join(bl.Problems, "\n"), "loops")
}

func box(typ string, payload []byte) []byte {
	out := make([]byte, 8, 8+len(payload))
	binary.BigEndian.PutUint32(out, uint32(8+len(payload)))
	copy(out[4:], typ)
	return append(out, payload...)
}

func largeBox(typ string, size uint64) []byte {
	out := make([]byte, 16)
	binary.BigEndian.PutUint32(out, 1)
	copy(out[4:], typ)
	binary.BigEndian.PutUint64(out[8:], size)
	return out
}

func bmffFile(boxes ...[]byte) []byte { return bytes.Join(boxes, nil) }

// countingReader serves a sparse BMFF file: real header bytes followed by a
// 4 GiB mdat that is never materialised, and counts the bytes read.
type countingReader struct {
	head []byte
	size int64
	read atomic.Int64
}

func (c *countingReader) ReadAt(p []byte, off int64) (int, error) {
	c.read.Add(int64(len(p)))
	n := 0
	for i := range p {
		at := off + int64(i)
		if at >= c.size {
			break
		}
		if at < int64(len(c.head)) {
			p[i] = c.head[at]
		} else {
			p[i] = 0
		}
		n++
	}
	return n, nil
}

func TestBigVideoReadsOnlyTheBoxesThatMatter(t *testing.T) {
	xmp := append(append([]byte{}, uuidXMP...), []byte(build.XMPPacket("http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia", "", ""))...)
	head := bmffFile(box("ftyp", []byte("isom\x00\x00\x00\x00isom")), box("uuid", xmp), box("moov", box("mvhd", make([]byte, 100))))
	const mdat = 4 << 30
	mdatHdr := largeBox("mdat", mdat+16)
	head = append(head, mdatHdr...)
	r := &countingReader{head: head, size: int64(len(head)) + mdat}
	bl, err := Read(r, r.size, Limits{})
	require.NoError(t, err)
	require.Len(t, bl.XMP, 1)
	assert.Equal(t, "video/mp4", bl.MediaType)
	assert.Less(t, r.read.Load(), int64(headRead+16<<10), "a 4 GiB video costs the head read and a few boxes")
}

func TestMP4WithC2PAAfterOtherBoxesAndMerkle(t *testing.T) {
	store := []byte("\x00\x00\x00\x10jumb\x00\x00\x00\x08jumd")
	manifest := append(append(append([]byte{}, uuidC2PA...), 0, 0, 0, 0), []byte("manifest\x00")...)
	manifest = append(manifest, make([]byte, 8)...)
	manifest = append(manifest, store...)
	merkle := append(append(append([]byte{}, uuidC2PA...), 0, 0, 0, 0), []byte("merkle\x00abc")...)
	f := bmffFile(box("ftyp", []byte("isom\x00\x00\x00\x00")), box("mfra", nil), box("free", nil), box("uuid", manifest), box("uuid", merkle), box("mdat", make([]byte, 10)))
	bl := read(t, f)
	require.Len(t, bl.JUMBF, 1, "the merkle box carries no store")
	assert.Equal(t, store, bl.JUMBF[0].Data)
}

func TestRIFFGIFTIFFStores(t *testing.T) {
	store := []byte("\x00\x00\x00\x10jumb\x00\x00\x00\x08jumd")
	// WebP: VP8X, EXIF with the JPEG prefix, XMP, C2PA at the end.
	chunk := func(id string, d []byte) []byte {
		out := make([]byte, 8, 9+len(d))
		copy(out, id)
		binary.LittleEndian.PutUint32(out[4:], uint32(len(d)))
		out = append(out, d...)
		if len(d)%2 == 1 {
			out = append(out, 0)
		}
		return out
	}
	body := bytes.Join([][]byte{[]byte("WEBP"), chunk("VP8X", make([]byte, 10)), chunk("EXIF", []byte("Exif\x00\x00II*\x00\x08\x00\x00\x00\x00\x00")), chunk("XMP ", []byte("<x:xmpmeta/>")), chunk("C2PA", store)}, nil)
	webp := append(append([]byte("RIFF"), binary.LittleEndian.AppendUint32(nil, uint32(len(body)))...), body...)
	bl := read(t, webp)
	assert.Equal(t, "image/webp", bl.MediaType)
	require.Len(t, bl.JUMBF, 1)
	assert.Equal(t, store, bl.JUMBF[0].Data)
	require.Len(t, bl.EXIF, 1)
	assert.Equal(t, "II*\x00", string(bl.EXIF[0].Data[:4]), "the Exif prefix is stripped")
	require.Len(t, bl.XMP, 1)

	// GIF: header, no colour table, C2PA_GIF app extension, comment, trailer.
	gif := []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00")
	gif = append(gif, 0x21, 0xFF, 11)
	gif = append(gif, "C2PA_GIF\x01\x00\x00"...)
	gif = append(gif, byte(len(store)))
	gif = append(gif, store...)
	gif = append(gif, 0, 0x21, 0xFE, 5, 'h', 'e', 'l', 'l', 'o', 0, 0x3B)
	bl = read(t, gif)
	require.Len(t, bl.JUMBF, 1)
	assert.Equal(t, store, bl.JUMBF[0].Data)
	require.Len(t, bl.Text, 1)
	assert.Equal(t, "hello", bl.Text[0].Value)

	// TIFF with tag 0xCD41 (C2PA) and 700 (XMP).
	tiff := []byte("II*\x00\x08\x00\x00\x00")
	tiff = append(tiff, 2, 0)
	entry := func(tag uint16, count, off uint32) []byte {
		e := make([]byte, 12)
		binary.LittleEndian.PutUint16(e, tag)
		binary.LittleEndian.PutUint16(e[2:], 7)
		binary.LittleEndian.PutUint32(e[4:], count)
		binary.LittleEndian.PutUint32(e[8:], off)
		return e
	}
	x := []byte("<x:xmpmeta/>")
	dataAt := uint32(8 + 2 + 24 + 4)
	tiff = append(tiff, entry(700, uint32(len(x)), dataAt)...)
	tiff = append(tiff, entry(0xCD41, uint32(len(store)), dataAt+uint32(len(x)))...)
	tiff = append(tiff, 0, 0, 0, 0)
	tiff = append(append(tiff, x...), store...)
	bl = read(t, tiff)
	require.Len(t, bl.JUMBF, 1)
	assert.Equal(t, store, bl.JUMBF[0].Data)
	require.Len(t, bl.XMP, 1)
	assert.Equal(t, x, bl.XMP[0].Data)
}

func TestSidecarsAreWholeFiles(t *testing.T) {
	x := []byte("\xEF\xBB\xBF  <?xpacket begin=''?><x:xmpmeta/>")
	bl := read(t, x)
	assert.Equal(t, "application/rdf+xml", bl.MediaType)
	require.Len(t, bl.XMP, 1)
	assert.Equal(t, x, bl.XMP[0].Data)
}

func FuzzRead(f *testing.F) {
	files, err := build.All()
	if err != nil {
		f.Fatal(err)
	}
	for _, file := range files {
		f.Add(file.Data)
	}
	f.Add([]byte("GIF89a\x01\x00\x01\x00\x80\x00\x00"))
	f.Add([]byte("II*\x00\x08\x00\x00\x00\x01\x00\xbc\x02\x07\x00\xff\xff\xff\x7f\x00\x00\x00\x00"))
	f.Add([]byte("%PDF-1.7\n1 0 obj<</AFRelationship/C2PA_Manifest/EF<</F 2 0 R>>>>endobj\n2 0 obj<</Length 9999/Filter/FlateDecode>>stream\nxx\nendstream endobj"))
	f.Add(bmffFile(box("ftyp", []byte("heic\x00\x00\x00\x00")), largeBox("moov", 1<<50)))
	f.Fuzz(func(t *testing.T, data []byte) {
		bl, err := Read(bytes.NewReader(data), int64(len(data)), Limits{MaxBlock: 1 << 20, MaxTotal: 2 << 20, MaxText: 1 << 20, MaxScan: 4 << 20})
		if err != nil {
			return
		}
		total := 0
		for _, group := range [][]Block{bl.XMP, bl.EXIF, bl.JUMBF} {
			for _, b := range group {
				total += len(b.Data)
			}
		}
		if total > 8<<20 {
			t.Fatalf("blocks hold %d bytes for a %d-byte input", total, len(data))
		}
	})
}

func fullBox(typ string, version byte, payload []byte) []byte {
	return box(typ, append([]byte{version, 0, 0, 0}, payload...))
}

// A HEIC whose XMP and Exif live in meta items, located through iinf/iloc.
func TestHEIFMetaItems(t *testing.T) {
	xmp := []byte(build.XMPPacket("http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia", "", ""))
	exif := append([]byte{0, 0, 0, 6}, append([]byte("Exif\x00\x00"), "II*\x00\x08\x00\x00\x00\x00\x00\x00\x00\x00\x00"...)...)
	infe := func(id uint16, typ string, extra []byte) []byte {
		p := binary.BigEndian.AppendUint16(nil, id)
		p = append(p, 0, 0)
		p = append(p, typ...)
		p = append(p, 0) // empty item name
		return fullBox("infe", 2, append(p, extra...))
	}
	iinf := fullBox("iinf", 0, append(binary.BigEndian.AppendUint16(nil, 2),
		append(infe(1, "Exif", nil), infe(2, "mime", []byte("application/rdf+xml\x00"))...)...))
	ftyp := box("ftyp", []byte("heic\x00\x00\x00\x00mif1heic"))
	iloc := func(exifAt, xmpAt uint32) []byte {
		p := []byte{0x44, 0x00} // offset size 4, length size 4, base 0
		p = binary.BigEndian.AppendUint16(p, 2)
		for _, it := range []struct {
			id      uint16
			at, len uint32
		}{{1, exifAt, uint32(len(exif))}, {2, xmpAt, uint32(len(xmp))}} {
			p = binary.BigEndian.AppendUint16(p, it.id)
			p = append(p, 0, 0) // data reference index
			p = binary.BigEndian.AppendUint16(p, 1)
			p = binary.BigEndian.AppendUint32(p, it.at)
			p = binary.BigEndian.AppendUint32(p, it.len)
		}
		return fullBox("iloc", 0, p)
	}
	meta := fullBox("meta", 0, append(fullBox("hdlr", 0, make([]byte, 20)), append(iinf, iloc(0, 0)...)...))
	mdatAt := uint32(len(ftyp) + len(meta) + 8)
	meta = fullBox("meta", 0, append(fullBox("hdlr", 0, make([]byte, 20)), append(iinf, iloc(mdatAt, mdatAt+uint32(len(exif)))...)...))
	file := bmffFile(ftyp, meta, box("mdat", append(append([]byte{}, exif...), xmp...)))
	bl := read(t, file)
	assert.Equal(t, "image/heic", bl.MediaType)
	require.Len(t, bl.XMP, 1, "%v", bl.Problems)
	assert.Equal(t, xmp, bl.XMP[0].Data)
	require.Len(t, bl.EXIF, 1)
	assert.Equal(t, "II*\x00", string(bl.EXIF[0].Data[:4]))
}
