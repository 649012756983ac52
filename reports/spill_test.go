package reports

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aiaudit/aiaudit/reports/model"
)

// manyFindings are n findings of three severities, interleaved, one with
// bytes that are not UTF-8.
func manyFindings(n int) []model.Finding {
	sev := []model.Severity{model.SeverityInfo, model.SeverityViolation, model.SeverityWarning}
	fs := make([]model.Finding, n)
	for i := range fs {
		fs[i] = model.Finding{Rule: "ai.unmarked", Severity: sev[i%3], Location: fmt.Sprintf("https://a.kz/%d.jpg", i), Message: fmt.Sprintf("m%d", i)}
	}
	fs[7].Location = "https://a.kz/\xff\xfe.jpg"
	return fs
}

func renderFindings(t *testing.T, format string, fs []model.Finding) string {
	t.Helper()
	var buf bytes.Buffer
	w, err := NewWriter(format, &buf, Options{})
	require.NoError(t, err)
	rep := &model.Report{Schema: model.Schema, Scan: model.Scan{Command: "files", Complete: true}}
	require.NoError(t, w.Begin(rep))
	for i := 0; i < len(fs); i += 100 {
		require.NoError(t, w.Findings(fs[i:min(i+100, len(fs))]))
	}
	rep.Summary.AddFindings(fs)
	require.NoError(t, w.End(rep))
	return buf.String()
}

// The formats written at the end read their findings back from disk: every
// one, in order (CSV, SARIF) or most severe first and stable within a
// severity (Markdown, HTML), byte for byte.
func TestSpilledFindingsKeepOrderAndBytes(t *testing.T) {
	fs := manyFindings(3000)

	rows, err := csv.NewReader(strings.NewReader(renderFindings(t, "csv", fs))).ReadAll()
	require.NoError(t, err)
	require.Greater(t, len(rows), len(fs))
	for i, f := range fs {
		require.Equal(t, []string{f.Rule, string(f.Severity), f.Location, f.Message}, rows[i+1])
	}

	var log struct {
		Runs []struct {
			Results []struct {
				Level   string
				Message struct{ Text string }
			}
		}
	}
	sarif := renderFindings(t, "sarif", fs)
	require.NoError(t, json.Unmarshal([]byte(sarif), &log))
	require.Len(t, log.Runs[0].Results, len(fs))
	for i, r := range log.Runs[0].Results {
		require.Equal(t, fs[i].Message, r.Message.Text)
		require.Equal(t, sarifLevel(fs[i].Severity), r.Level)
	}

	var want []string
	for _, sev := range []model.Severity{model.SeverityViolation, model.SeverityWarning, model.SeverityInfo} {
		for _, f := range fs {
			if f.Severity == sev {
				want = append(want, f.Message)
			}
		}
	}
	for _, format := range []string{"markdown", "html"} {
		out := renderFindings(t, format, fs)
		assert.Contains(t, out, map[string]string{"markdown": "Findings (3000)", "html": `<span id="shown">3000</span>/3000`}[format], format)
		assert.Contains(t, out, "\xff\xfe.jpg", "%s: bytes kept as they were", format)
		pos := 0
		for _, m := range want {
			cell := "| " + m + " |"
			if format == "html" {
				cell = "<td>" + m // then the fix, for violations and warnings
			}
			at := strings.Index(out[pos:], cell)
			require.GreaterOrEqual(t, at, 0, "%s: %s in severity order", format, m)
			pos += at + len(cell)
		}
	}
}

// The HTML cards count each unlabelled item once, and a page whose
// rendering fails mid-way stops the rows without leaving anything blocked.
func TestHTMLCountsAndFailedWrite(t *testing.T) {
	fs := manyFindings(300)
	out := renderFindings(t, "html", append(fs, fs...))
	assert.Contains(t, out, `<b id="card-unlabelled">100</b>`, "100 violations, each twice")

	w, err := NewWriter("html", &fullDisk{room: 20_000}, Options{})
	require.NoError(t, err)
	rep := &model.Report{Schema: model.Schema}
	require.NoError(t, w.Begin(rep))
	require.NoError(t, w.Findings(manyFindings(5000)))
	assert.Error(t, w.End(rep))
}
