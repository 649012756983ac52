package reports

import (
	"fmt"
	"io"

	"github.com/aiaudit/aiaudit/reports/model"
)

// WriteDiff renders what changed between two scans. JSON carries the arrays
// new, fixed and unchanged; the other formats show every finding with its
// change, so the same views people read for a scan work for a diff. Each
// format's diff is rendered in that format's file.
func WriteDiff(format string, w io.Writer, d *model.Diff, tool model.Tool) error {
	v := newDiffView(d)
	switch format {
	case "json":
		return writeJSONDiff(w, d)
	case "table":
		return writeTableDiff(w, v)
	case "csv":
		return writeCSVDiff(w, v)
	case "markdown":
		return writeMarkdownDiff(w, v)
	case "sarif", "html":
		return writeDiffAsReport(format, w, v, tool)
	}
	return fmt.Errorf("format %q is not supported (accepted: %s)", format, Formats)
}

// diffView is a diff as the renderers show it: every finding, and a heading.
type diffView struct {
	d    *model.Diff
	all  []model.Finding
	head string
}

func newDiffView(d *model.Diff) diffView {
	all := make([]model.Finding, 0, len(d.NewF)+len(d.Fixed)+len(d.Unchanged))
	all = append(append(append(all, d.NewF...), d.Fixed...), d.Unchanged...)
	head := fmt.Sprintf("%s: %d new, %d fixed, %d unchanged%s", scansLabel(d), len(d.NewF), len(d.Fixed), len(d.Unchanged), heldBack(len(d.Accepted), len(d.NotRechecked)))
	if d.Incomplete {
		head += " (the new scan was interrupted: nothing counts as fixed)"
	}
	return diffView{d: d, all: all, head: head}
}

// writeDiffAsReport renders a diff as a scan report whose findings carry
// their change: SARIF marks each result's baselineState, HTML prefixes the
// rule.
func writeDiffAsReport(format string, w io.Writer, v diffView, tool model.Tool) error {
	d, all := v.d, v.all
	r := &model.Report{Schema: model.Schema, Tool: tool, Scan: model.Scan{Command: "diff", Targets: []string{d.Target}, Complete: true},
		Changes: &model.Changes{Scan: d.New, PreviousScan: d.Old, New: len(d.NewF), Fixed: len(d.Fixed), Unchanged: len(d.Unchanged)}}
	rw, err := NewWriter(format, w, TableOptions{})
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

func scansLabel(d *model.Diff) string {
	if d.Old == 0 && d.New == 0 {
		return "saved reports"
	}
	return fmt.Sprintf("scan %d -> %d", d.Old, d.New)
}
