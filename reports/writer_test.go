package reports

import (
	"bytes"
	"encoding/json"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aiaudit/aiaudit/reports/model"
	"github.com/aiaudit/aiaudit/reports/rules"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// goldenReport renders the sample scan, with hostile text in it, in format.
func goldenReport(t *testing.T, format string) []byte {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, renderSample(&buf, format))
	return buf.Bytes()
}

func renderSample(out io.Writer, format string) error {
	w, err := NewWriter(format, out, TableOptions{})
	if err != nil {
		return err
	}
	rep := &model.Report{Schema: model.Schema, Tool: model.Tool{Name: "aiaudit", Version: "test"},
		Scan: model.Scan{Command: "crawl", Targets: []string{"https://example.kz/"}, Started: time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC), Finished: time.Date(2026, 11, 24, 10, 1, 0, 0, time.UTC), Complete: true}}
	if err := w.Begin(rep); err != nil {
		return err
	}
	for _, r := range sample() {
		fs := rules.Set{}.Resource(r)
		rep.Summary.Count(r, fs)
		if err := w.Resource(r, fs); err != nil {
			return err
		}
	}
	extra := []model.Finding{{Rule: "kz.aap.456.2", Severity: model.SeverityViolation, Location: "https://example.kz/a.png on https://example.kz/<script>", Message: "AI-made | unlabelled <b>x</b>"}}
	rep.Summary.AddFindings(extra)
	if err := w.Findings(extra); err != nil {
		return err
	}
	rep.Exposure = []model.Exposure{{Jurisdiction: "KZ", Article: "456.2", Year: 2026, CompanySize: "medium", Counting: "item", Offences: 1,
		FinePerOffence: &model.Money{MRP: 50, KZT: 216250, EUR: "367.50"}, TotalMin: &model.Money{MRP: 50, KZT: 216250, EUR: "367.50"}, TotalMax: &model.Money{MRP: 50, KZT: 216250, EUR: "367.50"}}}
	rep.Disclaimer = "Fine exposure is an estimate for planning, not legal advice."
	return w.End(rep)
}

// fullDisk accepts room bytes, then fails every write, as a full disk does.
type fullDisk struct{ room int }

func (d *fullDisk) Write(p []byte) (int, error) {
	if len(p) <= d.room {
		d.room -= len(p)
		return len(p), nil
	}
	n := d.room
	d.room = 0
	return n, syscall.ENOSPC
}

// A report or diff that could not be written whole is an error, in every
// format, wherever the disk fills up.
func TestWriteErrorsReachTheCaller(t *testing.T) {
	for _, format := range strings.Split(Formats, ", ") {
		size := len(goldenReport(t, format))
		for _, room := range []int{0, 10, size / 2, size - 1} {
			err := renderSample(&fullDisk{room: room}, format)
			assert.ErrorIs(t, err, syscall.ENOSPC, "report %s, disk full after %d of %d bytes", format, room, size)
		}
		if !strings.Contains(DiffFormats, format) {
			continue
		}
		var buf bytes.Buffer
		require.NoError(t, WriteDiff(format, &buf, sampleDiff(), model.Tool{Name: "aiaudit", Version: "test"}, DiffOptions{Unchanged: true}))
		for _, room := range []int{0, buf.Len() / 2, buf.Len() - 1} {
			err := WriteDiff(format, &fullDisk{room: room}, sampleDiff(), model.Tool{Name: "aiaudit", Version: "test"}, DiffOptions{Unchanged: true})
			assert.ErrorIs(t, err, syscall.ENOSPC, "diff %s, disk full after %d of %d bytes", format, room, buf.Len())
		}
	}
}

func TestGoldenRenderers(t *testing.T) {
	for format, name := range map[string]string{"json": "report.json", "table": "report.txt", "csv": "findings.csv", "markdown": "report.md", "sarif": "report.sarif", "html": "report.html"} {
		got := goldenReport(t, format)
		path := filepath.Join("testdata", "golden", name)
		if *update {
			require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
			require.NoError(t, os.WriteFile(path, got, 0o644))
		}
		want, err := os.ReadFile(path)
		require.NoError(t, err, "run: go test ./reports -update")
		assert.Equal(t, string(want), string(got), format)
	}
}

func TestMarkdownEscapesPageText(t *testing.T) {
	md := string(goldenReport(t, "markdown"))
	assert.NotContains(t, md, "<script>")
	assert.NotContains(t, md, "<b>")
	assert.Contains(t, md, `AI-made \| unlabelled &lt;b&gt;x&lt;/b&gt;`)
}

// The SARIF output has the structure SARIF 2.1.0 requires of a log: version,
// runs with a tool driver, results with ruleId, level, message and location.
func TestSARIFShape(t *testing.T) {
	var log map[string]any
	require.NoError(t, json.Unmarshal(goldenReport(t, "sarif"), &log))
	assert.Equal(t, "2.1.0", log["version"])
	runs := log["runs"].([]any)
	require.Len(t, runs, 1)
	run := runs[0].(map[string]any)
	driver := run["tool"].(map[string]any)["driver"].(map[string]any)
	assert.Equal(t, "aiaudit", driver["name"])
	rules := map[string]bool{}
	for _, r := range driver["rules"].([]any) {
		rules[r.(map[string]any)["id"].(string)] = true
	}
	for _, res := range run["results"].([]any) {
		m := res.(map[string]any)
		assert.True(t, rules[m["ruleId"].(string)], "every result's rule is declared")
		assert.Contains(t, []string{"error", "warning", "note"}, m["level"])
		assert.NotEmpty(t, m["message"].(map[string]any)["text"])
		assert.Len(t, m["locations"], 1)
	}
}
