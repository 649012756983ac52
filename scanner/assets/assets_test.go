package assets

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/image/draw"

	"github.com/aiaudit/aiaudit/detectors"
	"github.com/aiaudit/aiaudit/reports/model"
	"github.com/aiaudit/aiaudit/scanner/assets/webptest"
)

// picture is a photo-like test image: smooth shapes that differ per seed.
func picture(seed uint64, w, h int) image.Image {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	type wave struct{ fx, fy, ph, amp float64 }
	var ws [6]wave
	for i := range ws {
		ws[i] = wave{r.Float64() * 6, r.Float64() * 6, r.Float64() * 6.3, 20 + r.Float64()*30}
	}
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			v := 128.0
			for _, wv := range ws {
				v += wv.amp * math.Sin(wv.fx*float64(x)/float64(w)*math.Pi+wv.fy*float64(y)/float64(h)*math.Pi+wv.ph)
			}
			c := uint8(max(0, min(255, v)))
			img.Set(x, y, color.RGBA{c, c, 255 - c, 255})
		}
	}
	return img
}

func encode(t *testing.T, img image.Image, jpegQuality int) []byte {
	var buf bytes.Buffer
	if jpegQuality > 0 {
		require.NoError(t, jpeg.Encode(&buf, img, &jpeg.Options{Quality: jpegQuality}))
	} else {
		require.NoError(t, png.Encode(&buf, img))
	}
	return buf.Bytes()
}

func scaled(img image.Image, num, den int) image.Image {
	b := img.Bounds()
	dst := image.NewRGBA(image.Rect(0, 0, b.Dx()*num/den, b.Dy()*num/den))
	draw.BiLinear.Scale(dst, dst.Bounds(), img, b, draw.Src, nil)
	return dst
}

// originalsLibrary indexes eight pictures saved as PNG in a library
// folder, beside a broken image and a document.
func originalsLibrary(t *testing.T) (*Library, []model.Resource, map[uint64]image.Image) {
	dir := t.TempDir()
	var lib []model.Resource
	originals := map[uint64]image.Image{}
	for seed := uint64(1); seed <= 8; seed++ {
		img := picture(seed, 320, 240)
		originals[seed] = img
		p := filepath.Join(dir, "orig", "a"+string(rune('a'+seed))+".png")
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, encode(t, img, 0), 0o644))
		lib = append(lib, model.Resource{Location: p, Kind: "image", AIGenerated: seed%2 == 0,
			AIEvidence: []detectors.Evidence{{Detector: "pngtext", Detail: "A1111 parameters", Strength: detectors.Fingerprint}}})
	}
	broken := filepath.Join(dir, "orig", "broken.png")
	require.NoError(t, os.WriteFile(broken, []byte("\x89PNG\r\n\x1a\nnot really"), 0o644))
	lib = append(lib, model.Resource{Location: broken, Kind: "image"}, model.Resource{Location: "x.pdf", Kind: "document"},
		model.Resource{Location: "locked.jpg", Kind: "other", Error: "open locked.jpg: permission denied"},
		model.Resource{Location: "y.pdf", Kind: "document", Error: "truncated xref"})
	l, problems := Build(lib)
	assert.Equal(t, 8, l.Len())
	require.Len(t, problems, 2, "the broken image and the unreadable file are named; documents are not images")
	assert.Equal(t, broken, problems[0].Location)
	assert.Equal(t, Problem{Location: "locked.jpg", Err: "open locked.jpg: permission denied"}, problems[1])
	return l, lib, originals
}

// A library of originals; published copies resized, recompressed and
// stripped (re-encoded without metadata) are traced to them, decoys are not.
// WebP copies: TestWebPCopiesMatchTheirOriginal.
func TestCopiesMatchTheirOriginalAndDecoysDoNot(t *testing.T) {
	l, lib, originals := originalsLibrary(t)
	for seed, img := range originals {
		want := lib[seed-1].Location
		for name, copy := range map[string][]byte{
			"stripped png":         encode(t, img, 0),
			"jpeg q50":             encode(t, img, 50),
			"resized 1/2 jpeg q70": encode(t, scaled(img, 1, 2), 70),
			"resized 3/2 png":      encode(t, scaled(img, 3, 2), 0),
			"thumbnail 1/4 q40":    encode(t, scaled(img, 1, 4), 40),
		} {
			m, ok, err := l.Find(bytes.NewReader(copy), int64(len(copy)))
			require.NoError(t, err)
			if assert.True(t, ok, "%s of %d", name, seed) {
				assert.Equal(t, want, m.Original.Location, "%s of %d", name, seed)
				assert.LessOrEqual(t, m.Distance, MaxDistance)
			}
		}
	}
	for seed := uint64(100); seed < 116; seed++ {
		decoy := encode(t, picture(seed, 320, 240), 80)
		m, ok, err := l.Find(bytes.NewReader(decoy), int64(len(decoy)))
		require.NoError(t, err)
		assert.False(t, ok, "decoy %d matched %s at %d", seed, m.Original.Location, m.Distance)
	}
	white := image.NewRGBA(image.Rect(0, 0, 64, 64))
	draw.Draw(white, white.Bounds(), image.White, image.Point{}, draw.Src)
	flat := encode(t, white, 0)
	_, _, err := l.Find(bytes.NewReader(flat), int64(len(flat)))
	assert.ErrorContains(t, err, "too plain", "a flat image is never traced to anything")
}

// WebP-converted copies, resized and recompressed by Chromium's encoder as
// an image CDN does (no metadata survives the canvas), are traced to their
// PNG originals; WebP decoys are not.
func TestWebPCopiesMatchTheirOriginal(t *testing.T) {
	l, lib, originals := originalsLibrary(t)
	var copies []webptest.Copy
	var want []string
	for seed := uint64(1); seed <= 8; seed++ {
		copies = append(copies,
			webptest.Copy{Image: originals[seed], Width: 320, Quality: 0.8},
			webptest.Copy{Image: originals[seed], Width: 160, Quality: 0.5},
			webptest.Copy{Image: originals[seed], Width: 480, Quality: 0.3})
		want = append(want, lib[seed-1].Location, lib[seed-1].Location, lib[seed-1].Location)
	}
	decoys := 16
	for seed := uint64(100); seed < 100+uint64(decoys); seed++ {
		copies = append(copies, webptest.Copy{Image: picture(seed, 320, 240), Width: 240, Quality: 0.6})
	}
	webps := webptest.Encode(t, copies...)
	for i, w := range webps {
		require.Equal(t, "WEBP", string(w[8:12]), "copy %d is a WebP file", i)
		m, ok, err := l.Find(bytes.NewReader(w), int64(len(w)))
		require.NoError(t, err, "copy %d", i)
		if i >= len(want) {
			assert.False(t, ok, "WebP decoy %d matched %s at %d", i-len(want), m.Original.Location, m.Distance)
			continue
		}
		if assert.True(t, ok, "WebP copy %d (%d px, q%.1f)", i, copies[i].Width, copies[i].Quality) {
			assert.Equal(t, want[i], m.Original.Location, "WebP copy %d", i)
		}
	}
}

func TestInherit(t *testing.T) {
	reserved := true
	orig := model.Resource{Location: "/lib/hero.png", AIGenerated: true, TrainingOptOut: &reserved,
		AIEvidence:     []detectors.Evidence{{Detector: "c2pa", Detail: "trainedAlgorithmicMedia", Strength: detectors.SignedUnverified}},
		OptOutEvidence: []detectors.OptOut{{Signal: "c2pa.training-mining", Verdict: "reserved", Detail: "notAllowed"}}}
	copy := model.Resource{Location: "https://a.kz/hero.jpg", Provenance: &detectors.Provenance{Metadata: detectors.MetadataNone}}
	opts := Inherit(&copy, Match{Original: orig, Distance: 2})
	assert.True(t, copy.AIGenerated)
	require.Len(t, copy.AIEvidence, 1)
	assert.Equal(t, "library original /lib/hero.png (phash64<=8, distance 2): trainedAlgorithmicMedia", copy.AIEvidence[0].Detail)
	assert.Equal(t, detectors.SignedUnverified, copy.AIEvidence[0].Strength)
	assert.Equal(t, &detectors.SourceAsset{Path: "/lib/hero.png", Distance: 2, Method: "phash64<=8"}, copy.Provenance.SourceAsset)
	assert.Equal(t, detectors.MetadataNone, copy.Provenance.Metadata, "the copy's own metadata is still none")
	require.Len(t, opts, 1)
	assert.Equal(t, "c2pa.training-mining", opts[0].Signal)
	assert.Contains(t, opts[0].Detail, "library original /lib/hero.png")
	assert.Equal(t, "notAllowed", orig.OptOutEvidence[0].Detail, "the original is not changed")

	plain := model.Resource{Location: "/lib/photo.jpg"}
	other := model.Resource{}
	Inherit(&other, Match{Original: plain})
	assert.False(t, other.AIGenerated, "a copy of a non-AI original stays not-known-AI")
}

// The index finds what comparing with every asset finds.
func TestLookupEqualsBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	l := &Library{}
	var hashes []uint64
	for i := range 5000 {
		h := r.Uint64()
		if i%10 == 0 && i > 0 {
			h = hashes[r.IntN(len(hashes))] ^ (1 << r.IntN(64)) ^ (1 << r.IntN(64)) // near neighbours
		}
		hashes = append(hashes, h)
		l.add(h, model.Resource{Location: string(rune(i))})
	}
	for range 2000 {
		q := hashes[r.IntN(len(hashes))]
		for range r.IntN(12) {
			q ^= 1 << r.IntN(64)
		}
		best, bestD := -1, MaxDistance+1
		for i, h := range hashes {
			if d := distance(h, q); d < bestD {
				best, bestD = i, d
			}
		}
		m, ok := l.Lookup(q)
		require.Equal(t, best >= 0, ok)
		if ok {
			require.Equal(t, bestD, m.Distance)
			require.Equal(t, l.assets[best].Location, m.Original.Location, "the first indexed on a tie")
		}
	}
}

func BenchmarkLookup(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	l := &Library{}
	for range 100_000 {
		l.add(r.Uint64(), model.Resource{})
	}
	b.ResetTimer()
	for b.Loop() {
		l.Lookup(r.Uint64())
	}
}

func BenchmarkHash(b *testing.B) {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, picture(1, 1024, 768), nil); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := Hash(bytes.NewReader(buf.Bytes()), int64(buf.Len())); err != nil {
			b.Fatal(err)
		}
	}
}
