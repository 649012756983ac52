package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aiaudit/aiaudit/detectors"
	"github.com/aiaudit/aiaudit/detectors/c2pa/trust"
	"github.com/aiaudit/aiaudit/detectors/media"
	fixtures "github.com/aiaudit/aiaudit/detectors/testfixtures"
)

// The mixed corpus is what the benchmark says: the shared fixtures copied
// whole, the rest generated, a fifth of it signed by three tools whose
// manifests validate as trusted with the anchors written beside it, and
// the AI-made count it returns is what aiaudit finds among the generated.
func TestMixedCorpus(t *testing.T) {
	shared := filepath.Dir(fixtures.Dir(t, "media"))
	dir := filepath.Join(t.TempDir(), "c")
	anchorsFile := dir + ".anchors.pem"
	const n = 600
	ai, err := mixedCorpus(dir, shared, anchorsFile, n, 3)
	require.NoError(t, err)
	pemBytes, err := os.ReadFile(anchorsFile)
	require.NoError(t, err)
	anchors, err := trust.Default().WithAnchors(pemBytes)
	require.NoError(t, err)

	var files, copied, signed, found int
	signers := map[string]int{}
	require.NoError(t, filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		files++
		rel, _ := filepath.Rel(dir, p)
		if strings.HasPrefix(rel, "fixtures"+string(filepath.Separator)) {
			copied++
			return nil
		}
		f, err := os.Open(p)
		require.NoError(t, err)
		defer f.Close()
		info, err := d.Info()
		require.NoError(t, err)
		res, err := media.Analyze(media.Source{R: f, Size: info.Size()}, nil, media.Limits{Trust: anchors})
		require.NoError(t, err)
		if res.AIGenerated {
			found++
		}
		if v := res.Provenance.Validation; v != nil {
			signed++
			assert.Equal(t, detectors.ValidationTrusted, v.State, "%s: %+v", rel, v.Codes)
			signers[v.Signer.Subject]++
		}
		return nil
	}))
	assert.Equal(t, n, files)
	want := 0
	for _, set := range fixtureSets {
		require.NoError(t, filepath.WalkDir(filepath.Join(shared, set), func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && !strings.HasSuffix(p, ".md") && !strings.HasSuffix(p, ".json") {
				want++
			}
			return err
		}))
	}
	assert.Equal(t, want, copied, "every fixture file, notes left out")
	assert.Equal(t, ai, found, "every AI-made generated file is found, and no other")
	assert.InDelta(t, float64(n-copied)*signedShare/100, signed, float64(n-copied)*0.08, "about a fifth of the generated files are signed")
	assert.Len(t, signers, 3, "three tools: %v", signers)

	again, err := mixedCorpus(dir, shared, anchorsFile, n, 3)
	require.NoError(t, err)
	assert.Equal(t, ai, again, "a corpus built before is reused")
	_, err = mixedCorpus(filepath.Join(t.TempDir(), "small"), shared, anchorsFile, 10, 3)
	assert.ErrorContains(t, err, "ask for more items")
}
