// Package config reads aiaudit.yaml, the file that supplies default values for
// aiaudit's command-line flags.
//
// # Where the file is found
//
// The first of these that exists is used; later ones are not merged in:
//
//  1. the file named by --config (an error if it does not exist);
//  2. the file named by $AIAUDIT_CONFIG (an error if it does not exist);
//  3. ./aiaudit.yaml in the working directory;
//  4. $XDG_CONFIG_HOME/aiaudit/config.yaml, or $HOME/.config/aiaudit/config.yaml
//     when XDG_CONFIG_HOME is empty;
//  5. /etc/aiaudit/config.yaml.
//
// Running without any config file is normal and not an error.
//
// # What goes in it
//
// Every key is the long name of a command-line flag, without the dashes, and
// its value is what you would type after the flag:
//
//	jurisdiction: kz,eu
//	company-size: medium
//	fail-on: new
//	db: /var/lib/aiaudit/history.db
//	agent: [GPTBot, CCBot]      # a list: like giving --agent twice
//
//	crawl:                      # applies to "aiaudit crawl" only
//	  max-pages: 5000
//	  delay: 250ms
//	  targets: [https://example.kz/]
//
// The rules:
//
//   - A top-level key applies to every command that has that flag and is
//     ignored by commands that do not, so one file can serve all commands.
//   - A top-level key naming a command (files, urls, crawl, check, report,
//     diff, history, baseline: every command that reads the file, as the
//     binary lists them) holds a section of keys for that command only; a key
//     in a section overrides the same key at the top level. In a section every
//     key must be a flag of that command or of one of its subcommands
//     (history prune reads the history section).
//   - Inside a section, targets is the list of arguments used when the command
//     is run without any.
//   - A flag given on the command line always wins over the file.
//   - Values are passed to the flag exactly as written: numbers, booleans
//     and durations such as 250ms are read as their text. A list gives each
//     element to the flag in turn, which for repeatable flags adds them all.
//   - label-phrases may also hold the phrases themselves, at the top level, as a
//     list of {lang, pattern} entries instead of the name of a JSON file.
//   - Because check is both a command and a flag of urls, set that flag inside
//     the urls section: a mapping under check is the check command's section.
//     Likewise baseline: a file name is the --baseline flag, a mapping the
//     baseline command's section.
//   - config and help cannot be set from the file.
//
// Mistakes are reported as path:LINE: message. [File.Check] validates a
// whole file without running anything: unknown keys (with a suggestion for
// likely typos), values the flags would reject, bad label-phrases, and every
// value the commands' own validation rejects (the validation their runs do).
// [File.Locate] puts a run's validation errors on the lines of the file that
// gave the values.
package config

import (
	"fmt"
)

// TargetsKey is the section key holding default positional arguments.
const TargetsKey = "targets"

// PhrasesKey is the one flag whose value may be a list of mappings.
const PhrasesKey = "label-phrases"

// Error is a problem tied to a place in a config file.
type Error struct {
	Path string
	Line int // 0 when the problem has no single line
	Msg  string
	Err  error // the flag's own error, when a value was rejected
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.Path, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.Path, e.Msg)
}

func (e *Error) Unwrap() error { return e.Err }

// Entry is one flag key and its value(s).
type Entry struct {
	Key        string
	KeyLine    int
	Values     []string // a scalar is a one-element list
	ValueLines []int    // line of each element of Values
	ValueLine  int      // line of the value as a whole (the list's opening for lists)
	IsList     bool
}

// Section holds the keys that apply to one command only.
type Section struct {
	Name        string
	Line        int
	Entries     []Entry
	Targets     []string
	TargetsLine int
	HasTargets  bool
}

// Phrase is one inline label-phrases entry.
type Phrase struct {
	Lang    string
	Pattern string
	Line    int
}

// File is a parsed config file. A nil *File behaves as an empty file, so
// callers need not special-case running without one.
type File struct {
	Path     string
	Top      []Entry             // top-level flag keys, in file order
	Sections map[string]*Section // by command name

	phrases     []Phrase
	phrasesLine int // the label-phrases key's line, 0 when there is no inline list
}
