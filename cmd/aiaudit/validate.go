package main

import (
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/aiaudit/aiaudit/cmd/aiaudit/config"
	"github.com/aiaudit/aiaudit/detectors/labels"
	"github.com/aiaudit/aiaudit/reports"
	"github.com/aiaudit/aiaudit/reports/audit"
)

// Every command validates its flag values in one function, its PreRunE:
// cobra runs it before RunE, and config check runs the same function on the
// values a config file gives each command (configCommands). It returns every
// problem, each an audit.FlagError naming its flag, so a run names them all
// at once and a config file's problems come out on their lines.

// problems collects a command's bad flag values.
type problems []error

func (p *problems) add(errs ...error) {
	for _, e := range errs {
		if e != nil {
			*p = append(*p, e)
		}
	}
}

// err is nil, or a usage error (exit 2) holding every problem.
func (p problems) err() error {
	if len(p) == 0 {
		return nil
	}
	return usageError{errors.Join(p...)}
}

func flagErrorf(flag, format string, args ...any) error {
	return audit.FlagErrorf(flag, format, args...)
}

func atLeast(flag string, v, min int) error {
	if v < min {
		return flagErrorf(flag, "--%s must be at least %d (got %d)", flag, min, v)
	}
	return nil
}

func positive(flag string, d time.Duration) error {
	if d <= 0 {
		return flagErrorf(flag, "--%s must be positive (got %s)", flag, d)
	}
	return nil
}

func notNegative[T int | time.Duration](flag string, v T) error {
	if v < 0 {
		return flagErrorf(flag, "--%s must not be negative (got %v)", flag, v)
	}
	return nil
}

func oneOf(flag, v string, accepted ...string) error {
	for _, a := range accepted {
		if v == a {
			return nil
		}
	}
	return flagErrorf(flag, "--%s %q is not supported (accepted: %s)", flag, v, strings.Join(accepted, ", "))
}

// checkFormat accepts the report formats (every renderer's name).
func checkFormat(v string) error {
	if _, err := reports.NewWriter(v, io.Discard, reports.Options{}); err != nil {
		if slices.Contains(strings.Split(reports.Formats, ", "), v) {
			return &audit.FlagError{Flag: "format", Err: err} // e.g. pdf without a browser
		}
		return flagErrorf("format", "--%s %q is not supported (accepted: %s)", "format", v, reports.Formats)
	}
	return nil
}

// checkRootFlags validates the flags every command inherits.
func checkRootFlags(logFormat string) error {
	return oneOf("log-format", logFormat, "text", "json")
}

// labelPhrases reads --label-phrases: the JSON itself when the value starts
// with [ or {, else the name of a JSON file. Errors say which it was taken
// for. Each phrase is compiled as the crawl will, so a bad pattern is a
// usage error naming the phrase.
func labelPhrases(v string) ([]labels.Phrase, error) {
	t := strings.TrimSpace(v)
	var b []byte
	what := "inline JSON"
	switch {
	case strings.HasPrefix(t, "["):
		b = []byte(t)
	case strings.HasPrefix(t, "{"):
		b = []byte("[" + t + "]") // one phrase
	default:
		what = "file " + v
		var err error
		if b, err = os.ReadFile(v); err != nil {
			var pe *fs.PathError
			if errors.As(err, &pe) {
				err = pe.Err
			}
			return nil, flagErrorf("label-phrases", "--label-phrases: %s: %v (give a JSON file, or the JSON itself, starting with [ or {)", what, err)
		}
	}
	var ps []labels.Phrase
	if err := json.Unmarshal(b, &ps); err != nil {
		return nil, flagErrorf("label-phrases", `--label-phrases: %s: %v (want a list of {"lang": ..., "pattern": ...})`, what, err)
	}
	var errs []error
	for i, p := range ps {
		switch {
		case p.Lang == "":
			errs = append(errs, flagErrorf("label-phrases", "--label-phrases: %s: phrase %d: lang is required", what, i+1))
		case p.Pattern == "":
			errs = append(errs, flagErrorf("label-phrases", "--label-phrases: %s: phrase %d: pattern is required", what, i+1))
		default:
			if _, err := labels.Default().Extend([]labels.Phrase{p}); err != nil {
				if u := errors.Unwrap(err); u != nil {
					err = u
				}
				errs = append(errs, flagErrorf("label-phrases", "--label-phrases: %s: phrase %d: pattern: %v", what, i+1, err))
			}
		}
	}
	return ps, errors.Join(errs...)
}

// configSections are the names that open a section in the config file: the
// commands that read it, from the command tree itself, so the list cannot
// lag behind the commands.
func configSections(root *cobra.Command) []string {
	var out []string
	for _, c := range root.Commands() {
		if readsConfig(c) {
			out = append(out, c.Name())
		}
	}
	return out
}

func readsConfig(c *cobra.Command) bool {
	if c.Annotations["config"] == "none" {
		return false
	}
	if c.Runnable() {
		return true
	}
	for _, sub := range c.Commands() {
		if readsConfig(sub) {
			return true
		}
	}
	return false
}

// sectionOf is the command whose config section c reads: its top-level
// command ("history" for "history prune").
func sectionOf(c *cobra.Command) *cobra.Command {
	for c.HasParent() && c.Parent().HasParent() {
		c = c.Parent()
	}
	return c
}

// siblingFlags are the flags of the other commands that read c's section,
// whose keys c skips instead of refusing.
func siblingFlags(c *cobra.Command) []*pflag.FlagSet {
	var out []*pflag.FlagSet
	var walk func(x *cobra.Command)
	walk = func(x *cobra.Command) {
		if x != c {
			out = append(out, x.LocalFlags())
		}
		for _, sub := range x.Commands() {
			walk(sub)
		}
	}
	walk(sectionOf(c))
	return out
}

// allFlags are c's own and inherited flags in one set (the same flags, so
// setting one sets the command's variable).
func allFlags(c *cobra.Command) *pflag.FlagSet {
	fs := pflag.NewFlagSet(c.Name(), pflag.ContinueOnError)
	fs.AddFlagSet(c.LocalFlags())
	fs.AddFlagSet(c.InheritedFlags())
	return fs
}

// configCommands describes every command that reads the config file to
// config check: each instance fresh from a new command tree, with the
// validation its run does (root flags, then its PreRunE).
func configCommands(e *env) []config.Command {
	fresh := func() *cobra.Command {
		return newRootCommand(&env{out: &outcome{}, log: &logSink{w: io.Discard}, getenv: e.getenv}, nil, io.Discard)
	}
	root := fresh()
	sections := configSections(root)
	var out []config.Command
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if c.HasParent() && c.Runnable() && c.Annotations["config"] != "none" {
			path := strings.TrimPrefix(c.CommandPath(), root.Name()+" ")
			out = append(out, config.Command{Path: path, Section: sectionOf(c).Name(), New: func() (*pflag.FlagSet, func() error) {
				r := fresh()
				x, _, err := r.Find(strings.Fields(path))
				if err != nil {
					return nil, nil
				}
				flags := allFlags(x)
				return flags, func() error {
					var p problems
					if fl := flags.Lookup("log-format"); fl != nil {
						p.add(checkRootFlags(fl.Value.String()))
					}
					if fl := flags.Lookup("lang"); fl != nil {
						p.add(checkLang(fl.Value.String()))
					}
					if x.PreRunE != nil {
						p.add(x.PreRunE(x, nil))
					}
					return errors.Join(p...)
				}
			}})
		}
		for _, sub := range c.Commands() {
			if c.HasParent() || slices.Contains(sections, sub.Name()) {
				walk(sub)
			}
		}
	}
	walk(root)
	return out
}
