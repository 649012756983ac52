package main

import (
	"fmt"
	"io"
	"log/slog"

	"github.com/aiaudit/aiaudit/reports/audit"
	"github.com/spf13/cobra"
)

func newReportCommand(e *env, stdout io.Writer) *cobra.Command {
	var of outputFlags
	var ef exposureFlags
	var baselinePath string
	var calc *audit.Exposure
	c := &cobra.Command{
		Use:   "report SCAN.json",
		Short: "Re-render a saved scan in another format or with other company settings, without scanning again",
		Args:  cobra.ExactArgs(1),
		PreRunE: func(c *cobra.Command, args []string) error {
			var p problems
			var err error
			p.add(of.validate()...)
			calc, err = ef.resolve()
			p.add(err, audit.HistoryOptions{Baseline: baselinePath}.Validate(""))
			return p.err()
		},
		RunE: func(c *cobra.Command, args []string) error {
			e.log.with(slog.Any("targets", args))
			rep, err := loadReport(args[0])
			if err != nil {
				return err
			}
			e.logOutput(of.output)
			opt := audit.Options{Command: "report", Version: version(), Output: of.options(stdout), Exposure: calc,
				History: audit.HistoryOptions{Baseline: baselinePath}}
			out, err := audit.Rerender(opt, rep)
			if err != nil {
				err = usageError{fmt.Errorf("%s: %w", args[0], err)}
			}
			return e.finish(out, err)
		},
	}
	of.register(c)
	ef.register(c)
	c.Flags().StringVar(&baselinePath, "baseline", "", "YAML file of accepted findings to leave out (see aiaudit baseline)")
	return c
}
