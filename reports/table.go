package reports

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/aiaudit/aiaudit/detectors"
	"github.com/aiaudit/aiaudit/detectors/text"
	"github.com/aiaudit/aiaudit/reports/i18n"
	"github.com/aiaudit/aiaudit/reports/model"
)

// Options tunes the renderers.
type Options struct {
	// All lists every resource in the table; by default only those with
	// something to say (AI evidence, provenance, opt-out, error) are listed.
	All bool
	// Lang is the language of the human-readable formats (i18n.Langs; ""
	// is English). Machine formats are always English.
	Lang string
	// Browser is the Chromium that prints PDF ("": found on PATH).
	Browser string
}

// tableWriter prints one line per interesting resource as it arrives (fixed
// columns, so nothing is buffered) and a summary at the end.
type tableWriter struct {
	w       *bufio.Writer
	opt     Options
	p       *i18n.Printer
	header  bool
	skipped int
	// violations are the first violations, listed at the end with what
	// is wrong; moreViolations counts the others.
	violations     []model.Finding
	moreViolations int
}

func newTableWriter(w io.Writer, opt Options, p *i18n.Printer) *tableWriter {
	return &tableWriter{w: bufio.NewWriter(w), opt: opt, p: p}
}

func (t *tableWriter) Begin(r *model.Report) error { return nil }

func (t *tableWriter) Resource(r model.Resource, fs []model.Finding) error {
	t.keepViolations(fs)
	if !t.opt.All && r.Error == "" && !r.AIGenerated && len(r.OptOutEvidence) == 0 && len(fs) == 0 &&
		(r.Provenance == nil || r.Provenance.C2PA == detectors.C2PAAbsent) {
		t.skipped++
		return nil
	}
	p := t.p
	if !t.header {
		fmt.Fprintf(t.w, "%-3s %-6s %-8s %-8s %-10s %-40s %s\n", p.T("AI"), p.T("MARKED"), p.T("OPT-OUT"), p.T("KIND"), "C2PA", p.T("GENERATOR / NOTE"), p.T("LOCATION"))
		t.header = true
	}
	ai, marked, optOut := "-", "-", "-"
	if r.AIGenerated {
		ai = p.T("yes")
		marked = p.T("NO")
		if r.Labelled.MachineReadable {
			marked = p.T("yes")
		}
	}
	if r.TrainingOptOut != nil && *r.TrainingOptOut {
		optOut = p.T("reserved")
	}
	c2 := "-"
	if pv := r.Provenance; pv != nil && pv.C2PA != detectors.C2PAAbsent {
		c2 = string(pv.C2PA)
		switch {
		case pv.Binding == detectors.BindingMismatch:
			c2 = p.T("MISMATCH")
		case pv.Validation != nil && pv.Validation.State == detectors.ValidationInvalid:
			c2 = p.T("INVALID")
		case pv.Validation != nil:
			c2 = p.T(string(pv.Validation.State)) // trusted or valid: present and checked
		}
	}
	note := generatorOf(r)
	if r.Error != "" {
		ai, marked, optOut, note = "?", "?", "?", p.T("error: %s", r.Error)
	} else if note == "" && len(r.Notes) > 0 {
		note = noteText(p, r.Notes[0])
	}
	fmt.Fprintf(t.w, "%-3s %-6s %-8s %-8s %-10s %-40s %s\n", ai, marked, optOut, p.T(r.Kind), text.Clip(c2, 10), text.Clip(note, 40), r.Location)
	return nil
}

// Findings keeps the violations among findings that arrive on their own
// (the same image unlabelled on another page).
func (t *tableWriter) Findings(fs []model.Finding) error {
	t.keepViolations(fs)
	return nil
}

// maxViolationLines caps the violations the summary lists; the report
// holds them all.
const maxViolationLines = 20

// keepViolations remembers the first violations for the summary and
// counts the rest, so the table's memory stays bounded.
func (t *tableWriter) keepViolations(fs []model.Finding) {
	for _, f := range fs {
		if f.Severity != model.SeverityViolation {
			continue
		}
		if len(t.violations) < maxViolationLines {
			t.violations = append(t.violations, f)
		} else {
			t.moreViolations++
		}
	}
}

func (t *tableWriter) End(r *model.Report) error {
	s, p := r.Summary, t.p
	if t.header {
		t.w.WriteString("\n")
	}
	if n := len(t.violations); n > 0 {
		fmt.Fprintln(t.w, p.T("violations (%d):", n+t.moreViolations))
		for _, f := range t.violations {
			fmt.Fprintf(t.w, "  %s\n    %s\n", f.Location, findingMessage(p, f))
		}
		if t.moreViolations > 0 {
			fmt.Fprintln(t.w, "  "+p.T("… and %d more (every one is in the report: -f json, html or markdown)", t.moreViolations))
		}
		t.w.WriteString("\n")
	}
	t.w.WriteString(p.T("%d scanned", s.Resources))
	if t.skipped > 0 {
		t.w.WriteString(" " + p.T("(%d with no signal not listed; --all lists them)", t.skipped))
	}
	fmt.Fprintf(t.w, "\n%s   %s   %s   %s   %s\n", p.T("AI-made: %d (without machine-readable marking: %d)", s.AIGenerated, s.AIUnmarked),
		p.T("machine-marked: %d", s.MachineLabelled), p.T("training opt-out: %d", s.TrainingOptOut), p.T("no metadata: %d", s.NoMetadata), p.T("errors: %d", s.Errors))
	if len(s.FindingsBySeverity) > 0 {
		var parts []string
		for _, sev := range []model.Severity{model.SeverityViolation, model.SeverityWarning, model.SeverityInfo} {
			if n := s.FindingsBySeverity[sev]; n > 0 {
				parts = append(parts, p.T(string(sev))+" "+p.Int(int64(n)))
			}
		}
		fmt.Fprintln(t.w, p.T("findings: %s", strings.Join(parts, ", ")))
	}
	for _, line := range historyLines(r, p) {
		fmt.Fprintln(t.w, line)
	}
	if s.NoMetadata > 0 {
		fmt.Fprintln(t.w, p.T("note: files without metadata may have been stripped by a CMS or CDN; no evidence is not proof of human origin."))
	}
	for _, e := range r.Exposure {
		fmt.Fprintln(t.w, p.T("exposure %s %s: %s", e.Jurisdiction, articleName(p, e), exposureLine(p, e)))
	}
	if r.Basis != nil {
		fmt.Fprintln(t.w, basisLine(p, *r.Basis))
	}
	fmt.Fprintln(t.w, disclaimer(r, p))
	if !r.Scan.Complete {
		fmt.Fprintln(t.w, p.T("INCOMPLETE: the scan was interrupted; files not reached are not listed."))
	}
	return t.w.Flush()
}

func generatorOf(r model.Resource) string {
	for _, e := range r.AIEvidence {
		if e.Generator != "" {
			return e.Generator
		}
	}
	if r.Provenance != nil && r.Provenance.ClaimGenerator != "" {
		return "C2PA: " + r.Provenance.ClaimGenerator
	}
	return ""
}

// maxAlertLines caps the new findings listed in the summary lines; the
// report's findings hold them all.
const maxAlertLines = 20

// historyLines says what history and the baseline add to a report: what is
// new since the last scan (the new warnings and violations by name) and what
// was accepted.
func historyLines(r *model.Report, p *i18n.Printer) []string {
	var out []string
	if c := r.Changes; c != nil {
		if c.PreviousScan == 0 {
			out = append(out, p.T("since last scan: first scan of this target (history scan %d); %d findings, all new", c.Scan, c.New))
		} else {
			out = append(out, p.T("since last scan (%d -> %d): %d new, %d fixed, %d unchanged", c.PreviousScan, c.Scan, c.New, c.Fixed, c.Unchanged)+heldBack(c.Accepted, c.NotRechecked, p))
		}
	}
	if c := r.Changes; c != nil && c.PreviousScan != 0 {
		for i, f := range c.Alerts {
			if i == maxAlertLines {
				out = append(out, "  "+p.T("… and %d more new", c.NewAlerts-maxAlertLines))
				break
			}
			out = append(out, fmt.Sprintf("  %s %s %s %s", p.T("new"), p.T(string(f.Severity)), f.Rule, f.Location))
		}
	}
	if b := r.Baseline; b != nil {
		out = append(out, p.T("baseline %s: %d accepted findings suppressed", b.File, b.Suppressed))
		for _, e := range b.Expired {
			out = append(out, p.T("baseline entry expired, its findings are reported again: %s", e))
		}
	}
	return out
}

// heldBack names the findings that are neither new nor fixed: accepted by a
// baseline, or not re-checked (their place could not be fetched again).
func heldBack(accepted, notRechecked int, p *i18n.Printer) string {
	var s string
	if accepted > 0 {
		s += ", " + p.T("%d accepted", accepted)
	}
	if notRechecked > 0 {
		s += ", " + p.T("%d not re-checked (their page or file could not be read: not counted as fixed)", notRechecked)
	}
	return s
}

// writeTableDiff lists new, fixed and unchanged findings apart.
func writeTableDiff(w io.Writer, v diffView) error {
	var b strings.Builder
	p := v.p
	fmt.Fprintf(&b, "%s\n%s\n", v.d.Target, v.head)
	for _, part := range []struct {
		name string
		fs   []model.Finding
	}{{"NEW", v.d.NewF}, {"FIXED", v.d.Fixed}, {"UNCHANGED", v.d.Unchanged}, {"ACCEPTED", v.d.Accepted}, {"NOT RE-CHECKED", v.d.NotRechecked}} {
		if len(part.fs) == 0 {
			continue
		}
		fmt.Fprintf(&b, "\n%s (%d)\n", p.T(part.name), len(part.fs))
		for _, f := range part.fs {
			fmt.Fprintf(&b, "  %-9s %-22s %s\n", p.T(string(f.Severity)), f.Rule, f.Location)
		}
	}
	if v.notListed != "" {
		fmt.Fprintf(&b, "\n%s\n", v.notListed)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
