package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aiaudit/aiaudit/reports/i18n"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func optoutSite(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/robots.txt":
			fmt.Fprint(w, "User-agent: GPTBot\nDisallow: /\n\nUser-agent: *\nDisallow: /private/\n")
		case "/meta.html":
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, `<head><meta name="robots" content="noai"></head>`)
		default:
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, "<html></html>")
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func runIn(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

func lines(t *testing.T, s string) []map[string]any {
	var out []map[string]any
	sc := bufio.NewScanner(strings.NewReader(s))
	for sc.Scan() {
		var m map[string]any
		require.NoError(t, json.Unmarshal(sc.Bytes(), &m), sc.Text())
		out = append(out, m)
	}
	return out
}

func TestURLsCommand(t *testing.T) {
	srv := optoutSite(t)
	list := strings.Join([]string{srv.URL + "/open", srv.URL + "/private/a", srv.URL + "/meta.html", "ftp://nope"}, "\n")
	dir := t.TempDir()
	res, reserved, allowed := filepath.Join(dir, "r.jsonl"), filepath.Join(dir, "reserved.txt"), filepath.Join(dir, "allowed.txt")
	code, out, stderr := runIn(t, list, "urls", "-", "--agent", "CCBot", "--delay", "0", "-o", res, "--reserved-out", reserved, "--allowed-out", allowed)
	assert.Equal(t, exitIncomplete, code, "the invalid URL makes the run incomplete: %s", stderr)
	assert.Empty(t, out)
	assert.Contains(t, stderr, "vetted 4 URLs")
	assert.Contains(t, stderr, "reserved 2, not reserved 1, unknown 1 (errors 1)")
	b, _ := os.ReadFile(res)
	recs := lines(t, string(b))
	require.Len(t, recs, 4)
	for _, r := range recs {
		assert.Contains(t, r, "location")
		assert.Contains(t, r, "training_opt_out")
		assert.Contains(t, r, "opt_out_evidence")
		assert.Contains(t, r, "error")
	}
	rb, _ := os.ReadFile(reserved)
	assert.ElementsMatch(t, []string{srv.URL + "/private/a", srv.URL + "/meta.html"}, strings.Fields(string(rb)))
	ab, _ := os.ReadFile(allowed)
	assert.Equal(t, []string{srv.URL + "/open"}, strings.Fields(string(ab)))

	// --resume: the URLs already in the output are skipped.
	code, _, stderr = runIn(t, list+"\n"+srv.URL+"/new", "urls", "-", "--agent", "CCBot", "--delay", "0", "-o", res, "--resume")
	assert.Equal(t, exitClean, code, "the invalid URL was vetted (as an error) before and is skipped")
	assert.Contains(t, stderr, "vetted 1 URL in", "only the new one")
	b, _ = os.ReadFile(res)
	assert.Len(t, lines(t, string(b)), 5)

	// Default agents: GPTBot is a known training agent and is blocked.
	code, out, _ = runIn(t, srv.URL+"/open\n", "urls", "-", "--check", "policy", "--delay", "0")
	assert.Equal(t, exitClean, code)
	assert.Equal(t, true, lines(t, out)[0]["training_opt_out"])
}

func TestURLsInputsAndUsage(t *testing.T) {
	srv := optoutSite(t)
	csv := filepath.Join(t.TempDir(), "l.csv")
	require.NoError(t, os.WriteFile(csv, []byte("id,link\n1,"+srv.URL+"/open\n"), 0o644))
	code, out, _ := runIn(t, "", "urls", csv, "--column", "link", "--agent", "CCBot", "--delay", "0", "-f", "table")
	assert.Equal(t, exitClean, code)
	assert.Contains(t, out, "allowed")

	code, out, _ = runIn(t, `{"u":"`+srv.URL+`/private/x"}`+"\n", "urls", "-", "--field", "u", "--agent", "CCBot", "--delay", "0")
	assert.Equal(t, exitClean, code)
	assert.Equal(t, true, lines(t, out)[0]["training_opt_out"])

	for _, args := range [][]string{
		{"urls", "-", "--check", "deep"}, {"urls", "-", "--shard", "5/2"}, {"urls", "-", "--resume"},
		{"urls", "-", "-f", "xml"}, {"urls", "/no/such/file"}, {"check", "not a url"},
	} {
		code, _, stderr := runIn(t, "", args...)
		assert.Equal(t, exitError, code, "%v: %s", args, stderr)
	}
}

func TestCheckExplains(t *testing.T) {
	srv := optoutSite(t)
	code, out, _ := runIn(t, "", "check", srv.URL+"/meta.html")
	assert.Equal(t, exitClean, code)
	assert.Contains(t, out, "verdict: reserved")
	assert.Contains(t, out, "meta robots")
	assert.Contains(t, out, "GPTBot")
	assert.Contains(t, out, "Disallow: /")
	code, out, _ = runIn(t, "", "check", srv.URL+"/open", "--agent", "CCBot")
	assert.Equal(t, exitClean, code)
	assert.Contains(t, out, "verdict: allowed")
}

func TestProgressLogsWhenNotATerminal(t *testing.T) {
	var buf bytes.Buffer
	p := newProgress("auto", "URLs", &buf, i18n.English())
	require.Nil(t, p.bar, "no bar when stderr is not a terminal")
	p.update(10, 100)
	assert.Empty(t, buf.String(), "at most one line per interval")
	p.last = p.last.Add(-logInterval)
	p.update(20, 100)
	assert.Contains(t, buf.String(), "aiaudit: progress: 20 URLs")
	assert.Contains(t, buf.String(), "of 100, about")
	quiet := newProgress("never", "URLs", &buf, i18n.English())
	assert.Nil(t, quiet.log)
}

// A list that is not one (a binary file, a --field or --column that
// matches nothing) is a usage error: exit 2, nothing vetted or written.
func TestURLsRefusesBadListInput(t *testing.T) {
	srv := optoutSite(t)
	dir := t.TempDir()
	bin := filepath.Join(dir, "list.txt")
	png, err := os.ReadFile("../../testdata/media/graphic_plain.png")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(bin, png, 0o644))
	jsonl := filepath.Join(dir, "list.jsonl")
	require.NoError(t, os.WriteFile(jsonl, []byte(`{"url":"`+srv.URL+`/a","title":"a"}`+"\n"), 0o644))
	csv := filepath.Join(dir, "list.csv")
	require.NoError(t, os.WriteFile(csv, []byte(srv.URL+"/a\n"+srv.URL+"/b\n"), 0o644))
	for _, c := range []struct {
		args []string
		msg  string
	}{
		{[]string{bin}, "binary"},
		{[]string{jsonl, "--field", "href"}, "title, url"},
		{[]string{csv, "--column", "2"}, "1 column"},
	} {
		res := filepath.Join(dir, "out.jsonl")
		require.NoError(t, os.WriteFile(res, []byte("kept\n"), 0o644))
		args := append([]string{"urls", "--delay", "0", "-o", res}, c.args...)
		code, out, stderr := runIn(t, "", args...)
		assert.Equal(t, exitError, code, "%v: %s", c.args, stderr)
		assert.Contains(t, stderr, c.msg, "%v", c.args)
		assert.Empty(t, out)
		b, _ := os.ReadFile(res)
		assert.Equal(t, "kept\n", string(b), "%v: the output is not touched", c.args)
	}
}

// A list whose every host refuses connections is incomplete (exit 3), and
// says so in one line that --quiet keeps.
func TestURLsNoneVettedIsIncomplete(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	base := srv.URL
	srv.Close() // nothing listens there now: connections are refused
	code, _, stderr := runIn(t, base+"/a\n"+base+"/b\n", "urls", "-", "--quiet", "--delay", "0", "--retries", "0", "--no-history")
	assert.Equal(t, exitIncomplete, code, stderr)
	assert.Equal(t, 1, strings.Count(stderr, "\n"), "one line: %s", stderr)
	assert.Contains(t, stderr, "no URL could be vetted: all 2 failed (first: "+base+"/a: ")
}

// A data team vetting a corpus as a general-purpose AI model provider
// learns what training on the reserved URLs would expose it to (Art. 101,
// flagged with its cap, never summed); a publisher's list run says nothing
// about fines it has no finding for.
func TestURLsExposureForGPAI(t *testing.T) {
	srv := optoutSite(t)
	list := srv.URL + "/open\n" + srv.URL + "/private/a\n" + srv.URL + "/private/b\n"
	code, _, stderr := runIn(t, list, "urls", "-", "--agent", "CCBot", "--delay", "0", "--no-history",
		"--jurisdiction", "eu", "--role", "gpai", "--turnover-eur", "1000000000")
	require.Equal(t, exitClean, code, stderr)
	assert.Contains(t, stderr, "exposure EU Art. 101: flagged by 2 items, maximum 30,000,000.00 EUR (never summed)", "3 % of 1 bn EUR")
	assert.Contains(t, stderr, "not legal advice")

	code, _, stderr = runIn(t, list, "urls", "-", "--agent", "CCBot", "--delay", "0", "--no-history")
	require.Equal(t, exitClean, code, stderr)
	assert.NotContains(t, stderr, "exposure")
	assert.NotContains(t, stderr, "legal advice")
}
