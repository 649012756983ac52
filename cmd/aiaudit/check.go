package main

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/aiaudit/aiaudit/detectors/optout"
	"github.com/aiaudit/aiaudit/reports/audit"
	"github.com/aiaudit/aiaudit/scanner/urls"
)

func newCheckCommand(e *env, stdout io.Writer) *cobra.Command {
	var vf vetFlags
	var opt urls.Options
	var lang string
	c := &cobra.Command{
		Use:   "check URL",
		Short: "Explain one URL's AI-training opt-out: every signal looked at and what it said",
		Args:  cobra.ExactArgs(1),
		PreRunE: func(c *cobra.Command, args []string) error {
			var err error
			if opt, err = vf.options(true); err != nil {
				return usageError{err}
			}
			return nil
		},
		RunE: func(c *cobra.Command, args []string) error {
			if _, _, err := urls.Origin(args[0]); err != nil {
				return usageError{err}
			}
			p, err := e.printer(lang)
			if err != nil {
				return err
			}
			r := urls.NewVetter(opt).Vet(c.Context(), args[0])
			// Without --agent every known training agent is evaluated and
			// named as "all N"; agents the user named are named.
			var known []string
			if len(vf.agents) == 0 {
				known = opt.Agents
			}
			who := func(agents []string) string { return optout.WhoIn(p.T, agents, known) }
			fmt.Fprintf(stdout, "%s\n%s\n", r.Location, p.T("verdict: %s (for %s; --check %s)", p.T(audit.VerdictWord(r.TrainingOptOut)), who(opt.Agents), opt.Depth))
			if r.Status != 0 {
				fmt.Fprintf(stdout, "HTTP %d %s\n", r.Status, r.MediaType)
			}
			if r.Error != "" {
				fmt.Fprintln(stdout, p.T("error: %s", r.Error))
			}
			tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
			// The agents come last: a list of them does not push the
			// verdicts and details off the screen. Signal names and
			// details are the scanner's own words, shown as found.
			fmt.Fprintf(tw, "\n%s\t%s\t%s\t%s\n", p.T("SIGNAL"), p.T("VERDICT"), p.T("DETAIL"), p.T("AGENTS"))
			// One row per piece of evidence, with every agent it holds for
			// (not one agent standing in for the others).
			for _, o := range optout.Group(r.OptOutEvidence) {
				v := p.T(string(o.Verdict))
				if o.NonStandard {
					v = p.T("%s (non-standard)", v)
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", o.Signal, v, o.Detail, who(o.Agents))
			}
			tw.Flush()
			e.out.incomplete = r.TrainingOptOut == nil
			return nil
		},
	}
	vf.register(c, 0)
	addLangFlag(c.Flags(), &lang)
	return c
}
