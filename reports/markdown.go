package reports

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/aiaudit/aiaudit/reports/model"
)

// mdEscape keeps text from a scanned page from breaking out of a table cell
// or becoming markup.
func mdEscape(s string) string {
	r := strings.NewReplacer("|", `\|`, "\n", " ", "\r", " ", "<", "&lt;", ">", "&gt;", "`", "'", "[", `\[`, "]", `\]`)
	return r.Replace(s)
}

// renderMarkdown writes a summary for a ticket or pull request.
func renderMarkdown(out io.Writer, r *model.Report, fs *findingSpill) error {
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
		fmt.Fprint(w, "\n")
	}
	if r.Basis != nil {
		fmt.Fprintf(w, "%s\n\n", mdEscape(basisLine(*r.Basis)))
	}
	fmt.Fprintf(w, "%s\n\n", disclaimer(r))
	fmt.Fprintf(w, "## Findings (%d)\n\n", fs.n)
	if fs.n == 0 {
		fmt.Fprint(w, "None.\n")
		return w.Flush()
	}
	fmt.Fprint(w, "| severity | rule | location | message |\n|---|---|---|---|\n")
	err := fs.bySeverity(func(f model.Finding) error {
		_, err := fmt.Fprintf(w, "| %s | %s | %s | %s |\n", f.Severity, f.Rule, mdEscape(f.Location), mdEscape(f.Message))
		return err
	})
	if err != nil {
		return err
	}
	return w.Flush()
}

// writeMarkdownDiff writes the diff as one table, each finding with its
// change.
func writeMarkdownDiff(w io.Writer, v diffView) error {
	// bufio keeps the first write error: Flush reports it (a full disk).
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "# aiaudit diff\n\n%s  \n%s\n\n", mdEscape(v.d.Target), v.head)
	switch {
	case len(v.all) == 0 && v.notListed != "":
		fmt.Fprint(bw, "No new or fixed findings.\n")
	case len(v.all) == 0:
		fmt.Fprint(bw, "No findings in either scan.\n")
	default:
		fmt.Fprint(bw, "| change | severity | rule | location | message |\n|---|---|---|---|---|\n")
	}
	for _, f := range v.all {
		fmt.Fprintf(bw, "| %s | %s | %s | %s | %s |\n", f.Change, f.Severity, f.Rule, mdEscape(f.Location), mdEscape(f.Message))
	}
	if v.notListed != "" {
		fmt.Fprintf(bw, "\n%s\n", v.notListed)
	}
	return bw.Flush()
}
