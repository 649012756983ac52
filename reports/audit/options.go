// Package audit is the audit pipeline, the one place a scan is strung
// together: a source (files, crawl, a saved report) streams resources ->
// findings (reports/rules) -> baseline -> history -> exposure -> the renderer
// -> notify. Commands map their flags onto Options and the Outcome onto exit
// codes; everything else happens here, testable without the CLI.
package audit

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"slices"

	"github.com/aiaudit/aiaudit/detectors/c2pa/revocation"
	"github.com/aiaudit/aiaudit/detectors/c2pa/trust"
	"github.com/aiaudit/aiaudit/reports/i18n"
	"github.com/aiaudit/aiaudit/reports/model"
	"github.com/aiaudit/aiaudit/scanner"
	"github.com/aiaudit/aiaudit/scanner/ocspfetch"
)

// Options configures one run.
type Options struct {
	// Command ("files", "crawl", "urls", "report") and Targets name the scan.
	Command string
	Targets []string
	// Version is aiaudit's version, written into reports and webhooks.
	Version string

	Output OutputOptions
	// Exposure prices the findings; nil for scans that price nothing (files).
	Exposure *Exposure
	History  HistoryOptions

	// Assets is the asset library (--assets): a folder or a saved files
	// report; published copies of its images inherit their evidence.
	Assets string

	// Log receives summaries and warnings (stderr).
	Log Log
	// Progress is told how many items are done (total -1 when unknown).
	Progress func(done, total int)
	// Trust decides which C2PA signers are trusted (nil: the shipped C2PA
	// trust lists).
	Trust *trust.Store
	// Online lets C2PA validation ask a signer's OCSP responder when its
	// manifest staples no response (--online); without it no lookup is
	// ever made, and scans stay reproducible.
	Online bool
	// Walk pairs init segments with their fragments (files scans).
	Walk scanner.WalkOptions
}

// revocation is the OCSP lookup of a run with --online, nil without.
func (o Options) revocation(ctx context.Context, fo ocspfetch.Options) revocation.Fetcher {
	if !o.Online {
		return nil
	}
	return ocspfetch.New(ctx, fo)
}

// OutputOptions say what report is written where, and what fails the run.
type OutputOptions struct {
	Format string // one of reports.Formats
	// Path is the report file ("" or "-": the Stdout writer).
	Path   string
	Stdout io.Writer
	// All lists items with no signal in the table format too.
	All bool
	// FailOn: info, warning, violation, none, or new (a new warning or
	// violation since the last scan).
	FailOn string
	// Lang is the language of the human-readable formats (en, ru, kk).
	Lang string
	// Browser is the Chromium that prints a PDF ("": found on PATH).
	Browser string
}

// thumbnails says whether the scan makes a small picture of each AI-made
// image: for the formats that show them, and for JSON, so a re-render of
// the saved scan (aiaudit report) still shows them.
func (o OutputOptions) thumbnails() bool {
	return slices.Contains([]string{"html", "pdf", "json"}, o.Format)
}

// HistoryOptions are what a scheduled scan remembers and compares with.
// Validate checks them; OpenSession runs the same checks.
type HistoryOptions struct {
	// DB is the history database ("" for the default path); Off records
	// nothing (the target's lock is still taken where it can be).
	DB  string
	Off bool
	// Baseline is a file of accepted findings, left out and counted.
	Baseline string
	// Notify is a webhook told of new warnings and violations.
	Notify string
	// Settings are the flags the scan ran with, recorded with it.
	Settings map[string]string
	// Resume continues the target's interrupted scan (urls --resume).
	Resume bool
}

// Log is where a run writes for a person: lines, and warnings that --quiet
// does not silence.
type Log interface {
	io.Writer
	Warn(format string, args ...any)
	// Say is the printer of the log's lines: the run's language for a
	// person, English where a machine reads them (JSON log lines).
	Say() *i18n.Printer
}

// SummaryLog is a Log that also takes a summary line's facts as fields, for
// a machine reading the log (--log-format json).
type SummaryLog interface {
	Log
	// Summary writes one summary line: text (without the "aiaudit: "
	// prefix) for a person, attrs for a machine.
	Summary(text string, attrs ...slog.Attr)
}

// Summarize writes a summary line to log: with its facts as fields where
// log takes them, else as the text line a person reads.
func Summarize(log Log, text string, attrs ...slog.Attr) {
	if s, ok := log.(SummaryLog); ok {
		s.Summary(text, attrs...)
		return
	}
	fmt.Fprintln(log, "aiaudit: "+text)
}

// Outcome is what decides the exit code, and the counts a log's last line
// gives with it.
type Outcome struct {
	FindingsAtFailOn bool
	Incomplete       bool
	Interrupted      bool
	// Summary and Changes are the run's counts (a URL-list run's tally:
	// URLs, reserved, errors).
	Summary model.Summary
	Changes *model.Changes
}

// ValidateFailOn checks a --fail-on value.
func ValidateFailOn(v string) error {
	switch v {
	case "info", "warning", "violation", "none", "new":
		return nil
	}
	return FlagErrorf("fail-on", "--fail-on %q is not supported (accepted: info, warning, violation, none, new)", v)
}

// FlagError is a bad option value, named by the flag (and config key) that
// gave it, so the CLI can say where the value came from: the command line,
// or a line of the config file. Validation returns every problem it finds,
// each a FlagError, joined.
type FlagError struct {
	Flag string
	// With are the other flags the problem involves (--employees goes with
	// --annual-income); Flag is the one that gave the offending value.
	With []string
	// Val is the offending element of a repeatable flag ("" otherwise).
	Val string
	Err error
}

// FlagErrorf makes a FlagError about flag, its format a catalogued
// message so that the CLI says it in the run's language.
func FlagErrorf(flag, format string, args ...any) *FlagError {
	return &FlagError{Flag: flag, Err: i18n.Errorf(format, args...)}
}

func (e *FlagError) Error() string { return e.Err.Error() }
func (e *FlagError) Unwrap() error { return e.Err }

// Flags names the flags the problem is about, Flag first.
func (e *FlagError) Flags() []string { return append([]string{e.Flag}, e.With...) }

// Value is the offending element of a repeatable flag.
func (e *FlagError) Value() string { return e.Val }
