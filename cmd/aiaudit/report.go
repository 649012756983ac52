package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/aiaudit/aiaudit/reports"
	"github.com/aiaudit/aiaudit/reports/baseline"
)

func newReportCommand(out *outcome, stdout io.Writer) *cobra.Command {
	var of outputFlags
	var ef exposureFlags
	var baselinePath string
	c := &cobra.Command{
		Use:   "report SCAN.json",
		Short: "Re-render a saved scan in another format or with other company settings, without scanning again",
		Args:  cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			if err := of.validate(); err != nil {
				return err
			}
			calc, err := ef.resolve()
			if err != nil {
				return err
			}
			rep, err := loadReport(args[0])
			if err != nil {
				return err
			}
			if of.failOn == "new" && rep.Changes == nil {
				return usageError{fmt.Errorf("%s: --fail-on new needs the scan's changes, and this scan was not recorded in a history", args[0])}
			}
			findings := withEUFindings(rep.Findings, calc.eu)
			resources := rep.Resources
			rep.Resources, rep.Findings, rep.Summary = nil, nil, reports.Summary{}
			var sched *schedule
			if baselinePath != "" {
				// Only the baseline part of a schedule: a re-render is not a
				// scan, so it takes no lock and writes no history.
				b, err := baseline.Load(baselinePath)
				if err != nil {
					return usageError{err}
				}
				sched = &schedule{base: b, roots: rep.Scan.Targets, seen: map[string]bool{}}
			}
			run, err := startReport(rep, of, stdout)
			if err != nil {
				return err
			}
			defer run.abort()
			run.sched = sched
			for _, r := range resources {
				if err := run.resource(r, nil); err != nil {
					return err
				}
			}
			if err := run.findings(findings); err != nil {
				return err
			}
			if err := run.finish(false, calc, out, io.Discard); err != nil {
				return err
			}
			return nil
		},
	}
	of.register(c)
	ef.register(c)
	c.Flags().StringVar(&baselinePath, "baseline", "", "YAML file of accepted findings to leave out (see aiaudit baseline)")
	return c
}

// withEUFindings adds the EU Art. 50 finding for every Kazakh unlabelled-AI
// finding when a scan made for kz only is re-rendered for the EU: the facts
// are the same, only the law differs.
func withEUFindings(fs []reports.Finding, eu bool) []reports.Finding {
	if !eu {
		return fs
	}
	have := map[string]bool{}
	for _, f := range fs {
		if f.Rule == "eu.ai-act.50" {
			have[f.Location] = true
		}
	}
	out := append([]reports.Finding(nil), fs...)
	for _, f := range fs {
		if f.Rule == "kz.aap.456.2" && !have[f.Location] {
			msg := strings.TrimSuffix(f.Message, " (KZ Administrative Code Art. 456.2, AI law Art. 21.2)") + " (EU AI Act Art. 50(4))"
			out = append(out, reports.Finding{Rule: "eu.ai-act.50", Severity: f.Severity, Location: f.Location, Message: msg})
		}
	}
	return out
}
