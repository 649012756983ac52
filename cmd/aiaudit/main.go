// Command aiaudit finds AI-made content, its labels and training opt-outs.
// This package is only the CLI: flags, wiring and exit codes.
package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/aiaudit/aiaudit/cmd/aiaudit/config"
	"github.com/aiaudit/aiaudit/reports/history"
	"github.com/aiaudit/aiaudit/reports/i18n"
	"github.com/aiaudit/aiaudit/reports/model"
)

// Exit codes (DESIGN.md), the one place they are decided.
const (
	exitClean       = 0
	exitFindings    = 1
	exitError       = 2
	exitIncomplete  = 3
	exitLocked      = 4
	exitInterrupted = 130
)

// usageError marks mistakes in how the command was called (exit 2).
type usageError struct{ error }

func (u usageError) Unwrap() error { return u.error }

// outcome is what a command learned that decides the exit code.
type outcome struct {
	findingsAtFailOn bool
	incomplete       bool
	interrupted      bool
}

func (o outcome) code() int {
	switch {
	case o.interrupted:
		return exitInterrupted
	case o.findingsAtFailOn:
		return exitFindings
	case o.incomplete:
		return exitIncomplete
	}
	return exitClean
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run executes one aiaudit command line in-process and returns its exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	var out outcome
	log := &logSink{w: stderr}
	e := &env{out: &out, log: log, getenv: os.Getenv}
	root := newRootCommand(e, stdin, stdout)
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	code := out.code()
	switch {
	case errors.Is(err, history.ErrLocked):
		log.errorf("%v", err)
		code = exitLocked
	case err != nil:
		// A bad value from the config file is named by its line.
		log.errorf("%s", log.Say().Error(e.cfg.Locate(e.section, err, e.fromFile)))
		code = exitError
	}
	log.exit(code)
	return code
}

// env is what every command shares: the outcome that decides the exit code,
// the log (stderr), and the config file.
type env struct {
	out    *outcome
	log    *logSink
	cfg    *config.File
	getenv func(string) string
	// sections are the config file's command sections (configSections).
	sections []string
	// section is the config section the running command read, and
	// fromFile says which of its flags the file set.
	section  string
	fromFile func(flag string) bool
}

func newRootCommand(e *env, stdin io.Reader, stdout io.Writer) *cobra.Command {
	var configPath, logFormat string
	var quiet bool
	root := &cobra.Command{
		Use:           "aiaudit",
		Short:         "Find AI-made content, whether it is labelled, and AI-training opt-outs",
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       version(),
		PersistentPreRunE: func(c *cobra.Command, args []string) error {
			if err := e.loadConfig(c, configPath); err != nil {
				return err
			}
			if err := checkRootFlags(logFormat); err != nil {
				return usageError{err}
			}
			e.log.json, e.log.quiet = logFormat == "json", quiet
			// The log speaks the command's --lang, else the
			// environment's language. --lang is checked here for every
			// command that has it (configCommands checks the config
			// file's).
			lang := ""
			if f := c.Flags().Lookup("lang"); f != nil {
				lang = f.Value.String()
			}
			if err := checkLang(lang); err != nil {
				return usageError{err}
			}
			e.log.lang = e.langOf(lang)
			e.log.with(slog.String("command", strings.TrimPrefix(c.CommandPath(), c.Root().Name()+" ")))
			return nil
		},
	}
	root.PersistentFlags().StringVar(&configPath, "config", "", "config file (default: $AIAUDIT_CONFIG, ./aiaudit.yaml, ~/.config/aiaudit/config.yaml, /etc/aiaudit/config.yaml)")
	root.PersistentFlags().BoolVarP(&quiet, "quiet", "q", false, "only warnings and errors on stderr (no progress, no summaries)")
	root.PersistentFlags().StringVar(&logFormat, "log-format", "text", "stderr log lines: text, or json (one object per line)")
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return usageError{err} })
	root.AddCommand(newFilesCommand(e, stdout))
	root.AddCommand(newURLsCommand(e, stdin, stdout))
	root.AddCommand(newCheckCommand(e, stdout))
	root.AddCommand(newCrawlCommand(e, stdout))
	root.AddCommand(newReportCommand(e, stdout))
	root.AddCommand(newHistoryCommand(e, stdout))
	root.AddCommand(newDiffCommand(e, stdout))
	root.AddCommand(newBaselineCommand(e, stdout))
	root.AddCommand(newConfigCommand(e, stdout))
	root.AddCommand(newQueueCommand(e), newJobCommand(e, stdin, stdout), newWorkerCommand(e))
	e.sections = configSections(root)
	return root
}

// loadConfig finds the config file and sets every flag the command line
// left alone from it.
func (e *env) loadConfig(c *cobra.Command, explicit string) error {
	if c.Annotations["config"] == "none" {
		return nil
	}
	path, found, err := config.SearchPath(explicit, e.getenv)
	if err != nil {
		return usageError{err}
	}
	if !found {
		return nil
	}
	if e.cfg, err = config.Load(path, e.sections); err != nil {
		return usageError{err}
	}
	// What the command line set, before Apply sets more.
	user := map[string]bool{}
	c.Flags().Visit(func(f *pflag.Flag) { user[f.Name] = true })
	e.section = commandPath(c)
	e.fromFile = func(name string) bool { return !user[name] && c.Flags().Changed(name) }
	if err := e.cfg.Apply(e.section, c.Flags(), siblingFlags(c)...); err != nil {
		return usageError{err}
	}
	return nil
}

// commandPath names a command the way config sections do: "crawl",
// "history" for "history prune".
func commandPath(c *cobra.Command) string { return sectionOf(c).Name() }

// targets are the command's arguments, or its config section's targets when
// it was given none.
func (e *env) targets(c *cobra.Command, args []string) ([]string, error) {
	if len(args) == 0 {
		args = e.cfg.Targets(commandPath(c))
	}
	if len(args) == 0 {
		return nil, usageError{i18n.Errorf("%s: give at least one target (or list targets under %q in the config file)", c.Name(), commandPath(c))}
	}
	// A start URL's credentials are the crawl's to fetch with: the log
	// names the target without them.
	shown := make([]string, len(args))
	for i, a := range args {
		shown[i] = model.StripUserinfo(a)
	}
	e.log.with(slog.Any("targets", shown))
	return args, nil
}

func version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "0.1.0-dev"
}
