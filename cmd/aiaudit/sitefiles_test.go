package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aiaudit/aiaudit/detectors"
	"github.com/aiaudit/aiaudit/scanner/urls"
)

// softNotFoundSite answers every path with 200 and one HTML page, as many
// servers do for paths they do not have. The page quotes robots.txt lines,
// so reading it as robots.txt or ai.txt would find "Disallow: /".
func softNotFoundSite(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, "<!DOCTYPE html>\n<html><head><title>Blog</title></head><body>\n<a href=\"/post\">how to block crawlers</a>\n<pre>\nUser-agent: *\nDisallow: /\n</pre>\n</body></html>\n")
	}))
	t.Cleanup(srv.Close)
	return srv
}

// An HTML page where robots.txt, tdmrep.json or ai.txt is expected is no
// such file: urls, crawl and check all read the three as absent, say what
// was served, and agree on the verdict.
func TestSoftNotFoundSiteFilesAreAbsent(t *testing.T) {
	srv := softNotFoundSite(t)
	absent := []string{
		"robots.txt absent: HTTP 200 (text/html) answered with an HTML page, not the file: allow-all",
		"tdmrep.json absent: HTTP 200 (text/html) answered with an HTML page, not the file",
		"ai.txt absent: HTTP 200 (text/html) answered with an HTML page, not the file",
	}
	details := func(ev []detectors.OptOut) string {
		var d []string
		for _, o := range ev {
			d = append(d, o.Detail)
		}
		return strings.Join(d, "\n")
	}
	agents := []string{"--agent", "GPTBot", "--agent", "CCBot", "--delay", "0"}

	code, out, stderr := runIn(t, "", append([]string{"crawl", srv.URL + "/", "-f", "json", "--no-history"}, agents...)...)
	require.Contains(t, []int{exitClean, exitFindings}, code, stderr)
	rep := decode(t, out)
	require.Len(t, rep.Resources, 2, "the page and the one it links to are crawled: robots.txt forbids nothing")
	for _, r := range rep.Resources {
		require.NotNil(t, r.TrainingOptOut, r.Location)
		assert.False(t, *r.TrainingOptOut, "crawl: %s", r.Location)
		for _, a := range absent {
			assert.Contains(t, details(r.OptOutEvidence), a, "crawl: %s", r.Location)
		}
	}
	require.Len(t, rep.Sites, 1)
	assert.False(t, rep.Sites[0].OptOut.AITxt, "no ai.txt")
	assert.False(t, rep.Sites[0].OptOut.TDMRep, "no tdmrep.json")
	assert.Empty(t, rep.Sites[0].OptOut.AIAgentsBlocked)

	code, out, stderr = runIn(t, srv.URL+"/post\n", append([]string{"urls", "-", "--no-history"}, agents...)...)
	require.Equal(t, exitClean, code, stderr)
	var v vetted
	require.NoError(t, json.Unmarshal([]byte(out), &v))
	require.NotNil(t, v.TrainingOptOut)
	assert.False(t, *v.TrainingOptOut, "urls")
	for _, a := range absent {
		assert.Contains(t, details(v.OptOutEvidence), a, "urls")
	}

	code, out, stderr = runIn(t, "", append([]string{"check", srv.URL + "/post"}, agents...)...)
	require.Equal(t, exitClean, code, stderr)
	assert.Contains(t, out, "verdict: allowed ")
	for _, a := range absent {
		assert.Contains(t, out, a, "check")
	}
}

// Several --agent flags: every (URL, agent) pair has a robots.txt entry of
// its own, also where the agents fall to the same group; the empty query
// is matched.
func TestEveryAgentHasItsOwnRobotsEntry(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			fmt.Fprint(w, "User-agent: *\nDisallow: /search?\nAllow: /w/load.php?\nDisallow: /w/\n\nUser-agent: CCBot\nDisallow: /private/\n")
			return
		}
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, "<html></html>")
	}))
	t.Cleanup(srv.Close)
	agents := []string{"GPTBot", "CCBot", "ClaudeBot", "Google-Extended", "anthropic-ai", "Bytespider", "PerplexityBot"}
	args := []string{"urls", "-", "--no-history", "--check", "policy", "--delay", "0"}
	for _, a := range agents {
		args = append(args, "--agent", a)
	}
	want := map[string]bool{"/search?": true, "/search": false, "/w/load.php?": false, "/w/load.php": true, "/private/x": true}
	var list []string
	for p := range want {
		list = append(list, srv.URL+p)
	}
	code, out, stderr := runIn(t, strings.Join(list, "\n")+"\n", args...)
	require.Equal(t, exitClean, code, stderr)
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var v vetted
		require.NoError(t, json.Unmarshal([]byte(line), &v))
		path := strings.TrimPrefix(v.Location, srv.URL)
		require.NotNil(t, v.TrainingOptOut, path)
		assert.Equal(t, want[path], *v.TrainingOptOut, "%s: %+v", path, v.OptOutEvidence)
		var got []string
		for _, o := range v.OptOutEvidence {
			if o.Signal == "robots.txt" {
				got = append(got, o.Agent)
			}
		}
		assert.Equal(t, agents, got, "%s: one robots.txt entry per agent", path)
	}
}

// check names the agents: every known training agent as "all N", the
// ones given with --agent by name, never one standing in for the rest.
func TestCheckNamesTheAgents(t *testing.T) {
	srv := optoutSite(t) // GPTBot: Disallow: /; *: Disallow: /private/
	all := fmt.Sprintf("all %d known AI-training agents", len(urls.TrainingAgents(nil)))

	code, out, stderr := runIn(t, "", "check", srv.URL+"/private/x", "--check", "policy")
	require.Equal(t, exitClean, code, stderr)
	assert.Contains(t, out, "verdict: reserved (for "+all+"; --check policy)")
	assert.Regexp(t, `robots.txt\s+reserved\s+Disallow: /private/ \(line 5, group "\*"\)\s+`+all+` but GPTBot\n`, out, "the * rule holds for every agent but GPTBot")
	assert.Regexp(t, `robots.txt\s+reserved\s+Disallow: / \(line 2, group "gptbot"\)\s+GPTBot\n`, out)
	assert.NotRegexp(t, `AI2Bot\n`, out, "no stand-in agent")

	code, out, stderr = runIn(t, "", "check", srv.URL+"/open", "--check", "policy", "--agent", "GPTBot", "--agent", "CCBot", "--agent", "ClaudeBot")
	require.Equal(t, exitClean, code, stderr)
	assert.Contains(t, out, "verdict: reserved (for GPTBot, CCBot, ClaudeBot; --check policy)")
	assert.Regexp(t, `robots.txt\s+reserved\s+Disallow: / \(line 2, group "gptbot"\)\s+GPTBot\n`, out)
	assert.Regexp(t, `robots.txt\s+not_reserved\s+no rule matches\s+CCBot, ClaudeBot\n`, out)

	code, out, _ = runIn(t, "", "check", srv.URL+"/open", "--check", "policy", "--agent", "CCBot")
	assert.Equal(t, exitClean, code)
	assert.Contains(t, out, "verdict: allowed (for CCBot; --check policy)")
}
