package scanner

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aiaudit/aiaudit/cmd/mktestdata/build"
	"github.com/aiaudit/aiaudit/reports/model"
)

func corpus(t *testing.T, n int) string {
	t.Helper()
	files, err := build.All()
	require.NoError(t, err)
	dir := t.TempDir()
	for i := range n {
		f := files[i%len(files)]
		require.NoError(t, os.WriteFile(filepath.Join(dir, fmt.Sprintf("%04d_%s", i, f.Name)), f.Data, 0o644))
	}
	return dir
}

func TestScanFilesKeepsInputOrderWithManyWorkers(t *testing.T) {
	dir := corpus(t, 300)
	var got []string
	lastDone, lastTotal := 0, 0
	err := ScanFiles(context.Background(), []string{dir}, FilesOptions{
		Workers: 16,
		Emit: func(r model.Resource) error {
			got = append(got, filepath.Base(r.Location))
			return nil
		},
		Progress: func(done, total int) { lastDone, lastTotal = done, total },
	})
	require.NoError(t, err)
	require.Len(t, got, 300)
	for i := 1; i < len(got); i++ {
		require.Less(t, got[i-1], got[i])
	}
	assert.Equal(t, 300, lastDone)
	assert.Equal(t, 300, lastTotal, "the total is known once the walk ends")
}

func TestScanFilesEmitErrorStops(t *testing.T) {
	dir := corpus(t, 100)
	n := 0
	err := ScanFiles(context.Background(), []string{dir}, FilesOptions{
		Workers: 4,
		Emit: func(model.Resource) error {
			n++
			if n == 10 {
				return errors.New("disk full")
			}
			return nil
		},
	})
	require.ErrorContains(t, err, "disk full")
	assert.Equal(t, 10, n, "nothing is emitted after the sink failed")
}

func TestScanFilesCancelReturnsPromptly(t *testing.T) {
	dir := corpus(t, 200)
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	err := ScanFiles(ctx, []string{dir}, FilesOptions{
		Workers: 4,
		Emit: func(model.Resource) error {
			n++
			if n == 5 {
				cancel()
			}
			return nil
		},
	})
	require.ErrorIs(t, err, context.Canceled)
	assert.Less(t, n, 200)
}

// A file that grows between the first and the last read is an error for that
// file, not a verdict built from two versions.
func TestUnchangedNoticesGrowth(t *testing.T) {
	p := filepath.Join(t.TempDir(), "grow.png")
	require.NoError(t, os.WriteFile(p, []byte("first version"), 0o644))
	f, st, err := openRegular(p)
	require.NoError(t, err)
	defer f.Close()
	require.NoError(t, unchanged(p, st))
	require.NoError(t, os.WriteFile(p, []byte("second, longer version"), 0o644))
	assert.ErrorContains(t, unchanged(p, st), "changed while it was being read")
}
