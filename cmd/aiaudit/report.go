package main

import (
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/aiaudit/aiaudit/reports/audit"
	"github.com/aiaudit/aiaudit/reports/i18n"
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
			// The language the scan was made in, unless --lang says
			// otherwise: the report and these lines are written in it.
			asked := of.lang
			if of.lang == "" {
				of.lang = rep.Lang
			}
			of.lang = e.langOf(of.lang)
			e.log.lang = of.lang
			say := e.log.Say()
			if asked != "" && rep.Lang != "" && rep.Lang != asked {
				audit.Summarize(e.log, say.T("written in --lang %s instead of the saved scan's %s", asked, rep.Lang))
			}
			if rep.Profile != nil {
				// The saved scan's company profile, unless a flag says
				// otherwise: a re-render prices the scan as it was priced.
				kept, overridden := ef.keep(c, *rep.Profile, say)
				if len(kept) > 0 {
					if calc, err = ef.resolve(); err != nil {
						return usageError{i18n.Errorf("%s: the saved company profile: %v", args[0], err)}
					}
					audit.Summarize(e.log, say.T("using the saved scan's %s (flags override them)", strings.Join(kept, ", ")))
				}
				if len(overridden) > 0 {
					audit.Summarize(e.log, say.T("priced differently from the saved scan: %s", strings.Join(overridden, "; ")))
				}
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
