package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aiaudit/aiaudit/cmd/mktestdata/build"
	"github.com/aiaudit/aiaudit/reports"
)

func aiSite(t *testing.T) *httptest.Server {
	jpg, err := build.JPEG(16, 16, 1)
	require.NoError(t, err)
	ai, err := build.WithXMP(jpg, build.XMPPacket("http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia", "", ""))
	require.NoError(t, err)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/robots.txt":
			fmt.Fprint(w, "User-agent: GPTBot\nDisallow: /\n")
		case "/":
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, `<html><body><div><img src="/a.jpg" alt="Hero"></div><div><img src="/b.jpg" alt="AI-generated hero"></div>
			<script src="https://www.chatbase.co/embed.min.js"></script></body></html>`)
		case "/a.jpg", "/b.jpg":
			w.Write(ai)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestCrawlCommand(t *testing.T) {
	srv := aiSite(t)
	code, out, stderr := runIn(t, "", "crawl", srv.URL+"/", "-f", "json", "--delay", "0", "--jurisdiction", "kz,eu")
	assert.Equal(t, exitFindings, code, "an unlabelled AI image is a violation: %s", stderr)
	rep := decode(t, out)
	assert.Equal(t, "crawl", rep.Scan.Command)
	assert.True(t, rep.Scan.Complete)
	rules := map[string]int{}
	for _, f := range rep.Findings {
		rules[f.Rule]++
	}
	assert.Equal(t, 1, rules["kz.aap.456.2"], "only /a.jpg lacks a label")
	assert.Equal(t, 1, rules["eu.ai-act.50"])
	assert.Equal(t, 1, rules["eu.ai-act.50.1"], "an undisclosed AI chat widget")
	require.Len(t, rep.Sites, 1)
	assert.Contains(t, rep.Sites[0].OptOut["ai_agents_blocked"], "GPTBot")
	var page reports.Resource
	for _, r := range rep.Resources {
		if r.Kind == "page" {
			page = r
		}
	}
	require.NotNil(t, page.TrainingOptOut)
	assert.True(t, *page.TrainingOptOut, "GPTBot is blocked site-wide")

	code, _, _ = runIn(t, "", "crawl", srv.URL+"/", "--fail-on", "none", "--delay", "0")
	assert.Equal(t, exitClean, code)
	code, _, stderr = runIn(t, "", "crawl", "not-a-url")
	assert.Equal(t, exitError, code, stderr)
	code, _, _ = runIn(t, "", "crawl", srv.URL, "--jurisdiction", "us")
	assert.Equal(t, exitError, code)
}

func TestCrawlInterruptedIsPartial(t *testing.T) {
	srv := aiSite(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out, errb bytes.Buffer
	code := run(ctx, []string{"crawl", srv.URL + "/", "-f", "json", "--delay", "0"}, strings.NewReader(""), &out, &errb)
	assert.Equal(t, exitInterrupted, code, errb.String())
	rep := decode(t, out.String())
	assert.False(t, rep.Scan.Complete)
}
