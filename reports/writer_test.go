package reports

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aiaudit/aiaudit/reports/model"
	"github.com/aiaudit/aiaudit/reports/model/detail"
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

func renderSample(out io.Writer, format string) error { return renderSampleIn(out, format, "") }

func renderSampleIn(out io.Writer, format, lang string) error {
	w, err := NewWriter(format, out, Options{Lang: lang})
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
	extra = append(extra, crawledFindings()...)
	rep.Summary.AddFindings(extra)
	if err := w.Findings(extra); err != nil {
		return err
	}
	rep.Exposure = []model.Exposure{{Jurisdiction: "KZ", Article: "456.2", Year: 2026, CompanySize: "medium", Counting: "item", Offences: 1,
		FinePerOffence: &model.Money{MRP: 50, KZT: 216250, EUR: "367.50"}, TotalMin: &model.Money{MRP: 50, KZT: 216250, EUR: "367.50"}, TotalMax: &model.Money{MRP: 50, KZT: 216250, EUR: "367.50"}}}
	rep.Exposure = append(rep.Exposure,
		model.Exposure{Jurisdiction: "KZ", Article: "criminal (false information)", Offences: 1, FlaggedOnly: true, Cap: &model.Money{MRP: 3000, KZT: 12975000, EUR: "22050.00"}, Note: "flagged, not computed"},
		model.Exposure{Jurisdiction: "EU", Article: "99(4)", Offences: 1, AppliesFrom: "2026-08-02", NotYetApplicable: true, Note: "did not yet apply on the scan date 2026-03-01: applies from 2026-08-02"},
		model.Exposure{Jurisdiction: "DE", Article: `draft "Gesetz VII" (14 October 2025)`, Informational: true, Note: "no duty or fine amounts to compute"})
	sme := false
	rep.Basis = &model.ExposureBasis{ScanDate: "2026-03-01", Year: 2026, Jurisdictions: []string{"kz", "eu", "de"}, Roles: []string{"publisher"}, Counting: "item",
		CompanySize: "medium", SizeReason: "given with --company-size", EUSME: &sme, SMEReason: "not an EU SME on the facts given: 300 staff",
		MRPKZT: 4325, MRPSource: "Monthly calculation index (MRP) for 2026: 4,325 KZT", EURPerMRP: "7.35", EURSource: "about 7.35 EUR per MRP (shared/LEGAL.md); override with a rules file"}
	rep.Disclaimer = "Fine exposure is an estimate for planning, not legal advice."
	return w.End(rep)
}

// crawledFindings are what a crawl finds, with the details in the
// crawler's own wording: an image unlabelled but for a hidden caption
// (its alt hostile), and an undisclosed chat widget.
func crawledFindings() []model.Finding {
	img := detail.Unlabelled{What: "img", Why: `xmp; alt="<b>Hero</b>"`, Looked: []string{"alt", "title", "aria-label", "container", "page"},
		Hidden: &detail.Hidden{Where: "figcaption", Text: "Создано ИИ", Why: "not displayed (display:none)"}}
	fs := rules.Set{}.Judge(model.FactUnlabelled, rules.Item{Location: "https://example.kz/hero.png on https://example.kz/", Content: "xxh3:2"}, img.Write(fmt.Sprintf))
	chat := detail.Widget{Name: "Acme Chat", URL: "https://example.kz/chat.js"}
	return append(fs, rules.Set{EU: true}.Judge(model.FactUndisclosed, rules.Item{Location: "https://example.kz/"}, chat.Write(fmt.Sprintf))...)
}

// Every human-readable format (and CSV and SARIF) carries the exposure
// rows, what they assume (year, MRP, exchange rate, size) and the
// disclaimer.
func TestEveryFormatStatesAssumptionsAndDisclaimer(t *testing.T) {
	for _, format := range []string{"table", "markdown", "html", "csv", "sarif"} {
		got := string(goldenReport(t, format))
		mrp, crim := "4,325", "22,050.00"
		if format == "sarif" {
			mrp, crim = "4325", "22050.00" // JSON numbers
		}
		for _, want := range []string{"not legal advice", "2026", mrp, "7.35", "medium", "not an EU SME on the facts given", "2026-03-01",
			"did not yet apply on the scan date 2026-03-01", "no duty or fine amounts to compute", crim} {
			assert.Contains(t, got, want, format)
		}
	}
	var noExposure bytes.Buffer
	w, err := NewWriter("markdown", &noExposure, Options{})
	require.NoError(t, err)
	rep := &model.Report{Summary: model.Summary{FindingsBySeverity: map[model.Severity]int{}}}
	require.NoError(t, w.Begin(rep))
	require.NoError(t, w.End(rep))
	assert.Contains(t, noExposure.String(), "not legal advice", "markdown without exposure still disclaims")
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
	for _, format := range strings.Split(DiffFormats, ", ") { // pdf needs a browser: cmd/aiaudit/pdf_test.go
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

// The human formats in Russian and Kazakh, as golden files a reviewer
// who reads the language can check.
func TestGoldenRenderersInEveryLanguage(t *testing.T) {
	for _, lang := range []string{"ru", "kk"} {
		for format, ext := range map[string]string{"table": "txt", "markdown": "md", "html": "html"} {
			var buf bytes.Buffer
			require.NoError(t, renderSampleIn(&buf, format, lang))
			path := filepath.Join("testdata", "golden", "report."+lang+"."+ext)
			if *update {
				require.NoError(t, os.WriteFile(path, buf.Bytes(), 0o644))
			}
			want, err := os.ReadFile(path)
			require.NoError(t, err, "run: go test ./reports -update")
			assert.Equal(t, string(want), buf.String(), "%s %s", lang, format)
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

// The terminal table lists each violation (item, page, why) up to a limit
// and says how many more the report holds.
func TestTableListsViolations(t *testing.T) {
	var buf bytes.Buffer
	w, err := NewWriter("table", &buf, Options{})
	require.NoError(t, err)
	rep := &model.Report{Summary: model.Summary{FindingsBySeverity: map[model.Severity]int{}}}
	require.NoError(t, w.Begin(rep))
	var fs []model.Finding
	for i := range maxViolationLines + 3 {
		fs = append(fs, model.Finding{Rule: "kz.aap.456.2", Severity: model.SeverityViolation,
			Location: fmt.Sprintf("https://a.kz/%d.jpg on https://a.kz/p", i), Message: fmt.Sprintf("AI-made image %d is published without a visible AI label", i)})
	}
	fs = append(fs, model.Finding{Rule: "training.reserved", Severity: model.SeverityInfo, Location: "https://a.kz/x", Message: "reserved"})
	require.NoError(t, w.Findings(fs))
	require.NoError(t, w.End(rep))
	out := buf.String()
	assert.Contains(t, out, "violations (23):")
	assert.Contains(t, out, "  https://a.kz/0.jpg on https://a.kz/p\n    AI-made image 0 is published without a visible AI label\n")
	assert.Contains(t, out, "https://a.kz/19.jpg on")
	assert.NotContains(t, out, "https://a.kz/20.jpg on", "past the limit")
	assert.Contains(t, out, "… and 3 more")
	assert.NotContains(t, out, "https://a.kz/x", "info findings are not violations")
}
