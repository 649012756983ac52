package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"
)

// MaxSize is the largest config file accepted. A flag file has no business
// being bigger, and the cap keeps a mistaken path (a log, a disk image) from
// being read whole into memory.
const MaxSize = 1 << 20

// reserved keys would either be meaningless (the file cannot choose itself) or
// make every run print help and exit.
var reserved = map[string]bool{"config": true, "help": true}

// Load reads and parses the config file at path; sections are the names
// that open a command section (see [Parse]).
func Load(path string, sections []string) (*File, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	b, err := io.ReadAll(io.LimitReader(fh, MaxSize+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return Parse(path, b, sections)
}

// Parse parses a config document; name is used as the path in errors.
// sections are the keys that open a command section when they hold a
// mapping: the binary's commands, taken from its command tree so the list
// cannot lag behind them, and the same whichever command reads the file.
// It checks the shape of the file only: whether keys are real flags and
// values acceptable to them depends on the command, see [File.Apply] and
// [File.Check].
func Parse(name string, b []byte, sections []string) (*File, error) {
	if len(b) > MaxSize {
		return nil, &Error{Path: name, Msg: fmt.Sprintf("file is larger than %d bytes (1 MiB)", MaxSize)}
	}
	// Editors on Windows add a BOM; it is not part of any key.
	b = bytes.TrimPrefix(b, []byte("\xEF\xBB\xBF"))
	doc, err := parseYAML(b)
	if err != nil {
		return nil, syntaxError(name, err)
	}
	p := &parse{f: &File{Path: name, Sections: map[string]*Section{}}, anchors: map[string]ast.Node{}, sections: sections}
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
	f        *File
	anchors  map[string]ast.Node
	sections []string
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
		case slices.Contains(p.sections, kv.key) && (isMapping(v) || isNull(v)):
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
		return p.listEntry(e, rv)
	case ast.MapNode:
		return Entry{}, p.mappingError(kv)
	default:
		s, ok := scalar(rv)
		if !ok {
			return Entry{}, p.errf(kv.value, "key %q: unsupported value (%s)", kv.key, describe(rv))
		}
		e.Values, e.ValueLines = []string{s}, []int{e.ValueLine}
		return e, nil
	}
}

// listEntry fills e from a list. Each element keeps its own line, so that a
// value the flag rejects is reported where it is written rather than where
// the list opens.
func (p *parse) listEntry(e Entry, seq *ast.SequenceNode) (Entry, error) {
	e.IsList = true
	e.Values = []string{}
	for _, el := range seq.Values {
		rel, err := p.resolve(el)
		if err != nil {
			return Entry{}, err
		}
		s, ok := scalar(rel)
		if !ok {
			return Entry{}, p.errf(el, "key %q: list elements must be plain values, not %s", e.Key, describe(rel))
		}
		e.Values = append(e.Values, s)
		l := lineOf(el)
		if l == 0 {
			l = e.ValueLine
		}
		e.ValueLines = append(e.ValueLines, l)
	}
	return e, nil
}

// mappingError rejects a mapping under a flag key. Such a key is most likely
// a misspelt section, so the suggestion is drawn from the command names.
func (p *parse) mappingError(kv keyValue) error {
	msg := fmt.Sprintf("key %q holds a mapping, but only command sections (%s) may", kv.key, strings.Join(p.sections, ", "))
	if s := suggest(kv.key, p.sections); s != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", s)
	}
	return &Error{Path: p.f.Path, Line: lineOf(kv.kNode), Msg: msg}
}

func (p *parse) phraseList(kv keyValue, v ast.Node) error {
	p.f.phrasesLine = lineOf(kv.kNode)
	for _, el := range v.(*ast.SequenceNode).Values {
		ph, err := p.phrase(el)
		if err != nil {
			return err
		}
		p.f.phrases = append(p.f.phrases, ph)
	}
	return nil
}

// phrase reads one {lang, pattern} entry. Only its shape is checked: a
// missing or bad field is left to Check, which reports every phrase's
// problems rather than stopping at the first.
func (p *parse) phrase(el ast.Node) (Phrase, error) {
	rel, err := p.resolve(el)
	if err != nil {
		return Phrase{}, err
	}
	if !isMapping(rel) {
		return Phrase{}, p.errf(el, "label-phrases: every entry must be a {lang, pattern} mapping, not %s", describe(rel))
	}
	kvs, err := p.pairs(rel)
	if err != nil {
		return Phrase{}, err
	}
	ph := Phrase{Line: lineOf(el)}
	if len(kvs) > 0 {
		ph.Line = lineOf(kvs[0].kNode)
	}
	for _, f := range kvs {
		fv, err := p.resolve(f.value)
		if err != nil {
			return Phrase{}, err
		}
		s, ok := scalar(fv)
		if !ok && !isNull(fv) {
			return Phrase{}, p.errf(f.kNode, "label-phrases: %s must be text, not %s", f.key, describe(fv))
		}
		switch f.key {
		case "lang":
			ph.Lang = s
		case "pattern":
			ph.Pattern = s
		default:
			return Phrase{}, p.errf(f.kNode, "label-phrases: unknown field %q (want lang and pattern)", f.key)
		}
	}
	return ph, nil
}
