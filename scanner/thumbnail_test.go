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

const dstAI = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"

// redPreview is a 160×120 one-colour JPEG, told apart from build.JPEG's
// gradient by its pixels.
func redPreview(t *testing.T) []byte {
	var red bytes.Buffer
	m := image.NewNRGBA(image.Rect(0, 0, 160, 120))
	for i := range m.Pix {
		m.Pix[i] = []byte{230, 10, 10, 255}[i%4]
	}
	require.NoError(t, jpeg.Encode(&red, m, nil))
	return red.Bytes()
}

// thumbnailIsRed scans file with thumbnails on, checks it is an AI-made
// image with a 96×72 JPEG thumbnail, and says whether the thumbnail shows
// the red preview (else the image).
func thumbnailIsRed(t *testing.T, name string, file []byte) bool {
	path := filepath.Join(t.TempDir(), name+".jpg")
	require.NoError(t, os.WriteFile(path, file, 0o644))
	res := AnalyzeFile(FileItem{Path: path}, media.Limits{}, thumb.NewMaker())
	require.Empty(t, res.Error, name)
	require.True(t, res.AIGenerated, name)
	data, ok := strings.CutPrefix(res.Thumbnail, "data:image/jpeg;base64,")
	require.True(t, ok, "%s: a JPEG data URI", name)
	raw, err := base64.StdEncoding.DecodeString(data)
	require.NoError(t, err)
	img, err := jpeg.Decode(bytes.NewReader(raw))
	require.NoError(t, err)
	assert.Equal(t, image.Rect(0, 0, 96, 72), img.Bounds(), name)
	px := color.NRGBAModel.Convert(img.At(5, 5)).(color.NRGBA)
	return px.R > 180 && px.G < 60
}

// An EXIF preview never stands for the image: editors often leave it
// showing the picture before a crop or an edit, so the thumbnail comes from
// the image itself, whether the preview is a picture or corrupt bytes.
func TestThumbnailIgnoresEXIFPreview(t *testing.T) {
	photo, err := build.JPEG(400, 300, 1)
	require.NoError(t, err)
	photo, err = build.WithXMP(photo, build.XMPPacket(dstAI, "", ""))
	require.NoError(t, err)
	assert.False(t, thumbnailIsRed(t, "stale preview", build.WithEXIFPreview(photo, redPreview(t), "Camera 1.0")))
	corrupt := append([]byte{0xFF, 0xD8, 0xFF, 0xC0, 0xFF, 0xFF}, bytes.Repeat([]byte{0xAB}, 300)...)
	assert.False(t, thumbnailIsRed(t, "corrupt preview", build.WithEXIFPreview(photo, corrupt, "Camera 1.0")))
}

// A signed AI-made JPEG's thumbnail comes from its C2PA claim thumbnail
// while the manifest's binding matches; once the pixels were altered after
// signing, the claim thumbnail shows another picture and the image is used.
func TestThumbnailFromC2PAClaimThumbnail(t *testing.T) {
	photo, err := build.JPEG(400, 300, 1)
	require.NoError(t, err)
	signed, err := build.SignedJPEG(photo, build.Manifest{Generator: "Pixel Forge", Action: "c2pa.created", DigitalSourceType: dstAI, Thumbnail: redPreview(t)})
	require.NoError(t, err)
	assert.True(t, thumbnailIsRed(t, "signed", signed))
	altered := bytes.Clone(signed)
	altered[len(altered)-40] ^= 0x01 // in the entropy-coded pixels, before EOI
	assert.False(t, thumbnailIsRed(t, "altered after signing", altered))
}
