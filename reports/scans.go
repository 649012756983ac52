package reports

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/aiaudit/aiaudit/reports/history"
	"github.com/aiaudit/aiaudit/reports/i18n"
)

// WriteScans lists the history's scans as a table, newest first, in the
// printer's language (`aiaudit history`; its JSON stays English).
func WriteScans(w io.Writer, scans []history.ScanInfo, p *i18n.Printer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", "ID", p.T("STARTED"), p.T("COMPLETE"), p.T("FINDINGS"), p.T("TARGET"))
	yes := map[bool]string{true: p.T("yes"), false: p.T("no")}
	for _, sc := range scans {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%d\t%s\n", sc.ID, sc.Started, yes[sc.Complete], sc.Findings, sc.Target)
	}
	return tw.Flush()
}

// Pruned says what `aiaudit history prune` deleted and kept.
func Pruned(p *i18n.Printer, deleted, keep int) string {
	return p.T("pruned %d scans; kept the newest %d of every target", deleted, keep)
}
