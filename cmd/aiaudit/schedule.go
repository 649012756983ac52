package main

import (
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/aiaudit/aiaudit/reports/audit"
)

// scheduleFlags are what a scan run from cron needs: history, a baseline of
// accepted findings, and an alert when something is new.
type scheduleFlags struct {
	db, baseline, notify string
	noHistory            bool
}

func (s *scheduleFlags) register(c *cobra.Command) {
	s.registerHistory(c)
	c.Flags().StringVar(&s.baseline, "baseline", "", "YAML file of accepted findings (reason and expiry each); they are left out of the report and counted")
	c.Flags().StringVar(&s.notify, "notify", "", "POST a JSON summary to this webhook URL when a warning or violation is new since the last scan (retried)")
}

func (s *scheduleFlags) registerHistory(c *cobra.Command) {
	c.Flags().StringVar(&s.db, "db", "", "history database (default $XDG_DATA_HOME/aiaudit/history.db, else ~/.local/share/aiaudit/history.db, else with no $HOME $XDG_STATE_HOME/aiaudit/history.db)")
	c.Flags().BoolVar(&s.noHistory, "no-history", false, "do not record this scan in the history database")
}

// validate returns the problems OpenSession would refuse the flags with.
func (s *scheduleFlags) validate(failOn string) error {
	return audit.HistoryOptions{DB: s.db, Off: s.noHistory, Baseline: s.baseline, Notify: s.notify}.Validate(failOn)
}

// options maps the flags onto the run's history options; the scan records
// the flags the command line set.
func (s *scheduleFlags) options(c *cobra.Command) audit.HistoryOptions {
	settings := map[string]string{}
	c.Flags().Visit(func(f *pflag.Flag) { settings[f.Name] = f.Value.String() })
	return audit.HistoryOptions{DB: s.db, Off: s.noHistory, Baseline: s.baseline, Notify: s.notify, Settings: settings}
}
