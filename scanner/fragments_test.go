package scanner

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aiaudit/aiaudit/cmd/mktestdata/build"
	"github.com/aiaudit/aiaudit/detectors"
	"github.com/aiaudit/aiaudit/reports/model"
)

// The walk pairs an init segment (by extension, or a fragment-named file
// whose name says init) with the files the fragments glob matches in its
// folder; fragments, other files and other folders get none.
func TestWalkPairsInitSegmentsWithFragments(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{"a/dashinit.mp4", "a/dash1.m4s", "a/dash2.m4s", "a/init.m4s", "a/photo.jpg", "b/clip.mp4", "c/v.mp4", "c/v_001.seg"} {
		touch(t, filepath.Join(dir, n))
	}
	frags := map[string][]string{}
	for _, it := range collect(t, dir) {
		rel, _ := filepath.Rel(dir, it.Path)
		for _, f := range it.Fragments {
			r, _ := filepath.Rel(dir, f)
			frags[rel] = append(frags[rel], r)
		}
	}
	assert.Equal(t, map[string][]string{
		"a/dashinit.mp4": {"a/dash1.m4s", "a/dash2.m4s", "a/init.m4s"},
		"a/init.m4s":     {"a/dash1.m4s", "a/dash2.m4s"},
	}, frags)

	ch := make(chan FileItem, 8)
	Walk(context.Background(), []string{filepath.Join(dir, "c")}, WalkOptions{FragmentsGlob: "v_*.seg"}, ch)
	close(ch)
	var got []string
	for it := range ch {
		if len(it.Fragments) > 0 {
			got = append(got, filepath.Base(it.Path)+" "+filepath.Base(it.Fragments[0]))
		}
	}
	assert.Equal(t, []string{"v.mp4 v_001.seg"}, got, "a glob given by the user")
	assert.Error(t, WalkOptions{FragmentsGlob: "["}.Validate())
}

// A files scan of a folder holding a signed fragmented MP4 (init segment and
// its .m4s fragments) checks the binding with the fragments: it matches;
// with one fragment altered it is a mismatch naming it; with the fragments
// gone it is not checked and says they are not beside it.
func TestScanFilesChecksFragmentedMP4WithItsFragments(t *testing.T) {
	f, err := build.SignedFragmentedMP4(build.Manifest{Generator: "fmp4 scan test", Action: "c2pa.created"}, 3, 1, 1)
	require.NoError(t, err)
	dir := t.TempDir()
	write := func(name string, b []byte) {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), b, 0o644))
	}
	write("video_init.mp4", f.Init)
	for i, b := range f.Fragments {
		write(fmt.Sprintf("video_%d.m4s", i+1), b)
	}
	scan := func() *detectors.Provenance {
		t.Helper()
		var got *detectors.Provenance
		require.NoError(t, ScanFiles(context.Background(), []string{dir}, FilesOptions{Emit: func(r model.Resource) error {
			if filepath.Base(r.Location) == "video_init.mp4" {
				got = r.Provenance
			}
			return nil
		}}))
		require.NotNil(t, got)
		return got
	}
	p := scan()
	assert.EqualValues(t, detectors.BindingMatch, p.Binding, p.BindingDetail)
	assert.Contains(t, p.BindingDetail, "3 fragment(s) match")

	bad := append([]byte(nil), f.Fragments[1]...)
	bad[len(bad)-1] ^= 1
	write("video_2.m4s", bad)
	p = scan()
	assert.EqualValues(t, detectors.BindingMismatch, p.Binding)
	assert.Contains(t, p.BindingDetail, "video_2.m4s")

	for i := range f.Fragments {
		require.NoError(t, os.Remove(filepath.Join(dir, fmt.Sprintf("video_%d.m4s", i+1))))
	}
	p = scan()
	assert.EqualValues(t, detectors.BindingNotChecked, p.Binding)
	assert.Contains(t, p.BindingDetail, "no fragment file is beside this init segment")

	err = ScanFiles(context.Background(), []string{dir}, FilesOptions{Walk: WalkOptions{FragmentsGlob: "[a"}})
	assert.ErrorContains(t, err, "fragments glob")
}
