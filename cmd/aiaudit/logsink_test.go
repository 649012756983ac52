package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func jsonLines(t *testing.T, stderr string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(stderr), "\n") {
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(l), &m), "every stderr line is one JSON object: %q", l)
		out = append(out, m)
	}
	return out
}

func lineWith(t *testing.T, lines []map[string]any, msgPrefix string) map[string]any {
	t.Helper()
	for _, l := range lines {
		if s, _ := l["msg"].(string); strings.HasPrefix(s, msgPrefix) {
			return l
		}
	}
	require.Failf(t, "no such log line", "%q in %v", msgPrefix, lines)
	return nil
}

// With --log-format json the summary lines carry their facts as fields (a
// log shipper need not parse the text), every line says which command and
// target it is about, and the last line gives the exit code and the counts.
func TestLogFormatJSONHasFields(t *testing.T) {
	site := aiSite(t)
	dir := t.TempDir()
	db, report := filepath.Join(dir, "h.db"), filepath.Join(dir, "r.json")
	args := []string{"crawl", site.URL + "/", "--db", db, "--delay", "0", "-o", report, "--log-format", "json"}
	code, _, stderr := runIn(t, "", args...)
	require.Equal(t, exitFindings, code, stderr)
	code, _, stderr = runIn(t, "", args...)
	require.Equal(t, exitFindings, code, stderr)
	lines := jsonLines(t, stderr)
	for _, l := range lines {
		assert.Equal(t, "crawl", l["command"], "%v", l)
		assert.Equal(t, []any{site.URL + "/"}, l["targets"], "%v", l)
		assert.Equal(t, report, l["output"], "%v", l)
	}
	crawled := lineWith(t, lines, "crawled ")
	assert.EqualValues(t, 1, crawled["pages"])
	assert.EqualValues(t, 2, crawled["media_items"])
	assert.EqualValues(t, 0, crawled["skipped_by_robots"])
	since := lineWith(t, lines, "since scan 1:")
	assert.EqualValues(t, 1, since["previous_scan"])
	assert.EqualValues(t, 2, since["scan"])
	assert.EqualValues(t, 0, since["new"])
	assert.EqualValues(t, 0, since["fixed"])
	assert.Positive(t, since["unchanged"])

	last := lines[len(lines)-1]
	assert.EqualValues(t, exitFindings, last["exit_code"], "%v", last)
	assert.Equal(t, "info", last["level"])
	assert.Contains(t, last["msg"], "exit 1")
	bySeverity, _ := last["findings_by_severity"].(map[string]any)
	assert.Positive(t, bySeverity["violation"], "%v", last)
	assert.Positive(t, last["findings"])
	assert.EqualValues(t, 0, last["new"])

	// A usage error: the error line, then the exit code.
	code, _, stderr = runIn(t, "", "files", "../../testdata/media", "--workers", "0", "--log-format", "json")
	require.Equal(t, exitError, code)
	lines = jsonLines(t, stderr)
	require.Len(t, lines, 2)
	assert.Equal(t, "error", lines[0]["level"])
	assert.Contains(t, lines[0]["msg"], "--workers must be at least 1")
	assert.EqualValues(t, exitError, lines[1]["exit_code"])
	assert.Equal(t, "files", lines[1]["command"])

	// diff: the counts of its summary.
	code, _, stderr = runIn(t, "", "diff", "--db", db, "--log-format", "json")
	require.Equal(t, exitClean, code, stderr)
	last = jsonLines(t, stderr)[0]
	assert.Equal(t, "diff", last["command"])
	assert.EqualValues(t, 0, last["exit_code"])
	assert.EqualValues(t, 0, last["new"])
	assert.Positive(t, last["unchanged"])
}

// Text mode: plain lines; with -o the report's own summary first and a last
// line that says what the exit code means.
func TestLogTextMode(t *testing.T) {
	site := aiSite(t)
	dir := t.TempDir()
	args := []string{"crawl", site.URL + "/", "--db", filepath.Join(dir, "h.db"), "--delay", "0", "-o", filepath.Join(dir, "r.json")}
	_, _, _ = runIn(t, "", args...)
	code, _, stderr := runIn(t, "", args...)
	require.Equal(t, exitFindings, code, stderr)
	assert.Equal(t, "aiaudit: report written to "+filepath.Join(dir, "r.json")+" (table): 3 items, 2 AI-made, 0 without machine-readable marking, 1 violations, 3 reserved against AI training, 0 errors\n"+
		"aiaudit: exposure KZ Art. 456.2: 30 MRP (129,750 KZT, 220.50 EUR) to 30 MRP (129,750 KZT, 220.50 EUR) (1 offence by item)\n"+
		"aiaudit: exposure KZ criminal (false information): flagged by 1 item, maximum 3,000 MRP (12,975,000 KZT, 22,050.00 EUR) (never summed)\n"+
		"aiaudit: since scan 1: 0 new, 0 fixed, 7 unchanged findings\n"+
		"aiaudit: note: fetches may reach loopback addresses in this run, because the start hosts are there\n"+
		"aiaudit: crawled 1 page, 2 media items; 0 URLs skipped because robots.txt forbids them to aiaudit\n"+
		"aiaudit: exit 1: findings at or above --fail-on\n", stderr)
}
