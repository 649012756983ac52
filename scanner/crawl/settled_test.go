package crawl

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Settled items come back as they were put, AI-made or not, across the
// spill threshold; an item never put is not there; an overlong evidence
// summary is cut at its cap.
func TestSettledMedia(t *testing.T) {
	defer func(a, b int) { mediaInMemory, mediaBloomBytes = a, b }(mediaInMemory, mediaBloomBytes)
	mediaInMemory, mediaBloomBytes = 3, 8
	m := newSettledMedia()
	defer m.close()
	item := func(i int) *mediaItem {
		if i%3 == 0 {
			return &mediaItem{}
		}
		return &mediaItem{ai: true, digest: fmt.Sprintf("xxh3:%032x", i), why: strings.Repeat("é", i%5) + fmt.Sprint(i)}
	}
	for i := range 200 {
		require.NoError(t, m.put(keyOf(fmt.Sprint("https://a.kz/", i)), item(i)))
	}
	assert.NotNil(t, m.log)
	for i := range 200 {
		got, found, err := m.get(keyOf(fmt.Sprint("https://a.kz/", i)))
		require.NoError(t, err)
		require.True(t, found, "item %d", i)
		want := item(i)
		assert.Equal(t, [3]any{want.ai, want.digest, want.why}, [3]any{got.ai, got.digest, got.why}, "item %d", i)
		ran := false
		got.once.Do(func() { ran = true })
		assert.False(t, ran, "a settled item is not analysed again")
	}
	_, found, err := m.get(keyOf("https://a.kz/never"))
	require.NoError(t, err)
	assert.False(t, found)

	require.NoError(t, m.put(keyOf("long"), &mediaItem{ai: true, digest: "d", why: "x" + strings.Repeat("é", maxWhy)}))
	got, _, err := m.get(keyOf("long"))
	require.NoError(t, err)
	assert.Len(t, got.why, maxWhy-1, "cut before the character that would cross the cap")
	assert.True(t, utf8.ValidString(got.why))
}
