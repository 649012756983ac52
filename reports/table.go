package reports

import (
	"bufio"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/aiaudit/aiaudit/detectors"
	"github.com/aiaudit/aiaudit/detectors/text"
	"github.com/aiaudit/aiaudit/reports/model"
)

// TableOptions tunes the terminal view.
type TableOptions struct {
	// All lists every resource; by default only those with something to say
	// (AI evidence, provenance, opt-out, error) are listed.
	All bool
}

// tableWriter prints one line per interesting resource as it arrives (fixed
// columns, so nothing is buffered) and a summary at the end.
type tableWriter struct {
	w       *bufio.Writer
	opt     TableOptions
	header  bool
	skipped int
}

func newTableWriter(w io.Writer, opt TableOptions) *tableWriter {
	return &tableWriter{w: bufio.NewWriter(w), opt: opt}
}

func (t *tableWriter) Begin(r *model.Report) error { return nil }

func (t *tableWriter) Resource(r model.Resource, fs []model.Finding) error {
	if !t.opt.All && r.Error == "" && !r.AIGenerated && len(r.OptOutEvidence) == 0 && len(fs) == 0 &&
		(r.Provenance == nil || r.Provenance.C2PA == detectors.C2PAAbsent) {
		t.skipped++
		return nil
	}
	if !t.header {
		fmt.Fprintf(t.w, "%-3s %-6s %-8s %-8s %-10s %-40s %s\n", "AI", "MARKED", "OPT-OUT", "KIND", "C2PA", "GENERATOR / NOTE", "LOCATION")
		t.header = true
	}
	ai, marked, optOut := "-", "-", "-"
	if r.AIGenerated {
		ai = "yes"
		marked = yesNo(r.Labelled.MachineReadable)
	}
	if r.TrainingOptOut != nil && *r.TrainingOptOut {
		optOut = "reserved"
	}
	c2 := "-"
	if p := r.Provenance; p != nil && p.C2PA != detectors.C2PAAbsent {
		c2 = string(p.C2PA)
		switch {
		case p.Binding == detectors.BindingMismatch:
			c2 = "MISMATCH"
		case p.Validation != nil && p.Validation.State == detectors.ValidationInvalid:
			c2 = "INVALID"
		case p.Validation != nil:
			c2 = string(p.Validation.State) // trusted or valid: present and checked
		}
	}
	note := generatorOf(r)
	if r.Error != "" {
		ai, marked, optOut, note = "?", "?", "?", "error: "+r.Error
	} else if note == "" && len(r.Notes) > 0 {
		note = r.Notes[0]
	}
	fmt.Fprintf(t.w, "%-3s %-6s %-8s %-8s %-10s %-40s %s\n", ai, marked, optOut, r.Kind, text.Clip(c2, 10), text.Clip(note, 40), r.Location)
	return nil
}

// Findings prints violations about items already listed (the same image
// unlabelled on another page).
func (t *tableWriter) Findings(fs []model.Finding) error {
	for _, f := range fs {
		if f.Severity == model.SeverityViolation {
			fmt.Fprintf(t.w, "    %s: %s\n", f.Rule, f.Location)
		}
	}
	return nil
}

func (t *tableWriter) End(r *model.Report) error {
	s := r.Summary
	if t.header {
		t.w.WriteString("\n")
	}
	fmt.Fprintf(t.w, "%d scanned", s.Resources)
	if t.skipped > 0 {
		fmt.Fprintf(t.w, " (%d with no signal not listed; --all lists them)", t.skipped)
	}
	fmt.Fprintf(t.w, "\nAI-made: %d (without machine-readable marking: %d)   machine-marked: %d   training opt-out: %d   no metadata: %d   errors: %d\n",
		s.AIGenerated, s.AIUnmarked, s.MachineLabelled, s.TrainingOptOut, s.NoMetadata, s.Errors)
	if len(s.FindingsBySeverity) > 0 {
		var parts []string
		for sev, n := range s.FindingsBySeverity {
			parts = append(parts, fmt.Sprintf("%s %d", sev, n))
		}
		sort.Strings(parts)
		fmt.Fprintf(t.w, "findings: %s\n", strings.Join(parts, ", "))
	}
	for _, line := range historyLines(r) {
		fmt.Fprintln(t.w, line)
	}
	if s.NoMetadata > 0 {
		t.w.WriteString("note: files without metadata may have been stripped by a CMS or CDN; no evidence is not proof of human origin.\n")
	}
	for _, e := range r.Exposure {
		fmt.Fprintf(t.w, "exposure %s Art. %s: %s\n", e.Jurisdiction, e.Article, exposureLine(e))
	}
	if r.Disclaimer != "" {
		fmt.Fprintln(t.w, r.Disclaimer)
	}
	if !r.Scan.Complete {
		t.w.WriteString("INCOMPLETE: the scan was interrupted; files not reached are not listed.\n")
	}
	return t.w.Flush()
}

func exposureLine(e model.Exposure) string {
	money := func(m *model.Money) string {
		if m == nil {
			return "-"
		}
		if m.MRP != 0 {
			return fmt.Sprintf("%d MRP (%d KZT, %s EUR)", m.MRP, m.KZT, m.EUR)
		}
		return m.EUR + " EUR"
	}
	switch {
	case e.FlaggedOnly:
		return "flagged: " + e.Note
	case e.CapRule != "":
		return fmt.Sprintf("%d offence(s); up to %s (%s)", e.Offences, money(e.TotalMax), e.CapRule)
	}
	return fmt.Sprintf("%d offence(s) by %s; %s to %s (%s per offence, %s company)", e.Offences, e.Counting, money(e.TotalMin), money(e.TotalMax), money(e.FinePerOffence), e.CompanySize)
}

func generatorOf(r model.Resource) string {
	for _, e := range r.AIEvidence {
		if e.Generator != "" {
			return e.Generator
		}
	}
	if r.Provenance != nil && r.Provenance.ClaimGenerator != "" {
		return "claim: " + r.Provenance.ClaimGenerator
	}
	return ""
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "NO"
}

// maxAlertLines caps the new findings listed in the summary lines; the
// report's findings hold them all.
const maxAlertLines = 20

// historyLines says what history and the baseline add to a report: what is
// new since the last scan (the new warnings and violations by name) and what
// was accepted.
func historyLines(r *model.Report) []string {
	var out []string
	if c := r.Changes; c != nil {
		if c.PreviousScan == 0 {
			out = append(out, fmt.Sprintf("since last scan: first scan of this target (history scan %d); %d findings, all new", c.Scan, c.New))
		} else {
			out = append(out, fmt.Sprintf("since last scan (%d -> %d): %d new, %d fixed, %d unchanged%s", c.PreviousScan, c.Scan, c.New, c.Fixed, c.Unchanged, heldBack(c.Accepted, c.NotRechecked)))
		}
	}
	if c := r.Changes; c != nil && c.PreviousScan != 0 {
		for i, f := range c.Alerts {
			if i == maxAlertLines {
				out = append(out, fmt.Sprintf("  … and %d more new", c.NewAlerts-maxAlertLines))
				break
			}
			out = append(out, fmt.Sprintf("  new %s %s %s", f.Severity, f.Rule, f.Location))
		}
	}
	if b := r.Baseline; b != nil {
		out = append(out, fmt.Sprintf("baseline %s: %d accepted findings suppressed", b.File, b.Suppressed))
		for _, e := range b.Expired {
			out = append(out, "baseline entry expired, its findings are reported again: "+e)
		}
	}
	return out
}

// heldBack names the findings that are neither new nor fixed: accepted by a
// baseline, or not re-checked (their place could not be fetched again).
func heldBack(accepted, notRechecked int) string {
	var s string
	if accepted > 0 {
		s += fmt.Sprintf(", %d accepted", accepted)
	}
	if notRechecked > 0 {
		s += fmt.Sprintf(", %d not re-checked (their page or file could not be read: not counted as fixed)", notRechecked)
	}
	return s
}

// writeTableDiff lists new, fixed and unchanged findings apart.
func writeTableDiff(w io.Writer, v diffView) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n%s\n", v.d.Target, v.head)
	for _, part := range []struct {
		name string
		fs   []model.Finding
	}{{"NEW", v.d.NewF}, {"FIXED", v.d.Fixed}, {"UNCHANGED", v.d.Unchanged}, {"ACCEPTED", v.d.Accepted}, {"NOT RE-CHECKED", v.d.NotRechecked}} {
		if len(part.fs) == 0 {
			continue
		}
		fmt.Fprintf(&b, "\n%s (%d)\n", part.name, len(part.fs))
		for _, f := range part.fs {
			fmt.Fprintf(&b, "  %-9s %-22s %s\n", f.Severity, f.Rule, f.Location)
		}
	}
	if v.notListed != "" {
		fmt.Fprintf(&b, "\n%s\n", v.notListed)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
