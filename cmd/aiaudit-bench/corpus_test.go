package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aiaudit/aiaudit/detectors/media"
)

// The corpus is what the benchmark claims it is: the media types it names,
// AI metadata where intended (checked with aiaudit's own analysis), and the
// same files for the same seed.
func TestCorpus(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "c")
	ai, err := corpus(dir, 1000, 7)
	require.NoError(t, err)
	found := 0
	kinds := map[string]int{}
	var files []string
	require.NoError(t, filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() || filepath.Base(p)[0] == '.' {
			return err
		}
		files = append(files, p)
		f, err := os.Open(p)
		require.NoError(t, err)
		defer f.Close()
		res, err := media.Analyze(media.Source{R: f, Size: info.Size()}, nil, media.Limits{})
		require.NoError(t, err)
		kinds[res.MediaType]++
		if res.AIGenerated {
			found++
		}
		return nil
	}))
	assert.Len(t, files, 1000)
	assert.Equal(t, ai, found, "every AI file is detectable and no plain one is flagged")
	assert.Greater(t, kinds["image/jpeg"], 300)
	assert.Greater(t, kinds["image/png"], 250)
	assert.Greater(t, kinds["video/mp4"], 100)
	st, err := os.Stat(filepath.Join(dir, "d000", "f000999.mp4"))
	require.NoError(t, err)
	assert.Equal(t, int64(512<<20), st.Size()-st.Size()%(512<<20), "the large video is there")

	again := filepath.Join(t.TempDir(), "c")
	_, err = corpus(again, 1000, 7)
	require.NoError(t, err)
	for _, p := range files[:200] {
		rel, _ := filepath.Rel(dir, p)
		a, errA := os.ReadFile(p)
		b, errB := os.ReadFile(filepath.Join(again, rel))
		require.NoError(t, errA)
		require.NoError(t, errB, "same file names for a seed")
		require.True(t, bytes.Equal(a, b), "%s: same bytes for a seed", rel)
	}
}
