package assets

import (
	"bytes"
	"image"
	"image/jpeg"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/image/draw"
)

// fixtures is the shared folder of real photos and generated images.
const fixtures = "../../../shared/fixtures/media"

// The README's false-match and recall figures: every pair of distinct
// fixture images, and each fixture's copies scaled to 1/2 and 1/4 and
// recompressed as JPEG quality 40.
func TestFalseMatchRateOnFixtures(t *testing.T) {
	ents, err := os.ReadDir(fixtures)
	require.NoError(t, err)
	type hashed struct {
		name string
		hash uint64
		img  image.Image
	}
	var hs []hashed
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(fixtures, e.Name()))
		require.NoError(t, err)
		h, err := Hash(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			continue // not an image, or too plain to identify
		}
		img, _, err := image.Decode(bytes.NewReader(b))
		require.NoError(t, err)
		hs = append(hs, hashed{e.Name(), h, img})
	}
	require.GreaterOrEqual(t, len(hs), 15)
	pairs, same, falseMatches, closest := 0, 0, 0, 64
	for i := range hs {
		for j := i + 1; j < len(hs); j++ {
			d := distance(hs[i].hash, hs[j].hash)
			pairs++
			switch {
			case d == 0:
				same++ // one picture saved with different metadata (the C2PA test image)
			case d <= MaxDistance:
				falseMatches++
				t.Errorf("distinct pictures match: %s %s at %d", hs[i].name, hs[j].name, d)
			default:
				closest = min(closest, d)
			}
		}
	}
	copies, found := 0, 0
	for _, x := range hs {
		b := x.img.Bounds()
		for _, scale := range []int{2, 4} {
			dst := image.NewRGBA(image.Rect(0, 0, max(b.Dx()/scale, 1), max(b.Dy()/scale, 1)))
			draw.ApproxBiLinear.Scale(dst, dst.Bounds(), x.img, b, draw.Src, nil)
			var buf bytes.Buffer
			require.NoError(t, jpeg.Encode(&buf, dst, &jpeg.Options{Quality: 40}))
			c, err := Hash(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
			require.NoError(t, err)
			copies++
			if distance(c, x.hash) <= MaxDistance {
				found++
			} else {
				t.Logf("copy not matched: %s at 1/%d: %d bits", x.name, scale, distance(c, x.hash))
			}
		}
	}
	t.Logf("%d images, %d pairs: %d identical pictures, %d false matches at <=%d bits, closest distinct pair %d bits; copies matched %d of %d",
		len(hs), pairs, same, falseMatches, MaxDistance, closest, found, copies)
	assert.GreaterOrEqual(t, closest, 2*MaxDistance, "a margin between distinct pictures and the threshold")
	assert.GreaterOrEqual(t, float64(found)/float64(copies), 0.85)
}
