// Package build makes small media files with known metadata, byte by byte, for
// the project's tests, its README demo and its benchmark corpus.
package build

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"sort"
)

// File is one generated fixture with what a correct scan concludes about it.
type File struct {
	Name string
	Data []byte
	// Want is the verdict the tests assert for this file.
	Want Want
}

// Want is the expected verdict for a generated file.
type Want struct {
	AI        bool
	Marked    bool
	OptOut    bool
	C2PA      string // provenance c2pa status
	Generator string // expected generator name, when AI
	Binding   string // provenance binding check, when C2PA is present
	MediaType string // the sniffed media type, when the test checks it
	Error     bool
}

const (
	dstNS         = "http://cv.iptc.org/newscodes/digitalsourcetype/"
	a1111Infotext = "a lighthouse at dawn, oil painting\nNegative prompt: blurry\nSteps: 20, Sampler: Euler a, CFG scale: 7, Seed: 1234, Size: 64x64, Model hash: 6ce0161689"
)

var testManifest = Manifest{
	Generator:         "aiaudit test signer",
	Action:            "c2pa.created",
	DigitalSourceType: dstNS + "trainedAlgorithmicMedia",
	SoftwareAgent:     "Example Diffusion 2",
	TrainingUse:       "notAllowed",
}

// boundAI is the verdict on testManifest embedded with a matching binding in
// a file of media type mt.
func boundAI(mt string) Want {
	return Want{AI: true, Marked: true, OptOut: true, C2PA: "present", Generator: "Example Diffusion 2 1.0", Binding: "match", MediaType: mt}
}

// All returns every generated fixture, in a stable order.
func All() ([]File, error) {
	var out []File
	add := func(name string, data []byte, err error, w Want) error {
		if err != nil {
			return err
		}
		out = append(out, File{Name: name, Data: data, Want: w})
		return nil
	}
	plain, err := JPEG(64, 48, 1)
	if err != nil {
		return nil, err
	}
	steps := []struct {
		name string
		f    func() ([]byte, error)
		want Want
	}{
		{"photo_plain.jpg", func() ([]byte, error) { return plain, nil }, Want{C2PA: "absent"}},
		{"ai_xmp_trained.jpg", func() ([]byte, error) {
			return WithXMP(plain, XMPPacket(dstNS+"trainedAlgorithmicMedia", "", "Example Image Model 3"))
		}, Want{AI: true, Marked: true, C2PA: "absent", Generator: "Example Image Model 3"}},
		{"photo_notrain.jpg", func() ([]byte, error) {
			return WithXMP(plain, XMPPacket(dstNS+"digitalCapture", "http://ns.useplus.org/ldf/vocab/DMI-PROHIBITED-AIMLTRAINING", ""))
		}, Want{OptOut: true, C2PA: "absent"}},
		{"stripped_provenance.jpg", func() ([]byte, error) {
			return WithXMP(plain, XMPProvenance("self#jumbf=/c2pa/urn:uuid:00000000-0000-4000-8000-000000000001/c2pa.claim"))
		}, Want{C2PA: "stripped_reference"}},
		{"a1111_parameters.png", func() ([]byte, error) {
			return PNG(48, 48, false, TextChunk("tEXt", "parameters", a1111Infotext))
		}, Want{AI: true, C2PA: "absent", Generator: "AUTOMATIC1111 Stable Diffusion web UI"}},
		{"comfyui_ztxt.png", func() ([]byte, error) {
			return PNG(48, 48, false,
				TextChunk("zTXt", "prompt", `{"3": {"inputs": {"seed": 1, "steps": 20}, "class_type": "KSampler"}}`),
				TextChunk("zTXt", "workflow", `{"last_node_id": 9, "nodes": []}`))
		}, Want{AI: true, C2PA: "absent", Generator: "ComfyUI"}},
		{"graphic_plain.png", func() ([]byte, error) { return PNG(48, 48, true) }, Want{C2PA: "absent"}},
		{"broken_truncated.png", func() ([]byte, error) {
			b, err := PNG(48, 48, false, TextChunk("tEXt", "parameters", a1111Infotext))
			return b[:40], err
		}, Want{C2PA: "absent"}},
		{"c2pa_ai_bound.jpg", func() ([]byte, error) { return SignedJPEG(plain, testManifest) },
			Want{AI: true, Marked: true, OptOut: true, C2PA: "present", Generator: "Example Diffusion 2 1.0", Binding: "match"}},
		{"c2pa_transplanted.jpg", func() ([]byte, error) {
			signed, err := SignedJPEG(plain, testManifest)
			if err != nil {
				return nil, err
			}
			other, err := JPEG(64, 48, 77)
			return Transplant(signed, other), err
		}, Want{AI: true, Marked: false, OptOut: true, C2PA: "present", Generator: "Example Diffusion 2 1.0", Binding: "mismatch"}}, // an invalid manifest is no reliable label
		{"not_media.txt", func() ([]byte, error) { return []byte("just some notes\n"), nil }, Want{C2PA: "absent"}},
		{"c2pa_ai_bound.svg", func() ([]byte, error) { return SignedSVG(testManifest) }, boundAI("image/svg+xml")},
		{"c2pa_ai_bound.mp3", func() ([]byte, error) { return SignedMP3(testManifest, MP3Frames(3, 1)) }, boundAI("audio/mpeg")},
		{"c2pa_ai_bound.flac", func() ([]byte, error) { return SignedFLAC(testManifest, FLACStream(1)) }, boundAI("audio/flac")},
		{"c2pa_ai_bound.jxl", func() ([]byte, error) { return SignedJXL(testManifest, []byte{0xFF, 0x0A, 0xFA, 0x1F, 0x01}) }, boundAI("image/jxl")},
		{"c2pa_ai_bound.otf", func() ([]byte, error) { return SignedFont(testManifest, "aiaudit test font") }, boundAI("font/otf")},
	}
	for _, s := range steps {
		b, err := s.f()
		if err := add(s.name, b, err, s.want); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Tree returns every generated file with its path under testdata/: the
// media samples and the crawl test site's images.
func Tree() ([]File, error) {
	media, err := All()
	if err != nil {
		return nil, err
	}
	var out []File
	for _, f := range media {
		f.Name = "media/" + f.Name
		out = append(out, f)
	}
	imgs, err := SiteImages()
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(imgs))
	for n := range imgs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		out = append(out, File{Name: "sites/basic/img/" + n, Data: imgs[n]})
	}
	return out, nil
}

// JPEG encodes a small deterministic gradient.
func JPEG(w, h int, seed int) ([]byte, error) {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.RGBA{uint8(x*4 + seed), uint8(y * 5), uint8((x + y + seed) * 3), 255})
		}
	}
	var buf bytes.Buffer
	err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 80})
	return buf.Bytes(), err
}

// WithXMP inserts an APP1 XMP segment right after SOI.
func WithXMP(jpg []byte, packet string) ([]byte, error) {
	payload := append([]byte("http://ns.adobe.com/xap/1.0/\x00"), packet...)
	return WithSegment(jpg, 0xE1, payload), nil
}

// WithSegment inserts one APPn segment right after SOI.
func WithSegment(jpg []byte, marker byte, payload []byte) []byte {
	seg := []byte{0xFF, marker, 0, 0}
	binary.BigEndian.PutUint16(seg[2:], uint16(len(payload)+2))
	out := append([]byte{}, jpg[:2]...)
	out = append(out, seg...)
	out = append(out, payload...)
	return append(out, jpg[2:]...)
}

// WithEXIFPreview inserts an APP1 EXIF segment whose IFD1 carries preview
// as the JPEG thumbnail (JPEGInterchangeFormat and its length), as cameras
// write one, and whose IFD0 has Software set to software.
func WithEXIFPreview(jpg, preview []byte, software string) []byte {
	le := binary.LittleEndian
	sw := append([]byte(software), 0)
	// Header (8), IFD0 with one entry (2+12+4), IFD1 with two (2+24+4), then
	// the Software string and the preview.
	ifd0, ifd1 := uint32(8), uint32(8+18)
	swAt := ifd1 + 30
	previewAt := swAt + uint32(len(sw))
	t := []byte("II*\x00")
	t = le.AppendUint32(t, ifd0)
	entry := func(tag, typ uint16, count, value uint32) {
		t = le.AppendUint16(t, tag)
		t = le.AppendUint16(t, typ)
		t = le.AppendUint32(t, count)
		t = le.AppendUint32(t, value)
	}
	t = le.AppendUint16(t, 1)
	entry(0x0131, 2, uint32(len(sw)), swAt) // Software, ASCII
	t = le.AppendUint32(t, ifd1)
	t = le.AppendUint16(t, 2)
	entry(0x0201, 4, 1, previewAt)            // JPEGInterchangeFormat
	entry(0x0202, 4, 1, uint32(len(preview))) // JPEGInterchangeFormatLength
	t = le.AppendUint32(t, 0)
	t = append(append(t, sw...), preview...)
	return WithSegment(jpg, 0xE1, append([]byte("Exif\x00\x00"), t...))
}

// XMPPacket writes an XMP packet with a digital source type, an optional PLUS
// DataMining value and an optional IPTC 2025.1 AISystemUsed.
func XMPPacket(dst, dataMining, aiSystem string) string {
	s := `<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/" xmlns:plus="http://ns.useplus.org/ldf/xmp/1.0/" xmlns:xmp="http://ns.adobe.com/xap/1.0/"
 Iptc4xmpExt:DigitalSourceType="` + dst + `"`
	if aiSystem != "" {
		s += ` Iptc4xmpExt:AISystemUsed="` + aiSystem + `"`
	}
	s += ">"
	if dataMining != "" {
		s += `<plus:DataMining rdf:resource="` + dataMining + `"/>`
	}
	return s + "</rdf:Description></rdf:RDF></x:xmpmeta>\n<?xpacket end=\"w\"?>"
}

// XMPProvenance writes an XMP packet with only dcterms:provenance.
func XMPProvenance(uri string) string {
	return `<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:dcterms="http://purl.org/dc/terms/" dcterms:provenance="` + uri + `"/>
</rdf:RDF></x:xmpmeta>
<?xpacket end="w"?>`
}

// Chunk is a PNG chunk to insert after IHDR.
type Chunk struct {
	Type string
	Data []byte
}

// TextChunk builds a tEXt, zTXt or iTXt chunk.
func TextChunk(typ, key, value string) Chunk {
	var d []byte
	switch typ {
	case "tEXt":
		d = append(append([]byte(key), 0), value...)
	case "zTXt":
		d = append(append([]byte(key), 0, 0), deflate([]byte(value))...)
	case "iTXt":
		d = append(append([]byte(key), 0, 0, 0, 0, 0), value...)
	}
	return Chunk{Type: typ, Data: d}
}

func deflate(b []byte) []byte {
	var buf bytes.Buffer
	w := zlib.NewWriter(&buf)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

// afterIHDR is where a PNG's first chunk after IHDR starts: the signature,
// then IHDR's length, type, 13 data bytes and CRC.
const afterIHDR = 8 + 8 + 13 + 4

// PNG encodes a small image and inserts chunks after IHDR.
func PNG(w, h int, alpha bool, chunks ...Chunk) ([]byte, error) {
	var img image.Image
	if alpha {
		m := image.NewNRGBA(image.Rect(0, 0, w, h))
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				m.Set(x, y, color.NRGBA{uint8(x * 5), uint8(y * 5), 90, uint8(128 + x)})
			}
		}
		img = m
	} else {
		m := image.NewRGBA(image.Rect(0, 0, w, h))
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				m.Set(x, y, color.RGBA{uint8(x * 5), uint8(y * 5), 90, 255})
			}
		}
		img = m
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, err
	}
	b := buf.Bytes()
	out := append([]byte{}, b[:afterIHDR]...)
	for _, c := range chunks {
		out = append(out, PNGChunk(c.Type, c.Data)...)
	}
	return append(out, b[afterIHDR:]...), nil
}

// PNGChunk frames one chunk with its length and CRC.
func PNGChunk(typ string, data []byte) []byte {
	out := make([]byte, 8, 12+len(data))
	binary.BigEndian.PutUint32(out, uint32(len(data)))
	copy(out[4:], typ)
	out = append(out, data...)
	crc := crc32.NewIEEE()
	crc.Write([]byte(typ))
	crc.Write(data)
	return binary.BigEndian.AppendUint32(out, crc.Sum32())
}
