package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// urls reads a Parquet list by --column and writes Parquet results with the
// --keep columns; the flags that cannot work together are usage errors.
func TestURLsParquetCommand(t *testing.T) {
	srv := optoutSite(t)
	dir := t.TempDir()
	type in struct {
		Link    string `parquet:"link"`
		Caption string `parquet:"caption"`
	}
	list := filepath.Join(dir, "list.parquet")
	require.NoError(t, parquet.WriteFile(list, []in{{srv.URL + "/open", "open"}, {srv.URL + "/private/a", "private"}}))
	out := filepath.Join(dir, "out.parquet")
	code, stdout, stderr := runIn(t, "", "urls", list, "--column", "link", "--keep", "caption", "--agent", "CCBot", "--delay", "0", "-f", "parquet", "-o", out)
	require.Equal(t, exitClean, code, stderr)
	assert.Empty(t, stdout)
	assert.Contains(t, stderr, "vetted 2 URLs")
	type result struct {
		URL            string  `parquet:"url"`
		TrainingOptOut *bool   `parquet:"training_opt_out,optional"`
		Caption        *string `parquet:"caption,optional"`
	}
	rows, err := parquet.ReadFile[result](out)
	require.NoError(t, err)
	require.Len(t, rows, 2)
	assert.Equal(t, srv.URL+"/open", rows[0].URL)
	assert.False(t, *rows[0].TrainingOptOut)
	assert.Equal(t, "open", *rows[0].Caption)
	assert.True(t, *rows[1].TrainingOptOut)

	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"urls", list, "--column", "link", "-f", "parquet"}, "-f parquet needs -o FILE"},
		{[]string{"urls", list, "--column", "link", "-f", "parquet", "-o", out, "--resume"}, "-f parquet needs -o FILE"},
		{[]string{"urls", list, "--keep", "caption"}, "--keep needs --column"},
		{[]string{"urls", list, "--column", "url"}, `the Parquet file has no column of that name (columns: link, caption)`},
	} {
		code, _, stderr := runIn(t, "", c.args...)
		assert.Equal(t, exitError, code, "%v", c.args)
		assert.Contains(t, stderr, c.want, "%v", c.args)
	}
	// Through a pipe a Parquet list cannot be read (its index is at its
	// end); stdin redirected from the file can.
	b, err := os.ReadFile(list)
	require.NoError(t, err)
	var errb strings.Builder
	code = run(context.Background(), []string{"urls", "-", "--column", "link"}, struct{ io.Reader }{bytes.NewReader(b)}, io.Discard, &errb)
	assert.Equal(t, exitError, code)
	assert.Contains(t, errb.String(), "save it to a file and pass its name")
	f, err := os.Open(list)
	require.NoError(t, err)
	defer f.Close()
	code = run(context.Background(), []string{"urls", "-", "--column", "link", "--agent", "CCBot", "--delay", "0", "-o", filepath.Join(dir, "out.jsonl")}, f, io.Discard, &errb)
	assert.Equal(t, exitClean, code, errb.String())
}

// files -f parquet writes one row per file, the same files the JSON report
// lists.
func TestFilesParquet(t *testing.T) {
	code, js, stderr := runCLI(t, context.Background(), "files", "../../testdata/media", "--format", "json", "--fail-on", "none")
	require.Equal(t, exitClean, code, stderr)
	var want []string
	for _, r := range decode(t, js).Resources {
		want = append(want, r.Location)
	}
	out := filepath.Join(t.TempDir(), "files.parquet")
	code, _, stderr = runCLI(t, context.Background(), "files", "../../testdata/media", "--format", "parquet", "-o", out, "--fail-on", "none")
	require.Equal(t, exitClean, code, stderr)
	type row struct {
		Location    string `parquet:"location"`
		AIGenerated bool   `parquet:"ai_generated"`
	}
	rows, err := parquet.ReadFile[row](out)
	require.NoError(t, err)
	var got []string
	for _, r := range rows {
		got = append(got, r.Location)
	}
	slices.Sort(got)
	slices.Sort(want)
	assert.Equal(t, want, got)
	assert.True(t, slices.ContainsFunc(rows, func(r row) bool { return r.AIGenerated }))
}
