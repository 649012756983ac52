package stealth

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"image"
	"image/color"
	"image/png"
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
