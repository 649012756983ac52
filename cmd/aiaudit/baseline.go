package main

import (
	"io"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/aiaudit/aiaudit/reports/audit"
	"github.com/aiaudit/aiaudit/reports/baseline"
	"github.com/aiaudit/aiaudit/reports/i18n"
	"github.com/aiaudit/aiaudit/reports/model"
)

func newBaselineCommand(e *env, stdout io.Writer) *cobra.Command {
	var db, target, scan, reason, until, output, minSeverity string
	var day time.Time
	var min model.Severity
	c := &cobra.Command{
		Use:   "baseline [SCAN.json]",
		Short: "Write a baseline file accepting the findings of a scan (each with a reason and an expiry)",
		Long: `Writes the accepted-findings file --baseline reads, accepting every finding of a
saved JSON report, or of a scan in the history (--scan ID; default: the newest
complete scan of --target, or of the most recently scanned target), at
--min-severity or above. Review it, then pass it to scans with --baseline.`,
		Args: cobra.MaximumNArgs(1),
		PreRunE: func(c *cobra.Command, args []string) error {
			var p problems
			if strings.TrimSpace(reason) == "" {
				p.add(flagErrorf("reason", "--reason is required: say why these findings are accepted"))
			}
			var err error
			if day, err = time.Parse(time.DateOnly, until); err != nil {
				p.add(flagErrorf("until", "--until %q is not a date: want YYYY-MM-DD", until))
			}
			min = model.Severity(minSeverity)
			if min.Rank() == 0 {
				p.add(flagErrorf("min-severity", "--min-severity %q is not supported (accepted: info, warning, violation)", minSeverity))
			}
			return p.err()
		},
		RunE: func(c *cobra.Command, args []string) error {
			e.logOutput(output)
			fs, err := findingsOf(c, db, target, scan, args)
			if err != nil {
				return err
			}
			var keep []model.Finding
			for _, f := range fs {
				if f.Severity.Rank() >= min.Rank() {
					keep = append(keep, f)
				}
			}
			if err := audit.WriteWhole(output, stdout, func(w io.Writer) error {
				return baseline.Write(w, keep, reason, day)
			}); err != nil {
				return err
			}
			audit.Summarize(e.log, e.log.Say().T("%d findings accepted until %s", len(keep), until), slog.Int("accepted", len(keep)), slog.String("until", until))
			return nil
		},
	}
	c.Flags().StringVar(&db, "db", "", "history database (default as for scans)")
	c.Flags().StringVar(&target, "target", "", "the target whose newest complete scan to accept (see aiaudit history)")
	c.Flags().StringVar(&scan, "scan", "", "the history scan ID to accept")
	c.Flags().StringVar(&reason, "reason", "", "why these findings are accepted (required)")
	c.Flags().StringVar(&until, "until", "", "YYYY-MM-DD: accepted through that day, then reported again (required)")
	c.Flags().StringVarP(&output, "output", "o", "", "write to this file (whole or not at all)")
	c.Flags().StringVar(&minSeverity, "min-severity", "warning", "accept findings of this severity or higher: info, warning, violation")
	addLangFlag(c.Flags(), new(string))
	return c
}

// findingsOf reads the findings to accept: a saved report, or a history scan.
func findingsOf(c *cobra.Command, db, target, scan string, args []string) ([]model.Finding, error) {
	if len(args) == 1 {
		if scan != "" || target != "" {
			return nil, usageError{i18n.Errorf("give a saved report or --scan/--target, not both")}
		}
		r, err := loadReport(args[0])
		if err != nil {
			return nil, err
		}
		return r.Findings, nil
	}
	s, err := openHistory(db)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	var id int64
	if scan != "" {
		if id, err = strconv.ParseInt(scan, 10, 64); err != nil || id <= 0 {
			return nil, usageError{i18n.Errorf("--scan %q is not a scan ID", scan)}
		}
	} else if id, err = s.Newest(c.Context(), target); err != nil {
		return nil, err
	}
	return s.Findings(c.Context(), id)
}
