package urls

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/stretchr/testify/require"
)

// benchLists writes the same n URLs (with a caption) as a plain list, CSV,
// JSONL and Parquet (Snappy, row groups of 64Ki rows, as a corpus tool
// writes them).
func benchLists(b *testing.B, n int) map[string]string {
	dir := b.TempDir()
	var plain, csv, jsonl bytes.Buffer
	rows := make([]corpusRow, n)
	csv.WriteString("url,caption\n")
	for i := range rows {
		u := fmt.Sprintf("https://img%d.example.kz/photos/2026/%08d.jpg?w=512", i%5000, i)
		c := fmt.Sprintf("a photo of item %d on a table", i)
		rows[i] = corpusRow{URL: u, Caption: c}
		plain.WriteString(u + "\n")
		fmt.Fprintf(&csv, "%s,%s\n", u, c)
		line, _ := json.Marshal(map[string]string{"url": u, "caption": c})
		jsonl.Write(append(line, '\n'))
	}
	files := map[string]string{}
	for name, data := range map[string][]byte{"plain": plain.Bytes(), "csv": csv.Bytes(), "jsonl": jsonl.Bytes(),
		"parquet": writeParquet(b, rows, 64<<10, parquet.Compression(&parquet.Snappy))} {
		files[name] = filepath.Join(dir, name)
		require.NoError(b, os.WriteFile(files[name], data, 0o644))
	}
	return files
}

var benchInputs = map[string]Input{"plain": {}, "csv": {Column: "url"}, "jsonl": {Field: "url"}, "parquet": {Column: "url"}}

// readFile reads a list file whole and returns the URLs read and, with
// sample, the largest live heap seen while reading (after a collection,
// every 64Ki Items).
func readFile(b *testing.B, path string, in Input, sample bool) (n int, peak uint64) {
	f, err := os.Open(path)
	require.NoError(b, err)
	defer f.Close()
	l, err := Open(f, in)
	require.NoError(b, err)
	out := make(chan Item, 256)
	done := make(chan error, 1)
	go func() { done <- l.Read(out); close(out) }()
	var ms runtime.MemStats
	for it := range out {
		if it.Err == nil {
			n++
		}
		if sample && n%(64<<10) == 0 {
			runtime.GC()
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapAlloc)
		}
	}
	require.NoError(b, <-done)
	return n, peak
}

// BenchmarkReadFormats reads the same list in the four layouts in one run
// and reports each one's rate (URLs/s) and Parquet's rate as a ratio of
// CSV's and JSONL's. The -heap-MB metrics are the live heap while reading
// Parquet lists of 100Ki and 1Mi rows: they stay flat, as memory does not
// follow the file's size.
func BenchmarkReadFormats(b *testing.B) {
	const n = 1 << 20
	files := benchLists(b, n)
	small := benchLists(b, 100<<10)
	took := map[string]time.Duration{}
	for b.Loop() {
		for name, path := range files {
			start := time.Now()
			got, _ := readFile(b, path, benchInputs[name], false)
			took[name] += time.Since(start)
			require.Equal(b, n, got)
		}
	}
	rate := func(name string) float64 { return float64(n*b.N) / took[name].Seconds() }
	for name := range files {
		b.ReportMetric(rate(name), name+"-URLs/s")
	}
	b.ReportMetric(rate("parquet")/rate("csv"), "parquet/csv")
	b.ReportMetric(rate("parquet")/rate("jsonl"), "parquet/jsonl")
	_, peakSmall := readFile(b, small["parquet"], benchInputs["parquet"], true)
	_, peakLarge := readFile(b, files["parquet"], benchInputs["parquet"], true)
	b.ReportMetric(float64(peakSmall)/(1<<20), "parquet-100Ki-heap-MB")
	b.ReportMetric(float64(peakLarge)/(1<<20), "parquet-1Mi-heap-MB")
	b.ReportMetric(0, "ns/op")
}
