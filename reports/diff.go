package reports

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"strings"

	"github.com/aiaudit/aiaudit/reports/model"
)

// WriteDiff renders what changed between two scans. JSON carries the arrays
// new, fixed and unchanged; the other formats show every finding with its
// change, so the same views people read for a scan work for a diff.
func WriteDiff(format string, w io.Writer, d *model.Diff, tool model.Tool) error {
	all := make([]model.Finding, 0, len(d.NewF)+len(d.Fixed)+len(d.Unchanged))
	all = append(append(append(all, d.NewF...), d.Fixed...), d.Unchanged...)
	head := fmt.Sprintf("%s: %d new, %d fixed, %d unchanged", scansLabel(d), len(d.NewF), len(d.Fixed), len(d.Unchanged))
	if d.Incomplete {
		head += " (the new scan was interrupted: nothing counts as fixed)"
	}
	switch format {
	case "json":
		_, err := io.WriteString(w, indentJSON(d)+"\n")
		return err
	case "table":
		var b strings.Builder
		fmt.Fprintf(&b, "%s\n%s\n", d.Target, head)
		for _, part := range []struct {
			name string
			fs   []model.Finding
		}{{"NEW", d.NewF}, {"FIXED", d.Fixed}, {"UNCHANGED", d.Unchanged}} {
			if len(part.fs) == 0 {
				continue
			}
			fmt.Fprintf(&b, "\n%s (%d)\n", part.name, len(part.fs))
			for _, f := range part.fs {
				fmt.Fprintf(&b, "  %-9s %-22s %s\n", f.Severity, f.Rule, f.Location)
			}
		}
		_, err := io.WriteString(w, b.String())
		return err
	case "csv":
		cw := csv.NewWriter(w)
		cw.Write([]string{"change", "rule", "severity", "location", "message"})
		for _, f := range all {
			cw.Write([]string{string(f.Change), f.Rule, string(f.Severity), f.Location, f.Message})
		}
		cw.Flush()
		return cw.Error()
	case "markdown":
		// bufio keeps the first write error: Flush reports it (a full disk).
		bw := bufio.NewWriter(w)
		fmt.Fprintf(bw, "# aiaudit diff\n\n%s  \n%s\n\n", mdEscape(d.Target), head)
		if len(all) == 0 {
			fmt.Fprint(bw, "No findings in either scan.\n")
		} else {
			fmt.Fprint(bw, "| change | severity | rule | location | message |\n|---|---|---|---|---|\n")
		}
		for _, f := range all {
			fmt.Fprintf(bw, "| %s | %s | %s | %s | %s |\n", f.Change, f.Severity, f.Rule, mdEscape(f.Location), mdEscape(f.Message))
		}
		return bw.Flush()
	case "sarif", "html":
		// A scan report whose findings carry their change: SARIF marks
		// each result's baselineState, HTML prefixes the rule.
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
	return fmt.Errorf("format %q is not supported (accepted: %s)", format, Formats)
}

func scansLabel(d *model.Diff) string {
	if d.Old == 0 && d.New == 0 {
		return "saved reports"
	}
	return fmt.Sprintf("scan %d -> %d", d.Old, d.New)
}
