package main

import (
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/aiaudit/aiaudit/reports"
	"github.com/aiaudit/aiaudit/reports/audit"
	"github.com/aiaudit/aiaudit/reports/i18n"
	"github.com/aiaudit/aiaudit/scanner"
)

type outputFlags struct {
	format   string
	output   string
	failOn   string
	all      bool
	progress string
	// lang is --lang; "" takes the language from the environment.
	lang string
}

func (o *outputFlags) register(c *cobra.Command) {
	c.Flags().StringVarP(&o.format, "format", "f", "table", "output format: "+reports.Formats)
	c.Flags().StringVarP(&o.output, "output", "o", "", "write the report to this file (written whole at the end, never half)")
	c.Flags().StringVar(&o.failOn, "fail-on", "violation", "exit 1 when a finding of this severity or higher exists: info, warning, violation, none; or new: only when a warning or violation is new since the last scan")
	c.Flags().BoolVar(&o.all, "all", false, "table format: list every item, also those with no signal")
	c.Flags().StringVar(&o.progress, "progress", "auto", "progress bar on stderr: auto (when stderr is a terminal), always, never")
	addLangFlag(c.Flags(), &o.lang)
}

// addLangFlag registers --lang, the language of what people read.
func addLangFlag(fs *pflag.FlagSet, lang *string) {
	fs.StringVar(lang, "lang", "", "language of what people read (the table, Markdown, HTML and PDF output and the lines on stderr): en, ru or kk (default: from LC_ALL, LC_MESSAGES or LANG, else en); JSON, CSV, SARIF and --log-format json stay English")
}

// checkLang refuses a --lang no catalogue has ("": the environment's).
func checkLang(lang string) error {
	if lang == "" {
		return nil
	}
	return oneOf("lang", lang, i18n.Langs...)
}

// langOf is the language asked for with --lang, else the environment's.
func (e *env) langOf(lang string) string {
	if lang != "" {
		return lang
	}
	return i18n.FromEnv(e.getenv)
}

// printer writes the language asked for with --lang, else the
// environment's.
func (e *env) printer(lang string) (*i18n.Printer, error) { return i18n.New(e.langOf(lang)) }

// validate returns every problem with the output flags.
func (o *outputFlags) validate() []error {
	errs := []error{checkFormat(o.format), audit.ValidateFailOn(o.failOn), oneOf("progress", o.progress, "auto", "always", "never")}
	if o.format == "pdf" && (o.output == "" || o.output == "-") {
		errs = append(errs, &audit.FlagError{Flag: "format", With: []string{"output"}, Err: i18n.Errorf("--format pdf writes a binary file: give -o FILE")})
	}
	return errs
}

// options maps the flags onto the run's output options.
func (o *outputFlags) options(stdout io.Writer) audit.OutputOptions {
	return audit.OutputOptions{Format: o.format, Path: o.output, Stdout: stdout, All: o.all, FailOn: o.failOn, Lang: o.lang}
}

// runOptions are the options every report-writing command shares.
func (e *env) runOptions(c *cobra.Command, command string, targets []string, of outputFlags, sf scheduleFlags, stdout io.Writer) audit.Options {
	e.logOutput(of.output)
	of.lang = e.langOf(of.lang)
	return audit.Options{Command: command, Targets: targets, Version: version(), Output: of.options(stdout), History: sf.options(c), Log: e.log}
}

// logOutput puts the file a command writes on its JSON log lines.
func (e *env) logOutput(path string) {
	if path != "" && path != "-" {
		e.log.with(slog.String("output", path))
		e.log.toFile = true
	}
}

// finish maps a run's outcome onto the exit code, and its counts onto the
// log's last line.
func (e *env) finish(out audit.Outcome, err error) error {
	e.out.findingsAtFailOn, e.out.incomplete, e.out.interrupted = out.FindingsAtFailOn, out.Incomplete, out.Interrupted
	if s := out.Summary; s.FindingsBySeverity != nil {
		n := 0
		for _, c := range s.FindingsBySeverity {
			n += c
		}
		e.log.addResult(slog.Int("resources", s.Resources), slog.Int("errors", s.Errors),
			slog.Int("findings", n), slog.Any("findings_by_severity", s.FindingsBySeverity))
	}
	if c := out.Changes; c != nil {
		e.log.addResult(slog.Int64("scan", c.Scan), slog.Int64("previous_scan", c.PreviousScan),
			slog.Int("new", c.New), slog.Int("fixed", c.Fixed), slog.Int("unchanged", c.Unchanged), slog.Int("new_alerts", c.NewAlerts))
	}
	return err
}

func newFilesCommand(e *env, stdout io.Writer) *cobra.Command {
	var of outputFlags
	var sf scheduleFlags
	var workers int
	var ef exposureFlags
	var calc *audit.Exposure
	var tf trustFlags
	var assetsPath string
	var walk scanner.WalkOptions
	c := &cobra.Command{
		Use:   "files PATH...",
		Short: "Scan files and folders for AI provenance, labels and training opt-outs",
		Long: `Walks folders (and single files) and reports, per file: its media type (sniffed
from bytes), whether it is AI-made and why, whether it carries a machine-readable
AI marking (IPTC DigitalSourceType or a C2PA manifest), and training opt-outs
embedded in it (C2PA/CAWG training-mining, IPTC PLUS DataMining).

Sidecars beside an asset (<asset>.c2pa, <stem>.c2pa, <asset>.xmp, <stem>.xmp) are
read with it; so are the fragments of a fragmented MP4 beside its init segment
(--fragments-glob, default *.m4s). Exit codes: 0 clean, 1 findings at or above --fail-on, 2 usage or
runtime error, 3 some files could not be read, 4 another run of the same
target is in progress, 130 interrupted.`,
		PreRunE: func(c *cobra.Command, args []string) error {
			var p problems
			var err error
			p.add(of.validate()...)
			p.add(sf.validate(of.failOn), atLeast("workers", workers, 1), tf.load())
			if err := walk.Validate(); err != nil {
				p.add(flagErrorf("fragments-glob", "--fragments-glob: %v", err))
			}
			calc, err = ef.resolve()
			p.add(err)
			return p.err()
		},
		RunE: func(c *cobra.Command, args []string) error {
			paths, err := e.targets(c, args)
			if err != nil {
				return err
			}
			opt := e.runOptions(c, "files", paths, of, sf, stdout)
			opt.Exposure = calc
			opt.Assets = assetsPath
			bar := newProgress(of.progress, "files", e.log, e.log.Say())
			defer bar.finish()
			opt.Progress = bar.update
			opt.Trust, opt.Online = tf.store, tf.online
			opt.Walk = walk
			return e.finish(audit.Files(c.Context(), opt, workers))
		},
	}
	of.register(c)
	sf.register(c)
	ef.register(c)
	c.Flags().IntVar(&workers, "workers", scanner.DefaultWorkers(), "files analysed at once")
	c.Flags().StringVar(&walk.FragmentsGlob, "fragments-glob", scanner.DefaultFragmentsGlob, "names of a fragmented MP4's fragments, in its init segment's folder: its C2PA binding is checked with them")
	tf.register(c)
	registerAssets(c, &assetsPath)
	return c
}

// progress draws a bar on stderr for a person watching a terminal; when
// stderr is not a terminal (cron, CI) it logs one plain line every
// logInterval instead, and with --progress never it says nothing.
type progress struct {
	bar     *progressbar.ProgressBar
	log     io.Writer
	say     *i18n.Printer
	unit    string
	started time.Time
	last    time.Time
}

const logInterval = 10 * time.Second

// progressCounts are the catalogue's keys of "N files" for each unit a
// command counts in.
var progressCounts = map[string]string{"files": "%d files", "items": "%d items", "URLs": "%d URLs"}

func newProgress(mode, unit string, stderr io.Writer, say *i18n.Printer) *progress {
	p := &progress{unit: unit, say: say, started: time.Now(), last: time.Now()}
	tty := isTerminal(stderr)
	switch {
	case mode == "never":
		return p
	case mode == "always" || tty:
		p.bar = progressbar.NewOptions(-1,
			progressbar.OptionSetWriter(stderr),
			progressbar.OptionSetDescription(say.T("scanning")),
			progressbar.OptionShowCount(),
			progressbar.OptionShowIts(),
			progressbar.OptionSetItsString(say.T(unit)),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionClearOnFinish(),
		)
	default:
		p.log = stderr
	}
	return p
}

func (p *progress) update(done, total int) {
	switch {
	case p.bar != nil:
		if total > 0 && p.bar.GetMax() != total {
			p.bar.ChangeMax(total)
		}
		p.bar.Set(done)
	case p.log != nil && time.Since(p.last) >= logInterval:
		p.last = time.Now()
		rate := float64(done) / time.Since(p.started).Seconds()
		line := "aiaudit: " + p.say.T("progress: %s (%.0f/s)", p.say.T(progressCounts[p.unit], done), rate)
		if total > 0 && rate > 0 {
			line += ", " + p.say.T("%d of %d, about %s left", done, total, (time.Duration(float64(total-done)/rate)*time.Second).Round(time.Second).String())
		}
		fmt.Fprintln(p.log, line)
	}
}

func (p *progress) finish() {
	if p.bar != nil {
		p.bar.Finish()
	}
}
