package config

import (
	"errors"
	"fmt"
	"slices"

	"github.com/spf13/pflag"
)

// Targets returns the positional arguments the command's section gives, or
// nil when it gives none.
func (f *File) Targets(command string) []string {
	if f == nil {
		return nil
	}
	if sec := f.Sections[command]; sec != nil && sec.HasTargets {
		return slices.Clone(sec.Targets)
	}
	return nil
}

// Phrases returns the inline label-phrases entries. They are not applied to
// the --label-phrases flag (which names a file); the caller adds them to
// whatever that file provides.
func (f *File) Phrases() []Phrase {
	if f == nil {
		return nil
	}
	return slices.Clone(f.phrases)
}

type scoped struct {
	Entry
	inSection bool
}

// effective lists what applies to command: top-level keys not overridden by
// the section, then the section's keys. Overriding replaces rather than
// appends, or a list in both places would be given to a repeatable flag twice.
func (f *File) effective(command string) []scoped {
	sec := f.Sections[command]
	override := map[string]bool{}
	if sec != nil {
		for _, e := range sec.Entries {
			override[e.Key] = true
		}
	}
	var out []scoped
	for _, e := range f.Top {
		if !override[e.Key] {
			out = append(out, scoped{Entry: e})
		}
	}
	if sec != nil {
		for _, e := range sec.Entries {
			out = append(out, scoped{Entry: e, inSection: true})
		}
	}
	return out
}

// Apply gives command's flags the file's values, except flags the user set
// on the command line. Keys at the top level that command lacks are skipped;
// keys in command's own section that it lacks are errors, unless one of
// siblings has them: the flags of the other commands that read the same
// section (history and history prune share the history section). Flags set
// here report Changed afterwards, as pflag does for any Set, which lets
// cobra's required-flag checks count values from the file.
func (f *File) Apply(command string, flags *pflag.FlagSet, siblings ...*pflag.FlagSet) error {
	if f == nil || flags == nil {
		return nil
	}
	// Snapshot first: once Set has run, Changed can no longer tell a user's
	// flag from one this loop just filled, and the second element of a list
	// would be dropped.
	user := map[string]bool{}
	flags.Visit(func(fl *pflag.Flag) { user[fl.Name] = true })

	var errs []error
	for _, e := range f.effective(command) {
		fl := flags.Lookup(e.Key)
		if fl == nil {
			if e.inSection && !slices.ContainsFunc(siblings, func(fs *pflag.FlagSet) bool { return fs.Lookup(e.Key) != nil }) {
				errs = append(errs, &Error{Path: f.Path, Line: e.KeyLine,
					Msg: fmt.Sprintf("key %q is not a flag of command %q", e.Key, command)})
			}
			continue
		}
		if user[fl.Name] {
			continue
		}
		for i, v := range e.Values {
			if err := flags.Set(fl.Name, v); err != nil {
				errs = append(errs, f.setError(e.Entry, i, err, ""))
				break
			}
		}
	}
	return errors.Join(errs...)
}

func (f *File) setError(e Entry, i int, err error, command string) *Error {
	line := e.ValueLine
	if i < len(e.ValueLines) {
		line = e.ValueLines[i]
	}
	msg := fmt.Sprintf("key %q: %v", e.Key, err)
	if command != "" {
		msg += fmt.Sprintf(" (for command %s)", command)
	}
	return &Error{Path: f.Path, Line: line, Msg: msg, Err: err}
}
