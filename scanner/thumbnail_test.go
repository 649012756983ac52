package scanner

import (
	"bytes"
	"encoding/base64"
	"image"
	"image/color"
	"image/jpeg"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aiaudit/aiaudit/cmd/mktestdata/build"
	"github.com/aiaudit/aiaudit/detectors/media"
	"github.com/aiaudit/aiaudit/scanner/internal/thumb"
)

// An AI-made camera-style JPEG's thumbnail comes from its EXIF preview when
// the preview can stand for it, and from the image when the preview lies
// (corrupt bytes): the same kind and size either way, and no error.
func TestThumbnailFromEXIFPreview(t *testing.T) {
	var red bytes.Buffer
	m := image.NewNRGBA(image.Rect(0, 0, 160, 120))
	for i := range m.Pix {
		m.Pix[i] = []byte{230, 10, 10, 255}[i%4]
	}
	require.NoError(t, jpeg.Encode(&red, m, nil))
	photo, err := build.JPEG(400, 300, 1)
	require.NoError(t, err)
	photo, err = build.WithXMP(photo, build.XMPPacket("http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia", "", ""))
	require.NoError(t, err)
	dir := t.TempDir()
	for _, c := range []struct {
		name    string
		preview []byte
		fromIt  bool
	}{
		{"true preview", red.Bytes(), true},
		{"lying preview", append([]byte{0xFF, 0xD8, 0xFF, 0xC0, 0xFF, 0xFF}, bytes.Repeat([]byte{0xAB}, 300)...), false},
	} {
		path := filepath.Join(dir, c.name+".jpg")
		require.NoError(t, os.WriteFile(path, build.WithEXIFPreview(photo, c.preview, "Camera 1.0"), 0o644))
		res := AnalyzeFile(FileItem{Path: path}, media.Limits{}, thumb.NewMaker())
		require.Empty(t, res.Error, c.name)
		require.True(t, res.AIGenerated, c.name)
		data, ok := strings.CutPrefix(res.Thumbnail, "data:image/jpeg;base64,")
		require.True(t, ok, "%s: a JPEG data URI", c.name)
		raw, err := base64.StdEncoding.DecodeString(data)
		require.NoError(t, err)
		img, err := jpeg.Decode(bytes.NewReader(raw))
		require.NoError(t, err)
		assert.Equal(t, image.Rect(0, 0, 96, 72), img.Bounds(), c.name)
		px := color.NRGBAModel.Convert(img.At(5, 5)).(color.NRGBA)
		assert.Equal(t, c.fromIt, px.R > 180 && px.G < 60, "%s: pixel %v", c.name, px)
	}
}
