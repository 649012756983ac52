package reports

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/aiaudit/aiaudit/reports/i18n"
	"github.com/aiaudit/aiaudit/reports/model"
)

// mdEscape keeps text from a scanned page from breaking out of a table cell
// or becoming markup.
func mdEscape(s string) string {
	r := strings.NewReplacer("|", `\|`, "\n", " ", "\r", " ", "<", "&lt;", ">", "&gt;", "`", "'", "[", `\[`, "]", `\]`)
	return r.Replace(s)
}

// renderMarkdown writes a summary for a ticket or pull request.
func renderMarkdown(out io.Writer, r *model.Report, fs *findingSpill, p *i18n.Printer) error {
	// bufio keeps the first write error: Flush reports it (a full disk).
	w := bufio.NewWriter(out)
	s := r.Summary
	fmt.Fprintf(w, "# %s\n\n", p.T("aiaudit %s report", r.Scan.Command))
	fmt.Fprintf(w, "%s  \n%s", p.T("Targets: %s", mdEscape(strings.Join(r.Scan.Targets, ", "))),
		p.T("Scanned: %s to %s", r.Scan.Started.Format("2006-01-02 15:04:05Z07:00"), r.Scan.Finished.Format("15:04:05Z07:00")))
	if !r.Scan.Complete {
		fmt.Fprint(w, " (**"+p.T("incomplete: interrupted")+"**)")
	}
	fmt.Fprintf(w, "\n\n| %s | %s | %s | %s | %s |\n|---|---|---|---|---|\n| %s | %s | %s | %s | %s |\n\n",
		p.T("items"), p.T("AI-made"), p.T("without machine-readable marking"), p.T("training opt-out"), p.T("errors"),
		p.Int(int64(s.Resources)), p.Int(int64(s.AIGenerated)), p.Int(int64(s.AIUnmarked)), p.Int(int64(s.TrainingOptOut)), p.Int(int64(s.Errors)))
	for _, line := range historyLines(r, p) {
		fmt.Fprintf(w, "%s  \n", mdEscape(line))
	}
	if r.Changes != nil || r.Baseline != nil {
		fmt.Fprint(w, "\n")
	}
	if len(r.Exposure) > 0 {
		fmt.Fprintf(w, "## %s\n\n| %s | %s | %s | %s |\n|---|---|---|---|\n", p.T("Fine exposure"), p.T("jurisdiction"), p.T("article"), p.T("offences"), p.T("exposure"))
		for _, e := range r.Exposure {
			fmt.Fprintf(w, "| %s | %s | %d | %s |\n", e.Jurisdiction, mdEscape(articleName(p, e)), e.Offences, mdEscape(exposureLine(p, e)))
		}
		fmt.Fprint(w, "\n")
	}
	if r.Basis != nil {
		fmt.Fprintf(w, "%s\n\n", mdEscape(basisLine(p, *r.Basis)))
	}
	fmt.Fprintf(w, "%s\n\n", disclaimer(r, p))
	perRule := map[string]int{} // rule ids: as many as the registry has
	if err := fs.each(func(f model.Finding) error { perRule[f.Rule]++; return nil }); err != nil {
		return err
	}
	if fixes := fixRows(p, perRule); len(fixes) > 0 {
		fmt.Fprintf(w, "## %s\n\n", p.T("How to fix"))
		for _, f := range fixes {
			fmt.Fprintf(w, "- **%s** (%d): %s\n", mdEscape(f.Summary), f.Count, mdEscape(f.Fix))
		}
		fmt.Fprint(w, "\n")
	}
	fmt.Fprintf(w, "## %s (%d)\n\n", p.T("Findings"), fs.n)
	if fs.n == 0 {
		fmt.Fprintf(w, "%s\n", p.T("None."))
		return w.Flush()
	}
	fmt.Fprintf(w, "| %s | %s | %s | %s |\n|---|---|---|---|\n", p.T("severity"), p.T("rule"), p.T("location"), p.T("message"))
	err := fs.bySeverity(func(f model.Finding) error {
		_, err := fmt.Fprintf(w, "| %s | %s | %s | %s |\n", p.T(string(f.Severity)), f.Rule, mdEscape(f.Location), mdEscape(findingMessage(p, f)))
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
	p := v.p
	fmt.Fprintf(bw, "# %s\n\n%s  \n%s\n\n", p.T("aiaudit diff"), mdEscape(v.d.Target), v.head)
	switch {
	case len(v.all) == 0 && v.notListed != "":
		fmt.Fprintln(bw, p.T("No new or fixed findings."))
	case len(v.all) == 0:
		fmt.Fprintln(bw, p.T("No findings in either scan."))
	default:
		fmt.Fprintf(bw, "| %s | %s | %s | %s | %s |\n|---|---|---|---|---|\n", p.T("change"), p.T("severity"), p.T("rule"), p.T("location"), p.T("message"))
	}
	for _, f := range v.all {
		fmt.Fprintf(bw, "| %s | %s | %s | %s | %s |\n", p.T(string(f.Change)), p.T(string(f.Severity)), f.Rule, mdEscape(f.Location), mdEscape(findingMessage(p, f)))
	}
	if v.notListed != "" {
		fmt.Fprintf(bw, "\n%s\n", v.notListed)
	}
	return bw.Flush()
}
