package thumb

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"math/rand/v2"
	"testing"

	"github.com/aiaudit/aiaudit/reports/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func aiImage() model.Resource {
	return model.Resource{Location: "x.png", Kind: "image", AIGenerated: true}
}

// Only AI-made images without error get a thumbnail: those are the items
// whose findings the report shows it beside.
func TestMakerAddsToAIMadeImagesOnly(t *testing.T) {
	src := pngOf(t, 40, 30)
	m := NewMaker()
	for _, c := range []struct {
		name string
		res  model.Resource
		want bool
	}{
		{"AI-made image", aiImage(), true},
		{"image not AI-made", model.Resource{Kind: "image"}, false},
		{"AI-made video", model.Resource{Kind: "video", AIGenerated: true}, false},
		{"AI-made image with an error", model.Resource{Kind: "image", AIGenerated: true, Error: "truncated"}, false},
	} {
		res := c.res
		m.Add(&res, bytes.NewReader(src), int64(len(src)), nil)
		assert.Equal(t, c.want, res.Thumbnail != "", c.name)
	}
	var none *Maker
	res := aiImage()
	none.Add(&res, bytes.NewReader(src), int64(len(src)), nil)
	assert.Empty(t, res.Thumbnail, "a nil Maker makes none")

	res = aiImage()
	m.Add(&res, bytes.NewReader([]byte("not an image")), 12, nil)
	assert.Empty(t, res.Thumbnail, "an undecodable file gets none")
}

// noisePNG is a picture that does not compress, so that a change in its
// bottom rows is a change past the first 64 KiB of the file (what
// Resource.Digest covers).
func noisePNG(t *testing.T, bottom color.NRGBA) []byte {
	m := image.NewNRGBA(image.Rect(0, 0, 256, 256))
	rng := rand.New(rand.NewPCG(1, 2))
	for y := range 256 {
		for x := range 256 {
			c := color.NRGBA{uint8(rng.IntN(256)), uint8(rng.IntN(256)), uint8(rng.IntN(256)), 255}
			if y >= 192 {
				c = bottom
			}
			m.SetNRGBA(x, y, c)
		}
	}
	var buf bytes.Buffer
	require.NoError(t, png.Encode(&buf, m))
	return buf.Bytes()
}

// A copy of a file seen before gets the thumbnail made then; two files
// that share their first 64 KiB but differ later get their own.
func TestMakerRemembersContentNotHead(t *testing.T) {
	red, blue := noisePNG(t, color.NRGBA{255, 0, 0, 255}), noisePNG(t, color.NRGBA{0, 0, 255, 255})
	require.Greater(t, len(red), 64<<10)
	require.Equal(t, red[:64<<10], blue[:64<<10], "the files differ only past the head")

	m := NewMaker()
	thumbOf := func(src []byte) string {
		res := aiImage()
		m.Add(&res, bytes.NewReader(src), int64(len(src)), nil)
		require.NotEmpty(t, res.Thumbnail)
		return res.Thumbnail
	}
	first := thumbOf(red)
	again := thumbOf(bytes.Clone(red))
	assert.Equal(t, first, again)
	assert.Len(t, m.byContent, 1, "the copy reused the first thumbnail")
	other := thumbOf(blue)
	assert.NotEqual(t, first, other)
	assert.Len(t, m.byContent, 2)
}
