package media

import (
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aiaudit/aiaudit/cmd/mktestdata/build"
)

const dstAI = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"

// signedFormats are the formats read since C2PA Appendix A named them:
// each embeds a manifest with a data-hash binding, and altered asks for
// the same file with one byte changed outside the manifest.
func signedFormats(t *testing.T, m build.Manifest) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for mt, f := range map[string]func() ([]byte, error){
		"image/svg+xml": func() ([]byte, error) { return build.SignedSVG(m) },
		"audio/mpeg":    func() ([]byte, error) { return build.SignedMP3(m, build.MP3Frames(2, 7)) },
		"audio/flac":    func() ([]byte, error) { return build.SignedFLAC(m, build.FLACStream(7)) },
		"image/jxl":     func() ([]byte, error) { return build.SignedJXL(m, []byte{0xFF, 0x0A, 0x07}) },
		"font/otf":      func() ([]byte, error) { return build.SignedFont(m, "font name 7") },
	} {
		b, err := f()
		require.NoError(t, err, mt)
		out[mt] = b
	}
	return out
}

func TestNewFormatsCarryC2PA(t *testing.T) {
	m := build.Manifest{Generator: "Format Tester", Action: "c2pa.created", DigitalSourceType: dstAI,
		SoftwareAgent: "Example Model", TrainingUse: "notAllowed"}
	for mt, file := range signedFormats(t, m) {
		res, err := FromBytes(file, Limits{})
		require.NoError(t, err, mt)
		p := res.Provenance
		assert.Equal(t, mt, res.MediaType, "sniffed from the bytes")
		assert.EqualValues(t, "present", p.C2PA, "%s: %v", mt, res.Notes)
		assert.Equal(t, "Format Tester 0.1", p.ClaimGenerator, mt)
		assert.Equal(t, dstAI, p.DigitalSourceType, mt)
		assert.True(t, res.AIGenerated, mt)
		assert.True(t, res.MachineReadable, mt)
		require.NotEmpty(t, res.AIEvidence, mt)
		assert.Equal(t, "Example Model 1.0", res.AIEvidence[0].Generator, mt)
		assert.True(t, res.TrainingOptOut, mt)
		assert.EqualValues(t, "match", p.Binding, "%s: %s", mt, p.BindingDetail)
		assert.Empty(t, res.Notes, mt)

		// One byte changed after the manifest: the binding no longer holds.
		altered := bytes.Clone(file)
		altered[len(altered)-1] ^= 0x55
		res, err = FromBytes(altered, Limits{})
		require.NoError(t, err, mt)
		assert.EqualValues(t, "present", res.Provenance.C2PA, mt)
		assert.EqualValues(t, "mismatch", res.Provenance.Binding, "%s: %s", mt, res.Provenance.BindingDetail)
	}
}

// A block the container reserves for C2PA that holds something else is a
// malformed manifest store (the reference says the same of such files).
func TestNewFormatsGarbledStore(t *testing.T) {
	m := build.Manifest{Generator: "g", Action: "c2pa.created", DigitalSourceType: dstAI, SoftwareAgent: "a"}
	for mt, file := range signedFormats(t, m) {
		file = bytes.Clone(file)
		i := bytes.Index(file, []byte("jumb"))
		switch mt {
		case "image/svg+xml":
			i = bytes.Index(file, []byte("<c2pa:manifest>")) + len("<c2pa:manifest>")
			copy(file[i:], "QUFBQUFBQUFB") // "AAAAAAAAA" in place of the superbox header
		case "image/jxl":
			// A jumb box is JUMBF whatever it holds: break the description
			// box inside it instead.
			require.GreaterOrEqual(t, i, 0, mt)
			copy(file[i+4:], "\xFF\xFF\xFF\xFF")
		default:
			require.GreaterOrEqual(t, i, 0, mt)
			copy(file[i:], "junk") // the superbox's type
		}
		res, err := FromBytes(file, Limits{})
		require.NoError(t, err, mt)
		assert.EqualValues(t, "malformed", res.Provenance.C2PA, mt)
		assert.False(t, res.AIGenerated, mt)
		assert.NotEmpty(t, res.Notes, mt)
	}
}

// A font's C2PA table may name the active manifest by URI instead of
// embedding it: a remote reference, as XMP dcterms:provenance is.
func TestFontManifestURI(t *testing.T) {
	uri := "https://cdn.example.com/fonts/sans.c2pa"
	table := []byte{0, 0, 0, 1}
	table = binary.BigEndian.AppendUint32(table, 20)
	table = binary.BigEndian.AppendUint16(table, uint16(len(uri)))
	table = append(table, make([]byte, 10)...)
	table = append(table, uri...)
	font := []byte("\x00\x01\x00\x00\x00\x01\x00\x10\x00\x00\x00\x00C2PA\x00\x00\x00\x00\x00\x00\x00\x1c")
	font = binary.BigEndian.AppendUint32(font, uint32(len(table)))
	font = append(font, table...)
	res, err := FromBytes(font, Limits{})
	require.NoError(t, err)
	assert.Equal(t, "font/ttf", res.MediaType)
	assert.EqualValues(t, "remote_reference", res.Provenance.C2PA)
	assert.Contains(t, res.Notes[0], uri)
}

// JPEG XL, PNG, JPEG, GIF and fonts bind with c2pa.hash.boxes (the
// reference writes it for JPEG XL and can for PNG, JPEG and GIF; C2PA
// 18.7.3.6 defines it for fonts): checked box by box.
func TestBoxHashBinding(t *testing.T) {
	m := build.Manifest{Generator: "g", Action: "c2pa.created", DigitalSourceType: dstAI, SoftwareAgent: "a"}
	jxl, err := build.SignedJXLBoxes(m, []byte{0xFF, 0x0A, 0x01})
	require.NoError(t, err)
	font, err := build.SignedFontBoxes(m, "box-hashed font")
	require.NoError(t, err)
	plain, err := build.PNG(12, 8, false)
	require.NoError(t, err)
	png, err := build.SignedPNGBoxes(m, plain)
	require.NoError(t, err)
	pixels, err := build.JPEG(16, 12, 3)
	require.NoError(t, err)
	jpg, err := build.SignedJPEGBoxes(m, pixels)
	require.NoError(t, err)
	gif, err := build.SignedGIFBoxes(m)
	require.NoError(t, err)
	// A byte inside the last box: the codestream, the name table (a font's
	// padding between tables is in no box, as the spec has it); a PNG's
	// IDAT.
	for name, c := range map[string]struct {
		file []byte
		at   int
	}{"jxl": {jxl, len(jxl) - 1}, "font": {font, bytes.Index(font, []byte("box-hashed"))}, "png": {png, bytes.LastIndex(png, []byte("IDAT")) + 6}, "jpeg": {jpg, len(jpg) - 8}, "gif": {gif, len(gif) - 4}} {
		file := c.file
		res, err := FromBytes(file, Limits{})
		require.NoError(t, err, name)
		assert.EqualValues(t, "present", res.Provenance.C2PA, name)
		assert.EqualValues(t, "match", res.Provenance.Binding, "%s: %s", name, res.Provenance.BindingDetail)

		altered := bytes.Clone(file)
		altered[c.at] ^= 0x55
		res, err = FromBytes(altered, Limits{})
		require.NoError(t, err, name)
		assert.EqualValues(t, "mismatch", res.Provenance.Binding, "%s: %s", name, res.Provenance.BindingDetail)
		// The box hash's own code, as the reference reports it.
		assert.Equal(t, []string{"assertion.boxesHash.mismatch"}, failureCodes(res.Provenance.Validation, ""), name)
	}

	// A box the assertion does not list makes it a mismatch: a box after a
	// JPEG XL's last, a text chunk slipped into a PNG.
	res, err := FromBytes(append(bytes.Clone(jxl), 0, 0, 0, 8, 'f', 'r', 'e', 'e'), Limits{})
	require.NoError(t, err)
	assert.EqualValues(t, "mismatch", res.Provenance.Binding)
	idat := bytes.LastIndex(png, []byte("IDAT")) - 4
	withText := append(append(bytes.Clone(png[:idat]), build.PNGChunk("tEXt", []byte("Comment\x00hi"))...), png[idat:]...)
	res, err = FromBytes(withText, Limits{})
	require.NoError(t, err)
	assert.EqualValues(t, "mismatch", res.Provenance.Binding, res.Provenance.BindingDetail)

	// The font's head checkSumAdjustment is hashed as zero: rewriting it,
	// as font tools do, keeps the binding.
	i := bytes.Index(font, []byte{0x5F, 0x0F, 0x3C, 0xF5}) - 4 // head.magicNumber follows checkSumAdjustment
	require.Greater(t, i, 0)
	rewritten := bytes.Clone(font)
	copy(rewritten[i:], []byte{1, 2, 3, 4})
	res, err = FromBytes(rewritten, Limits{})
	require.NoError(t, err)
	assert.EqualValues(t, "match", res.Provenance.Binding, res.Provenance.BindingDetail)

	// A JPEG comment slipped in before the scan: a segment the entries do
	// not list. Restart markers in the scan: not checked rather than a
	// guess. Formats whose boxes aiaudit does not name say so.
	sos := bytes.LastIndex(jpg, []byte{0xFF, 0xDA})
	withCOM := append(append(bytes.Clone(jpg[:sos]), 0xFF, 0xFE, 0, 4, 'h', 'i'), jpg[sos:]...)
	res, err = FromBytes(withCOM, Limits{})
	require.NoError(t, err)
	assert.EqualValues(t, "mismatch", res.Provenance.Binding, res.Provenance.BindingDetail)
	// Bytes after the end (PNG's IEND, JPEG's EOI, GIF's trailer) would be
	// in no box: not checked, never a match.
	for name, file := range map[string][]byte{"png": png, "jpeg": jpg, "gif": gif} {
		res, err = FromBytes(append(bytes.Clone(file), "tail"...), Limits{})
		require.NoError(t, err)
		assert.EqualValues(t, "not_checked", res.Provenance.Binding, "%s: %s", name, res.Provenance.BindingDetail)
	}
	withRST := bytes.Clone(jpg)
	copy(withRST[len(withRST)-6:], []byte{0xFF, 0xD0})
	res, err = FromBytes(withRST, Limits{})
	require.NoError(t, err)
	assert.EqualValues(t, "not_checked", res.Provenance.Binding)
	assert.Contains(t, res.Provenance.BindingDetail, "restart markers")

	m.Boxes = []build.BoxHashEntry{{Names: []string{"svg"}, Hash: []byte{0}, Pad: []byte{}}}
	signed, err := build.SignedSVG(m)
	require.NoError(t, err)
	res, err = FromBytes(signed, Limits{})
	require.NoError(t, err)
	assert.EqualValues(t, "not_checked", res.Provenance.Binding)
	assert.Contains(t, res.Provenance.BindingDetail, "JPEG XL, PNG, JPEG, GIF and fonts only")
}
