// Package assets traces published images to the team's asset library by
// perceptual hash: a CMS or CDN strips metadata, resizes and recompresses,
// but the picture stays the same, so the published copy inherits the
// original's AI provenance and opt-outs (--assets).
package assets

import (
	"fmt"
	"image"
	"io"
	"math"
	"math/bits"
	"os"

	"github.com/corona10/goimagehash"
	"golang.org/x/image/draw"

	"github.com/aiaudit/aiaudit/detectors"
	"github.com/aiaudit/aiaudit/reports/model"
	"github.com/aiaudit/aiaudit/scanner/internal/thumb"
)

// MaxDistance is the Hamming distance (of 64 bits) up to which two images
// are the same picture. On the shared fixtures, copies at 1/2 and 1/4 size
// recompressed as JPEG land 0 to 2 bits from their original (but for two
// low-contrast photos), and distinct pictures are 20 bits or more apart
// (TestFalseMatchRateOnFixtures).
const MaxDistance = 8

// Method names the matching in the report.
var Method = fmt.Sprintf("phash64<=%d", MaxDistance)

// hashSide is the square the image is scaled to before hashing, the size
// goimagehash's pHash works on.
const hashSide = 64

// minDetail is the luminance standard deviation (0-255) below which an image
// is too plain to identify: all flat images hash alike.
const minDetail = 4.0

// Library is an asset library indexed by perceptual hash with multi-index
// hashing: the 64 bits are cut into MaxDistance+1 chunks, and two hashes
// at most MaxDistance bits apart agree exactly on at least one chunk
// (pigeonhole). A lookup compares only the assets sharing a chunk with
// the query: about (MaxDistance+1)/2^7 of the library, not all of it.
type Library struct {
	assets []model.Resource
	hashes []uint64
	tables [chunks]map[uint64][]int32
}

// chunks is the number of chunks a hash is cut into; chunk i is bits
// [chunkStart(i), chunkStart(i+1)).
const chunks = MaxDistance + 1

func chunkStart(i int) int { return i * 64 / chunks }

func chunk(h uint64, i int) uint64 {
	lo, hi := chunkStart(i), chunkStart(i+1)
	return (h >> lo) & (1<<(hi-lo) - 1)
}

// Len is the number of images indexed.
func (l *Library) Len() int { return len(l.assets) }

// Problem is a library item left out of the index, and why.
type Problem struct{ Location, Err string }

// NotIndexed is how a problem reads, with its Location and Err: the
// message catalogue's key.
const NotIndexed = "%s: not indexed: %s"

// Build indexes the image resources of an `aiaudit files` scan (of the
// library folder, or a saved report), reading each file at its location.
// Problems are per item: an unreadable, undecodable or too plain image is
// named and left out; the rest of the library is indexed.
func Build(resources []model.Resource) (*Library, []Problem) {
	l := &Library{}
	var problems []Problem
	for _, r := range resources {
		if r.Error != "" {
			// A file that could not be read at all (permission denied, a
			// broken link) has kind "other": it may be an image, so it is
			// named too.
			if r.Kind == "image" || r.Kind == "other" {
				problems = append(problems, Problem{Location: r.Location, Err: r.Error})
			}
			continue
		}
		if r.Kind != "image" {
			continue
		}
		h, err := hashFile(r.Location)
		if err != nil {
			problems = append(problems, Problem{Location: r.Location, Err: err.Error()})
			continue
		}
		l.add(h, r)
	}
	return l, problems
}

func hashFile(path string) (uint64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return 0, err
	}
	return Hash(f, st.Size())
}

// Hash is the perceptual hash (goimagehash's DCT pHash) of an encoded image.
func Hash(r io.ReaderAt, size int64) (uint64, error) {
	img, err := thumb.Decode(r, size)
	if err != nil {
		return 0, err
	}
	if d := detail(img); d < minDetail {
		return 0, fmt.Errorf("too plain to identify by its picture (luminance deviation %.1f)", d)
	}
	// Scaled first with an antialiasing kernel: goimagehash's own bilinear
	// shrink of a large photo aliases, so a resized copy hashed up to 24
	// bits away from its original (measured on the shared fixtures).
	small := image.NewRGBA(image.Rect(0, 0, hashSide, hashSide))
	draw.CatmullRom.Scale(small, small.Bounds(), img, img.Bounds(), draw.Src, nil)
	h, err := goimagehash.PerceptionHash(small)
	if err != nil {
		return 0, err
	}
	return h.GetHash(), nil
}

// detail is the standard deviation of luminance over a 32x32 sample grid.
func detail(img image.Image) float64 {
	b := img.Bounds()
	var sum, sq float64
	const n = 32
	for y := range n {
		for x := range n {
			r, g, bl, _ := img.At(b.Min.X+x*b.Dx()/n, b.Min.Y+y*b.Dy()/n).RGBA()
			v := (0.299*float64(r) + 0.587*float64(g) + 0.114*float64(bl)) / 257
			sum += v
			sq += v * v
		}
	}
	mean := sum / (n * n)
	return math.Sqrt(max(sq/(n*n)-mean*mean, 0))
}

func (l *Library) add(h uint64, r model.Resource) {
	id := int32(len(l.assets))
	l.assets = append(l.assets, r)
	l.hashes = append(l.hashes, h)
	for i := range chunks {
		if l.tables[i] == nil {
			l.tables[i] = map[uint64][]int32{}
		}
		l.tables[i][chunk(h, i)] = append(l.tables[i][chunk(h, i)], id)
	}
}

func distance(a, b uint64) int { return bits.OnesCount64(a ^ b) }

// Match is a library original a published image is a copy of.
type Match struct {
	Original model.Resource
	Distance int
}

// Lookup finds the nearest original within MaxDistance (the first indexed
// on a tie).
func (l *Library) Lookup(h uint64) (Match, bool) {
	best, bestD := int32(-1), MaxDistance+1
	for i := range chunks {
		for _, id := range l.tables[i][chunk(h, i)] {
			d := distance(l.hashes[id], h)
			if d < bestD || d == bestD && id < best {
				best, bestD = id, d
			}
		}
	}
	if best < 0 {
		return Match{}, false
	}
	return Match{Original: l.assets[best], Distance: bestD}, true
}

// Find hashes an encoded image and looks it up. A copy that cannot be
// decoded or hashed is an error the caller notes: whether it is in the
// library is unknown, and nothing is inherited.
func (l *Library) Find(r io.ReaderAt, size int64) (Match, bool, error) {
	h, err := Hash(r, size)
	if err != nil {
		return Match{}, false, err
	}
	m, ok := l.Lookup(h)
	return m, ok, nil
}

// Inherit gives a published copy its original's AI evidence and provenance
// source, each piece saying where it came from, and returns the original's
// embedded opt-outs, for the copy's one opt-out decision.
func Inherit(res *model.Resource, m Match) []detectors.OptOut {
	o := m.Original
	source := detectors.SourceAsset{Path: o.Location, Distance: m.Distance, Method: Method}
	via := source.String()
	for _, e := range o.AIEvidence {
		e.Detail = via + ": " + e.Detail
		res.AIEvidence = append(res.AIEvidence, e)
	}
	res.AIGenerated = res.AIGenerated || o.AIGenerated
	if res.Provenance == nil {
		res.Provenance = &detectors.Provenance{}
	}
	res.Provenance.SourceAsset = &source
	var opts []detectors.OptOut
	for _, e := range o.OptOutEvidence {
		e.Detail = via + ": " + e.Detail
		opts = append(opts, e)
	}
	return opts
}
