package exif

import (
	"bytes"
	"testing"

	"github.com/aiaudit/aiaudit/cmd/mktestdata/build"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// tiffOf returns the TIFF bytes of the EXIF segment build.WithEXIFPreview
// writes.
func tiffOf(t testing.TB, preview []byte) []byte {
	jpg := build.WithEXIFPreview([]byte{0xFF, 0xD8, 0xFF, 0xD9}, preview, "Camera 1.0")
	_, tiff, ok := bytes.Cut(jpg, []byte("Exif\x00\x00"))
	require.True(t, ok)
	return tiff[:len(tiff)-2] // the EOI after the segment
}

func TestPreviewIsIFD1Thumbnail(t *testing.T) {
	small, err := build.JPEG(16, 12, 1)
	require.NoError(t, err)
	tiff := tiffOf(t, small)
	assert.Equal(t, small, Preview(tiff))
	f, err := Parse(tiff)
	require.NoError(t, err)
	assert.Equal(t, "Camera 1.0", f.Software, "go-exif reads the same IFDs")

	assert.Nil(t, Preview(tiffOf(t, []byte("not a JPEG at all"))), "bytes that are no JPEG")
	cut := bytes.Clone(tiff)
	cut = cut[:len(cut)-len(small)/2]
	assert.Nil(t, Preview(cut), "a length past the end of the segment")
	noIFD1 := bytes.Clone(tiff)
	copy(noIFD1[8+2+12:], []byte{0, 0, 0, 0})
	assert.Nil(t, Preview(noIFD1), "no IFD1")
	assert.Nil(t, Preview([]byte("II*\x00\xff\xff\xff\x7f")), "IFD0 past the end")
	assert.Nil(t, Preview([]byte("XX*\x00\x08\x00\x00\x00\x00\x00")), "no byte order")
}

// Whatever the bytes, the preview is nil or a JPEG-looking slice of them,
// within the cap.
func FuzzPreview(f *testing.F) {
	small, _ := build.JPEG(8, 8, 1)
	f.Add(tiffOf(f, small))
	f.Add([]byte("MM\x00*\x00\x00\x00\x08\x00\x00\x00\x00\x00\x0e\x00\x02\x02\x01\x00\x03\x00\x00\x00\x01\x00\x22\x00\x00\x02\x02\x00\x04\x00\x00\x00\x01\x00\x00\x00\x02\xff\xd8"))
	f.Fuzz(func(t *testing.T, tiff []byte) {
		p := Preview(tiff)
		if p == nil {
			return
		}
		if len(p) < 2 || len(p) > MaxPreview || p[0] != 0xFF || p[1] != 0xD8 {
			t.Fatalf("preview of %d bytes starting % x", len(p), p[:min(len(p), 2)])
		}
		if !bytes.Contains(tiff, p) {
			t.Fatal("preview is not from the EXIF bytes")
		}
	})
}
