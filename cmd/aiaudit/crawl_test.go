package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aiaudit/aiaudit/cmd/mktestdata/build"
	"github.com/aiaudit/aiaudit/reports/model"
	"github.com/aiaudit/aiaudit/reports/rules"
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
	assert.Contains(t, rep.Sites[0].OptOut.AIAgentsBlocked, "GPTBot")
	var page model.Resource
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

// A page rendered by script is named once on stderr, with the way to see
// it, and in the report on the page and its site.
func TestCrawlSaysWhenPagesLookScriptRendered(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/", "/shop":
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, `<html><body><div id="root"></div><script src="/app.js"></script><a href="/shop">shop</a></body></html>`)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	code, out, stderr := runIn(t, "", "crawl", srv.URL+"/", "-f", "json", "--delay", "0")
	assert.Equal(t, exitClean, code, stderr)
	assert.Equal(t, 1, strings.Count(stderr, "look rendered by script"), stderr)
	assert.Contains(t, stderr, "2 pages look rendered by script (e.g. "+srv.URL+"/)")
	assert.Contains(t, stderr, "--render")
	rep := decode(t, out)
	require.Len(t, rep.Sites, 1)
	assert.Contains(t, strings.Join(rep.Sites[0].Notes, " "), "2 pages look rendered by script")
	for _, r := range rep.Resources {
		assert.Contains(t, strings.Join(r.Notes, " "), "looks rendered by script", r.Location)
	}
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

func TestCrawlExposure(t *testing.T) {
	srv := aiSite(t)
	code, out, stderr := runIn(t, "", "crawl", srv.URL+"/", "-f", "json", "--delay", "0", "--jurisdiction", "kz,eu",
		"--company-size", "medium", "--turnover-eur", "1000000000")
	require.Equal(t, exitFindings, code, stderr)
	rep := decode(t, out)
	assert.Contains(t, rep.Disclaimer, "not legal advice")
	got := map[string]model.Exposure{}
	for _, e := range rep.Exposure {
		got[e.Jurisdiction+" "+e.Article] = e
	}
	kz := got["KZ 456.2"]
	assert.Equal(t, 1, kz.Offences)
	assert.Equal(t, &model.Money{MRP: 50, KZT: 216250, EUR: "367.50"}, kz.FinePerOffence)
	eu := got["EU 99(4)"]
	assert.Equal(t, "30000000.00", eu.TotalMax.EUR, "3 % of 1 bn EUR is higher than 15 M")

	code, out, _ = runIn(t, "", "crawl", srv.URL+"/", "--delay", "0", "--employees", "300", "--annual-income", "1", "--fail-on", "none")
	assert.Equal(t, exitClean, code)
	assert.Contains(t, out, "exposure KZ Art. 456.2: 1 offence by item; 100 MRP (432,500 KZT, 735.00 EUR)", "300 employees: a large company")

	for _, args := range [][]string{
		{"--company-size", "huge"}, {"--year", "2025"}, {"--turnover", "-5"}, {"--employees", "5"},
		{"--counting", "paragraph"}, {"--role", "reader"}, {"--jurisdiction", "kz,us"},
	} {
		code, _, stderr := runIn(t, "", append([]string{"crawl", srv.URL + "/", "--delay", "0"}, args...)...)
		assert.Equal(t, exitError, code, "%v", args)
		assert.Contains(t, stderr, "aiaudit:", "%v", args)
	}
}

func TestCrawlExtraLabelPhrases(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/":
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, `<html><body><div><img src="/a.png" alt="Image générée par IA"></div></body></html>`)
		case "/a.png":
			b, _ := build.PNG(8, 8, false, build.TextChunk("tEXt", "parameters", "x\nSteps: 20, Sampler: Euler a, Seed: 1"))
			w.Write(b)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	code, _, _ := runIn(t, "", "crawl", srv.URL+"/", "--delay", "0")
	assert.Equal(t, exitFindings, code, "a French label is not in the default table")
	f := filepath.Join(t.TempDir(), "fr.json")
	require.NoError(t, os.WriteFile(f, []byte(`[{"lang":"fr","pattern":"générée? par (l')?IA"}]`), 0o644))
	code, _, stderr := runIn(t, "", "crawl", srv.URL+"/", "--delay", "0", "--label-phrases", f)
	assert.Equal(t, exitClean, code, stderr)
	// The same phrases given inline, as --label-phrases' help says it takes JSON.
	code, _, stderr = runIn(t, "", "crawl", srv.URL+"/", "--delay", "0", "--label-phrases", `[{"lang":"fr","pattern":"générée? par (l')?IA"}]`)
	assert.Equal(t, exitClean, code, stderr)
	code, _, stderr = runIn(t, "", "crawl", srv.URL+"/", "--delay", "0", "--label-phrases", `{"lang":"fr","pattern":"générée? par (l')?IA"}`)
	assert.Equal(t, exitClean, code, "one phrase: %s", stderr)
	require.NoError(t, os.WriteFile(f, []byte(`[{"lang":"fr","pattern":"("}]`), 0o644))
	code, _, _ = runIn(t, "", "crawl", srv.URL+"/", "--label-phrases", f)
	assert.Equal(t, exitError, code)
}

func TestReportReRenders(t *testing.T) {
	srv := aiSite(t)
	saved := filepath.Join(t.TempDir(), "scan.json")
	code, _, _ := runIn(t, "", "crawl", srv.URL+"/", "--delay", "0", "-f", "json", "-o", saved)
	require.Equal(t, exitFindings, code)

	// The same scan for a large company, under both laws, as Markdown.
	code, out, stderr := runIn(t, "", "report", saved, "--company-size", "large", "--jurisdiction", "kz,eu", "-f", "markdown")
	assert.Equal(t, exitFindings, code, stderr)
	assert.Contains(t, out, "| KZ | Art. 456.2 | 1 |")
	assert.Contains(t, out, "100 MRP (432,500 KZT, 735.00 EUR)")
	assert.Contains(t, out, "| EU | Art. 99(4) | 1 |", "EU findings derived from the Kazakh ones")

	// Thumbnails travel in the saved JSON (small data URIs), so a re-render
	// shows them.
	code, out, _ = runIn(t, "", "report", saved, "-f", "html", "--fail-on", "none")
	assert.Equal(t, exitClean, code)
	assert.Contains(t, out, `<img class="thumb" alt="" src="data:image/jpeg;base64,`)

	code, out, _ = runIn(t, "", "report", saved, "-f", "csv", "--fail-on", "none")
	assert.Equal(t, exitClean, code)
	assert.Contains(t, out, "rule,severity,location,message")
	assert.Contains(t, out, "kz.aap.456.2,violation,")

	code, out, _ = runIn(t, "", "report", saved, "-f", "sarif", "--fail-on", "none")
	assert.Equal(t, exitClean, code)
	assert.Contains(t, out, `"version": "2.1.0"`)

	old := filepath.Join(t.TempDir(), "old.json")
	require.NoError(t, os.WriteFile(old, []byte(`{"schema":"aiaudit.report/v0","resources":[]}`), 0o644))
	code, _, stderr = runIn(t, "", "report", old)
	assert.Equal(t, exitError, code)
	assert.Contains(t, stderr, `"aiaudit.report/v0"`)
	code, _, _ = runIn(t, "", "report", saved, "--company-size", "giant")
	assert.Equal(t, exitError, code)
	dest := filepath.Join(t.TempDir(), "r.md")
	code, _, _ = runIn(t, "", "report", saved, "--year", "1999", "-o", dest)
	assert.Equal(t, exitError, code)
	_, err := os.Stat(dest)
	assert.True(t, os.IsNotExist(err), "nothing written half-way")
}

// Ctrl-C during a page fetch that never ends stops the crawl at once: the
// fetch in flight is cancelled and the partial report is written.
func TestCrawlInterruptedDuringASlowFetch(t *testing.T) {
	started := make(chan struct{})
	var once sync.Once
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/":
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, `<html><body><a href="/slow">slow</a></body></html>`)
		case "/slow":
			once.Do(func() { close(started) })
			select { // a server that never answers, until the client goes
			case <-r.Context().Done():
			case <-time.After(time.Minute):
			}
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	ctx, cancel := context.WithCancel(context.Background())
	type result struct {
		code     int
		out, err string
	}
	done := make(chan result, 1)
	go func() {
		var out, errb bytes.Buffer
		code := run(ctx, []string{"crawl", srv.URL + "/", "-f", "json", "--delay", "0", "--no-history", "--timeout", "1m"}, strings.NewReader(""), &out, &errb)
		done <- result{code, out.String(), errb.String()}
	}()
	select {
	case <-started:
	case <-time.After(30 * time.Second):
		t.Fatal("the slow page was never requested")
	}
	cancel()
	select {
	case r := <-done:
		assert.Equal(t, exitInterrupted, r.code, r.err)
		rep := decode(t, r.out)
		assert.False(t, rep.Scan.Complete)
		require.NotEmpty(t, rep.Resources, "the page read before the interrupt is in the report")
		assert.Equal(t, srv.URL+"/", rep.Resources[0].Location)
	case <-time.After(time.Second):
		t.Fatal("the crawl did not stop within a second of Ctrl-C")
	}
}

// A site that is down is never a clean scan: the crawl exits 2 with the
// reason in the report, and the history fixes nothing; when the site is back,
// its findings are unchanged, not new.
func TestSiteDownFixesNothing(t *testing.T) {
	jpg, err := build.JPEG(16, 16, 1)
	require.NoError(t, err)
	ai, err := build.WithXMP(jpg, build.XMPPacket("http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia", "", ""))
	require.NoError(t, err)
	var down atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if down.Load() {
			http.Error(w, "maintenance", http.StatusServiceUnavailable)
			return
		}
		switch r.URL.Path {
		case "/":
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, `<html><body><img src="/a.jpg" alt="hero"></body></html>`)
		case "/a.jpg":
			w.Write(ai)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	db := filepath.Join(t.TempDir(), "h.db")
	crawl := func() (int, model.Report, string) {
		code, out, stderr := runIn(t, "", "crawl", srv.URL+"/", "-f", "json", "--delay", "0", "--db", db, "--retries", "0")
		return code, decode(t, out), stderr
	}
	code, first, stderr := crawl()
	require.Equal(t, exitFindings, code, stderr)
	n := first.Changes.New
	require.Positive(t, n)

	down.Store(true)
	code, rep, stderr := crawl()
	assert.Equal(t, exitError, code, "nothing could be crawled: %s", stderr)
	assert.Contains(t, stderr, "nothing could be crawled")
	assert.Contains(t, stderr, "not crawled because robots.txt could not be fetched")
	require.Len(t, rep.Resources, 1)
	assert.Contains(t, rep.Resources[0].Error, "robots.txt could not be fetched (HTTP 503)")
	require.NotNil(t, rep.Changes)
	assert.Zero(t, rep.Changes.Fixed, "unknown is not fixed")
	assert.Equal(t, n, rep.Changes.NotRechecked, "every earlier finding is carried, not re-checked")

	down.Store(false)
	code, rep, stderr = crawl()
	require.Equal(t, exitFindings, code, stderr)
	assert.Zero(t, rep.Changes.New, "back up: the finding is not announced as new again")
	assert.Equal(t, n, rep.Changes.Unchanged)
}

// A host that refuses connections: the same, without any answer at all.
func TestCrawlOfARefusingHostIsAnError(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL + "/"
	srv.Close() // the port now refuses connections
	code, out, stderr := runIn(t, "", "crawl", url, "-f", "json", "--delay", "0", "--no-history", "--retries", "0")
	assert.Equal(t, exitError, code, stderr)
	rep := decode(t, out)
	require.Len(t, rep.Resources, 1)
	assert.Contains(t, rep.Resources[0].Error, "robots.txt could not be fetched")
	assert.Equal(t, 1, rep.Summary.Errors)
}

// --timeout is the same for every fetch, pages included, and it counts the
// body: a page slower than it (late headers, or headers at once and a body
// that never ends) is an error that says so, and the request is abandoned
// (the server sees the client go) rather than waited for.
func TestCrawlPageTimeoutIsTheTimeoutFlag(t *testing.T) {
	var mu sync.Mutex
	gone := map[string]chan struct{}{"/late-head": make(chan struct{}), "/late-body": make(chan struct{})}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		ch := gone[r.URL.Path]
		delete(gone, r.URL.Path) // once per path
		mu.Unlock()
		if ch == nil {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html")
		if r.URL.Path == "/late-body" {
			fmt.Fprint(w, "<html><body>")
			w.(http.Flusher).Flush()
		}
		select {
		case <-r.Context().Done():
			close(ch)
		case <-time.After(2 * time.Second):
			fmt.Fprint(w, "<html><body>late</body></html>")
		}
	}))
	t.Cleanup(srv.Close)
	mu.Lock()
	waits := map[string]chan struct{}{}
	for p, ch := range gone {
		waits[p] = ch
	}
	mu.Unlock()
	code, out, stderr := runIn(t, "", "crawl", srv.URL+"/late-head", srv.URL+"/late-body", "-f", "json", "--delay", "0", "--no-history", "--retries", "0", "--timeout", "500ms")
	assert.Equal(t, exitError, code, "nothing could be crawled: %s", stderr)
	rep := decode(t, out)
	errs := map[string]string{}
	for _, r := range rep.Resources {
		errs[r.Location] = r.Error
	}
	for p, ch := range waits {
		assert.Contains(t, strings.ToLower(errs[srv.URL+p]), "timeout", "%s: the error says why (%v)", p, errs)
		select {
		case <-ch:
		case <-time.After(10 * time.Second):
			t.Errorf("%s was waited for: the client never went away", p)
		}
	}
}

// A saved scan carries its company profile: a re-render prices it the same
// (size, jurisdictions) unless a flag overrides it, and says so.
func TestReportKeepsTheSavedProfile(t *testing.T) {
	srv := aiSite(t)
	saved := filepath.Join(t.TempDir(), "scan.json")
	code, _, stderr := runIn(t, "", "crawl", srv.URL+"/", "-f", "json", "-o", saved, "--delay", "0", "--no-history",
		"--company-size", "large", "--jurisdiction", "kz,eu", "--fail-on", "none")
	require.Equal(t, exitClean, code, stderr)

	prices := func(args ...string) (map[string]string, string) {
		code, out, stderr := runIn(t, "", append([]string{"report", saved, "-f", "json", "--fail-on", "none"}, args...)...)
		require.Equal(t, exitClean, code, stderr)
		got := map[string]string{}
		for _, e := range decode(t, out).Exposure {
			got[e.Jurisdiction+" "+e.Article] = e.CompanySize
		}
		return got, stderr
	}
	got, stderr := prices()
	assert.Equal(t, "large", got["KZ 456.2"], "the saved size, not the default small")
	assert.Contains(t, got, "EU 99(4)", "the saved jurisdictions")
	assert.Contains(t, stderr, "using the saved scan's")

	got, _ = prices("--company-size", "small", "--jurisdiction", "kz")
	assert.Equal(t, "small", got["KZ 456.2"], "a flag overrides the saved profile")
	assert.NotContains(t, got, "EU 99(4)")
}

// One company profile end to end, hand-computed: 200 staff and an income
// of 2,000,000,000 KZT (462,427 MRP) make a medium Kazakh company (50 MRP
// per item under Art. 456.2); 200 staff and 25 M EUR turnover make an EU
// SME, so Art. 99(4) caps at the lower of 15 M EUR and 3 % (750,000 EUR);
// as a GPAI provider the three items reserved by robots.txt raise Art. 101
// (3 % is 750,000 EUR, so 15 M EUR, the higher: Art. 101 has no SME rule);
// the German draft has nothing to compute. A re-render without flags
// prices the scan the same, and a scan dated before 2 August 2026 says
// Art. 50 and Art. 101 did not yet apply.
func TestExposureProfileEndToEnd(t *testing.T) {
	srv := aiSite(t)
	saved := filepath.Join(t.TempDir(), "scan.json")
	code, _, stderr := runIn(t, "", "crawl", srv.URL+"/", "--delay", "0", "-f", "json", "-o", saved, "--jurisdiction", "kz,eu,de",
		"--employees", "200", "--income-kzt", "2000000000", "--turnover-eur", "25000000", "--role", "publisher,gpai")
	require.Equal(t, exitFindings, code, stderr)
	b, err := os.ReadFile(saved)
	require.NoError(t, err)
	rep := decode(t, string(b))
	got := map[string]model.Exposure{}
	for _, e := range rep.Exposure {
		got[e.Jurisdiction+" "+e.Article] = e
	}
	assert.Equal(t, &model.Money{MRP: 50, KZT: 216250, EUR: "367.50"}, got["KZ 456.2"].FinePerOffence)
	assert.Equal(t, "750000.00", got["EU 99(4)"].TotalMax.EUR)
	assert.Equal(t, "15000000.00", got["EU 101"].Cap.EUR)
	assert.Equal(t, 3, got["EU 101"].Offences, "the page and both images are reserved for GPTBot")
	assert.True(t, got["EU 101"].FlaggedOnly)
	de := got[`DE draft "Gesetz VII" (14 October 2025)`]
	assert.True(t, de.Informational)
	require.NotNil(t, rep.Basis)
	assert.Equal(t, "medium", rep.Basis.CompanySize)
	assert.Contains(t, rep.Basis.SizeReason, "derived from 200 staff and an income of 2,000,000,000 KZT")
	assert.Equal(t, "EU SME: 200 staff, turnover 25,000,000 EUR", rep.Basis.SMEReason)

	code, out, stderr := runIn(t, "", "report", saved, "-f", "markdown")
	assert.Equal(t, exitFindings, code, stderr)
	assert.Contains(t, out, "50 MRP (216,250 KZT, 367.50 EUR) per offence, medium company")
	assert.Contains(t, out, "cap 750,000.00 EUR (SME: lower of 15,000,000 EUR and 3 % of turnover (750,000.00 EUR))")
	assert.Contains(t, out, "Assumptions: fine tables KZ, EU, DE of 2026")
	assert.Contains(t, stderr, "using the saved scan's jurisdiction, company-size, employees, income-kzt, turnover-eur")

	// The language the scan was asked in is kept, and a --lang that
	// changes it is said.
	ru := filepath.Join(t.TempDir(), "ru.json")
	code, _, stderr = runIn(t, "", "crawl", srv.URL+"/", "--delay", "0", "-f", "json", "-o", ru, "--lang", "ru", "--no-history")
	require.Equal(t, exitFindings, code, stderr)
	code, out, _ = runIn(t, "", "report", ru, "-f", "markdown", "--fail-on", "none")
	assert.Equal(t, exitClean, code)
	assert.Contains(t, out, "Отчёт aiaudit crawl", "the saved scan's language")
	code, out, stderr = runIn(t, "", "report", ru, "-f", "markdown", "--fail-on", "none", "--lang", "en")
	assert.Equal(t, exitClean, code)
	assert.Contains(t, out, "# aiaudit crawl report")
	assert.Contains(t, stderr, "written in --lang en instead of the saved scan's ru")

	code, out, stderr = runIn(t, "", "report", saved, "-f", "markdown", "--company-size", "large", "--fail-on", "none")
	assert.Equal(t, exitClean, code, stderr)
	assert.Contains(t, stderr, "--company-size large instead of the saved ")
	assert.Contains(t, out, "100 MRP (432,500 KZT, 735.00 EUR) per offence, large company")

	// The same scan, dated 1 March 2026.
	var raw map[string]any
	require.NoError(t, json.Unmarshal(b, &raw))
	raw["scan"].(map[string]any)["started"] = "2026-03-01T09:00:00Z"
	early := filepath.Join(t.TempDir(), "early.json")
	b, err = json.Marshal(raw)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(early, b, 0o644))
	code, out, stderr = runIn(t, "", "report", early, "-f", "json")
	assert.Equal(t, exitFindings, code, "KZ Art. 456.2 applied from 18 January 2026: %s", stderr)
	rep = decode(t, out)
	got = map[string]model.Exposure{}
	for _, e := range rep.Exposure {
		got[e.Jurisdiction+" "+e.Article] = e
	}
	assert.False(t, got["KZ 456.2"].NotYetApplicable)
	for _, art := range []string{"EU 99(4)", "EU 101"} {
		assert.True(t, got[art].NotYetApplicable, art)
		assert.Nil(t, got[art].TotalMax, art)
		assert.Contains(t, got[art].Note, "did not yet apply on the scan date 2026-03-01: applies from 2026-08-02", art)
	}
}

// With -o the terminal shows none of the report, so stderr says where it
// went, what it holds, the exposure and why the exit code is what it is;
// --quiet silences it.
func TestOutputFileSummaryOnStderr(t *testing.T) {
	srv := aiSite(t)
	saved := filepath.Join(t.TempDir(), "scan.json")
	code, out, stderr := runIn(t, "", "crawl", srv.URL+"/", "--delay", "0", "-f", "json", "-o", saved)
	require.Equal(t, exitFindings, code)
	assert.Empty(t, out)
	assert.Contains(t, stderr, "report written to "+saved+" (json): 3 items, 2 AI-made, 0 without machine-readable marking, 1 violations, 3 reserved against AI training, 0 errors")
	assert.Contains(t, stderr, "exposure KZ Art. 456.2: 30 MRP (129,750 KZT, 220.50 EUR) to 30 MRP (129,750 KZT, 220.50 EUR) (1 offence by item)")
	assert.Contains(t, stderr, "aiaudit: exit 1: findings at or above --fail-on")

	code, _, stderr = runIn(t, "", "crawl", srv.URL+"/", "--delay", "0", "-f", "json", "-o", saved, "--quiet")
	require.Equal(t, exitFindings, code)
	assert.Empty(t, stderr)

	// In the run's language, whatever the file's format (the JSON stays
	// English).
	for lang, want := range map[string][]string{
		"ru": {"отчёт записан в " + saved + " (json): объектов 3, созданных ИИ 2, без машиночитаемой маркировки 0, нарушений 1, запрещено для обучения ИИ 3, ошибок 0",
			"риск KZ ст. 456.2: от 30 МРП (129\u00a0750\u00a0₸, 220,50\u00a0€) до 30 МРП (129\u00a0750\u00a0₸, 220,50\u00a0€) (нарушений: 1, единица счёта: объект)"},
		"kk": {"есеп " + saved + " файлына жазылды (json): нысандар 3, ЖИ жасаған 2, машина оқитын таңбасыз 0, бұзушылықтар 1, ЖИ оқытуына тыйым салынған 3, қателер 0"},
	} {
		code, _, stderr = runIn(t, "", "crawl", srv.URL+"/", "--delay", "0", "-f", "json", "-o", saved, "--lang", lang, "--no-history")
		require.Equal(t, exitFindings, code)
		for _, w := range want {
			assert.Contains(t, stderr, w, lang)
		}
		assert.NotContains(t, stderr, "report written", lang)
	}
}

// A crawl's findings read in the report's language, the crawler's detail
// included (what was found, where a label was looked for), while the JSON
// keeps the English wording of the contract.
func TestCrawlFindingsInEveryLanguage(t *testing.T) {
	srv := aiSite(t)
	for lang, want := range map[string][]string{
		"ru": {`Созданный ИИ объект img (xmp; alt="Hero") опубликован без видимой пометки об ИИ; где искали пометку: alt, title, aria-label, контейнер, страница (КоАП РК, ст. 456.2; Закон РК об ИИ, ст. 21.2)`,
			"страница встраивает чат-ассистента на ИИ Chatbase ("},
		"kk": {`ЖИ жасаған img нысаны (xmp; alt="Hero") көрінетін ЖИ белгісінсіз жарияланған; белгі ізделген орындар: alt, title, aria-label, контейнер, бет (ҚР ӘҚБтК, 456.2-бап; ҚР ЖИ туралы заңы, 21.2-бап)`,
			"бет ЖИ чат-көмекшісін Chatbase ("},
	} {
		for _, format := range []string{"table", "markdown"} {
			code, out, stderr := runIn(t, "", "crawl", srv.URL+"/", "-f", format, "--lang", lang, "--delay", "0", "--jurisdiction", "kz,eu", "--no-history")
			require.Equal(t, exitFindings, code, stderr)
			for _, w := range want {
				assert.Contains(t, out, w, "%s %s", lang, format)
			}
			assert.NotContains(t, out, "is published without a visible AI label", "%s %s", lang, format)
		}
		_, out, stderr := runIn(t, "", "crawl", srv.URL+"/", "-f", "json", "--lang", lang, "--delay", "0", "--no-history")
		assert.Contains(t, out, `AI-made img (xmp; alt=\"Hero\") is published without a visible AI label; looked in: alt, title, aria-label, container, page`, stderr)
	}
}

// A crawled image signed by the test CA is valid with an unknown signer
// against the shipped trust lists, and trusted once --trust-anchors names
// the CA (or --allowed-signers pins its signer).
func TestCrawlTrustFlags(t *testing.T) {
	signed, err := os.ReadFile("../../testdata/media/c2pa_ai_bound.jpg")
	require.NoError(t, err)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/":
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, `<html><body><img src="/signed.jpg" alt="AI-generated picture"></body></html>`)
		case "/signed.jpg":
			w.Header().Set("Content-Type", "image/jpeg")
			w.Write(signed)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	anchors, pinned := testTrustFiles(t)

	for _, flags := range [][]string{nil, {"--trust-anchors", anchors}, {"--allowed-signers", pinned}} {
		args := append([]string{"crawl", srv.URL + "/", "-f", "json", "--delay", "0", "--fail-on", "none"}, flags...)
		code, out, stderr := runIn(t, "", args...)
		require.Equal(t, exitClean, code, stderr)
		var img *model.Resource
		rep := decode(t, out)
		for i, r := range rep.Resources {
			if strings.HasSuffix(r.Location, "/signed.jpg") {
				img = &rep.Resources[i]
			}
		}
		require.NotNil(t, img, "the image is crawled (%v)", flags)
		require.NotNil(t, img.Provenance, "%v", flags)
		v := img.Provenance.Validation
		require.NotNil(t, v, "%v", flags)
		unknown := 0
		for _, f := range rep.Findings {
			if f.Rule == rules.C2PAUnknownSigner {
				unknown++
			}
		}
		if flags == nil {
			assert.EqualValues(t, "valid", v.State)
			assert.Empty(t, v.Signer.TrustList)
			assert.Equal(t, 1, unknown, "an unknown signer is reported")
			continue
		}
		assert.EqualValues(t, "trusted", v.State, "%v", flags)
		assert.Equal(t, flags[0], v.Signer.TrustList)
		assert.Zero(t, unknown, "%v", flags)
	}

	bad := filepath.Join(t.TempDir(), "bad.pem")
	require.NoError(t, os.WriteFile(bad, []byte("not a certificate"), 0o600))
	code, _, stderr := runIn(t, "", "crawl", srv.URL+"/", "--trust-anchors", bad)
	assert.Equal(t, exitError, code)
	assert.Contains(t, stderr, "--trust-anchors")
}

// --online asks the signer's OCSP responder once in a run (two images, one
// signer); it reaches a loopback responder only with
// --allow-private: the start host's address space is not opened to
// addresses that certificates name.
func TestCrawlOnline(t *testing.T) {
	img, asked := revocableImage(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/":
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, `<html><body><img src="/a.jpg" alt="AI-generated"><img src="/b.jpg?copy" alt="AI-generated"></body></html>`)
		case "/a.jpg", "/b.jpg":
			w.Header().Set("Content-Type", "image/jpeg")
			w.Write(img)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	revocations := func(flags ...string) map[string]string {
		args := append([]string{"crawl", srv.URL + "/", "-f", "json", "--delay", "0", "--fail-on", "none", "--no-history"}, flags...)
		code, out, stderr := runIn(t, "", args...)
		require.Equal(t, exitClean, code, stderr)
		got := map[string]string{}
		for _, r := range decode(t, out).Resources {
			if r.Provenance != nil && r.Provenance.Validation != nil {
				got[r.Location[len(srv.URL):]] = r.Provenance.Validation.Signer.Revocation + " " + string(r.Provenance.Validation.State)
			}
		}
		return got
	}
	notChecked := map[string]string{"/a.jpg": "not_checked valid", "/b.jpg?copy": "not_checked valid"}
	assert.Equal(t, notChecked, revocations())
	assert.Equal(t, notChecked, revocations("--online"))
	assert.Zero(t, asked.Load(), "no lookup without --online, none to loopback without --allow-private")

	assert.Equal(t, map[string]string{"/a.jpg": "revoked invalid", "/b.jpg?copy": "revoked invalid"}, revocations("--online", "--allow-private"))
	assert.EqualValues(t, 1, asked.Load(), "one lookup per certificate in a run")
}
