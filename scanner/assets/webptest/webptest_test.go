package webptest

import (
	"bytes"
	"image"
	"image/color"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/image/webp"
)

// The converted image is a WebP file of the asked size that decodes to
// the picture it was made from.
func TestEncode(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 200, 100))
	for y := range 100 {
		for x := range 200 {
			if x < 100 {
				img.Set(x, y, color.RGBA{200, 30, 30, 255})
			} else {
				img.Set(x, y, color.RGBA{30, 30, 200, 255})
			}
		}
	}
	out := Encode(t, Copy{img, 80, 0.7}, Copy{img, 50, 0.3})
	require.Len(t, out, 2)
	b := out[0]
	assert.Equal(t, "RIFF", string(b[:4]))
	assert.Equal(t, "WEBP", string(b[8:12]))
	got, err := webp.Decode(bytes.NewReader(b))
	require.NoError(t, err)
	assert.Equal(t, image.Rect(0, 0, 80, 40), got.Bounds())
	r, _, bl, _ := got.At(10, 20).RGBA()
	assert.Greater(t, r>>8, bl>>8, "the left half stays red")
	r, _, bl, _ = got.At(70, 20).RGBA()
	assert.Greater(t, bl>>8, r>>8, "the right half stays blue")
	small, err := webp.Decode(bytes.NewReader(out[1]))
	require.NoError(t, err)
	assert.Equal(t, image.Rect(0, 0, 50, 25), small.Bounds(), "each copy in order")
}
