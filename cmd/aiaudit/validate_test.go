package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// config check runs the validation the real run runs and names every
// problem with its line; the run refuses the same file with the same lines.
func TestConfigCheckRunsTheRunsValidation(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "aiaudit.yaml")
	require.NoError(t, os.WriteFile(cfg, []byte(fmt.Sprintf(`format: htm
company-size: huge
fail-on: sometimes
baseline: %s
crawl:
  max-pages: -1
  concurrency: 0
  timeout: 0s
  label-phrases: "{oops"
  include: ["^/ok/", "^/(bad/"]
`, filepath.Join(dir, "missing.yaml"))), 0o644))
	code, out, stderr := runIn(t, "", "config", "check", cfg)
	assert.Equal(t, exitError, code, stderr)
	assert.Empty(t, out, "not ok")
	for _, want := range []string{
		cfg + `:1: key "format": --format "htm" is not supported (accepted: table, json, csv, markdown, sarif, html, pdf, parquet) (for commands crawl, files, report)`,
		cfg + `:1: key "format": --format "htm" is not supported (accepted: table, json, csv, markdown, sarif, html) (for command diff)`,
		cfg + `:1: key "format": --format "htm" is not supported (accepted: jsonl, table, parquet) (for commands job results, urls)`,
		cfg + `:1: key "format": --format "htm" is not supported (accepted: table, json) (for command history)`,
		cfg + `:2: key "company-size": --company-size "huge" is not supported (accepted: small, medium, large) (for commands crawl, files, report, urls)`,
		cfg + `:3: key "fail-on": --fail-on "sometimes" is not supported`,
		cfg + `:4: key "baseline": `,
		cfg + `:6: key "max-pages": --max-pages must be at least 1 (got -1)`,
		cfg + `:7: key "concurrency": --concurrency must be at least 1 (got 0)`,
		cfg + `:8: key "timeout": --timeout must be positive (got 0s)`,
		cfg + `:9: key "label-phrases": --label-phrases: inline JSON: `,
		cfg + `:10: key "include": --include "^/(bad/": `,
	} {
		assert.Contains(t, stderr, want)
	}
	assert.Contains(t, stderr, "missing.yaml: no such file")

	// The run refuses the file with the same lines, before scanning.
	code, out, stderr = runIn(t, "", "files", "../../testdata/media", "--config", cfg, "--no-history")
	assert.Equal(t, exitError, code)
	assert.Empty(t, out)
	for _, want := range []string{cfg + `:1: key "format"`, cfg + `:3: key "fail-on"`, cfg + `:4: key "baseline"`} {
		assert.Contains(t, stderr, want)
	}
	code, _, stderr = runIn(t, "", "crawl", "http://127.0.0.1:1/", "--config", cfg, "--no-history", "--format", "json")
	assert.Equal(t, exitError, code)
	assert.NotContains(t, stderr, `key "format"`, "the command line's value replaced the file's")
	for _, want := range []string{cfg + `:2: key "company-size"`, cfg + `:6: key "max-pages"`, cfg + `:7: key "concurrency"`, cfg + `:9: key "label-phrases"`, cfg + `:10: key "include"`} {
		assert.Contains(t, stderr, want)
	}

	// Values the run accepts pass; a value for a flag only the command line
	// gives (baseline --reason here) is not the file's business. (The
	// --baseline flag goes in a section when the file has a baseline
	// section: YAML allows one top-level "baseline" key.)
	good := filepath.Join(dir, "good.yaml")
	require.NoError(t, os.WriteFile(filepath.Join(dir, "accepted.yaml"), []byte("accepted: []\n"), 0o644))
	require.NoError(t, os.WriteFile(good, []byte(fmt.Sprintf(`crawl:
  baseline: %s
  format: json
  max-pages: 5
  label-phrases: '[{"lang": "fr", "pattern": "généré par IA"}]'
baseline:
  min-severity: info
`, filepath.Join(dir, "accepted.yaml"))), 0o644))
	code, out, stderr = runIn(t, "", "config", "check", good)
	assert.Equal(t, exitClean, code, stderr)
	assert.Contains(t, out, good+": ok")
}

// The sections a file may have are the commands the binary has: a command
// added later cannot be missing from the list.
func TestConfigSectionsAreTheCommands(t *testing.T) {
	root := newRootCommand(&env{out: &outcome{}, log: &logSink{w: io.Discard}, getenv: os.Getenv}, nil, io.Discard)
	dir := t.TempDir()
	n := 0
	for _, c := range root.Commands() {
		if c.Name() == "config" {
			continue // config check reads no config file
		}
		n++
		path := filepath.Join(dir, c.Name()+".yaml")
		require.NoError(t, os.WriteFile(path, []byte(c.Name()+":\n  targets: []\n"), 0o644))
		code, _, stderr := runIn(t, "", "config", "check", path)
		assert.Equal(t, exitClean, code, "a %s section: %s", c.Name(), stderr)
	}
	assert.GreaterOrEqual(t, n, 8)
	path := filepath.Join(dir, "typo.yaml")
	require.NoError(t, os.WriteFile(path, []byte("baselin:\n  reason: x\n"), 0o644))
	code, _, stderr := runIn(t, "", "config", "check", path)
	assert.Equal(t, exitError, code)
	assert.Contains(t, stderr, `(did you mean "baseline"?)`)
}

// history prune reads the history section: a key of history there is not an
// error of prune, in config check or in the run.
func TestHistorySectionServesPrune(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "h.db")
	code, _, stderr := runIn(t, "", "files", "../../testdata/media", "--db", db, "-o", filepath.Join(dir, "r.txt"))
	require.Equal(t, exitClean, code, stderr)
	cfg := filepath.Join(dir, "aiaudit.yaml")
	require.NoError(t, os.WriteFile(cfg, []byte("history:\n  format: json\n  keep: 0\n"), 0o644))
	code, _, stderr = runIn(t, "", "config", "check", cfg)
	assert.Equal(t, exitError, code)
	assert.Contains(t, stderr, cfg+`:3: key "keep": --keep must be at least 1`)
	assert.NotContains(t, stderr, `"format"`)

	require.NoError(t, os.WriteFile(cfg, []byte("history:\n  format: json\n  keep: 5\n"), 0o644))
	code, out, stderr := runIn(t, "", "history", "prune", "--config", cfg, "--db", db)
	assert.Equal(t, exitClean, code, stderr)
	assert.Contains(t, out, "kept the newest 5")
	code, out, stderr = runIn(t, "", "history", "--config", cfg, "--db", db)
	assert.Equal(t, exitClean, code, stderr)
	assert.True(t, strings.HasPrefix(out, "["), "format from the section: %s", out)
}

// Values a run cannot honour are usage errors (exit 2) naming the flag and
// what it accepts, before anything runs; a command names all of them at once.
func TestBadFlagValuesAreUsageErrors(t *testing.T) {
	dir := t.TempDir()
	list := filepath.Join(dir, "list.txt")
	require.NoError(t, os.WriteFile(list, []byte("http://127.0.0.1:1/\n"), 0o644))
	binary := filepath.Join(dir, "baseline.yaml")
	require.NoError(t, os.WriteFile(binary, []byte{0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 'J', 'F', 'I', 'F', 0}, 0o644))
	badPattern := filepath.Join(dir, "fr.json")
	require.NoError(t, os.WriteFile(badPattern, []byte(`[{"lang":"fr","pattern":"("}]`), 0o644))
	site := "http://127.0.0.1:1/" // never contacted: validation comes first
	for _, tt := range []struct {
		args []string
		want []string
	}{
		{[]string{"files", "../../testdata/media", "--workers", "0"}, []string{"--workers must be at least 1 (got 0)"}},
		{[]string{"files", "../../testdata/media", "--workers", "-2"}, []string{"--workers must be at least 1 (got -2)"}},
		{[]string{"files", "../../testdata/media", "--baseline", binary}, []string{binary + ": not a baseline YAML file: it holds binary data"}},
		{[]string{"crawl", site, "--max-pages", "-1"}, []string{"--max-pages must be at least 1 (got -1)"}},
		{[]string{"crawl", site, "--max-pages", "0"}, []string{"--max-pages must be at least 1 (got 0)"}},
		{[]string{"crawl", site, "--depth", "0"}, []string{"--depth must be at least 1 (got 0)"}},
		{[]string{"crawl", site, "--concurrency", "0"}, []string{"--concurrency must be at least 1 (got 0)"}},
		{[]string{"crawl", site, "--timeout", "0s"}, []string{"--timeout must be positive (got 0s)"}},
		{[]string{"crawl", site, "--delay", "-1s"}, []string{"--delay must not be negative (got -1s)"}},
		{[]string{"crawl", site, "--employees", "-5", "--income-kzt", "10"}, []string{"--employees must not be negative (got -5)"}},
		{[]string{"crawl", site, "--label-phrases", "{oops"}, []string{`--label-phrases: inline JSON: `, `want a list of {"lang": ..., "pattern": ...}`}},
		{[]string{"crawl", site, "--label-phrases", filepath.Join(dir, "none.json")}, []string{"--label-phrases: file " + filepath.Join(dir, "none.json") + ": ", "no such file"}},
		{[]string{"crawl", site, "--label-phrases", badPattern}, []string{"--label-phrases: file " + badPattern + ": ", "pattern"}},
		{[]string{"urls", list, "--concurrency", "0"}, []string{"--concurrency must be at least 1 (got 0)"}},
		{[]string{"urls", list, "--timeout", "-1s"}, []string{"--timeout must be positive (got -1s)"}},
		{[]string{"urls", list, "--host-concurrency", "0"}, []string{"--host-concurrency must be at least 1 (got 0)"}},
		{[]string{"urls", list, "--retries", "-1"}, []string{"--retries must not be negative (got -1)"}},
		{[]string{"urls", list, "--progress", "sometimes"}, []string{`--progress "sometimes" is not supported (accepted: auto, always, never)`}},
		{[]string{"check", site, "--timeout", "0s"}, []string{"--timeout must be positive (got 0s)"}},
		{[]string{"crawl", site, "--max-pages", "-1", "--concurrency", "0", "--format", "htm", "--fail-on", "sometimes"},
			[]string{"--max-pages must be at least 1", "--concurrency must be at least 1", `--format "htm" is not supported`, `--fail-on "sometimes" is not supported`}},
	} {
		code, out, stderr := runIn(t, "", tt.args...)
		assert.Equal(t, exitError, code, "%v: %s", tt.args, stderr)
		assert.Empty(t, out, "%v: nothing written", tt.args)
		for _, w := range tt.want {
			assert.Contains(t, stderr, w, "%v", tt.args)
		}
	}
}

// Several problems are several lines, each marked as aiaudit's.
func TestEveryProblemIsALine(t *testing.T) {
	code, _, stderr := runIn(t, "", "files", "../../testdata/media", "--workers", "0", "--progress", "loud")
	assert.Equal(t, exitError, code)
	assert.Equal(t, "aiaudit: --progress \"loud\" is not supported (accepted: auto, always, never)\naiaudit: --workers must be at least 1 (got 0)\n", stderr)
}
