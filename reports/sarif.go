package reports

import (
	"bufio"
	"fmt"
	"io"

	"github.com/aiaudit/aiaudit/reports/i18n"
	"github.com/aiaudit/aiaudit/reports/model"
	"github.com/aiaudit/aiaudit/reports/rules"
)

// SARIF 2.1.0, the subset code-scanning dashboards read: one run of one
// tool, its results, and a property bag saying what changed since the last
// scan and what a baseline suppressed, which SARIF has no field for.
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

// renderSARIF writes the log as encoding/json would indent it whole, with
// the results streamed from the spill: the rules first (one pass over the
// findings), then one result at a time.
func renderSARIF(w io.Writer, r *model.Report, fs *findingSpill, p *i18n.Printer) error {
	tool := sarifTool{Driver: sarifDriver{Name: "aiaudit", Version: r.Tool.Version, InformationURI: "https://github.com/aiaudit/aiaudit", Rules: []sarifRule{}}}
	props := map[string]any{"disclaimer": disclaimer(r, p)}
	if r.Changes != nil {
		props["changes"] = r.Changes
	}
	if r.Baseline != nil {
		props["baseline"] = r.Baseline
	}
	if len(r.Exposure) > 0 {
		props["exposure"] = r.Exposure
	}
	if r.Basis != nil {
		props["exposure_basis"] = r.Basis
	}
	seen := map[string]bool{} // rule ids: as many as the registry has
	err := fs.each(func(f model.Finding) error {
		if !seen[f.Rule] {
			seen[f.Rule] = true
			sr := sarifRule{ID: f.Rule, ShortDescription: sarifMessage{Text: f.Rule}}
			if r, ok := rules.Get(f.Rule); ok {
				sr.ShortDescription.Text, sr.Help = r.Summary, &sarifMessage{Text: r.Fix}
			}
			tool.Driver.Rules = append(tool.Driver.Rules, sr)
		}
		return nil
	})
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	fmt.Fprintf(bw, "{\n  \"$schema\": %s,\n  \"version\": \"2.1.0\",\n  \"runs\": [\n    {\n      \"tool\": %s,\n      \"results\": [",
		mustJSON("https://json.schemastore.org/sarif-2.1.0.json"), indentedJSON(tool, 6))
	n := 0
	err = fs.each(func(f model.Finding) error {
		res := sarifResult{RuleID: f.Rule, Level: sarifLevel(f.Severity), Message: sarifMessage{Text: f.Message}, BaselineState: sarifBaselineState[f.Change]}
		var loc sarifLocation
		loc.PhysicalLocation.ArtifactLocation.URI = f.Location
		res.Locations = []sarifLocation{loc}
		if n > 0 {
			bw.WriteByte(',')
		}
		n++
		_, err := fmt.Fprintf(bw, "\n        %s", indentedJSON(res, 8))
		return err
	})
	if err != nil {
		return err
	}
	if n > 0 {
		bw.WriteString("\n      ")
	}
	fmt.Fprintf(bw, "],\n      \"properties\": %s\n    }\n  ]\n}\n", indentedJSON(props, 6))
	return bw.Flush()
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
