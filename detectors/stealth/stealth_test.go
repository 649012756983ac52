package stealth

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"image"
	"image/color"
	"image/png"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	fixtures "github.com/aiaudit/aiaudit/detectors/testfixtures"
)

// embed writes sig + length + payload into the pixel low bits, column-major,
// the way the A1111 extension does.
func embed(t *testing.T, w, h int, sig string, payload []byte, compress bool) []byte {
	t.Helper()
	if compress {
		var z bytes.Buffer
		zw := gzip.NewWriter(&z)
		zw.Write(payload)
		zw.Close()
		payload = z.Bytes()
	}
	data := append([]byte(sig), binary.BigEndian.AppendUint32(nil, uint32(len(payload)*8))...)
	data = append(data, payload...)
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = 0xAA
	}
	alpha := sig[8:11] == "png"
	bit := 0
	total := len(data) * 8
	for x := 0; x < w && bit < total; x++ {
		for y := 0; y < h && bit < total; y++ {
			channels := []int{3}
			if !alpha {
				channels = []int{0, 1, 2}
			}
			for _, c := range channels {
				if bit >= total {
					break
				}
				v := data[bit/8] >> (7 - bit%8) & 1
				i := img.PixOffset(x, y) + c
				img.Pix[i] = img.Pix[i]&^1 | v
				bit++
			}
		}
	}
	require.Equal(t, total, bit, "image too small for the payload")
	var buf bytes.Buffer
	require.NoError(t, png.Encode(&buf, img))
	return buf.Bytes()
}

func TestRoundTripAllModes(t *testing.T) {
	text := "a fox\nSteps: 20, Sampler: Euler a, Seed: 7"
	for _, mode := range []string{"stealth_pnginfo", "stealth_pngcomp", "stealth_rgbinfo", "stealth_rgbcomp"} {
		b := embed(t, 40, 50, mode, []byte(text), mode[13:] == "mp")
		got, m, found, err := DecodePNG(b, 1<<20)
		require.NoError(t, err, mode)
		assert.True(t, found, mode)
		assert.Equal(t, mode, m)
		assert.Equal(t, text, got, mode)
	}
}

func TestFixture(t *testing.T) {
	got, mode, found, err := DecodePNG(fixtures.Read(t, "media", "sd_a1111_stealth_alpha.png"), 1<<24)
	require.NoError(t, err)
	assert.True(t, found)
	assert.Equal(t, "stealth_pngcomp", mode)
	assert.Contains(t, got, "Steps:")
	for _, name := range []string{"sd_a1111_parameters.png", "sd_comfyui_prompt_workflow.png", "c2pa_adobe_aca_watermarked.png"} {
		_, _, found, err := DecodePNG(fixtures.Read(t, "media", name), 1<<24)
		require.NoError(t, err, name)
		assert.False(t, found, name)
	}
}

func TestLyingLengthAndCaps(t *testing.T) {
	// Signature then a length far beyond the image.
	img := image.NewNRGBA(image.Rect(0, 0, 20, 20))
	for i := range img.Pix {
		img.Pix[i] = 0xFF
	}
	data := append([]byte("stealth_pnginfo"), 0x7F, 0xFF, 0xFF, 0xF8)
	bit := 0
	for x := 0; x < 20; x++ {
		for y := 0; y < 20 && bit < len(data)*8; y++ {
			v := data[bit/8] >> (7 - bit%8) & 1
			img.SetNRGBA(x, y, color.NRGBA{255, 255, 255, 254 | v})
			bit++
		}
	}
	_, _, found, err := Decode(img, 1<<20)
	assert.True(t, found)
	assert.ErrorContains(t, err, "cap")

	b := embed(t, 40, 50, "stealth_pnginfo", []byte("x"), false)
	_, _, _, err = DecodePNG(b, 100)
	assert.ErrorContains(t, err, "pixel cap", "dimensions are checked before decoding")
}

func FuzzDecodePNG(f *testing.F) {
	var buf bytes.Buffer
	png.Encode(&buf, image.NewNRGBA(image.Rect(0, 0, 4, 4)))
	f.Add(buf.Bytes())
	f.Fuzz(func(t *testing.T, b []byte) {
		DecodePNG(b, 1<<16) // no panic, bounded by the pixel cap
	})
}

// Signed finds every signature mode from the first rows alone, in tall,
// short and wide images, and says no to plain images.
func TestSignedReadsOnlyTheFirstRows(t *testing.T) {
	var ok bool
	var err error
	payload := []byte("Steps: 20, Sampler: Euler a, Model: sd_xl_base_1.0")
	for _, c := range []struct {
		sig  string
		w, h int
	}{
		{"stealth_pnginfo", 64, 200}, {"stealth_pngcomp", 64, 200},
		{"stealth_rgbinfo", 64, 200}, {"stealth_rgbcomp", 300, 7}, // 7 rows: the signature spans columns
		{"stealth_pnginfo", 500, 3},
	} {
		b := embed(t, c.w, c.h, c.sig, payload, c.sig[12:] == "comp")
		ok, err = Signed(bytes.NewReader(b), int64(len(b)))
		require.NoError(t, err, c.sig)
		assert.True(t, ok, "%s %dx%d", c.sig, c.w, c.h)
	}

	// Only the first rows are read: on a large noisy image (incompressible
	// pixel data) the check stays near the head of the file.
	noise := image.NewNRGBA(image.Rect(0, 0, 800, 800))
	seed := uint32(1)
	for i := range noise.Pix {
		seed = seed*1664525 + 1013904223
		noise.Pix[i] = byte(seed >> 24)
	}
	var big bytes.Buffer
	require.NoError(t, png.Encode(&big, noise))
	rec := &farthest{r: bytes.NewReader(big.Bytes())}
	_, err = Signed(rec, int64(big.Len()))
	require.NoError(t, err)
	assert.Less(t, rec.max, int64(big.Len()/4), "read %d of %d bytes", rec.max, big.Len())

	plain := image.NewNRGBA(image.Rect(0, 0, 50, 50))
	for i := range plain.Pix {
		plain.Pix[i] = byte(i * 7)
	}
	var buf bytes.Buffer
	require.NoError(t, png.Encode(&buf, plain))
	ok, err = Signed(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	require.NoError(t, err)
	assert.False(t, ok)

	// RGB images without alpha, every row filter (png.Encode picks them per row).
	rgb := image.NewRGBA(image.Rect(0, 0, 40, 60))
	for i := range rgb.Pix {
		rgb.Pix[i] = byte(i * 31) // varied rows, so the encoder uses varied filters
		if i%4 == 3 {
			rgb.Pix[i] = 0xFF
		}
	}
	buf.Reset()
	require.NoError(t, png.Encode(&buf, rgb))
	ok, err = Signed(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	require.NoError(t, err)
	assert.False(t, ok)

	gray := image.NewGray(image.Rect(0, 0, 10, 10))
	buf.Reset()
	require.NoError(t, png.Encode(&buf, gray))
	_, err = Signed(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	assert.ErrorIs(t, err, ErrUnsupported)
}

// farthest records how far into the file reads went.
type farthest struct {
	r   io.ReaderAt
	max int64
}

func (f *farthest) ReadAt(p []byte, off int64) (int, error) {
	f.max = max(f.max, off+int64(len(p)))
	return f.r.ReadAt(p, off)
}

// Signed agrees with a full decode on the real A1111 file.
func TestSignedOnTheRealFixture(t *testing.T) {
	b := fixtures.Read(t, "media", "sd_a1111_stealth_alpha.png")
	ok, err := Signed(bytes.NewReader(b), int64(len(b)))
	require.NoError(t, err)
	assert.True(t, ok)
	for _, name := range []string{"sd_a1111_parameters.png", "sd_novelai.png", "c2pa_adobe_aca_watermarked.png"} {
		b := fixtures.Read(t, "media", name)
		ok, _ := Signed(bytes.NewReader(b), int64(len(b)))
		assert.False(t, ok, name)
	}
}

func FuzzSigned(f *testing.F) {
	var buf bytes.Buffer
	png.Encode(&buf, image.NewNRGBA(image.Rect(0, 0, 3, 3)))
	f.Add(buf.Bytes())
	f.Add([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x02\x00\x00\x00\x00\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		Signed(bytes.NewReader(b), int64(len(b)))
	})
}
