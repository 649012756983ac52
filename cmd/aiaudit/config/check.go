package config

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/spf13/pflag"
)

// Check validates the whole file without running anything. newFlags must
// return a fresh FlagSet for a command on every call: values are tried by
// Set, and Set has side effects (appending, validation state) that must not
// leak between checks. commands lists the commands the binary has. All
// problems are returned, in line order.
func (f *File) Check(newFlags func(command string) *pflag.FlagSet, commands []string) []error {
	if f == nil {
		return nil
	}
	c := newChecker(f, newFlags, commands)
	c.checkTop()
	c.checkSections()
	c.checkPhrases()
	return c.result()
}

// checker is the state Check's parts share, so that each part can report
// problems as it finds them and they still come out as one list.
type checker struct {
	f        *File
	newFlags func(command string) *pflag.FlagSet
	commands []string
	// cmdFlags answers "which commands have this flag?"; it is only looked
	// up, never Set, so one set per command serves the whole check.
	cmdFlags map[string]*pflag.FlagSet
	errs     []*Error
}

func newChecker(f *File, newFlags func(command string) *pflag.FlagSet, commands []string) *checker {
	c := &checker{f: f, newFlags: newFlags, commands: commands, cmdFlags: map[string]*pflag.FlagSet{}}
	for _, cmd := range commands {
		c.cmdFlags[cmd] = c.fresh(cmd)
	}
	return c
}

// fresh tolerates a nil FlagSet from newFlags: a command the caller cannot
// describe then reads as one without flags instead of crashing the check.
func (c *checker) fresh(command string) *pflag.FlagSet {
	if fs := c.newFlags(command); fs != nil {
		return fs
	}
	return pflag.NewFlagSet(command, pflag.ContinueOnError)
}

// allFlags is what a top-level key may be, so it is where a mistyped
// top-level key finds its suggestion.
func (c *checker) allFlags() []string {
	var all []string
	for _, cmd := range c.commands {
		c.cmdFlags[cmd].VisitAll(func(fl *pflag.Flag) {
			if !slices.Contains(all, fl.Name) {
				all = append(all, fl.Name)
			}
		})
	}
	sort.Strings(all)
	return all
}

// owners lists the commands that have the flag key, in commands order.
func (c *checker) owners(key string) []string {
	var out []string
	for _, cmd := range c.commands {
		if c.cmdFlags[cmd].Lookup(key) != nil {
			out = append(out, cmd)
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
