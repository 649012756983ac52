package media

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aiaudit/aiaudit/cmd/mktestdata/build"
	"github.com/aiaudit/aiaudit/detectors"
	"github.com/aiaudit/aiaudit/detectors/c2pa"
)

// analyzeFragmented reads an init segment with the given fragment files.
func analyzeFragmented(t *testing.T, init []byte, frags map[string][]byte, lim Limits) *Result {
	t.Helper()
	src := Source{Name: "init.mp4", R: bytes.NewReader(init), Size: int64(len(init))}
	for name, b := range frags {
		src.Fragments = append(src.Fragments, c2pa.FragmentOf(name, b))
	}
	res, err := Analyze(src, nil, lim)
	require.NoError(t, err)
	require.NotNil(t, res.Provenance.Validation)
	return res
}

func fragmentFiles(f build.FragmentedMP4) map[string][]byte {
	out := map[string][]byte{}
	for i, b := range f.Fragments {
		out[fmt.Sprintf("seg%d.m4s", i)] = b
	}
	return out
}

// An AI-made fragmented MP4 signed with a Merkle binding over three
// fragment files: with its fragments it matches and is valid; one changed
// sample byte makes it invalid, names the fragment and reports the code the
// reference reports; without its fragments it is not checked and says why
// (not "copied or altered"); with one fragment missing the others still
// match and the missing one is named; a fragment over the size cap or one
// that does not parse leaves the binding not checked.
func TestFragmentedMP4Binding(t *testing.T) {
	f, err := build.SignedFragmentedMP4(aiManifest(), 3, 1, 1)
	require.NoError(t, err)
	files := fragmentFiles(f)

	res := analyzeFragmented(t, f.Init, files, Limits{})
	p := res.Provenance
	assert.Equal(t, "video/mp4", res.MediaType)
	assert.EqualValues(t, detectors.BindingMatch, p.Binding, p.BindingDetail)
	assert.Contains(t, p.BindingDetail, "the init segment and 3 fragment(s) match")
	assert.Equal(t, detectors.ValidationValid, p.Validation.State, "%+v", p.Validation.Codes)
	assert.True(t, res.AIGenerated)

	tampered := fragmentFiles(f)
	tampered["seg1.m4s"] = bytes.Clone(files["seg1.m4s"])
	tampered["seg1.m4s"][len(tampered["seg1.m4s"])-2] ^= 1
	res = analyzeFragmented(t, f.Init, tampered, Limits{})
	p = res.Provenance
	assert.EqualValues(t, detectors.BindingMismatch, p.Binding)
	assert.Contains(t, p.BindingDetail, "seg1.m4s: leaf 1 of tree 1/1 does not match")
	assert.NotContains(t, p.BindingDetail, "seg0.m4s")
	assert.Equal(t, detectors.ValidationInvalid, p.Validation.State)
	assert.Contains(t, codes(p.Validation), "assertion.bmffHash.mismatch")

	res = analyzeFragmented(t, f.Init, nil, Limits{})
	p = res.Provenance
	assert.EqualValues(t, detectors.BindingNotChecked, p.Binding)
	assert.Contains(t, p.BindingDetail, "no fragment file is beside this init segment")
	assert.NotContains(t, p.BindingDetail, "copied")
	assert.NotContains(t, codes(p.Validation), "assertion.bmffHash.mismatch")

	partial := fragmentFiles(f)
	delete(partial, "seg2.m4s")
	p = analyzeFragmented(t, f.Init, partial, Limits{}).Provenance
	assert.EqualValues(t, detectors.BindingMatch, p.Binding, p.BindingDetail)
	assert.Contains(t, p.BindingDetail, "1 of its 3 fragments are not beside the init segment and were not checked (leaf 2 of tree 1/1)")

	huge := fragmentFiles(f)
	huge["huge.m4s"] = make([]byte, len(f.Init)+100)
	p = analyzeFragmented(t, f.Init, huge, Limits{MaxHashBytes: int64(len(f.Init))}).Provenance
	assert.EqualValues(t, detectors.BindingNotChecked, p.Binding)
	assert.Contains(t, p.BindingDetail, "huge.m4s: larger than the")

	p = analyzeFragmented(t, f.Init, files, Limits{MaxFragments: 2}).Provenance
	assert.EqualValues(t, detectors.BindingNotChecked, p.Binding)
	assert.Contains(t, p.BindingDetail, "more than the 2 checked")

	broken := fragmentFiles(f)
	broken["seg0.m4s"] = broken["seg0.m4s"][:20]
	p = analyzeFragmented(t, f.Init, broken, Limits{}).Provenance
	assert.EqualValues(t, detectors.BindingNotChecked, p.Binding)
	assert.Contains(t, p.BindingDetail, "seg0.m4s")

	// Files beside it that are no fragment of it (another rendition).
	other, err := build.SignedFragmentedMP4(aiManifest(), 2, 0, 9)
	require.NoError(t, err)
	p = analyzeFragmented(t, f.Init, fragmentFiles(other), Limits{}).Provenance
	assert.EqualValues(t, detectors.BindingNotChecked, p.Binding)
	assert.Contains(t, p.BindingDetail, "none of the 2 files beside the init segment holds a fragment")
}
