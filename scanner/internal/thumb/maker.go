package thumb

import (
	"io"
	"sync"

	"github.com/aiaudit/aiaudit/reports/model"
	"github.com/zeebo/xxh3"
)

// Box is the side, in pixels, of the square a report thumbnail fits.
const Box = 96

// rememberedBytes caps the thumbnails a Maker keeps for files seen again
// (about 10,000 of 3 KB).
const rememberedBytes = 32 << 20

// Maker makes the thumbnails of one scan. Every AI-made image gets one: the
// rules give every such resource a finding (ai.marked or ai.unmarked), and the
// HTML report shows the thumbnail beside each finding of its item. A file
// whose content was thumbnailed before (the same picture copied under many
// names, as corpora and asset folders hold) gets the thumbnail made then,
// without decoding it again. Safe for concurrent use.
type Maker struct {
	mu        sync.Mutex
	byContent map[xxh3.Uint128]string
	kept      int
}

// NewMaker returns a Maker for one scan.
func NewMaker() *Maker { return &Maker{byContent: map[xxh3.Uint128]string{}} }

// Add sets res.Thumbnail when the resource is an AI-made image, from the
// file's bytes r or the preview it embeds of itself (nil: none; see
// FromBytes). A file that cannot be decoded gets none: best effort, the
// report then shows no picture. A nil Maker adds nothing.
func (m *Maker) Add(res *model.Resource, r io.ReaderAt, size int64, preview []byte) {
	if m == nil || !res.AIGenerated || res.Kind != "image" || res.Error != "" || size > MaxSource {
		return
	}
	// The whole file is hashed, not the head res.Digest covers: two files
	// that differ only past it are different pictures.
	data := make([]byte, size)
	if _, err := r.ReadAt(data, 0); err != nil && err != io.EOF {
		return
	}
	key := xxh3.Hash128(data)
	m.mu.Lock()
	uri, ok := m.byContent[key]
	m.mu.Unlock()
	if ok {
		res.Thumbnail = uri
		return
	}
	uri, err := FromBytes(data, preview, Box)
	if err != nil {
		return
	}
	res.Thumbnail = uri
	m.mu.Lock()
	if m.kept+len(uri) <= rememberedBytes {
		if _, dup := m.byContent[key]; !dup {
			m.byContent[key] = uri
			m.kept += len(uri)
		}
	}
	m.mu.Unlock()
}
