package config

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/spf13/pflag"
)

// Command is one command of the binary as Check sees it.
type Command struct {
	// Path names the command in messages: "crawl", "history prune".
	Path string
	// Section is the config section the command reads: its top-level
	// command, so "history" for "history prune".
	Section string
	// New returns a fresh instance of the command: its flags (its own and
	// those it inherits) and the validation its run does on their values
	// (nil when there is none). Fresh on every call: values are tried by
	// Set, and Set has side effects (appending, validation state) that must
	// not leak between checks.
	New func() (flags *pflag.FlagSet, validate func() error)
}

// Flagged is what a validation error implements to say which flags it is
// about, the one that gave the offending value first. Check and Locate put
// it on the line of the key that set the first of them from the file.
// Implementing Value (the offending value) picks the line of that element
// when the key holds a list.
type Flagged interface {
	error
	Flags() []string
}

// Check validates the whole file without running anything, as every command
// that reads it would: keys each command has, values its flags accept, and
// then the command's own validation of the values (the function its run
// calls), for every command. A validation error about a flag the file did
// not set is the command line's business and is left out. All problems are
// returned, in line order.
func (f *File) Check(commands []Command) []error {
	if f == nil {
		return nil
	}
	c := newChecker(f, commands)
	c.checkTop()
	c.checkSections()
	c.checkPhrases()
	c.checkValues()
	return c.result()
}

// checker is the state Check's parts share, so that each part can report
// problems as it finds them and they still come out as one list.
type checker struct {
	f        *File
	commands []Command
	// sections are the section names, in the order of commands.
	sections []string
	// cmdFlags answers "which sections have this flag?": per section, the
	// flags of all its commands. It is only looked up, never Set, so one
	// set per section serves the whole check.
	cmdFlags map[string]*pflag.FlagSet
	errs     []*Error
	// seen merges a validation problem that several commands report for
	// one top-level line into one message naming them all.
	seen map[string]*located
}

type located struct {
	err   *Error
	base  string
	paths []string
}

func newChecker(f *File, commands []Command) *checker {
	c := &checker{f: f, commands: commands, cmdFlags: map[string]*pflag.FlagSet{}, seen: map[string]*located{}}
	for _, cmd := range commands {
		if _, ok := c.cmdFlags[cmd.Section]; !ok {
			c.sections = append(c.sections, cmd.Section)
		}
	}
	for _, sec := range c.sections {
		c.cmdFlags[sec] = c.fresh(sec)
	}
	return c
}

// fresh is a new union of the flags of section's commands. A nil FlagSet
// from New reads as a command without flags instead of crashing the check.
func (c *checker) fresh(section string) *pflag.FlagSet {
	fs := pflag.NewFlagSet(section, pflag.ContinueOnError)
	for _, cmd := range c.commands {
		if cmd.Section != section || cmd.New == nil {
			continue
		}
		if own, _ := cmd.New(); own != nil {
			fs.AddFlagSet(own)
		}
	}
	return fs
}

// allFlags is what a top-level key may be, so it is where a mistyped
// top-level key finds its suggestion.
func (c *checker) allFlags() []string {
	var all []string
	for _, sec := range c.sections {
		c.cmdFlags[sec].VisitAll(func(fl *pflag.Flag) {
			if !slices.Contains(all, fl.Name) {
				all = append(all, fl.Name)
			}
		})
	}
	sort.Strings(all)
	return all
}

// owners lists the sections that have the flag key, in commands order.
func (c *checker) owners(key string) []string {
	var out []string
	for _, sec := range c.sections {
		if c.cmdFlags[sec].Lookup(key) != nil {
			out = append(out, sec)
		}
	}
	return out
}

func (c *checker) add(line int, msg string) {
	c.errs = append(c.errs, &Error{Path: c.f.Path, Line: line, Msg: msg})
}

// unknown reports a key that is no flag here, with the closest of
// candidates as a suggestion: most such keys are typos.
func (c *checker) unknown(e Entry, candidates []string, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if s := suggest(e.Key, candidates); s != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", s)
	}
	c.add(e.KeyLine, msg)
}

// trySet gives e's values to a fresh FlagSet, so the flag's own parser is the
// judge of what it accepts; tag names the command in the message. Like Apply,
// it stops at the first rejected value, so a key gets one message, on the
// line of the value that failed.
func (c *checker) trySet(e Entry, command string, tag string) bool {
	fs := c.fresh(command)
	for i, v := range e.Values {
		if err := fs.Set(e.Key, v); err != nil {
			c.errs = append(c.errs, c.f.setError(e, i, err, tag))
			return false
		}
	}
	return true
}

// checkTop checks the top-level keys. A top-level key is given to every
// command that has the flag, so its value must suit each of them.
func (c *checker) checkTop() {
	all := c.allFlags()
	for _, e := range c.f.Top {
		own := c.owners(e.Key)
		if len(own) == 0 {
			c.unknown(e, all, "unknown key %q", e.Key)
			continue
		}
		for _, cmd := range own {
			tag := ""
			if len(own) > 1 {
				tag = cmd // the flag's type may differ between commands
			}
			// One bad value is reported once, not once per command.
			if !c.trySet(e, cmd, tag) {
				break
			}
		}
	}
	// Inline phrases are kept out of Top, so their key needs its own check.
	if c.f.phrasesLine > 0 && len(c.owners(PhrasesKey)) == 0 {
		c.add(c.f.phrasesLine, fmt.Sprintf("unknown key %q", PhrasesKey))
	}
}

// checkSections goes through the sections in name order, not map order, so
// that problems on one line (a flow mapping can hold several sections) come
// out the same way on every run.
func (c *checker) checkSections() {
	names := make([]string, 0, len(c.f.Sections))
	for n := range c.f.Sections {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		c.checkSection(n, c.f.Sections[n])
	}
}

// checkSection is stricter than checkTop: a section names its command, so
// a key that command lacks is a mistake, not a key meant for another one.
func (c *checker) checkSection(name string, sec *Section) {
	flags, ok := c.cmdFlags[name]
	if !ok {
		c.add(sec.Line, fmt.Sprintf("section %q: no such command", name))
		return
	}
	var local []string
	flags.VisitAll(func(fl *pflag.Flag) { local = append(local, fl.Name) })
	local = append(local, TargetsKey)
	for _, e := range sec.Entries {
		if flags.Lookup(e.Key) != nil {
			c.trySet(e, name, "")
			continue
		}
		// A flag of another command is a misplaced key, not a typo: say
		// where it belongs instead of suggesting a lookalike.
		if own := c.owners(e.Key); len(own) > 0 {
			c.add(e.KeyLine, fmt.Sprintf("key %q is not a flag of command %q (it is one of %s)", e.Key, name, strings.Join(own, ", ")))
		} else {
			c.unknown(e, local, "key %q is not a flag of command %q", e.Key, name)
		}
	}
}

// checkPhrases exists because a run only meets a bad inline phrase when
// crawl hands it to the labels package, which knows no line numbers; here it
// is found, with its line, before anything runs.
func (c *checker) checkPhrases() {
	for _, ph := range c.f.phrases {
		switch {
		case ph.Lang == "":
			c.add(ph.Line, "label-phrases: lang is required")
		case ph.Pattern == "":
			c.add(ph.Line, "label-phrases: pattern is required")
		default:
			if _, err := regexp.Compile(ph.Pattern); err != nil {
				c.errs = append(c.errs, &Error{Path: c.f.Path, Line: ph.Line, Msg: fmt.Sprintf("label-phrases: pattern: %v", err), Err: err})
			}
		}
	}
}

// checkValues runs every command's own validation on the values the file
// gives it: what a run of that command would refuse, before it runs. Values
// the flags themselves rejected were reported above and stay unset here.
func (c *checker) checkValues() {
	for _, cmd := range c.commands {
		if cmd.New == nil {
			continue
		}
		flags, validate := cmd.New()
		if flags == nil || validate == nil {
			continue
		}
		_ = c.f.Apply(cmd.Section, flags, c.cmdFlags[cmd.Section]) // its errors were reported above
		for _, leaf := range leaves(validate()) {
			c.addValue(cmd, leaf, flags.Changed)
		}
	}
}

// addValue reports one validation problem of cmd, once per line and
// message; a top-level value refused by several commands names them all.
func (c *checker) addValue(cmd Command, leaf error, fromFile func(string) bool) {
	e, inSection := c.f.locate(cmd.Section, leaf, fromFile)
	if e == nil {
		if _, ok := leaf.(Flagged); ok {
			return // about a flag the file did not set
		}
		e = &Error{Path: c.f.Path, Msg: leaf.Error(), Err: leaf}
	}
	key := fmt.Sprintf("%d\x00%s", e.Line, e.Msg)
	if l, ok := c.seen[key]; ok {
		if !slices.Contains(l.paths, cmd.Path) {
			l.paths = append(l.paths, cmd.Path)
			l.err.Msg = l.base + c.forCommands(l.paths)
		}
		return
	}
	l := &located{err: e, base: e.Msg}
	if !inSection {
		// A top-level value goes to every command with the flag: say
		// which of them refuse it.
		l.paths = []string{cmd.Path}
		e.Msg += c.forCommands(l.paths)
	}
	c.seen[key] = l
	c.errs = append(c.errs, e)
}

func (c *checker) forCommands(paths []string) string {
	switch {
	case len(paths) == 0:
		return ""
	case len(paths) > 1 && len(paths) == len(c.commands):
		return " (for every command)"
	case len(paths) == 1:
		return fmt.Sprintf(" (for command %s)", paths[0])
	}
	return fmt.Sprintf(" (for commands %s)", strings.Join(paths, ", "))
}

// Locate puts each problem in err that is about a flag the file set
// (fromFile says which) on the line of that key, as Check does; command is
// the section the run read. Other problems are left as they are, and err is
// returned unchanged when none is about the file's values, so what it wraps
// stays visible to errors.Is.
func (f *File) Locate(command string, err error, fromFile func(flag string) bool) error {
	if f == nil || err == nil {
		return err
	}
	ls := leaves(err)
	out := make([]error, len(ls))
	found := false
	for i, l := range ls {
		out[i] = l
		if e, _ := f.locate(command, l, fromFile); e != nil {
			out[i], found = e, true
		}
	}
	if !found {
		return err
	}
	return errors.Join(out...)
}

// locate finds the key that gave a flagged problem's value: the first of
// its flags the file set, in command's section or at the top level. It
// returns nil when the problem is not about a value from the file.
func (f *File) locate(command string, leaf error, fromFile func(string) bool) (*Error, bool) {
	fl, ok := leaf.(Flagged)
	if !ok {
		return nil, false
	}
	for _, name := range fl.Flags() {
		if !fromFile(name) {
			continue
		}
		for _, e := range f.effective(command) {
			if e.Key != name {
				continue
			}
			line := e.ValueLine
			if v, ok := leaf.(interface{ Value() string }); ok {
				if i := slices.Index(e.Values, v.Value()); i >= 0 && i < len(e.ValueLines) {
					line = e.ValueLines[i]
				}
			}
			return &Error{Path: f.Path, Line: line, Msg: fmt.Sprintf("key %q: %v", e.Key, leaf), Err: leaf}, e.inSection
		}
	}
	return nil, false
}

// leaves lists the single problems in err: the parts of a joined error,
// through wrappers that add nothing to the message (a usage-error marker),
// down to the first error that names its flags.
func leaves(err error) []error {
	if err == nil {
		return nil
	}
	if _, ok := err.(Flagged); ok {
		return []error{err}
	}
	if m, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range m.Unwrap() {
			out = append(out, leaves(e)...)
		}
		return out
	}
	if u := errors.Unwrap(err); u != nil && u.Error() == err.Error() {
		return leaves(u)
	}
	return []error{err}
}

// result orders the problems by line, as a reader goes through the file.
// The sort is stable so that problems on one line keep the order they were
// found in.
func (c *checker) result() []error {
	sort.SliceStable(c.errs, func(i, j int) bool { return c.errs[i].Line < c.errs[j].Line })
	out := make([]error, len(c.errs))
	for i, e := range c.errs {
		out[i] = e
	}
	return out
}

// suggest returns the candidate closest to key when it is a plausible typo:
// at most two edits away, and not so short that every word would match.
func suggest(key string, candidates []string) string {
	best, bestD := "", 3
	for _, c := range candidates {
		if c == key {
			continue
		}
		d := distance(key, c)
		if d < bestD || (d == bestD && c < best) {
			best, bestD = c, d
		}
	}
	if best == "" || bestD >= len([]rune(key)) {
		return ""
	}
	return best
}

// distance is the Levenshtein distance between a and b, in runes.
func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
