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
//     diff, history) holds a section of keys for that command only; a key in a
//     section overrides the same key at the top level. In a section every key
//     must be a flag of that command.
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
//   - config and help cannot be set from the file.
//
// Mistakes are reported as path:LINE: message. [File.Check] validates a
// whole file without running anything: unknown keys (with a suggestion for
// likely typos), values the flags would reject, and bad label-phrases.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"
	"github.com/spf13/pflag"
)

// MaxSize is the largest config file accepted. A flag file has no business
// being bigger, and the cap keeps a mistaken path (a log, a disk image) from
// being read whole into memory.
const MaxSize = 1 << 20

// EnvVar names the environment variable consulted after --config.
const EnvVar = "AIAUDIT_CONFIG"

// TargetsKey is the section key holding default positional arguments.
const TargetsKey = "targets"

// PhrasesKey is the one flag whose value may be a list of mappings.
const PhrasesKey = "label-phrases"

// commandNames are the keys that open a section when they hold a mapping.
// They are fixed here, not taken from cobra, so that a file parses the same
// way whichever command reads it.
var commandNames = []string{"files", "urls", "crawl", "check", "report", "diff", "history"}

// reserved keys would either be meaningless (the file cannot choose itself) or
// make every run print help and exit.
var reserved = map[string]bool{"config": true, "help": true}

// Commands returns the names that open a command section.
func Commands() []string { return slices.Clone(commandNames) }

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

// SearchPath finds the config file in the order given in the package
// documentation. getenv is a parameter so tests need not touch the real
// environment; nil means os.Getenv.
func SearchPath(explicit string, getenv func(string) string) (path string, found bool, err error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	if explicit != "" {
		if err := mustExist(explicit); err != nil {
			return "", false, fmt.Errorf("--config: %w", err)
		}
		return explicit, true, nil
	}
	if p := getenv(EnvVar); p != "" {
		if err := mustExist(p); err != nil {
			return "", false, fmt.Errorf("$%s: %w", EnvVar, err)
		}
		return p, true, nil
	}
	candidates := []string{"aiaudit.yaml"}
	if xdg := getenv("XDG_CONFIG_HOME"); xdg != "" {
		candidates = append(candidates, filepath.Join(xdg, "aiaudit", "config.yaml"))
	} else if home := getenv("HOME"); home != "" {
		candidates = append(candidates, filepath.Join(home, ".config", "aiaudit", "config.yaml"))
	}
	candidates = append(candidates, "/etc/aiaudit/config.yaml")
	for _, c := range candidates {
		// Any stat failure means "not here": an unreadable $HOME in a sandbox
		// must not stop a run that never asked for a config file.
		if fi, err := os.Stat(c); err == nil && !fi.IsDir() {
			return c, true, nil
		}
	}
	return "", false, nil
}

func mustExist(p string) error {
	fi, err := os.Stat(p)
	if err != nil {
		return err
	}
	if fi.IsDir() {
		return fmt.Errorf("%s is a directory", p)
	}
	return nil
}

// Load reads and parses the config file at path.
func Load(path string) (*File, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	b, err := io.ReadAll(io.LimitReader(fh, MaxSize+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return Parse(path, b)
}

// Parse parses a config document; name is used as the path in errors.
// It checks the shape of the file only: whether keys are real flags and
// values acceptable to them depends on the command, see [File.Apply] and
// [File.Check].
func Parse(name string, b []byte) (*File, error) {
	if len(b) > MaxSize {
		return nil, &Error{Path: name, Msg: fmt.Sprintf("file is larger than %d bytes (1 MiB)", MaxSize)}
	}
	// Editors on Windows add a BOM; it is not part of any key.
	b = bytes.TrimPrefix(b, []byte("\xEF\xBB\xBF"))
	doc, err := parseYAML(b)
	if err != nil {
		return nil, syntaxError(name, err)
	}
	p := &parse{f: &File{Path: name, Sections: map[string]*Section{}}, anchors: map[string]ast.Node{}}
	var body ast.Node
	for _, d := range doc.Docs {
		if d == nil || d.Body == nil {
			continue
		}
		if body != nil {
			return nil, p.errf(d.Body, "more than one YAML document (---); put all keys in one")
		}
		body = d.Body
	}
	if body == nil {
		return p.f, nil
	}
	if err := p.top(body); err != nil {
		return nil, err
	}
	return p.f, nil
}

// parseYAML contains panics to the third-party parser, which is fed user
// input: a panic there must surface as a bad config file, not a crashed
// audit. Our own walk is deliberately outside, so fuzzing still finds its bugs.
func parseYAML(b []byte) (doc *ast.File, err error) {
	defer func() {
		if r := recover(); r != nil {
			doc, err = nil, fmt.Errorf("cannot parse YAML: %v", r)
		}
	}()
	return parser.ParseBytes(b, 0)
}

// syntaxError keeps the parser's message and line but drops its source
// excerpt, so every config error has the one-line path:LINE: form.
func syntaxError(name string, err error) error {
	var ye interface {
		GetToken() *token.Token
		GetMessage() string
	}
	if errors.As(err, &ye) {
		line := 0
		if tk := ye.GetToken(); tk != nil && tk.Position != nil {
			line = tk.Position.Line
		}
		return &Error{Path: name, Line: line, Msg: ye.GetMessage(), Err: err}
	}
	return &Error{Path: name, Msg: err.Error(), Err: err}
}

type parse struct {
	f       *File
	anchors map[string]ast.Node
}

func lineOf(n ast.Node) int {
	if n == nil {
		return 0
	}
	if tk := n.GetToken(); tk != nil && tk.Position != nil {
		return tk.Position.Line
	}
	return 0
}

func (p *parse) errf(n ast.Node, format string, args ...any) error {
	return &Error{Path: p.f.Path, Line: lineOf(n), Msg: fmt.Sprintf(format, args...)}
}

// resolve strips tags and anchors and follows aliases. Aliases may only
// point backwards, and every caller expects a fixed shape at each depth, so
// a self-referencing anchor cannot make this loop or blow up.
func (p *parse) resolve(n ast.Node) (ast.Node, error) {
	for i := 0; ; i++ {
		if i > 100 {
			return nil, p.errf(n, "too many nested tags, anchors or aliases")
		}
		switch v := n.(type) {
		case *ast.TagNode:
			n = v.Value
		case *ast.AnchorNode:
			if v.Name != nil {
				p.anchors[v.Name.String()] = v.Value
			}
			n = v.Value
		case *ast.AliasNode:
			if v.Value == nil {
				return nil, p.errf(v, "alias without a name")
			}
			target, ok := p.anchors[v.Value.String()]
			if !ok {
				return nil, p.errf(v, "alias *%s refers to no earlier anchor", v.Value.String())
			}
			n = target
		default:
			return n, nil
		}
		if n == nil {
			return nil, nil
		}
	}
}

// scalar gives the text a flag's Set would receive. Numbers and booleans keep
// their spelling so that, say, 0755 or 1e3 reach the flag unchanged.
func scalar(n ast.Node) (string, bool) {
	switch v := n.(type) {
	case *ast.StringNode:
		return v.Value, true
	case *ast.LiteralNode:
		if v.Value == nil {
			return "", true
		}
		return v.Value.Value, true
	case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode, *ast.InfinityNode, *ast.NanNode:
		if tk := v.GetToken(); tk != nil {
			return tk.Value, true
		}
	}
	return "", false
}

func isMapping(n ast.Node) bool {
	_, ok := n.(ast.MapNode)
	return ok
}

type keyValue struct {
	key   string
	kNode ast.Node
	value ast.Node // unresolved: the caller decides what shapes it accepts
}

// pairs lists a mapping's keys as strings, rejecting merge keys (whose
// semantics would hide where a value came from) and non-scalar keys.
func (p *parse) pairs(m ast.Node) ([]keyValue, error) {
	mn, ok := m.(ast.MapNode)
	if !ok {
		return nil, p.errf(m, "expected a mapping of keys to values")
	}
	var out []keyValue
	seen := map[string]int{}
	it := mn.MapRange()
	for it.Next() {
		kv := it.KeyValue()
		if kv == nil || kv.Key == nil {
			return nil, p.errf(m, "mapping entry without a key")
		}
		var k ast.Node = kv.Key
		if kv.Key.IsMergeKey() {
			return nil, p.errf(k, "merge keys (<<) are not supported")
		}
		if mk, ok := k.(*ast.MappingKeyNode); ok {
			k = mk.Value
		}
		rk, err := p.resolve(k)
		if err != nil {
			return nil, err
		}
		name, ok := scalar(rk)
		if !ok {
			return nil, p.errf(kv.Key, "a key must be a flag name, not %s", describe(rk))
		}
		if first, dup := seen[name]; dup {
			return nil, p.errf(kv.Key, "key %q already given on line %d", name, first)
		}
		seen[name] = lineOf(kv.Key)
		out = append(out, keyValue{key: name, kNode: kv.Key, value: kv.Value})
	}
	return out, nil
}

func describe(n ast.Node) string {
	switch n.(type) {
	case nil, *ast.NullNode:
		return "nothing"
	case ast.MapNode:
		return "a mapping"
	case *ast.SequenceNode:
		return "a list"
	}
	return "a " + strings.ToLower(n.Type().String())
}

func (p *parse) top(body ast.Node) error {
	rb, err := p.resolve(body)
	if err != nil {
		return err
	}
	if !isMapping(rb) {
		return p.errf(body, "the file must be a mapping of flag names to values, not %s", describe(rb))
	}
	kvs, err := p.pairs(rb)
	if err != nil {
		return err
	}
	for _, kv := range kvs {
		v, err := p.resolve(kv.value)
		if err != nil {
			return err
		}
		switch {
		case slices.Contains(commandNames, kv.key) && (isMapping(v) || isNull(v)):
			if err := p.section(kv, v); err != nil {
				return err
			}
		case kv.key == PhrasesKey && isPhraseList(v):
			if err := p.phraseList(kv, v); err != nil {
				return err
			}
		default:
			e, err := p.entry(kv, v)
			if err != nil {
				return err
			}
			p.f.Top = append(p.f.Top, e)
		}
	}
	return nil
}

func isNull(n ast.Node) bool {
	_, ok := n.(*ast.NullNode)
	return n == nil || ok
}

// isPhraseList reports whether v is a non-empty list whose first element is a
// mapping; mixed lists are then rejected element by element with a line.
func isPhraseList(v ast.Node) bool {
	seq, ok := v.(*ast.SequenceNode)
	if !ok || len(seq.Values) == 0 {
		return false
	}
	_, first := seq.Values[0].(ast.MapNode)
	return first
}

func (p *parse) section(kv keyValue, v ast.Node) error {
	sec := &Section{Name: kv.key, Line: lineOf(kv.kNode)}
	p.f.Sections[kv.key] = sec
	if isNull(v) {
		return nil // every key commented out: an empty section, not a mistake
	}
	kvs, err := p.pairs(v)
	if err != nil {
		return err
	}
	for _, skv := range kvs {
		sv, err := p.resolve(skv.value)
		if err != nil {
			return err
		}
		if skv.key == TargetsKey {
			e, err := p.entry(skv, sv)
			if err != nil {
				return err
			}
			sec.Targets, sec.TargetsLine, sec.HasTargets = e.Values, e.ValueLine, true
			continue
		}
		if skv.key == PhrasesKey && isPhraseList(sv) {
			return p.errf(skv.kNode, "inline label-phrases must be at the top level; in a section give the name of a phrases file")
		}
		e, err := p.entry(skv, sv)
		if err != nil {
			return err
		}
		sec.Entries = append(sec.Entries, e)
	}
	return nil
}

// entry turns a flag key's (resolved) value into the strings Set receives.
func (p *parse) entry(kv keyValue, v ast.Node) (Entry, error) {
	if reserved[kv.key] {
		return Entry{}, p.errf(kv.kNode, "key %q cannot be set from a config file", kv.key)
	}
	e := Entry{Key: kv.key, KeyLine: lineOf(kv.kNode), ValueLine: lineOf(kv.value)}
	if e.ValueLine == 0 {
		e.ValueLine = e.KeyLine
	}
	switch rv := v.(type) {
	case nil, *ast.NullNode:
		return Entry{}, p.errf(kv.kNode, "key %q has no value (write \"\" for an empty one)", kv.key)
	case *ast.SequenceNode:
		e.IsList = true
		e.Values = []string{}
		for _, el := range rv.Values {
			rel, err := p.resolve(el)
			if err != nil {
				return Entry{}, err
			}
			s, ok := scalar(rel)
			if !ok {
				return Entry{}, p.errf(el, "key %q: list elements must be plain values, not %s", kv.key, describe(rel))
			}
			e.Values = append(e.Values, s)
			l := lineOf(el)
			if l == 0 {
				l = e.ValueLine
			}
			e.ValueLines = append(e.ValueLines, l)
		}
		return e, nil
	case ast.MapNode:
		msg := fmt.Sprintf("key %q holds a mapping, but only command sections (%s) may", kv.key, strings.Join(commandNames, ", "))
		if s := suggest(kv.key, commandNames); s != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", s)
		}
		return Entry{}, &Error{Path: p.f.Path, Line: lineOf(kv.kNode), Msg: msg}
	default:
		s, ok := scalar(rv)
		if !ok {
			return Entry{}, p.errf(kv.value, "key %q: unsupported value (%s)", kv.key, describe(rv))
		}
		e.Values, e.ValueLines = []string{s}, []int{e.ValueLine}
		return e, nil
	}
}

func (p *parse) phraseList(kv keyValue, v ast.Node) error {
	p.f.phrasesLine = lineOf(kv.kNode)
	for _, el := range v.(*ast.SequenceNode).Values {
		rel, err := p.resolve(el)
		if err != nil {
			return err
		}
		if !isMapping(rel) {
			return p.errf(el, "label-phrases: every entry must be a {lang, pattern} mapping, not %s", describe(rel))
		}
		kvs, err := p.pairs(rel)
		if err != nil {
			return err
		}
		ph := Phrase{Line: lineOf(el)}
		if len(kvs) > 0 {
			ph.Line = lineOf(kvs[0].kNode)
		}
		for _, f := range kvs {
			fv, err := p.resolve(f.value)
			if err != nil {
				return err
			}
			s, ok := scalar(fv)
			if !ok && !isNull(fv) {
				return p.errf(f.kNode, "label-phrases: %s must be text, not %s", f.key, describe(fv))
			}
			switch f.key {
			case "lang":
				ph.Lang = s
			case "pattern":
				ph.Pattern = s
			default:
				return p.errf(f.kNode, "label-phrases: unknown field %q (want lang and pattern)", f.key)
			}
		}
		p.f.phrases = append(p.f.phrases, ph)
	}
	return nil
}

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
// keys in command's own section that it lacks are errors. Flags set here
// report Changed afterwards, as pflag does for any Set, which lets cobra's
// required-flag checks count values from the file.
func (f *File) Apply(command string, flags *pflag.FlagSet) error {
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
			if e.inSection {
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

// Check validates the whole file without running anything. newFlags must
// return a fresh FlagSet for a command on every call: values are tried by
// Set, and Set has side effects (appending, validation state) that must not
// leak between checks. commands lists the commands the binary has. All
// problems are returned, in line order.
func (f *File) Check(newFlags func(command string) *pflag.FlagSet, commands []string) []error {
	if f == nil {
		return nil
	}
	fresh := func(c string) *pflag.FlagSet {
		if fs := newFlags(c); fs != nil {
			return fs
		}
		return pflag.NewFlagSet(c, pflag.ContinueOnError)
	}
	cmdFlags := map[string]*pflag.FlagSet{}
	for _, c := range commands {
		cmdFlags[c] = fresh(c)
	}
	var all []string
	for _, c := range commands {
		cmdFlags[c].VisitAll(func(fl *pflag.Flag) {
			if !slices.Contains(all, fl.Name) {
				all = append(all, fl.Name)
			}
		})
	}
	sort.Strings(all)

	var errs []*Error
	owners := func(key string) []string {
		var out []string
		for _, c := range commands {
			if cmdFlags[c].Lookup(key) != nil {
				out = append(out, c)
			}
		}
		return out
	}
	unknown := func(e Entry, candidates []string, format string, args ...any) {
		msg := fmt.Sprintf(format, args...)
		if s := suggest(e.Key, candidates); s != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", s)
		}
		errs = append(errs, &Error{Path: f.Path, Line: e.KeyLine, Msg: msg})
	}
	trySet := func(e Entry, command string, tag string) bool {
		fs := fresh(command)
		for i, v := range e.Values {
			if err := fs.Set(e.Key, v); err != nil {
				errs = append(errs, f.setError(e, i, err, tag))
				return false
			}
		}
		return true
	}

	for _, e := range f.Top {
		own := owners(e.Key)
		if len(own) == 0 {
			unknown(e, all, "unknown key %q", e.Key)
			continue
		}
		for _, c := range own {
			tag := ""
			if len(own) > 1 {
				tag = c // the flag's type may differ between commands
			}
			if !trySet(e, c, tag) {
				break
			}
		}
	}
	if f.phrasesLine > 0 && len(owners(PhrasesKey)) == 0 {
		errs = append(errs, &Error{Path: f.Path, Line: f.phrasesLine, Msg: fmt.Sprintf("unknown key %q", PhrasesKey)})
	}

	names := make([]string, 0, len(f.Sections))
	for n := range f.Sections {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		sec := f.Sections[n]
		if _, ok := cmdFlags[n]; !ok {
			errs = append(errs, &Error{Path: f.Path, Line: sec.Line, Msg: fmt.Sprintf("section %q: no such command", n)})
			continue
		}
		var local []string
		cmdFlags[n].VisitAll(func(fl *pflag.Flag) { local = append(local, fl.Name) })
		local = append(local, TargetsKey)
		for _, e := range sec.Entries {
			if cmdFlags[n].Lookup(e.Key) == nil {
				if own := owners(e.Key); len(own) > 0 {
					errs = append(errs, &Error{Path: f.Path, Line: e.KeyLine,
						Msg: fmt.Sprintf("key %q is not a flag of command %q (it is one of %s)", e.Key, n, strings.Join(own, ", "))})
				} else {
					unknown(e, local, "key %q is not a flag of command %q", e.Key, n)
				}
				continue
			}
			trySet(e, n, "")
		}
	}

	for _, ph := range f.phrases {
		switch {
		case ph.Lang == "":
			errs = append(errs, &Error{Path: f.Path, Line: ph.Line, Msg: "label-phrases: lang is required"})
		case ph.Pattern == "":
			errs = append(errs, &Error{Path: f.Path, Line: ph.Line, Msg: "label-phrases: pattern is required"})
		default:
			if _, err := regexp.Compile(ph.Pattern); err != nil {
				errs = append(errs, &Error{Path: f.Path, Line: ph.Line, Msg: fmt.Sprintf("label-phrases: pattern: %v", err), Err: err})
			}
		}
	}

	sort.SliceStable(errs, func(i, j int) bool { return errs[i].Line < errs[j].Line })
	out := make([]error, len(errs))
	for i, e := range errs {
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
