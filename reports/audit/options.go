// Package audit is the audit pipeline, the one place a scan is strung
// together: a source (files, crawl, a saved report) streams resources ->
// findings (reports/rules) -> baseline -> history -> exposure -> the renderer
// -> notify. Commands map their flags onto Options and the Outcome onto exit
// codes; everything else happens here, testable without the CLI.
package audit

import (
	"fmt"
	"io"
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

	// Log receives summaries and warnings (stderr).
	Log Log
	// Progress is told how many items are done (total -1 when unknown).
	Progress func(done, total int)
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
}

// HistoryOptions are what a scheduled scan remembers and compares with.
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
}

// Outcome is what decides the exit code.
type Outcome struct {
	FindingsAtFailOn bool
	Incomplete       bool
	Interrupted      bool
}

// ValidateFailOn checks a --fail-on value.
func ValidateFailOn(v string) error {
	switch v {
	case "info", "warning", "violation", "none", "new":
		return nil
	}
	return fmt.Errorf("--fail-on %q is not supported (accepted: info, warning, violation, none, new)", v)
}
