package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/aiaudit/aiaudit/cmd/aiaudit/config"
	"github.com/aiaudit/aiaudit/reports"
	"github.com/aiaudit/aiaudit/reports/audit"
	"github.com/aiaudit/aiaudit/reports/history"
	"github.com/aiaudit/aiaudit/reports/i18n"
	"github.com/aiaudit/aiaudit/reports/model"
)

func openHistory(db string) (*history.Store, error) {
	path, err := audit.DBPath(db)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("no history database at %s (scans record one unless --no-history; --db chooses another)", path)
	}
	return history.Open(path)
}

func newHistoryCommand(e *env, stdout io.Writer) *cobra.Command {
	var db, target, format, lang string
	c := &cobra.Command{
		Use:   "history",
		Short: "List past scans, newest first (prune: keep only the newest N per target)",
		Args:  cobra.NoArgs,
		PreRunE: func(c *cobra.Command, args []string) error {
			if err := oneOf("format", format, "table", "json"); err != nil {
				return usageError{err}
			}
			return nil
		},
		RunE: func(c *cobra.Command, args []string) error {
			s, err := openHistory(db)
			if err != nil {
				return err
			}
			defer s.Close()
			scans, err := s.Scans(c.Context(), target)
			if err != nil {
				return err
			}
			if format == "json" {
				if scans == nil {
					scans = []history.ScanInfo{}
				}
				b, err := json.MarshalIndent(scans, "", "  ")
				if err != nil {
					return err
				}
				_, err = fmt.Fprintln(stdout, string(b))
				return err
			}
			p, err := e.printer(lang)
			if err != nil {
				return err
			}
			return reports.WriteScans(stdout, scans, p)
		},
	}
	c.PersistentFlags().StringVar(&db, "db", "", "history database (default as for scans)")
	addLangFlag(c.PersistentFlags(), &lang)
	c.Flags().StringVar(&target, "target", "", `only this target, as listed (e.g. "crawl https://example.kz/")`)
	c.Flags().StringVarP(&format, "format", "f", "table", "table or json")

	var keep int
	prune := &cobra.Command{
		Use:   "prune --keep N",
		Short: "Delete all but the newest N scans of every target",
		Args:  cobra.NoArgs,
		PreRunE: func(c *cobra.Command, args []string) error {
			if err := atLeast("keep", keep, 1); err != nil {
				return usageError{err}
			}
			return nil
		},
		RunE: func(c *cobra.Command, args []string) error {
			s, err := openHistory(db)
			if err != nil {
				return err
			}
			defer s.Close()
			n, err := s.Prune(c.Context(), keep)
			if err != nil {
				return err
			}
			p, err := e.printer(lang)
			if err != nil {
				return err
			}
			fmt.Fprintln(stdout, reports.Pruned(p, int(n), keep))
			return nil
		},
	}
	prune.Flags().IntVar(&keep, "keep", 0, "scans to keep per target")
	c.AddCommand(prune)
	return c
}

func newDiffCommand(e *env, stdout io.Writer) *cobra.Command {
	var db, target, format, output, lang string
	var failOnNew, unchanged bool
	c := &cobra.Command{
		Use:   "diff [OLD] [NEW]",
		Short: "Show new, fixed and unchanged findings between two scans",
		Long: `Compares two scans: history scan IDs (see aiaudit history) or saved JSON
reports. With no arguments, the last two complete scans of --target (default:
the most recently scanned target); with one ID, that scan against the one
before it. Unchanged findings are counted but listed only with --unchanged.
Exit code 1 with --fail-on-new when something is new.`,
		Args: cobra.MaximumNArgs(2),
		PreRunE: func(c *cobra.Command, args []string) error {
			if err := oneOf("format", format, strings.Split(reports.DiffFormats, ", ")...); err != nil {
				return usageError{err}
			}
			return nil
		},
		RunE: func(c *cobra.Command, args []string) error {
			e.logOutput(output)
			d, err := diffOf(c, db, target, args)
			if err != nil {
				return err
			}
			e.log.with(slog.String("target", d.Target))
			e.log.addResult(slog.Int64("old_scan", d.Old), slog.Int64("new_scan", d.New),
				slog.Int("new", len(d.NewF)), slog.Int("fixed", len(d.Fixed)), slog.Int("unchanged", len(d.Unchanged)))
			if err := audit.WriteWhole(output, stdout, func(w io.Writer) error {
				return reports.WriteDiff(format, w, d, model.Tool{Name: "aiaudit", Version: version()}, reports.DiffOptions{Unchanged: unchanged, Lang: e.langOf(lang)})
			}); err != nil {
				return err
			}
			e.out.findingsAtFailOn = failOnNew && len(d.NewF) > 0
			return nil
		},
	}
	c.Flags().StringVar(&db, "db", "", "history database (default as for scans)")
	c.Flags().StringVar(&target, "target", "", "target whose last two scans to compare (see aiaudit history)")
	c.Flags().StringVarP(&format, "format", "f", "table", "output format: "+reports.DiffFormats)
	c.Flags().StringVarP(&output, "output", "o", "", "write to this file (whole or not at all)")
	c.Flags().BoolVar(&failOnNew, "fail-on-new", false, "exit 1 when any finding is new")
	addLangFlag(c.Flags(), &lang)
	c.Flags().BoolVar(&unchanged, "unchanged", false, "list unchanged findings too (without it they are only counted; JSON: an empty \"unchanged\" array and \"unchanged_count\")")
	return c
}

// diffOf resolves the diff's two sides: saved reports or history scans.
func diffOf(c *cobra.Command, db, target string, args []string) (*model.Diff, error) {
	if len(args) == 2 && !isID(args[0]) && !isID(args[1]) {
		old, err := loadReport(args[0])
		if err != nil {
			return nil, err
		}
		new, err := loadReport(args[1])
		if err != nil {
			return nil, err
		}
		return history.DiffReports(old, new), nil
	}
	for _, a := range args {
		if !isID(a) {
			return nil, usageError{i18n.Errorf("%q: give two scan IDs or two saved JSON reports", a)}
		}
	}
	s, err := openHistory(db)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	ctx := c.Context()
	var oldID, newID int64
	switch len(args) {
	case 0:
		oldID, newID, err = s.Latest(ctx, target)
	case 1:
		newID, _ = strconv.ParseInt(args[0], 10, 64)
		var t string
		if t, err = s.ScanTarget(ctx, newID); err == nil {
			oldID, err = s.Previous(ctx, t, newID)
		}
	case 2:
		oldID, _ = strconv.ParseInt(args[0], 10, 64)
		newID, _ = strconv.ParseInt(args[1], 10, 64)
	}
	if err != nil {
		return nil, err
	}
	return s.Compare(ctx, oldID, newID)
}

func isID(s string) bool {
	n, err := strconv.ParseInt(s, 10, 64)
	return err == nil && n > 0
}

func loadReport(path string) (*model.Report, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, usageError{err}
	}
	defer f.Close()
	r, err := reports.Load(f)
	if err != nil {
		return nil, usageError{fmt.Errorf("%s: %w", path, err)}
	}
	return r, nil
}

func newConfigCommand(e *env, stdout io.Writer) *cobra.Command {
	c := &cobra.Command{Use: "config", Short: "Work with the config file (aiaudit.yaml)"}
	check := &cobra.Command{
		Use:         "check [FILE]",
		Short:       "Validate a config file without running anything; every mistake is named with its line",
		Args:        cobra.MaximumNArgs(1),
		Annotations: map[string]string{"config": "none"},
		RunE: func(c *cobra.Command, args []string) error {
			explicit, _ := c.Flags().GetString("config")
			if len(args) == 1 {
				explicit = args[0]
			}
			path, found, err := config.SearchPath(explicit, e.getenv)
			if err != nil {
				return usageError{err}
			}
			if !found {
				return usageError{i18n.Errorf("no config file found (searched: --config, $AIAUDIT_CONFIG, ./aiaudit.yaml, ~/.config/aiaudit/config.yaml, /etc/aiaudit/config.yaml)")}
			}
			f, err := config.Load(path, e.sections)
			if err != nil {
				return usageError{err}
			}
			if errs := f.Check(configCommands(e)); len(errs) > 0 {
				return usageError{errors.Join(errs...)}
			}
			fmt.Fprintf(stdout, "%s: ok\n", path)
			return nil
		},
	}
	c.AddCommand(check)
	return c
}
