package reports

import (
	"encoding/json"
	"io"

	"github.com/aiaudit/aiaudit/reports/i18n"
	"github.com/aiaudit/aiaudit/reports/model"
	"github.com/aiaudit/aiaudit/reports/rules"
)

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

var sarifBaselineState = map[model.Change]string{model.ChangeNew: "new", model.ChangeUnchanged: "unchanged", model.ChangeFixed: "absent",
	model.ChangeAccepted: "unchanged", model.ChangeNotRechecked: "unchanged"}

func renderSARIF(w io.Writer, r *model.Report, fs []model.Finding, p *i18n.Printer) error {
	run := sarifRun{Tool: sarifTool{Driver: sarifDriver{Name: "aiaudit", Version: r.Tool.Version, InformationURI: "https://github.com/aiaudit/aiaudit"}}, Results: []sarifResult{}}
	run.Properties = map[string]any{"disclaimer": disclaimer(r, p)}
	if r.Changes != nil {
		run.Properties["changes"] = r.Changes
	}
	if r.Baseline != nil {
		run.Properties["baseline"] = r.Baseline
	}
	if len(r.Exposure) > 0 {
		run.Properties["exposure"] = r.Exposure
	}
	if r.Basis != nil {
		run.Properties["exposure_basis"] = r.Basis
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
