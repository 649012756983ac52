package reports

import (
	"fmt"
	"io"

	"github.com/aiaudit/aiaudit/reports/i18n"
	"github.com/aiaudit/aiaudit/reports/model"
)

// DiffOptions say what a diff lists.
type DiffOptions struct {
	// Unchanged lists the unchanged findings too. Without it they are only
	// counted: a nightly diff is mostly findings nobody needs to read again.
	Unchanged bool
	// Lang is the language of the table, Markdown and HTML diffs ("":
	// English); JSON, CSV and SARIF stay English.
	Lang string
}

// WriteDiff renders what changed between two scans. JSON carries the arrays
// new, fixed and unchanged (empty unless opt.Unchanged) and unchanged_count;
// the other formats show every listed finding with its change, so the same
// views people read for a scan work for a diff. Each format's diff is
// rendered in that format's file.
func WriteDiff(format string, w io.Writer, d *model.Diff, tool model.Tool, opt DiffOptions) error {
	shown := *d
	shown.UnchangedCount = max(d.UnchangedCount, len(d.Unchanged))
	if !opt.Unchanged || d.Unchanged == nil {
		shown.Unchanged = []model.Finding{}
	}
	p, err := Printer(format, opt.Lang)
	if err != nil {
		return err
	}
	v := newDiffView(&shown, p)
	switch format {
	case "json":
		return writeJSONDiff(w, &shown)
	case "table":
		return writeTableDiff(w, v)
	case "csv":
		return writeCSVDiff(w, v)
	case "markdown":
		return writeMarkdownDiff(w, v)
	case "sarif", "html":
		return writeDiffAsReport(format, w, v, tool, p.Lang)
	}
	return fmt.Errorf("format %q is not supported for a diff (accepted: %s)", format, DiffFormats)
}

// diffView is a diff as the renderers show it: every listed finding, a
// heading, and what was left out, in the printer's language.
type diffView struct {
	d    *model.Diff
	p    *i18n.Printer
	all  []model.Finding
	head string
	// notListed says how many unchanged findings are counted but not
	// listed, and how to list them ("" when none are left out).
	notListed string
}

func newDiffView(d *model.Diff, p *i18n.Printer) diffView {
	var all []model.Finding
	for _, part := range [][]model.Finding{d.NewF, d.Fixed, d.Accepted, d.NotRechecked, d.Unchanged} {
		all = append(all, part...)
	}
	head := p.T("%s: %d new, %d fixed, %d unchanged", scansLabel(d, p), len(d.NewF), len(d.Fixed), d.UnchangedCount) + heldBack(len(d.Accepted), len(d.NotRechecked), p)
	if d.Incomplete {
		head += " " + p.T("(the new scan was interrupted: nothing counts as fixed)")
	}
	v := diffView{d: d, p: p, all: all, head: head}
	if n := d.UnchangedCount - len(d.Unchanged); n > 0 {
		v.notListed = p.T("%d unchanged not listed (--unchanged lists them)", n)
	}
	return v
}

// writeDiffAsReport renders a diff as a scan report whose findings carry
// their change: SARIF marks each result's baselineState, HTML prefixes the
// rule.
func writeDiffAsReport(format string, w io.Writer, v diffView, tool model.Tool, lang string) error {
	d, all := v.d, v.all
	r := &model.Report{Schema: model.Schema, Tool: tool, Scan: model.Scan{Command: "diff", Targets: []string{d.Target}, Complete: true},
		Changes: &model.Changes{Scan: d.New, PreviousScan: d.Old, New: len(d.NewF), Fixed: len(d.Fixed), Unchanged: d.UnchangedCount}}
	rw, err := NewWriter(format, w, Options{Lang: lang})
	if err != nil {
		return err
	}
	if err := rw.Begin(r); err != nil {
		return err
	}
	if err := rw.Findings(all); err != nil {
		return err
	}
	r.Summary.AddFindings(all)
	return rw.End(r)
}

func scansLabel(d *model.Diff, p *i18n.Printer) string {
	if d.Old == 0 && d.New == 0 {
		return p.T("saved reports")
	}
	// Scan IDs are names, not amounts: never digit-grouped.
	return p.T("scan %s -> %s", fmt.Sprint(d.Old), fmt.Sprint(d.New))
}
