package thumb

import (
	"bytes"
	"encoding/base64"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// gradient is a smooth picture: sharp edges would not compare after
// scaling and JPEG's chroma subsampling.
func gradient(w, h int) image.Image {
	m := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			m.Set(x, y, color.NRGBA{uint8(x * 255 / w), uint8(y * 255 / h), 90, 255})
		}
	}
	return m
}

func jpegOf(t testing.TB, w, h int) []byte {
	var buf bytes.Buffer
	require.NoError(t, jpeg.Encode(&buf, gradient(w, h), &jpeg.Options{Quality: 90}))
	return buf.Bytes()
}

func pngOf(t testing.TB, w, h int) []byte {
	var buf bytes.Buffer
	require.NoError(t, png.Encode(&buf, gradient(w, h)))
	return buf.Bytes()
}

// A thumbnail is a JPEG data URI that fits the box with the source's
// aspect, and shows the source's pixels where they were.
func TestFromBytesFitsTheBoxAndKeepsThePicture(t *testing.T) {
	for _, c := range []struct {
		name string
		src  []byte
		w, h int
	}{
		{"large JPEG", jpegOf(t, 192, 144), 96, 72},
		{"wide PNG", pngOf(t, 200, 50), 96, 24},
		{"small PNG, not enlarged", pngOf(t, 40, 30), 40, 30},
	} {
		uri, err := FromBytes(c.src, nil, 96)
		require.NoError(t, err, c.name)
		data, ok := strings.CutPrefix(uri, "data:image/jpeg;base64,")
		require.True(t, ok, c.name)
		raw, err := base64.StdEncoding.DecodeString(data)
		require.NoError(t, err, c.name)
		thumb, err := jpeg.Decode(bytes.NewReader(raw))
		require.NoError(t, err, c.name)
		assert.Equal(t, image.Rect(0, 0, c.w, c.h), thumb.Bounds(), c.name)

		src, _, err := image.Decode(bytes.NewReader(c.src))
		require.NoError(t, err)
		sb := src.Bounds()
		for _, p := range []image.Point{{c.w / 4, c.h / 4}, {c.w / 2, c.h / 2}, {3 * c.w / 4, 3 * c.h / 4}} {
			want := src.At(sb.Min.X+p.X*sb.Dx()/c.w, sb.Min.Y+p.Y*sb.Dy()/c.h)
			got := thumb.At(p.X, p.Y)
			wr, wg, wb, _ := want.RGBA()
			gr, gg, gb, _ := got.RGBA()
			for i, d := range []int{int(wr>>8) - int(gr>>8), int(wg>>8) - int(gg>>8), int(wb>>8) - int(gb>>8)} {
				assert.LessOrEqual(t, max(d, -d), 24, "%s at %v, channel %d: %v vs %v", c.name, p, i, want, got)
			}
		}
	}
	_, err := FromBytes([]byte("not an image"), nil, 96)
	assert.Error(t, err)
}

// BenchmarkFromBytes is one thumbnail of a small image, as a scan makes
// for every AI-made image it reports.
func BenchmarkFromBytes(b *testing.B) {
	for name, src := range map[string][]byte{"jpeg": jpegOf(b, 128, 96), "png": pngOf(b, 128, 96)} {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := FromBytes(src, nil, 96); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// solidJPEG is a one-colour picture: a preview told apart from the image's
// gradient by its pixels.
func solidJPEG(t testing.TB, w, h int, c color.NRGBA) []byte {
	m := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			m.SetNRGBA(x, y, c)
		}
	}
	var buf bytes.Buffer
	require.NoError(t, jpeg.Encode(&buf, m, &jpeg.Options{Quality: 90}))
	return buf.Bytes()
}

// decodeURI returns the picture of a thumbnail data URI.
func decodeURI(t *testing.T, uri string) image.Image {
	data, ok := strings.CutPrefix(uri, "data:image/jpeg;base64,")
	require.True(t, ok, "a JPEG data URI")
	raw, err := base64.StdEncoding.DecodeString(data)
	require.NoError(t, err)
	img, err := jpeg.Decode(bytes.NewReader(raw))
	require.NoError(t, err)
	return img
}

// A preview that can stand for the image makes the thumbnail (the same kind
// and size as one made from the image); one that cannot (corrupt, another
// shape, too small) is passed over for the image itself.
func TestFromBytesUsesAPreviewThatFits(t *testing.T) {
	red := color.NRGBA{220, 20, 20, 255}
	src := jpegOf(t, 400, 300)
	for _, c := range []struct {
		name    string
		preview []byte
		used    bool
	}{
		{"preview of the image's shape", solidJPEG(t, 160, 120, red), true},
		{"corrupt preview", append([]byte{0xFF, 0xD8, 0xFF, 0xDB, 0x00, 0x43}, bytes.Repeat([]byte{0x13}, 200)...), false},
		{"preview of another shape", solidJPEG(t, 160, 160, red), false},
		{"preview smaller than the thumbnail", solidJPEG(t, 40, 30, red), false},
		{"preview as large as the image", solidJPEG(t, 400, 300, red), false},
		{"no preview", nil, false},
	} {
		uri, err := FromBytes(src, c.preview, 96)
		require.NoError(t, err, c.name)
		img := decodeURI(t, uri)
		assert.Equal(t, image.Rect(0, 0, 96, 72), img.Bounds(), c.name)
		r, _, b, _ := img.At(5, 5).RGBA() // the gradient is dark blue there
		assert.Equal(t, c.used, r>>8 > 180 && b>>8 < 60, "%s: pixel %v", c.name, img.At(5, 5))
	}
}

// BenchmarkFromBytesCamera is a camera-sized 2000x1500 JPEG thumbnailed from
// the image and from a 160-pixel preview (a signed C2PA claim thumbnail).
func BenchmarkFromBytesCamera(b *testing.B) {
	src := jpegOf(b, 2000, 1500)
	preview := solidJPEG(b, 160, 120, color.NRGBA{200, 100, 50, 255})
	for name, p := range map[string][]byte{"image": nil, "preview": preview} {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if _, err := FromBytes(src, p, 96); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
