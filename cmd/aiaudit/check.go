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

func newCheckCommand(out *outcome, stdout io.Writer) *cobra.Command {
	var vf vetFlags
	var opt urls.Options
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
			r := urls.NewVetter(opt).Vet(c.Context(), args[0])
			// Without --agent every known training agent is evaluated and
			// named as "all N"; agents the user named are named.
			var known []string
			if len(vf.agents) == 0 {
				known = opt.Agents
			}
			fmt.Fprintf(stdout, "%s\nverdict: %s (for %s; --check %s)\n", r.Location, audit.VerdictWord(r.TrainingOptOut), optout.Who(opt.Agents, known), opt.Depth)
			if r.Status != 0 {
				fmt.Fprintf(stdout, "HTTP %d %s\n", r.Status, r.MediaType)
			}
			if r.Error != "" {
				fmt.Fprintf(stdout, "error: %s\n", r.Error)
			}
			tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
			// The agents come last: a list of them does not push the
			// verdicts and details off the screen.
			fmt.Fprintln(tw, "\nSIGNAL\tVERDICT\tDETAIL\tAGENTS")
			// One row per piece of evidence, with every agent it holds for
			// (not one agent standing in for the others).
			for _, o := range optout.Group(r.OptOutEvidence) {
				v := string(o.Verdict)
				if o.NonStandard {
					v += " (non-standard)"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", o.Signal, v, o.Detail, optout.Who(o.Agents, known))
			}
			tw.Flush()
			out.incomplete = r.TrainingOptOut == nil
			return nil
		},
	}
	vf.register(c, 0)
	return c
}
