package reports

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/aiaudit/aiaudit/reports/model"
	"github.com/aiaudit/aiaudit/reports/rules"
)

// collector keeps the report header and findings for the formats that are
// written whole at the end (CSV, Markdown, SARIF); resources are counted, not
// kept.
type collector struct {
	w        io.Writer
	findings []model.Finding
	render   func(w io.Writer, r *model.Report, fs []model.Finding) error
}

func (c *collector) Begin(*model.Report) error { return nil }

func (c *collector) Resource(_ model.Resource, fs []model.Finding) error { return c.Findings(fs) }

func (c *collector) Findings(fs []model.Finding) error {
	c.findings = append(c.findings, fs...)
	return nil
}

func (c *collector) End(r *model.Report) error { return c.render(c.w, r, c.findings) }

// renderCSV writes one row per finding.
func renderCSV(w io.Writer, _ *model.Report, fs []model.Finding) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"rule", "severity", "location", "message"})
	for _, f := range fs {
		cw.Write([]string{f.Rule, string(f.Severity), f.Location, f.Message})
	}
	cw.Flush()
	return cw.Error()
}

// mdEscape keeps text from a scanned page from breaking out of a table cell
// or becoming markup.
func mdEscape(s string) string {
	r := strings.NewReplacer("|", `\|`, "\n", " ", "\r", " ", "<", "&lt;", ">", "&gt;", "`", "'", "[", `\[`, "]", `\]`)
	return r.Replace(s)
}

// renderMarkdown writes a summary for a ticket or pull request.
func renderMarkdown(out io.Writer, r *model.Report, fs []model.Finding) error {
	// bufio keeps the first write error: Flush reports it (a full disk).
	w := bufio.NewWriter(out)
	s := r.Summary
	fmt.Fprintf(w, "# aiaudit %s report\n\n", r.Scan.Command)
	fmt.Fprintf(w, "Targets: %s  \nScanned: %s to %s", mdEscape(strings.Join(r.Scan.Targets, ", ")), r.Scan.Started.Format("2006-01-02 15:04:05Z07:00"), r.Scan.Finished.Format("15:04:05Z07:00"))
	if !r.Scan.Complete {
		fmt.Fprint(w, " (**incomplete**: interrupted)")
	}
	fmt.Fprintf(w, "\n\n| items | AI-made | without machine-readable marking | training opt-out | errors |\n|---|---|---|---|---|\n| %d | %d | %d | %d | %d |\n\n",
		s.Resources, s.AIGenerated, s.AIUnmarked, s.TrainingOptOut, s.Errors)
	for _, line := range historyLines(r) {
		fmt.Fprintf(w, "%s  \n", mdEscape(line))
	}
	if r.Changes != nil || r.Baseline != nil {
		fmt.Fprint(w, "\n")
	}
	if len(r.Exposure) > 0 {
		fmt.Fprint(w, "## Fine exposure\n\n| jurisdiction | article | offences | exposure |\n|---|---|---|---|\n")
		for _, e := range r.Exposure {
			fmt.Fprintf(w, "| %s | %s | %d | %s |\n", e.Jurisdiction, mdEscape(e.Article), e.Offences, mdEscape(exposureLine(e)))
		}
		fmt.Fprintf(w, "\n%s\n\n", r.Disclaimer)
	}
	sorted := append([]model.Finding(nil), fs...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Severity.Rank() > sorted[j].Severity.Rank() })
	fmt.Fprintf(w, "## Findings (%d)\n\n", len(fs))
	if len(fs) == 0 {
		fmt.Fprint(w, "None.\n")
		return w.Flush()
	}
	fmt.Fprint(w, "| severity | rule | location | message |\n|---|---|---|---|\n")
	for _, f := range sorted {
		fmt.Fprintf(w, "| %s | %s | %s | %s |\n", f.Severity, f.Rule, mdEscape(f.Location), mdEscape(f.Message))
	}
	return w.Flush()
}

// SARIF 2.1.0, the subset code-scanning dashboards read.
type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool    sarifTool     `json:"tool"`
	Results []sarifResult `json:"results"`
	// Properties is SARIF's property bag: what changed since the last scan
	// and what a baseline suppressed, which SARIF has no field for.
	Properties map[string]any `json:"properties,omitempty"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifRule struct {
	ID               string       `json:"id"`
	ShortDescription sarifMessage `json:"shortDescription"`
	// Help says what fixes the rule's findings.
	Help *sarifMessage `json:"help,omitempty"`
}

type sarifMessage struct {
	Text string `json:"text"`
}

type sarifResult struct {
	RuleID    string          `json:"ruleId"`
	Level     string          `json:"level"`
	Message   sarifMessage    `json:"message"`
	Locations []sarifLocation `json:"locations"`
	// BaselineState is SARIF's own word for a diff: new, unchanged, absent.
	BaselineState string `json:"baselineState,omitempty"`
}

type sarifLocation struct {
	PhysicalLocation struct {
		ArtifactLocation struct {
			URI string `json:"uri"`
		} `json:"artifactLocation"`
	} `json:"physicalLocation"`
}

var sarifBaselineState = map[model.Change]string{model.ChangeNew: "new", model.ChangeUnchanged: "unchanged", model.ChangeFixed: "absent"}

func renderSARIF(w io.Writer, r *model.Report, fs []model.Finding) error {
	run := sarifRun{Tool: sarifTool{Driver: sarifDriver{Name: "aiaudit", Version: r.Tool.Version, InformationURI: "https://github.com/aiaudit/aiaudit"}}, Results: []sarifResult{}}
	if r.Changes != nil || r.Baseline != nil {
		run.Properties = map[string]any{}
		if r.Changes != nil {
			run.Properties["changes"] = r.Changes
		}
		if r.Baseline != nil {
			run.Properties["baseline"] = r.Baseline
		}
	}
	seen := map[string]bool{}
	for _, f := range fs {
		if !seen[f.Rule] {
			seen[f.Rule] = true
			sr := sarifRule{ID: f.Rule, ShortDescription: sarifMessage{Text: f.Rule}}
			if r, ok := rules.Get(f.Rule); ok {
				sr.ShortDescription.Text, sr.Help = r.Summary, &sarifMessage{Text: r.Fix}
			}
			run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, sr)
		}
		res := sarifResult{RuleID: f.Rule, Level: sarifLevel(f.Severity), Message: sarifMessage{Text: f.Message}, BaselineState: sarifBaselineState[f.Change]}
		var loc sarifLocation
		loc.PhysicalLocation.ArtifactLocation.URI = f.Location
		res.Locations = []sarifLocation{loc}
		run.Results = append(run.Results, res)
	}
	if run.Tool.Driver.Rules == nil {
		run.Tool.Driver.Rules = []sarifRule{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(sarifLog{Schema: "https://json.schemastore.org/sarif-2.1.0.json", Version: "2.1.0", Runs: []sarifRun{run}})
}

func sarifLevel(s model.Severity) string {
	switch s {
	case model.SeverityViolation:
		return "error"
	case model.SeverityWarning:
		return "warning"
	}
	return "note"
}
