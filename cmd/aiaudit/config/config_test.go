package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testFlags mimics the real commands closely enough to exercise the rules:
// crawl and urls share some flags, only urls has "check" and "agent", and
// crawl alone has "label-phrases".
func testFlags(command string) *pflag.FlagSet {
	fs := pflag.NewFlagSet(command, pflag.ContinueOnError)
	// Each flag gets its own variable: sharing one would make the flags
	// overwrite each other and hide which key was applied.
	fs.String("jurisdiction", "kz", "")
	fs.String("fail-on", "violation", "")
	switch command {
	case "crawl":
		fs.IntVar(new(int), "max-pages", 1000, "")
		fs.DurationVar(new(time.Duration), "delay", time.Second, "")
		fs.StringArrayVar(new([]string), "include", nil, "")
		fs.StringVar(new(string), "label-phrases", "", "")
		fs.BoolVar(new(bool), "subdomains", false, "")
	case "urls":
		fs.StringArrayVar(new([]string), "agent", nil, "")
		fs.StringVar(new(string), "check", "headers", "")
		fs.DurationVar(new(time.Duration), "delay", time.Second, "")
	case "history":
		fs.StringVar(new(string), "db", "", "")
	}
	return fs
}

var allCommands = []string{"files", "urls", "crawl", "check", "report", "diff", "history", "baseline"}

// testCommands describes commands with testFlags and no validation of their
// own.
func testCommands(names ...string) []Command {
	var out []Command
	for _, n := range names {
		out = append(out, Command{Path: n, Section: n, New: func() (*pflag.FlagSet, func() error) { return testFlags(n), nil }})
	}
	return out
}

func mustParse(t *testing.T, src string) *File {
	t.Helper()
	f, err := Parse("aiaudit.yaml", []byte(src), allCommands)
	require.NoError(t, err)
	return f
}

func touch(t *testing.T, path string) {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(t, os.WriteFile(path, []byte("jurisdiction: kz\n"), 0o644))
}

func TestSearchPath(t *testing.T) {
	type setup struct {
		explicit, env, local, xdg, home, missing bool
		xdgUnset                                 bool
	}
	tests := []struct {
		name    string
		s       setup
		want    string // "explicit", "env", "local", "xdg", "home" or "" for not found
		wantErr string
	}{
		{name: "explicit wins over everything", s: setup{explicit: true, env: true, local: true, xdg: true}, want: "explicit"},
		{name: "env before local", s: setup{env: true, local: true, xdg: true}, want: "env"},
		{name: "local before xdg", s: setup{local: true, xdg: true}, want: "local"},
		{name: "xdg", s: setup{xdg: true, home: true}, want: "xdg"},
		{name: "xdg set hides home", s: setup{home: true}, want: ""},
		{name: "home when xdg empty", s: setup{home: true, xdgUnset: true}, want: "home"},
		{name: "nothing found is not an error", s: setup{}, want: ""},
		{name: "missing explicit is an error", s: setup{explicit: true, missing: true, local: true}, wantErr: "--config"},
		{name: "missing env is an error", s: setup{env: true, missing: true, local: true}, wantErr: "AIAUDIT_CONFIG"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			work := filepath.Join(dir, "work")
			require.NoError(t, os.MkdirAll(work, 0o755))
			t.Chdir(work)
			paths := map[string]string{
				"explicit": filepath.Join(dir, "explicit.yaml"),
				"env":      filepath.Join(dir, "env.yaml"),
				"local":    "aiaudit.yaml",
				"xdg":      filepath.Join(dir, "xdg", "aiaudit", "config.yaml"),
				"home":     filepath.Join(dir, "home", ".config", "aiaudit", "config.yaml"),
			}
			create := map[string]bool{"explicit": tt.s.explicit, "env": tt.s.env, "local": tt.s.local, "xdg": tt.s.xdg, "home": tt.s.home}
			for k, ok := range create {
				if ok && !(tt.s.missing && (k == "explicit" || k == "env")) {
					touch(t, paths[k])
				}
			}
			env := map[string]string{"HOME": filepath.Join(dir, "home"), "XDG_CONFIG_HOME": filepath.Join(dir, "xdg")}
			if tt.s.xdgUnset {
				env["XDG_CONFIG_HOME"] = ""
			}
			if tt.s.env {
				env[EnvVar] = paths["env"]
			}
			explicit := ""
			if tt.s.explicit {
				explicit = paths["explicit"]
			}
			got, found, err := SearchPath(explicit, func(k string) string { return env[k] })
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			if tt.want == "" {
				// /etc/aiaudit/config.yaml may exist on the machine; only assert
				// that none of ours was picked.
				if found {
					assert.Equal(t, "/etc/aiaudit/config.yaml", got)
				}
				return
			}
			assert.True(t, found)
			assert.Equal(t, paths[tt.want], got)
		})
	}
}

func TestSearchPathRealEnv(t *testing.T) {
	p := filepath.Join(t.TempDir(), "c.yaml")
	touch(t, p)
	t.Setenv(EnvVar, p)
	got, found, err := SearchPath("", nil)
	require.NoError(t, err)
	assert.True(t, found)
	assert.Equal(t, p, got)
}

func TestSearchPathDirectoryIsNotAConfig(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	require.NoError(t, os.Mkdir("aiaudit.yaml", 0o755))
	got, _, err := SearchPath("", func(string) string { return "" })
	require.NoError(t, err)
	assert.NotEqual(t, "aiaudit.yaml", got)

	_, _, err = SearchPath(dir, nil)
	assert.ErrorContains(t, err, "directory")
}

const sample = `jurisdiction: kz,eu
fail-on: new
agent: [GPTBot, CCBot]
label-phrases:
  - lang: fr
    pattern: "généré par (l')?IA"
crawl:
  max-pages: 5000
  delay: 250ms
  fail-on: warning
  include:
    - ^/news/
    - ^/blog/
  targets: [https://example.kz/]
urls:
  check: full
  targets:
    - list.txt
`

func TestParseLines(t *testing.T) {
	f := mustParse(t, sample)
	require.Len(t, f.Top, 3)
	assert.Equal(t, Entry{Key: "jurisdiction", KeyLine: 1, ValueLine: 1, Values: []string{"kz,eu"}, ValueLines: []int{1}}, f.Top[0])
	assert.Equal(t, Entry{Key: "agent", KeyLine: 3, ValueLine: 3, Values: []string{"GPTBot", "CCBot"}, ValueLines: []int{3, 3}, IsList: true}, f.Top[2])

	crawl := f.Sections["crawl"]
	require.NotNil(t, crawl)
	assert.Equal(t, 7, crawl.Line)
	require.Len(t, crawl.Entries, 4)
	assert.Equal(t, []string{"250ms"}, crawl.Entries[1].Values)
	assert.Equal(t, []string{"5000"}, crawl.Entries[0].Values)
	assert.Equal(t, []int{12, 13}, crawl.Entries[3].ValueLines)
	assert.Equal(t, []Phrase{{Lang: "fr", Pattern: "généré par (l')?IA", Line: 5}}, f.Phrases())
}

func TestTargets(t *testing.T) {
	f := mustParse(t, sample)
	tests := []struct {
		command string
		want    []string
	}{
		{"crawl", []string{"https://example.kz/"}},
		{"urls", []string{"list.txt"}},
		{"files", nil},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, f.Targets(tt.command), tt.command)
	}
	var none *File
	assert.Nil(t, none.Targets("crawl"))
	assert.NoError(t, none.Apply("crawl", testFlags("crawl")))
}

func TestApply(t *testing.T) {
	f := mustParse(t, sample)

	t.Run("fills unchanged flags and section overrides top level", func(t *testing.T) {
		fs := testFlags("crawl")
		require.NoError(t, f.Apply("crawl", fs))
		assert.Equal(t, "kz,eu", fs.Lookup("jurisdiction").Value.String())
		assert.Equal(t, "warning", fs.Lookup("fail-on").Value.String())
		assert.Equal(t, "5000", fs.Lookup("max-pages").Value.String())
		assert.Equal(t, "250ms", fs.Lookup("delay").Value.String())
	})

	t.Run("leaves user-set flags alone", func(t *testing.T) {
		fs := testFlags("crawl")
		require.NoError(t, fs.Parse([]string{"--max-pages", "7", "--include", "^/x/"}))
		require.NoError(t, f.Apply("crawl", fs))
		assert.Equal(t, "7", fs.Lookup("max-pages").Value.String())
		got, err := fs.GetStringArray("include")
		require.NoError(t, err)
		assert.Equal(t, []string{"^/x/"}, got)
		assert.Equal(t, "250ms", fs.Lookup("delay").Value.String())
	})

	t.Run("list values append to a StringArray", func(t *testing.T) {
		fs := testFlags("urls")
		require.NoError(t, f.Apply("urls", fs))
		got, err := fs.GetStringArray("agent")
		require.NoError(t, err)
		assert.Equal(t, []string{"GPTBot", "CCBot"}, got)
		assert.Equal(t, "full", fs.Lookup("check").Value.String())
		assert.Equal(t, "new", fs.Lookup("fail-on").Value.String())
	})

	t.Run("top-level keys of other commands are skipped", func(t *testing.T) {
		fs := testFlags("history")
		require.NoError(t, f.Apply("history", fs))
		assert.False(t, fs.Changed("db"))
	})

	t.Run("section key the command lacks", func(t *testing.T) {
		g := mustParse(t, "urls:\n  max-pages: 5\n")
		err := g.Apply("urls", testFlags("urls"))
		assert.EqualError(t, err, `aiaudit.yaml:2: key "max-pages" is not a flag of command "urls"`)
	})

	t.Run("set error names the value line", func(t *testing.T) {
		g := mustParse(t, "crawl:\n  max-pages:\n    many\n")
		err := g.Apply("crawl", testFlags("crawl"))
		require.Error(t, err)
		assert.True(t, strings.HasPrefix(err.Error(), `aiaudit.yaml:3: key "max-pages": `), err.Error())
	})
}

func TestCheck(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string // error prefixes, in order
	}{
		{name: "valid sample", src: sample},
		{name: "unknown key with suggestion", src: "jurisdiction: kz\nmax-page: 5\n",
			want: []string{`aiaudit.yaml:2: unknown key "max-page" (did you mean "max-pages"?)`}},
		{name: "unknown key without suggestion", src: "colour: blue\n",
			want: []string{`aiaudit.yaml:1: unknown key "colour"`}},
		{name: "wrong types", src: "jurisdiction: kz\nmax-pages: many\ncrawl:\n  delay: soon\n",
			want: []string{`aiaudit.yaml:2: key "max-pages": invalid argument "many"`, `aiaudit.yaml:4: key "delay": invalid argument "soon"`}},
		{name: "section key the command lacks", src: "urls:\n  max-pages: 5\n  chek: full\n",
			want: []string{`aiaudit.yaml:2: key "max-pages" is not a flag of command "urls" (it is one of crawl)`,
				`aiaudit.yaml:3: key "chek" is not a flag of command "urls" (did you mean "check"?)`}},
		{name: "bad regexp in label-phrases", src: "label-phrases:\n  - lang: fr\n    pattern: good\n  - lang: de\n    pattern: \"(unclosed\"\n",
			want: []string{`aiaudit.yaml:4: label-phrases: pattern: error parsing regexp`}},
		{name: "label-phrases needs lang and pattern", src: "label-phrases:\n  - pattern: x\n  - lang: de\n",
			want: []string{`aiaudit.yaml:2: label-phrases: lang is required`, `aiaudit.yaml:3: label-phrases: pattern is required`}},
		{name: "label-phrases as a file name", src: "label-phrases: phrases.json\n"},
		{name: "bool value", src: "crawl:\n  subdomains: maybe\n",
			want: []string{`aiaudit.yaml:2: key "subdomains": invalid argument "maybe"`}},
		{name: "empty file", src: ""},
		{name: "comments only", src: "# nothing yet\n"},
		{name: "empty section", src: "crawl:\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := mustParse(t, tt.src)
			errs := f.Check(testCommands(allCommands...))
			require.Len(t, errs, len(tt.want), "%v", errs)
			for i, w := range tt.want {
				assert.True(t, strings.HasPrefix(errs[i].Error(), w), "got %q, want prefix %q", errs[i], w)
			}
		})
	}
}

func TestCheckUnknownSection(t *testing.T) {
	f := mustParse(t, "history:\n  db: x.db\n")
	errs := f.Check(testCommands("crawl", "urls"))
	require.Len(t, errs, 1)
	assert.EqualError(t, errs[0], `aiaudit.yaml:1: section "history": no such command`)
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want string
	}{
		{name: "syntax error", src: "jurisdiction: kz\nagent: [GPTBot\n", want: "aiaudit.yaml:2: "},
		{name: "duplicate key", src: "a: 1\na: 2\n", want: "aiaudit.yaml:2: "},
		{name: "nested mapping", src: "jurisdiction: kz\ncrwal:\n  max-pages: 5\n",
			want: `aiaudit.yaml:2: key "crwal" holds a mapping, but only command sections (files, urls, crawl, check, report, diff, history, baseline) may (did you mean "crawl"?)`},
		{name: "nested mapping in section", src: "crawl:\n  delay:\n    x: 1\n", want: `aiaudit.yaml:2: key "delay" holds a mapping`},
		{name: "list of lists", src: "agent: [[a]]\n", want: `aiaudit.yaml:1: key "agent": list elements must be plain values`},
		{name: "top level list", src: "- a\n", want: "aiaudit.yaml:1: the file must be a mapping"},
		{name: "no value", src: "db:\n", want: `aiaudit.yaml:1: key "db" has no value`},
		{name: "reserved key", src: "config: other.yaml\n", want: `aiaudit.yaml:1: key "config" cannot be set`},
		{name: "inline phrases in a section", src: "crawl:\n  label-phrases:\n    - {lang: fr, pattern: x}\n", want: "aiaudit.yaml:2: inline label-phrases must be at the top level"},
		{name: "unknown phrase field", src: "label-phrases:\n  - lang: fr\n    regex: x\n", want: `aiaudit.yaml:3: label-phrases: unknown field "regex"`},
		{name: "mixed phrase list", src: "label-phrases:\n  - {lang: fr, pattern: x}\n  - plain\n", want: "aiaudit.yaml:3: label-phrases: every entry"},
		{name: "undefined alias", src: "agent: *nope\n", want: "aiaudit.yaml:1: alias *nope"},
		{name: "anchored mapping", src: "base: &b {x: 1}\n", want: `aiaudit.yaml:1: key "base" holds a mapping`},
		{name: "merge key", src: "crawl:\n  <<: {max-pages: 1}\n", want: "aiaudit.yaml:2: merge keys (<<) are not supported"},
		{name: "two documents", src: "a: 1\n---\nb: 2\n", want: "aiaudit.yaml:3: more than one YAML document"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("aiaudit.yaml", []byte(tt.src), allCommands)
			require.Error(t, err)
			assert.True(t, strings.HasPrefix(err.Error(), tt.want), "got %q, want prefix %q", err, tt.want)
			assert.NotContains(t, err.Error(), "\n", "errors stay on one line")
		})
	}
}

func TestAnchorsAndScalars(t *testing.T) {
	f := mustParse(t, "agent: &bots [GPTBot, CCBot]\nurls:\n  agent: *bots\n  check: !!str full\ncrawl:\n  max-pages: 0x10\n  subdomains: True\n")
	assert.Equal(t, []string{"GPTBot", "CCBot"}, f.Sections["urls"].Entries[0].Values)
	assert.Equal(t, []string{"full"}, f.Sections["urls"].Entries[1].Values)
	assert.Equal(t, []string{"0x10"}, f.Sections["crawl"].Entries[0].Values)
	fs := testFlags("crawl")
	require.NoError(t, f.Apply("crawl", fs))
	assert.Equal(t, "16", fs.Lookup("max-pages").Value.String())
	assert.Equal(t, "true", fs.Lookup("subdomains").Value.String())
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()

	t.Run("too big", func(t *testing.T) {
		p := filepath.Join(dir, "big.yaml")
		big := "# " + strings.Repeat("x", MaxSize) + "\n"
		require.NoError(t, os.WriteFile(p, []byte(big), 0o644))
		_, err := Load(p, allCommands)
		assert.ErrorContains(t, err, "larger than")
		_, err = Parse("big.yaml", []byte(big), allCommands)
		assert.ErrorContains(t, err, "larger than")
	})

	t.Run("empty", func(t *testing.T) {
		p := filepath.Join(dir, "empty.yaml")
		require.NoError(t, os.WriteFile(p, nil, 0o644))
		f, err := Load(p, allCommands)
		require.NoError(t, err)
		assert.Empty(t, f.Top)
		assert.Empty(t, f.Check(testCommands(allCommands...)))
		fs := testFlags("crawl")
		require.NoError(t, f.Apply("crawl", fs))
		assert.False(t, fs.Changed("max-pages"))
	})

	t.Run("missing", func(t *testing.T) {
		_, err := Load(filepath.Join(dir, "nope.yaml"), allCommands)
		assert.ErrorIs(t, err, os.ErrNotExist)
	})

	t.Run("path in errors", func(t *testing.T) {
		p := filepath.Join(dir, "bad.yaml")
		require.NoError(t, os.WriteFile(p, []byte("a: [\n"), 0o644))
		_, err := Load(p, allCommands)
		assert.ErrorContains(t, err, p+":")
	})
}

func TestSuggest(t *testing.T) {
	cands := []string{"max-pages", "delay", "depth", "agent"}
	tests := []struct{ key, want string }{
		{"max-page", "max-pages"},
		{"dely", "delay"},
		{"agnet", "agent"},
		{"zz", ""},
		{"colour", ""},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, suggest(tt.key, cands), tt.key)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		sample,
		"",
		"a: [\n",
		"agent: &x [a, b]\nurls:\n  agent: *x\n",
		"label-phrases:\n  - {lang: fr, pattern: \"(\"}\n",
		"crawl:\n  targets: x\n",
		"? [a]\n: b\n",
		"<<: {a: 1}\n",
		"a: |\n  text\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		cfg, err := Parse("fuzz.yaml", b, allCommands)
		if err != nil {
			return
		}
		_ = cfg.Targets("crawl")
		_ = cfg.Phrases()
		for _, c := range []string{"crawl", "urls"} {
			_ = cfg.Apply(c, testFlags(c))
		}
		_ = cfg.Check(testCommands(allCommands...))
	})
}

// flagErr is a validation error naming its flags, as the commands' are.
type flagErr struct {
	flags []string
	value string
	msg   string
}

func (e flagErr) Error() string   { return e.msg }
func (e flagErr) Flags() []string { return e.flags }
func (e flagErr) Value() string   { return e.value }

// validated gives the test commands a validation of their own, as the real
// commands have: every problem, each naming its flags.
func validated(names ...string) []Command {
	var out []Command
	for _, n := range names {
		out = append(out, Command{Path: n, Section: n, New: func() (*pflag.FlagSet, func() error) {
			fs := testFlags(n)
			return fs, func() error {
				var errs []error
				if v := fs.Lookup("fail-on").Value.String(); v != "violation" && v != "new" {
					errs = append(errs, flagErr{flags: []string{"fail-on"}, msg: fmt.Sprintf("--fail-on %q is not supported", v)})
				}
				if fl := fs.Lookup("max-pages"); fl != nil && fl.Value.String() == "0" {
					errs = append(errs, flagErr{flags: []string{"max-pages"}, msg: "--max-pages must be at least 1"})
				}
				if fl := fs.Lookup("include"); fl != nil {
					vs, _ := fs.GetStringArray("include")
					for _, v := range vs {
						if strings.Contains(v, "(") {
							errs = append(errs, flagErr{flags: []string{"include"}, value: v, msg: fmt.Sprintf("--include %q: bad regexp", v)})
						}
					}
				}
				if fl := fs.Lookup("db"); fl != nil && fl.Value.String() == "" {
					errs = append(errs, flagErr{flags: []string{"db"}, msg: "--db is required"})
				}
				if fl := fs.Lookup("delay"); fl != nil && fl.Value.String() == "0s" {
					errs = append(errs, errors.New("an error that names no flag"))
				}
				return errors.Join(errs...)
			}
		}})
	}
	return out
}

// Check runs each command's own validation on the file's values and reports
// every problem on its line: a top-level value once, naming the commands
// that refuse it; a list element on its own line; a problem with a flag the
// file did not set (db here) not at all.
func TestCheckRunsTheCommandsValidation(t *testing.T) {
	f := mustParse(t, "fail-on: sometimes\ncrawl:\n  max-pages: 0\n  include:\n    - ^/ok/\n    - ^/(bad/\nurls:\n  fail-on: never\n")
	errs := f.Check(validated("crawl", "urls", "history"))
	var got []string
	for _, e := range errs {
		got = append(got, e.Error())
	}
	assert.Equal(t, []string{
		`aiaudit.yaml:1: key "fail-on": --fail-on "sometimes" is not supported (for commands crawl, history)`,
		`aiaudit.yaml:3: key "max-pages": --max-pages must be at least 1`,
		`aiaudit.yaml:6: key "include": --include "^/(bad/": bad regexp`,
		`aiaudit.yaml:8: key "fail-on": --fail-on "never" is not supported`,
	}, got)

	f = mustParse(t, "fail-on: sometimes\n")
	errs = f.Check(validated("crawl", "urls", "history"))
	require.Len(t, errs, 1)
	assert.EqualError(t, errs[0], `aiaudit.yaml:1: key "fail-on": --fail-on "sometimes" is not supported (for every command)`)
	errs = f.Check(append(validated("crawl", "urls"), testCommands("files")...))
	require.Len(t, errs, 1)
	assert.EqualError(t, errs[0], `aiaudit.yaml:1: key "fail-on": --fail-on "sometimes" is not supported (for commands crawl, urls)`)

	f = mustParse(t, "crawl:\n  delay: 0s\n")
	errs = f.Check(validated("crawl"))
	require.Len(t, errs, 1, "a problem naming no flag is reported, without a line")
	assert.EqualError(t, errs[0], "aiaudit.yaml: an error that names no flag (for command crawl)")
}

// A run's validation errors about values from the file get the file's line;
// others, and errors.Is through them, stay as they were.
func TestLocate(t *testing.T) {
	f := mustParse(t, "fail-on: sometimes\ncrawl:\n  max-pages: 0\n")
	fromFile := func(name string) bool { return name != "db" }
	err := f.Locate("crawl", fmt.Errorf("%w", errors.Join(
		flagErr{flags: []string{"fail-on"}, msg: `--fail-on "sometimes" is not supported`},
		flagErr{flags: []string{"max-pages"}, msg: "--max-pages must be at least 1"},
		flagErr{flags: []string{"db"}, msg: "--db is required"},
	)), fromFile)
	assert.EqualError(t, err, "aiaudit.yaml:1: key \"fail-on\": --fail-on \"sometimes\" is not supported\n"+
		"aiaudit.yaml:3: key \"max-pages\": --max-pages must be at least 1\n--db is required")

	sentinel := errors.New("locked")
	wrapped := fmt.Errorf("run: %w", sentinel)
	assert.Same(t, wrapped, f.Locate("crawl", wrapped, fromFile), "nothing from the file: unchanged")
	var none *File
	assert.Same(t, wrapped, none.Locate("crawl", wrapped, fromFile))
}

// A section serves the command and its subcommands: history prune skips the
// history section's keys it lacks when history has them.
func TestApplySkipsKeysOfTheSectionsOtherCommands(t *testing.T) {
	f := mustParse(t, "history:\n  format: json\n  keep: 3\n")
	history := pflag.NewFlagSet("history", pflag.ContinueOnError)
	history.String("format", "table", "")
	prune := pflag.NewFlagSet("prune", pflag.ContinueOnError)
	prune.Int("keep", 0, "")
	require.NoError(t, f.Apply("history", prune, history))
	assert.Equal(t, "3", prune.Lookup("keep").Value.String())
	assert.EqualError(t, f.Apply("history", prune), `aiaudit.yaml:2: key "format" is not a flag of command "history"`, "without the sibling")
}

// The sections are the commands the binary names, whatever they are.
func TestSectionsAreTheCommandsGiven(t *testing.T) {
	src := "baseline:\n  reason: accepted at rollout\n"
	f, err := Parse("aiaudit.yaml", []byte(src), []string{"crawl", "baseline"})
	require.NoError(t, err)
	require.NotNil(t, f.Sections["baseline"])
	_, err = Parse("aiaudit.yaml", []byte(src), []string{"crawl"})
	assert.ErrorContains(t, err, `only command sections (crawl) may`)
	f, err = Parse("aiaudit.yaml", []byte("baseline: accepted.yaml\n"), []string{"crawl", "baseline"})
	require.NoError(t, err)
	assert.Equal(t, []string{"accepted.yaml"}, f.Top[0].Values, "a file name is the --baseline flag")
}
