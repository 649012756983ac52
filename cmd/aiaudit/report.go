package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/aiaudit/aiaudit/reports/baseline"
	"github.com/aiaudit/aiaudit/reports/model"
	"github.com/aiaudit/aiaudit/reports/rules"
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
			findings := rules.Set{EU: calc.eu}.Rejudge(rep.Findings)
			resources := rep.Resources
			rep.Resources, rep.Findings, rep.Summary = nil, nil, model.Summary{}
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
