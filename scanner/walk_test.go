package scanner

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func collect(t *testing.T, paths ...string) []FileItem {
	t.Helper()
	ch := make(chan FileItem)
	go func() { defer close(ch); Walk(context.Background(), paths, WalkOptions{}, ch) }()
	var out []FileItem
	for it := range ch {
		out = append(out, it)
	}
	return out
}

func touch(t *testing.T, path string) {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(t, os.WriteFile(path, []byte("x"), 0o644))
}

func TestWalkOrderSidecarsAndLoops(t *testing.T) {
	dir := t.TempDir()
	touch(t, filepath.Join(dir, "b", "photo.jpg"))
	touch(t, filepath.Join(dir, "b", "photo.jpg.c2pa"))
	touch(t, filepath.Join(dir, "b", "photo.xmp"))
	touch(t, filepath.Join(dir, "a.png"))
	touch(t, filepath.Join(dir, "c", "clip.mp4"))
	touch(t, filepath.Join(dir, "c", "clip.c2pa"))
	// A symlinked directory that points back up would loop forever if followed.
	require.NoError(t, os.Symlink(dir, filepath.Join(dir, "b", "loop")))
	require.NoError(t, os.Symlink(filepath.Join(dir, "a.png"), filepath.Join(dir, "c", "link.png")))
	require.NoError(t, os.Symlink(filepath.Join(dir, "gone"), filepath.Join(dir, "c", "broken.png")))

	items := collect(t, dir)
	var names []string
	for _, it := range items {
		rel, _ := filepath.Rel(dir, it.Path)
		names = append(names, rel)
	}
	assert.Equal(t, []string{
		"a.png",
		"b/photo.jpg", "b/photo.jpg.c2pa", "b/photo.xmp",
		"c/broken.png", "c/clip.c2pa", "c/clip.mp4", "c/link.png",
	}, names)

	byName := map[string]FileItem{}
	for i, it := range items {
		byName[names[i]] = it
	}
	assert.Equal(t, []string{filepath.Join(dir, "b", "photo.jpg.c2pa"), filepath.Join(dir, "b", "photo.xmp")}, byName["b/photo.jpg"].Sidecars)
	assert.Equal(t, []string{filepath.Join(dir, "c", "clip.c2pa")}, byName["c/clip.mp4"].Sidecars)
	assert.Empty(t, byName["b/photo.jpg.c2pa"].Sidecars, "a sidecar has no sidecars")
	assert.Error(t, byName["c/broken.png"].Err, "a broken symlink is reported, not dropped")
	assert.NoError(t, byName["c/link.png"].Err)
}

func TestWalkMissingPathIsReported(t *testing.T) {
	items := collect(t, filepath.Join(t.TempDir(), "nope"))
	require.Len(t, items, 1)
	assert.Error(t, items[0].Err)
}

func TestWalkSingleFileFindsSidecar(t *testing.T) {
	dir := t.TempDir()
	touch(t, filepath.Join(dir, "x.webp"))
	touch(t, filepath.Join(dir, "x.c2pa"))
	items := collect(t, filepath.Join(dir, "x.webp"))
	require.Len(t, items, 1)
	assert.Equal(t, []string{filepath.Join(dir, "x.c2pa")}, items[0].Sidecars)
}

func TestWalkStopsOnCancel(t *testing.T) {
	dir := t.TempDir()
	for i := range 50 {
		touch(t, filepath.Join(dir, string(rune('a'+i%26))+string(rune('a'+i/26))+".jpg"))
	}
	ctx, cancel := context.WithCancel(context.Background())
	ch := make(chan FileItem)
	done := make(chan struct{})
	go func() { defer close(done); Walk(ctx, []string{dir}, WalkOptions{}, ch) }()
	<-ch
	cancel()
	<-done // returns instead of blocking on the unread channel
}
