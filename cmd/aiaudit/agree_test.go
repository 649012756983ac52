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

	"github.com/aiaudit/aiaudit/cmd/mktestdata/build"
	"github.com/aiaudit/aiaudit/detectors"
	"github.com/aiaudit/aiaudit/reports/audit"
)

// mixedOptOutSite serves one site where every page and image is decided by
// a different mix of site files, headers, meta tags and embedded metadata.
func mixedOptOutSite(t *testing.T) *httptest.Server {
	jpg, err := build.JPEG(16, 16, 3)
	require.NoError(t, err)
	ai, err := build.WithXMP(jpg, build.XMPPacket("http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia", "", ""))
	require.NoError(t, err)
	noTrain, err := build.WithXMP(jpg, build.XMPPacket("", "http://ns.useplus.org/ldf/vocab/DMI-PROHIBITED-AIMLTRAINING", ""))
	require.NoError(t, err)
	page := func(w http.ResponseWriter, head, body string) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, "<html><head>%s</head><body>%s</body></html>", head, body)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/robots.txt":
			fmt.Fprint(w, "User-agent: CCBot\nDisallow: /private/\n\nUser-agent: *\nAllow: /\n")
		case "/.well-known/tdmrep.json":
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `[{"location": "/tdm/*", "tdm-reservation": 1}]`)
		case "/":
			page(w, "", `<a href="/header">h</a> <a href="/tdm/own-word">t</a> <a href="/tdm/plain">p</a>
				<a href="/private/p">x</a> <a href="/noai">n</a>
				<img src="/img/ai.jpg" alt="hero"> <img src="/img/notrain.jpg" alt="photo"> <img src="/img/header.jpg" alt="photo">`)
		case "/header":
			// Reserved by the response header alone.
			w.Header().Set("tdm-reservation", "1")
			page(w, "", "header-reserved")
		case "/tdm/own-word":
			// tdmrep.json reserves /tdm/*, the page's own meta says 0: the
			// more specific statement wins.
			page(w, `<meta name="tdm-reservation" content="0">`, "own word")
		case "/tdm/plain":
			page(w, "", "reserved by tdmrep.json")
		case "/private/p":
			page(w, "", "CCBot may not crawl")
		case "/noai":
			w.Header().Set("X-Robots-Tag", "noai")
			page(w, "", "noai")
		case "/img/ai.jpg":
			w.Header().Set("Content-Type", "image/jpeg")
			w.Write(ai)
		case "/img/notrain.jpg":
			w.Header().Set("Content-Type", "image/jpeg")
			w.Write(noTrain)
		case "/img/header.jpg":
			w.Header().Set("Content-Type", "image/jpeg")
			w.Header().Set("tdm-reservation", "1")
			w.Write(jpg)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

type vetted struct {
	Location       string             `json:"location"`
	TrainingOptOut *bool              `json:"training_opt_out"`
	OptOutEvidence []detectors.OptOut `json:"opt_out_evidence"`
}

// crawl, urls and check make one opt-out decision: the same verdict and the
// same evidence for every page and image of a site.
func TestCrawlURLsAndCheckAgreeOnOptOuts(t *testing.T) {
	srv := mixedOptOutSite(t)
	agents := []string{"--agent", "GPTBot", "--agent", "CCBot", "--delay", "0"}

	code, out, stderr := runIn(t, "", append([]string{"crawl", srv.URL + "/", "-f", "json", "--no-history"}, agents...)...)
	require.Contains(t, []int{exitClean, exitFindings}, code, stderr)
	rep := decode(t, out)
	crawled := map[string]vetted{}
	var list []string
	for _, r := range rep.Resources {
		require.Empty(t, r.Error, r.Location)
		crawled[r.Location] = vetted{r.Location, r.TrainingOptOut, r.OptOutEvidence}
		list = append(list, r.Location)
	}
	require.Len(t, crawled, 9, "6 pages and 3 images")

	// What each resource must come to (the two cases the crawler used to get
	// wrong first).
	want := map[string]bool{
		"/header": true, "/tdm/own-word": false, "/tdm/plain": true, "/private/p": true, "/noai": true, "/": false,
		"/img/ai.jpg": false, "/img/notrain.jpg": true, "/img/header.jpg": true,
	}
	for path, reserved := range want {
		got, ok := crawled[srv.URL+path]
		require.True(t, ok, "crawled %s", path)
		require.NotNil(t, got.TrainingOptOut, path)
		assert.Equal(t, reserved, *got.TrainingOptOut, "crawl: %s %+v", path, got.OptOutEvidence)
	}

	code, out, stderr = runIn(t, strings.Join(list, "\n")+"\n", append([]string{"urls", "-", "--check", "full", "--no-history"}, agents...)...)
	require.Equal(t, exitClean, code, stderr)
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var v vetted
		require.NoError(t, json.Unmarshal([]byte(line), &v))
		c := crawled[v.Location]
		assert.Equal(t, c.TrainingOptOut, v.TrainingOptOut, "urls and crawl verdicts for %s", v.Location)
		assert.ElementsMatch(t, c.OptOutEvidence, v.OptOutEvidence, "urls and crawl evidence for %s", v.Location)
	}

	for _, loc := range list {
		code, out, stderr = runIn(t, "", append([]string{"check", loc, "--check", "full"}, agents...)...)
		require.Equal(t, exitClean, code, stderr)
		c := crawled[loc]
		assert.Contains(t, out, "verdict: "+audit.VerdictWord(c.TrainingOptOut)+" ", "check and crawl verdicts for %s", loc)
		for _, o := range c.OptOutEvidence {
			assert.Contains(t, out, o.Detail, "check shows the evidence crawl found for %s", loc)
		}
	}
}
