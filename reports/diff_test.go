package reports

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aiaudit/aiaudit/reports/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func sampleDiff() *model.Diff {
	mk := func(change model.Change, loc string) model.Finding {
		return model.Finding{Rule: "kz.aap.456.2", Severity: model.SeverityViolation, Location: loc, Message: "AI-made image <b>unlabelled</b>", Change: change}
	}
	return &model.Diff{Schema: model.DiffSchema, Target: "crawl https://example.kz/", Old: 3, New: 4,
		NewF:      []model.Finding{mk("new", "https://example.kz/new.jpg on https://example.kz/")},
		Fixed:     []model.Finding{mk("fixed", "https://example.kz/old.jpg on https://example.kz/")},
		Unchanged: []model.Finding{mk("unchanged", "https://example.kz/a.jpg on https://example.kz/<script>")},
	}
}

func TestGoldenDiff(t *testing.T) {
	for _, opt := range []DiffOptions{{}, {Unchanged: true}} {
		for format, name := range map[string]string{"json": "diff.json", "table": "diff.txt", "csv": "diff.csv", "markdown": "diff.md", "sarif": "diff.sarif", "html": "diff.html"} {
			if opt.Unchanged {
				name = "diff_unchanged" + filepath.Ext(name)
			}
			var buf bytes.Buffer
			require.NoError(t, WriteDiff(format, &buf, sampleDiff(), model.Tool{Name: "aiaudit", Version: "test"}, opt))
			path := filepath.Join("testdata", "golden", name)
			if *update {
				require.NoError(t, os.WriteFile(path, buf.Bytes(), 0o644))
			}
			want, err := os.ReadFile(path)
			require.NoError(t, err, "run: go test ./reports -update")
			assert.Equal(t, string(want), buf.String(), name)
		}
	}
	assert.Error(t, WriteDiff("yaml", &bytes.Buffer{}, sampleDiff(), model.Tool{}, DiffOptions{}))
}

// The human diffs in Russian and Kazakh, as golden files; the machine
// formats are the English ones byte for byte whatever the language.
func TestGoldenDiffInEveryLanguage(t *testing.T) {
	for _, lang := range []string{"ru", "kk"} {
		for format, ext := range map[string]string{"table": "txt", "markdown": "md", "html": "html"} {
			var buf bytes.Buffer
			require.NoError(t, WriteDiff(format, &buf, sampleDiff(), model.Tool{Name: "aiaudit", Version: "test"}, DiffOptions{Lang: lang}))
			path := filepath.Join("testdata", "golden", "diff."+lang+"."+ext)
			if *update {
				require.NoError(t, os.WriteFile(path, buf.Bytes(), 0o644))
			}
			want, err := os.ReadFile(path)
			require.NoError(t, err, "run: go test ./reports -update")
			assert.Equal(t, string(want), buf.String(), "%s %s", lang, format)
		}
		for format, name := range map[string]string{"json": "diff.json", "csv": "diff.csv", "sarif": "diff.sarif"} {
			var buf bytes.Buffer
			require.NoError(t, WriteDiff(format, &buf, sampleDiff(), model.Tool{Name: "aiaudit", Version: "test"}, DiffOptions{Lang: lang}))
			want, err := os.ReadFile(filepath.Join("testdata", "golden", name))
			require.NoError(t, err)
			assert.Equal(t, string(want), buf.String(), "%s %s stays English", lang, format)
		}
	}
	assert.Error(t, WriteDiff("table", &bytes.Buffer{}, sampleDiff(), model.Tool{}, DiffOptions{Lang: "de"}))
}

func TestDiffJSONHasTheThreeArrays(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, WriteDiff("json", &buf, sampleDiff(), model.Tool{}, DiffOptions{Unchanged: true}))
	var d map[string]any
	require.NoError(t, json.Unmarshal(buf.Bytes(), &d))
	for _, k := range []string{"new", "fixed", "unchanged"} {
		assert.Len(t, d[k], 1, k)
	}
	assert.EqualValues(t, 1, d["unchanged_count"])
	assert.Equal(t, model.DiffSchema, d["schema"])
}

// Nightly diffs are mostly unchanged findings: every format leaves them out
// (counting them) unless --unchanged asks for them. JSON keeps its three
// arrays, the unchanged one empty, and says how many there were.
func TestDiffShowsUnchangedOnlyWhenAsked(t *testing.T) {
	const unchanged = "https://example.kz/a.jpg"
	for _, format := range []string{"json", "table", "csv", "markdown", "sarif", "html"} {
		var hidden, shown bytes.Buffer
		require.NoError(t, WriteDiff(format, &hidden, sampleDiff(), model.Tool{}, DiffOptions{}))
		require.NoError(t, WriteDiff(format, &shown, sampleDiff(), model.Tool{}, DiffOptions{Unchanged: true}))
		assert.NotContains(t, hidden.String(), unchanged, format)
		assert.Contains(t, shown.String(), unchanged, format)
		for _, loc := range []string{"https://example.kz/new.jpg", "https://example.kz/old.jpg"} {
			assert.Contains(t, hidden.String(), loc, "%s: new and fixed are always listed", format)
		}
	}
	var buf bytes.Buffer
	require.NoError(t, WriteDiff("table", &buf, sampleDiff(), model.Tool{}, DiffOptions{}))
	assert.Contains(t, buf.String(), "1 new, 1 fixed, 1 unchanged", "still counted")
	assert.Contains(t, buf.String(), "--unchanged", "and the way to list them is named")

	buf.Reset()
	require.NoError(t, WriteDiff("json", &buf, sampleDiff(), model.Tool{}, DiffOptions{}))
	var d map[string]any
	require.NoError(t, json.Unmarshal(buf.Bytes(), &d))
	assert.Equal(t, []any{}, d["unchanged"], "the key stays, as an empty array")
	assert.EqualValues(t, 1, d["unchanged_count"])
	assert.Len(t, d["new"], 1)
}

func TestDiffSARIFMarksBaselineState(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, WriteDiff("sarif", &buf, sampleDiff(), model.Tool{}, DiffOptions{Unchanged: true}))
	var log struct {
		Runs []struct {
			Results []struct{ BaselineState string } `json:"results"`
		} `json:"runs"`
	}
	require.NoError(t, json.Unmarshal(buf.Bytes(), &log))
	var states []string
	for _, r := range log.Runs[0].Results {
		states = append(states, r.BaselineState)
	}
	assert.Equal(t, []string{"new", "absent", "unchanged"}, states)
}

func TestReportsShowChangesAndBaseline(t *testing.T) {
	rep := &model.Report{Scan: model.Scan{Command: "crawl", Started: time.Now(), Finished: time.Now(), Complete: true},
		Changes: &model.Changes{Scan: 9, PreviousScan: 7, New: 3, Fixed: 2, Unchanged: 40, NewAlerts: 1,
			Alerts: []model.Finding{{Rule: "kz.aap.456.2", Severity: model.SeverityViolation, Location: "https://a.kz/new.jpg on https://a.kz/"}}},
		Baseline: &model.BaselineUse{File: "baseline.yaml", Suppressed: 5, Expired: []string{"line 7: kz.aap.456.2 at x (reason, until 2026-10-01)"}}}
	for _, format := range []string{"table", "markdown", "html"} {
		var buf bytes.Buffer
		w, err := NewWriter(format, &buf, Options{})
		require.NoError(t, err)
		require.NoError(t, w.Begin(rep))
		require.NoError(t, w.End(rep))
		out := buf.String()
		assert.Contains(t, out, "3 new, 2 fixed, 40 unchanged", format)
		assert.Contains(t, out, "5 accepted findings suppressed", format)
		assert.Contains(t, out, "line 7: kz.aap.456.2", format)
		assert.Contains(t, out, "new violation kz.aap.456.2 https://a.kz/new.jpg on https://a.kz/", format)
	}
	// In HTML the new finding's row is marked too.
	var page bytes.Buffer
	w, err := NewWriter("html", &page, Options{})
	require.NoError(t, err)
	require.NoError(t, w.Begin(rep))
	require.NoError(t, w.Findings(append(rep.Changes.Alerts, model.Finding{Rule: "kz.aap.456.2", Severity: model.SeverityViolation, Location: "https://a.kz/old.jpg on https://a.kz/"})))
	require.NoError(t, w.End(rep))
	assert.Equal(t, 1, strings.Count(page.String(), "<b>[new]</b>"), "only the new finding is marked")
	var sarif bytes.Buffer
	w, err = NewWriter("sarif", &sarif, Options{})
	require.NoError(t, err)
	require.NoError(t, w.Begin(rep))
	require.NoError(t, w.End(rep))
	assert.Contains(t, sarif.String(), `"unchanged": 40`, "SARIF carries them in the run's property bag")
	assert.Contains(t, sarif.String(), `"suppressed": 5`)

	rep.Changes = &model.Changes{Scan: 1, New: 4}
	var buf bytes.Buffer
	w, _ = NewWriter("table", &buf, Options{})
	require.NoError(t, w.Begin(rep))
	require.NoError(t, w.End(rep))
	assert.True(t, strings.Contains(buf.String(), "first scan of this target"))
}
