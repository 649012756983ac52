package crawl

import (
	"encoding/binary"
	"fmt"
	"os"
	"unicode/utf8"

	"github.com/aiaudit/aiaudit/reports/digestset"
)

// settledMedia remembers the media items whose first occurrence has been
// emitted: later occurrences need only whether the item is AI-made and, if
// it is, how to describe it (digest and evidence in brief). The keys are a
// digestset; the descriptions of AI-made items go to an unlinked temp file,
// the key's value saying where (offset<<24 | length; 0 for an item that is
// not AI-made). Memory does not follow the number of items.
type settledMedia struct {
	set  *digestset.Set
	log  *os.File
	size int64
}

// Variables so that a test can make a small crawl spill.
var (
	mediaInMemory   = digestset.DefaultMemKeys
	mediaBloomBytes = digestset.DefaultBloomBytes
)

// maxWhy caps an item's evidence summary as kept for later occurrences.
const maxWhy = 4 << 10

func newSettledMedia() *settledMedia {
	return &settledMedia{set: digestset.New(mediaInMemory, mediaBloomBytes)}
}

// put records an item once its first occurrence is emitted.
func (m *settledMedia) put(k urlKey, it *mediaItem) error {
	var v uint64
	if it.ai {
		why := it.why
		if len(why) > maxWhy {
			cut := maxWhy
			for cut > 0 && !utf8.RuneStart(why[cut]) {
				cut-- // whole characters only
			}
			why = why[:cut]
		}
		rec := binary.LittleEndian.AppendUint32(nil, uint32(len(it.digest)))
		rec = append(append(rec, it.digest...), why...)
		if m.log == nil {
			f, err := digestset.TempFile("media")
			if err != nil {
				return err
			}
			m.log = f
		}
		if _, err := m.log.WriteAt(rec, m.size); err != nil {
			return fmt.Errorf("media spill file: %w", err)
		}
		v = uint64(m.size)<<24 | uint64(len(rec))
		m.size += int64(len(rec))
	}
	_, err := m.set.AddValue(k, v)
	return err
}

// get returns a settled item, its analysis done (its once spent).
func (m *settledMedia) get(k urlKey) (*mediaItem, bool, error) {
	v, found, err := m.set.Get(k)
	if err != nil || !found {
		return nil, false, err
	}
	it := &mediaItem{}
	it.once.Do(func() {})
	if v == 0 {
		return it, true, nil
	}
	rec := make([]byte, v&(1<<24-1))
	if _, err := m.log.ReadAt(rec, int64(v>>24)); err != nil {
		return nil, false, fmt.Errorf("media spill file: %w", err)
	}
	n := binary.LittleEndian.Uint32(rec)
	it.ai, it.digest, it.why = true, string(rec[4:4+n]), string(rec[4+n:])
	return it, true, nil
}

func (m *settledMedia) close() {
	m.set.Close()
	if m.log != nil {
		m.log.Close()
	}
}
