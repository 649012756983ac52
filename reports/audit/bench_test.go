package audit

import (
	"fmt"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/aiaudit/aiaudit/detectors"
	"github.com/aiaudit/aiaudit/scanner/urls"
)

// BenchmarkWriteFormats writes the same results as JSONL and as Parquet in
// one run and reports each one's rate (results/s), Parquet's as a ratio of
// JSONL's, and the live heap after writing 1Mi Parquet rows (the writer
// keeps one row group, not the file).
func BenchmarkWriteFormats(b *testing.B) {
	const n = 1 << 20
	yes, no := true, false
	results := make([]urls.Result, 1024)
	for i := range results {
		r := urls.Result{Location: fmt.Sprintf("https://img%d.example.kz/photos/%08d.jpg", i%97, i), Status: 200, MediaType: "image/jpeg",
			OptOutEvidence: []detectors.OptOut{
				{Signal: "robots.txt", Agent: "GPTBot", Verdict: detectors.Reserved, Detail: "Disallow: /photos/ (line 4)"},
				{Signal: "tdmrep", Verdict: detectors.Unset, Detail: "/.well-known/tdmrep.json: 404"},
			}}
		r.TrainingOptOut = &no
		if i%3 == 0 {
			r.TrainingOptOut = &yes
		}
		results[i] = r
	}
	dir := b.TempDir()
	took := map[string]time.Duration{}
	var heap uint64
	for b.Loop() {
		for _, format := range []string{"jsonl", "parquet"} {
			path := filepath.Join(dir, "out."+format)
			start := time.Now()
			out, err := openURLOutputs(URLOptions{Format: format, Results: path}, nil)
			require.NoError(b, err)
			for i := range n {
				require.NoError(b, out.results.write(results[i%len(results)]))
			}
			if format == "parquet" {
				var ms runtime.MemStats
				runtime.GC()
				runtime.ReadMemStats(&ms)
				heap = max(heap, ms.HeapAlloc)
			}
			require.NoError(b, out.close())
			took[format] += time.Since(start)
		}
	}
	rate := func(f string) float64 { return float64(n*b.N) / took[f].Seconds() }
	b.ReportMetric(rate("jsonl"), "jsonl-results/s")
	b.ReportMetric(rate("parquet"), "parquet-results/s")
	b.ReportMetric(rate("parquet")/rate("jsonl"), "parquet/jsonl")
	b.ReportMetric(float64(heap)/(1<<20), "parquet-1Mi-heap-MB")
	b.ReportMetric(0, "ns/op")
}
