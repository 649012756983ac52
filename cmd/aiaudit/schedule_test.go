package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aiaudit/aiaudit/reports/history"
	"github.com/aiaudit/aiaudit/reports/model"
)

func copyMedia(t *testing.T, dst string, names ...string) {
	t.Helper()
	require.NoError(t, os.MkdirAll(dst, 0o755))
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join("../../testdata/media", n))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dst, n), b, 0o644))
	}
}

// A nightly files scan: the first run finds everything new, a rerun nothing,
// a moved file stays unchanged and an added one is new.
func TestNightlyScansReportWhatIsNew(t *testing.T) {
	dir := t.TempDir()
	corpus := filepath.Join(dir, "corpus")
	require.NoError(t, os.MkdirAll(corpus, 0o755))
	copyMedia(t, corpus, "a1111_parameters.png", "photo_plain.jpg")
	db := filepath.Join(dir, "h.db")
	scan := func() (int, model.Report, string) {
		code, out, stderr := runIn(t, "", "files", corpus, "--db", db, "-f", "json", "--fail-on", "new")
		return code, decode(t, out), stderr
	}

	code, rep, stderr := scan()
	assert.Equal(t, exitFindings, code, "the first scan's findings are all new: %s", stderr)
	require.NotNil(t, rep.Changes)
	assert.Zero(t, rep.Changes.PreviousScan)
	assert.Equal(t, 1, rep.Changes.New)

	code, rep, _ = scan()
	assert.Equal(t, exitClean, code, "nothing new since last night")
	assert.Equal(t, model.Changes{Scan: 2, PreviousScan: 1, New: 0, Fixed: 0, Unchanged: 1}, *rep.Changes)

	require.NoError(t, os.MkdirAll(filepath.Join(corpus, "moved"), 0o755))
	require.NoError(t, os.Rename(filepath.Join(corpus, "a1111_parameters.png"), filepath.Join(corpus, "moved", "renamed.png")))
	copyMedia(t, corpus, "comfyui_ztxt.png")
	code, rep, stderr = scan()
	assert.Equal(t, exitFindings, code)
	assert.Equal(t, [5]int64{3, 2, 1, 0, 1}, [5]int64{rep.Changes.Scan, rep.Changes.PreviousScan, int64(rep.Changes.New), int64(rep.Changes.Fixed), int64(rep.Changes.Unchanged)}, "a moved file is the same finding")
	assert.Contains(t, stderr, "since scan 2: 1 new, 0 fixed, 1 unchanged")
	require.Len(t, rep.Changes.Alerts, 1, "the report names what is new")
	assert.Contains(t, rep.Changes.Alerts[0].Location, "comfyui_ztxt.png")

	// A saved report carries its changes: re-rendered, --fail-on new still
	// knows what was new.
	saved := filepath.Join(dir, "scan3.json")
	require.NoError(t, os.WriteFile(saved, mustJSON(t, rep), 0o644))
	code, _, stderr = runIn(t, "", "report", saved, "--fail-on", "new", "-f", "markdown")
	assert.Equal(t, exitFindings, code, stderr)

	code, out, _ := runIn(t, "", "diff", "--db", db, "-f", "json")
	require.Equal(t, exitClean, code)
	var d struct {
		New, Fixed, Unchanged []model.Finding
		UnchangedCount        int `json:"unchanged_count"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &d))
	require.Len(t, d.New, 1)
	assert.Contains(t, d.New[0].Location, "comfyui_ztxt.png")
	assert.Empty(t, d.Unchanged, "unchanged findings are counted, not listed")
	assert.Equal(t, 1, d.UnchangedCount)
	assert.Empty(t, d.Fixed)
	code, out, _ = runIn(t, "", "diff", "--db", db, "-f", "json", "--unchanged")
	require.Equal(t, exitClean, code)
	require.NoError(t, json.Unmarshal([]byte(out), &d))
	require.Len(t, d.Unchanged, 1, "--unchanged lists them")
	assert.Contains(t, d.Unchanged[0].Location, "renamed.png")
	code, out, _ = runIn(t, "", "diff", "--db", db)
	require.Equal(t, exitClean, code)
	assert.NotContains(t, out, "renamed.png")
	assert.Contains(t, out, "1 unchanged not listed (--unchanged lists them)")

	code, out, _ = runIn(t, "", "diff", "1", "3", "--db", db, "--fail-on-new")
	assert.Equal(t, exitFindings, code)
	assert.Contains(t, out, "scan 1 -> 3: 1 new, 0 fixed, 1 unchanged")

	code, out, _ = runIn(t, "", "history", "--db", db, "-f", "json")
	require.Equal(t, exitClean, code)
	var scans []history.ScanInfo
	require.NoError(t, json.Unmarshal([]byte(out), &scans))
	require.Len(t, scans, 3)
	assert.True(t, scans[0].Complete)
	abs, _ := filepath.Abs(corpus)
	assert.Equal(t, "files "+abs, scans[0].Target)

	// The diff and the history's table speak --lang, else the locale's
	// language; their JSON stays English.
	code, out, _ = runIn(t, "", "diff", "1", "3", "--db", db, "--lang", "ru")
	assert.Equal(t, exitClean, code)
	assert.Contains(t, out, "проверка 1 -> 3: новых 1, исправлено 0, без изменений 1")
	assert.Contains(t, out, "1 находка без изменений не показана (--unchanged покажет её)")
	code, out, _ = runIn(t, "", "diff", "1", "3", "--db", db, "-f", "markdown", "--lang", "kk")
	assert.Equal(t, exitClean, code)
	assert.Contains(t, out, "# aiaudit өзгерістері")
	assert.Contains(t, out, "| өзгеріс | деңгей |")
	code, _, stderr = runIn(t, "", "diff", "--db", db, "--lang", "de")
	assert.Equal(t, exitError, code)
	assert.Contains(t, stderr, `--lang "de" is not supported`)
	t.Setenv("LANG", "kk_KZ.UTF-8")
	code, out, _ = runIn(t, "", "history", "--db", db)
	require.Equal(t, exitClean, code)
	assert.Contains(t, out, "БАСТАЛДЫ")
	assert.Contains(t, out, "  иә  ")
	code, out, _ = runIn(t, "", "history", "--db", db, "-f", "json")
	require.Equal(t, exitClean, code)
	assert.Contains(t, out, `"complete": true`)
	code, out, _ = runIn(t, "", "diff", "1", "3", "--db", db, "-f", "json", "--lang", "ru")
	require.Equal(t, exitClean, code)
	assert.Contains(t, out, `"change": "new"`)
	assert.NotContains(t, out, "новых")

	code, out, _ = runIn(t, "", "history", "prune", "--keep", "1", "--db", db, "--lang", "ru")
	require.Equal(t, exitClean, code)
	assert.Contains(t, out, "удалены 2 проверки")
	t.Setenv("LANG", "C.UTF-8")
	code, _, stderr = runIn(t, "", "history", "prune", "--keep", "0", "--db", db)
	assert.Equal(t, exitError, code)
	assert.Contains(t, stderr, "--keep must be at least 1")
	code, out, _ = runIn(t, "", "history", "prune", "--keep", "5", "--db", db)
	require.Equal(t, exitClean, code)
	assert.Contains(t, out, "pruned 0 scans; kept the newest 5 of every target")
}

func TestFailOnNewNeedsHistory(t *testing.T) {
	code, _, stderr := runIn(t, "", "files", "../../testdata/media", "--no-history", "--fail-on", "new")
	assert.Equal(t, exitError, code)
	assert.Contains(t, stderr, "needs history")

	saved := filepath.Join(t.TempDir(), "scan.json")
	code, _, _ = runIn(t, "", "files", "../../testdata/media", "--no-history", "-f", "json", "-o", saved)
	require.Equal(t, exitClean, code)
	code, _, stderr = runIn(t, "", "report", saved, "--fail-on", "new")
	assert.Equal(t, exitError, code)
	assert.Contains(t, stderr, "not recorded in a history")
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return b
}

func TestBaselineSuppressesUntilItExpires(t *testing.T) {
	dir := t.TempDir()
	corpus := filepath.Join(dir, "corpus")
	copyMedia(t, corpus, "a1111_parameters.png", "comfyui_ztxt.png")
	base := filepath.Join(dir, "baseline.yaml")
	write := func(until string) {
		require.NoError(t, os.WriteFile(base, []byte(fmt.Sprintf(`accepted:
  - rule: ai.unmarked
    location: corpus/a1111_parameters.png
    reason: vendor marks these before publishing
    until: %s
`, until)), 0o644))
	}
	write("2099-12-31")
	code, out, stderr := runIn(t, "", "files", corpus, "--no-history", "--baseline", base, "-f", "json", "--fail-on", "warning")
	assert.Equal(t, exitFindings, code, "comfyui is not accepted: %s", stderr)
	rep := decode(t, out)
	require.NotNil(t, rep.Baseline)
	assert.Equal(t, 1, rep.Baseline.Suppressed)
	for _, f := range rep.Findings {
		assert.NotContains(t, f.Location, "a1111", "accepted findings are left out")
	}

	write("2020-01-01")
	code, out, stderr = runIn(t, "", "files", corpus, "--no-history", "--baseline", base, "-f", "json", "--quiet")
	assert.Equal(t, exitClean, code)
	rep = decode(t, out)
	assert.Zero(t, rep.Baseline.Suppressed)
	assert.Len(t, rep.Baseline.Expired, 1)
	assert.Contains(t, stderr, "baseline entry expired", "--quiet does not hide it")
	found := false
	for _, f := range rep.Findings {
		found = found || strings.Contains(f.Location, "a1111")
	}
	assert.True(t, found, "an expired entry's finding comes back")

	require.NoError(t, os.WriteFile(base, []byte("accepted:\n  - rule: x\n    location: y\n    reason: z\n    until: 2027-02-30\n"), 0o644))
	code, out, stderr = runIn(t, "", "files", corpus, "--no-history", "--baseline", base)
	assert.Equal(t, exitError, code)
	assert.Contains(t, stderr, "baseline.yaml:5:")
	assert.Empty(t, out, "nothing written")
}

// Two scans of one target at once: the second exits at once with its own
// code and says who holds the lock; another target is not blocked.
func TestOverlappingRunsOfOneTargetAreLocked(t *testing.T) {
	release := make(chan struct{})
	var started sync.Once
	inPage := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/" {
			started.Do(func() { close(inPage) })
			<-release
		}
		if r.URL.Path == "/robots.txt" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, "<html><body>hello</body></html>")
	}))
	defer srv.Close()
	db := filepath.Join(t.TempDir(), "h.db")
	first := make(chan int)
	go func() {
		code, _, _ := runIn(t, "", "crawl", srv.URL+"/", "--db", db, "--delay", "0")
		first <- code
	}()
	<-inPage
	code, _, stderr := runIn(t, "", "crawl", srv.URL+"/", "--db", db, "--delay", "0")
	assert.Equal(t, exitLocked, code)
	assert.Contains(t, stderr, "another aiaudit run of \"crawl "+srv.URL+"/\" is in progress")
	assert.Contains(t, stderr, fmt.Sprintf("pid %d", os.Getpid()))
	code, _, stderr = runIn(t, "", "files", "../../testdata/media", "--db", db)
	assert.NotEqual(t, exitLocked, code, "another target is not blocked: %s", stderr)
	close(release)
	assert.Equal(t, exitClean, <-first)
	code, _, _ = runIn(t, "", "crawl", srv.URL+"/", "--db", db, "--delay", "0")
	assert.Equal(t, exitClean, code, "the lock is released when the run ends")
}

// The webhook hears about new findings only, and is retried when it fails.
func TestNotifyPostsNewFindingsWithRetries(t *testing.T) {
	var calls atomic.Int32
	got := make(chan map[string]any, 4)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) <= 2 {
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		var m map[string]any
		json.NewDecoder(r.Body).Decode(&m)
		got <- m
	}))
	defer hook.Close()
	site := aiSite(t)
	db := filepath.Join(t.TempDir(), "h.db")
	args := []string{"crawl", site.URL + "/", "--db", db, "--delay", "0", "--notify", hook.URL, "--fail-on", "none"}
	code, _, stderr := runIn(t, "", args...)
	require.Equal(t, exitClean, code, stderr)
	assert.Equal(t, int32(3), calls.Load(), "two failures, then delivered")
	m := <-got
	assert.Contains(t, m["text"], "new finding")
	assert.EqualValues(t, 1, m["new"], "the unlabelled image; info findings wake nobody")
	assert.Contains(t, m["text"], "kz.aap.456.2")

	code, _, stderr = runIn(t, "", args...)
	require.Equal(t, exitClean, code, stderr)
	assert.Equal(t, int32(3), calls.Load(), "nothing new: no notification")

	code, _, stderr = runIn(t, "", "crawl", site.URL+"/", "--db", db, "--delay", "0", "--notify", "ftp://nowhere/services/SECRET", "--fail-on", "none")
	assert.Equal(t, exitError, code)
	assert.Contains(t, stderr, `--notify: notify: invalid webhook URL "ftp://nowhere/…"`)
	assert.NotContains(t, stderr, "SECRET", "a webhook's secret is in its path")
}

func TestLogFormatJSONAndQuiet(t *testing.T) {
	site := aiSite(t)
	_, _, stderr := runIn(t, "", "crawl", site.URL+"/", "--no-history", "--delay", "0", "--log-format", "json", "-o", filepath.Join(t.TempDir(), "r.json"))
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	require.NotEmpty(t, lines)
	for _, l := range lines {
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(l), &m), "every stderr line is JSON: %q", l)
		assert.NotEmpty(t, m["msg"])
		assert.NotEmpty(t, m["level"])
	}
	_, _, stderr = runIn(t, "", "crawl", site.URL+"/", "--no-history", "--delay", "0", "--quiet", "-o", filepath.Join(t.TempDir(), "r.json"))
	assert.Empty(t, stderr)
	code, _, stderr := runIn(t, "", "files", "x", "--log-format", "xml")
	assert.Equal(t, exitError, code)
	assert.Contains(t, stderr, "--log-format")
}

func TestConfigFileSuppliesFlagsAndTargets(t *testing.T) {
	site := aiSite(t)
	dir := t.TempDir()
	cfg := filepath.Join(dir, "aiaudit.yaml")
	require.NoError(t, os.WriteFile(cfg, []byte(fmt.Sprintf(`# nightly audit
jurisdiction: kz,eu
no-history: true
crawl:
  format: json
  delay: 0s
  targets: [%s/]
`, site.URL)), 0o644))
	code, out, stderr := runIn(t, "", "crawl", "--config", cfg)
	assert.Equal(t, exitFindings, code, stderr)
	rep := decode(t, out)
	assert.Equal(t, []string{site.URL + "/"}, rep.Scan.Targets)
	rules := map[string]bool{}
	for _, f := range rep.Findings {
		rules[f.Rule] = true
	}
	assert.True(t, rules["eu.ai-act.50"], "jurisdiction came from the file")

	code, out, _ = runIn(t, "", "crawl", "--config", cfg, "--format", "markdown")
	assert.Equal(t, exitFindings, code)
	assert.True(t, strings.HasPrefix(out, "# aiaudit crawl report"), "a flag beats the file")

	t.Setenv("AIAUDIT_CONFIG", cfg)
	code, out, _ = runIn(t, "", "config", "check")
	assert.Equal(t, exitClean, code)
	assert.Contains(t, out, cfg+": ok")

	bad := filepath.Join(dir, "bad.yaml")
	require.NoError(t, os.WriteFile(bad, []byte("jurisdiction: kz\nmax-pagez: 10\ncrawl:\n  depth: deep\n"), 0o644))
	code, _, stderr = runIn(t, "", "config", "check", bad)
	assert.Equal(t, exitError, code)
	assert.Contains(t, stderr, "bad.yaml:2: unknown key \"max-pagez\"")
	assert.Contains(t, stderr, "max-pages")
	assert.Contains(t, stderr, "bad.yaml:4:")
	code, _, stderr = runIn(t, "", "crawl", "--config", bad)
	assert.Equal(t, exitError, code, "a scan refuses a bad config too")
	assert.Contains(t, stderr, "bad.yaml:4:")

	code, _, stderr = runIn(t, "", "crawl", "--config", filepath.Join(dir, "missing.yaml"))
	assert.Equal(t, exitError, code)
	assert.Contains(t, stderr, "missing.yaml")
	_ = context.Background
}

// Re-vetting the same list says which URLs became reserved since last time;
// the query string is part of a listed URL's identity.
func TestURLsHistoryShowsNewReservations(t *testing.T) {
	var robots atomic.Value
	robots.Store("User-agent: *\nDisallow: /private/\n")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			io.WriteString(w, robots.Load().(string))
			return
		}
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, "<html></html>")
	}))
	defer srv.Close()
	dir := t.TempDir()
	list := filepath.Join(dir, "list.txt")
	require.NoError(t, os.WriteFile(list, []byte(strings.Join([]string{
		srv.URL + "/private/a", srv.URL + "/blog/1?page=1", srv.URL + "/blog/1?page=2", srv.URL + "/open",
	}, "\n")), 0o644))
	db := filepath.Join(dir, "h.db")
	vet := func() string {
		code, _, stderr := runIn(t, "", "urls", list, "--db", db, "--check", "policy", "--agent", "CCBot", "-o", filepath.Join(dir, "out.jsonl"))
		require.Equal(t, exitClean, code, stderr)
		return stderr
	}
	vet()
	robots.Store("User-agent: *\nDisallow: /private/\nDisallow: /blog/\n")
	stderr := vet()
	assert.Contains(t, stderr, "since scan 1 of this list: 2 URLs newly reserved, 0 no longer reserved, 1 still reserved")

	code, out, _ := runIn(t, "", "diff", "--db", db, "-f", "csv", "--unchanged")
	require.Equal(t, exitClean, code)
	assert.Contains(t, out, "new,training.reserved,info,"+srv.URL+"/blog/1?page=1,")
	assert.Contains(t, out, "new,training.reserved,info,"+srv.URL+"/blog/1?page=2,")
	assert.Contains(t, out, "unchanged,training.reserved,info,"+srv.URL+"/private/a,")
}

// A resumed run continues the interrupted scan in the history: one scan,
// complete once the list is done.
func TestURLsResumeContinuesTheHistoryScan(t *testing.T) {
	srv := optoutSite(t)
	dir := t.TempDir()
	list := filepath.Join(dir, "list.txt")
	require.NoError(t, os.WriteFile(list, []byte(srv.URL+"/private/a\n"+srv.URL+"/private/b\n"), 0o644))
	db, out := filepath.Join(dir, "h.db"), filepath.Join(dir, "out.jsonl")
	// An interrupted first run: the history holds an incomplete scan.
	s, err := history.Open(db)
	require.NoError(t, err)
	abs, _ := filepath.Abs(list)
	targets := []string{abs, "--agents=default", "--check=policy"}
	rep := &model.Report{Scan: model.Scan{Command: "urls", Targets: targets}}
	sc, err := s.Begin(rep, history.Target("urls", targets), nil)
	require.NoError(t, err)
	require.NoError(t, s.Close())
	require.NoError(t, os.WriteFile(out, []byte(`{"location":"`+srv.URL+`/private/a","training_opt_out":true,"opt_out_evidence":[],"error":""}`+"\n"), 0o644))

	code, _, stderr := runIn(t, "", "urls", list, "--db", db, "--check", "policy", "--delay", "0", "-o", out, "--resume")
	require.Equal(t, exitClean, code, stderr)
	s, err = history.Open(db)
	require.NoError(t, err)
	defer s.Close()
	scans, err := s.Scans(t.Context(), "")
	require.NoError(t, err)
	require.Len(t, scans, 1, "the resumed run continued scan %d", sc.ID)
	assert.True(t, scans[0].Complete)
	assert.Equal(t, 1, scans[0].Findings, "only /private/b was vetted in this run")
}

// The README's example config passes config check as written.
func TestREADMEConfigExampleIsValid(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	_, after, ok := strings.Cut(string(b), "<!-- config-example: tested by cmd/aiaudit/schedule_test.go -->\n```yaml\n")
	require.True(t, ok, "the README marks its config example")
	block, _, ok := strings.Cut(after, "```")
	require.True(t, ok)
	// The files it names exist on the machine it is written for: the
	// baseline it names (an empty one, as the README says to create) is
	// made here, since config check reads it as the run does.
	dir := t.TempDir()
	require.Contains(t, block, "baseline: /etc/aiaudit/baseline.yaml\n")
	base := filepath.Join(dir, "baseline.yaml")
	require.NoError(t, os.WriteFile(base, []byte("accepted: []\n"), 0o644))
	block = strings.Replace(block, "/etc/aiaudit/baseline.yaml", base, 1)
	path := filepath.Join(dir, "config.yaml")
	require.NoError(t, os.WriteFile(path, []byte(block), 0o644))
	code, out, stderr := runIn(t, "", "config", "check", path)
	assert.Equal(t, exitClean, code, stderr)
	assert.Contains(t, out, ": ok")
}

// A corrupt or newer history database is an error before anything is
// scanned or written, and the file is left as it was.
func TestBadHistoryDatabaseIsAClearError(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "h.db")
	junk := []byte("not a database at all, but long enough to have a header of sorts......")
	require.NoError(t, os.WriteFile(db, junk, 0o644))
	report := filepath.Join(dir, "r.json")
	code, _, stderr := runIn(t, "", "files", "../../testdata/media", "--db", db, "-o", report)
	assert.Equal(t, exitError, code)
	assert.Contains(t, stderr, "history database "+db)
	assert.Contains(t, stderr, "not a readable SQLite database")
	assert.Contains(t, stderr, "--no-history scans without one", "the way out is named")
	after, _ := os.ReadFile(db)
	assert.Equal(t, junk, after, "nothing overwritten")
	assert.NoFileExists(t, report, "nothing written half-way")

	// A data directory that cannot be created (a read-only home, say).
	blocked := filepath.Join(dir, "file-not-dir")
	require.NoError(t, os.WriteFile(blocked, nil, 0o644))
	code, _, stderr = runIn(t, "", "files", "../../testdata/media", "--db", filepath.Join(blocked, "h.db"))
	assert.Equal(t, exitError, code)
	assert.Contains(t, stderr, "--no-history scans without one")
	code, _, stderr = runIn(t, "", "files", "../../testdata/media", "--db", filepath.Join(blocked, "h.db"), "--no-history")
	assert.Equal(t, exitClean, code, "and it does: %s", stderr)

	code, _, stderr = runIn(t, "", "history", "--db", filepath.Join(dir, "none.db"))
	assert.Equal(t, exitError, code)
	assert.Contains(t, stderr, "no history database at")
}

// A team adopting aiaudit accepts today's findings once; the next scan
// reports only what is new.
func TestBaselineCommandAcceptsAScan(t *testing.T) {
	dir := t.TempDir()
	corpus := filepath.Join(dir, "corpus")
	copyMedia(t, corpus, "a1111_parameters.png", "comfyui_ztxt.png", "photo_notrain.jpg")
	db := filepath.Join(dir, "h.db")
	code, _, stderr := runIn(t, "", "files", corpus, "--db", db, "--fail-on", "warning")
	require.Equal(t, exitFindings, code, stderr)

	base := filepath.Join(dir, "baseline.yaml")
	code, _, stderr = runIn(t, "", "baseline", "--db", db, "--reason", "vendor images, marked before publishing", "--until", "2099-01-01", "-o", base)
	require.Equal(t, exitClean, code, stderr)
	assert.Contains(t, stderr, "2 findings accepted until 2099-01-01", "warnings and up by default")
	b, err := os.ReadFile(base)
	require.NoError(t, err)
	assert.Contains(t, string(b), "vendor images")

	copyMedia(t, corpus, "c2pa_transplanted.jpg") // something new: a binding mismatch
	code, out, stderr := runIn(t, "", "files", corpus, "--db", db, "--baseline", base, "--fail-on", "warning", "-f", "json")
	assert.Equal(t, exitFindings, code, stderr)
	rep := decode(t, out)
	assert.Equal(t, 2, rep.Baseline.Suppressed)
	for _, f := range rep.Findings {
		if f.Severity.Rank() >= model.SeverityWarning.Rank() {
			assert.Contains(t, f.Location, "c2pa_transplanted.jpg", "only the new item is reported")
		}
	}

	saved := filepath.Join(dir, "scan.json")
	code, _, _ = runIn(t, "", "files", corpus, "--no-history", "-f", "json", "-o", saved, "--fail-on", "none")
	require.Equal(t, exitClean, code)
	code, out, _ = runIn(t, "", "baseline", saved, "--reason", "r", "--until", "2099-01-01", "--min-severity", "info")
	require.Equal(t, exitClean, code)
	assert.Contains(t, out, "training.reserved", "info findings too when asked")

	// A saved scan re-rendered with the baseline leaves the accepted out.
	code, out, stderr = runIn(t, "", "report", saved, "--baseline", base, "-f", "json", "--fail-on", "warning")
	assert.Equal(t, exitFindings, code, stderr)
	rerendered := decode(t, out)
	assert.Equal(t, 2, rerendered.Baseline.Suppressed)
	for _, f := range rerendered.Findings {
		assert.NotContains(t, f.Location, "a1111_parameters.png")
	}

	for _, args := range [][]string{
		{"baseline", saved, "--until", "2099-01-01"},
		{"baseline", saved, "--reason", "r", "--until", "soon"},
		{"baseline", saved, "--reason", "r", "--until", "2099-01-01", "--min-severity", "loud"},
		{"baseline", saved, "--reason", "r", "--until", "2099-01-01", "--scan", "1"},
	} {
		code, _, stderr := runIn(t, "", args...)
		assert.Equal(t, exitError, code, "%v: %s", args, stderr)
	}
}

// An interrupted scan says what is new but never that something was fixed:
// what it did not reach is unknown.
func TestInterruptedScanClaimsNothingFixed(t *testing.T) {
	dir := t.TempDir()
	corpus := filepath.Join(dir, "corpus")
	copyMedia(t, corpus, "a1111_parameters.png", "comfyui_ztxt.png")
	db := filepath.Join(dir, "h.db")
	code, _, stderr := runIn(t, "", "files", corpus, "--db", db)
	require.Equal(t, exitClean, code, stderr)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	code, out, _ := runCLI(t, ctx, "files", corpus, "--db", db, "-f", "json")
	require.Equal(t, exitInterrupted, code)
	rep := decode(t, out)
	assert.False(t, rep.Scan.Complete)
	require.NotNil(t, rep.Changes)
	assert.Equal(t, 0, rep.Changes.Fixed, "nothing was reached, nothing is fixed")
	assert.Equal(t, int64(1), rep.Changes.PreviousScan)
}

// With history, accepted findings are their own state: accepting one does
// not fix it, and when its entry expires it is reported again, not as new.
func TestAcceptedFindingsAreNotFixedNorNewAgain(t *testing.T) {
	dir := t.TempDir()
	corpus := filepath.Join(dir, "corpus")
	copyMedia(t, corpus, "a1111_parameters.png")
	base := filepath.Join(dir, "baseline.yaml")
	db := filepath.Join(dir, "h.db")
	write := func(until string) {
		require.NoError(t, os.WriteFile(base, []byte(fmt.Sprintf("accepted:\n  - rule: ai.unmarked\n    location: corpus/a1111_parameters.png\n    reason: vendor marks these\n    until: %s\n", until)), 0o644))
	}
	scan := func(args ...string) model.Changes {
		code, out, stderr := runIn(t, "", append([]string{"files", corpus, "--db", db, "-f", "json", "--fail-on", "none"}, args...)...)
		require.Equal(t, exitClean, code, stderr)
		rep := decode(t, out)
		require.NotNil(t, rep.Changes)
		return *rep.Changes
	}
	first := scan()
	require.Equal(t, 1, first.New)

	write("2099-12-31")
	c := scan("--baseline", base)
	assert.Equal(t, [4]int{0, 0, 0, 1}, [4]int{c.New, c.Fixed, c.Unchanged, c.Accepted}, "accepted, not fixed")

	write("2020-01-01")
	c = scan("--baseline", base)
	assert.Equal(t, [4]int{0, 0, 1, 0}, [4]int{c.New, c.Fixed, c.Unchanged, c.Accepted}, "expired: reported again, not new")
}

// Findings a baseline accepts are counted as accepted, never as fixed, in
// the HTML cards, the Markdown and the table.
func TestAcceptedIsNotFixedInEveryFormat(t *testing.T) {
	dir := t.TempDir()
	corpus := filepath.Join(dir, "corpus")
	copyMedia(t, corpus, "a1111_parameters.png", "comfyui_ztxt.png")
	db := filepath.Join(dir, "h.db")
	code, _, stderr := runIn(t, "", "files", corpus, "--db", db, "--fail-on", "none")
	require.Equal(t, exitClean, code, stderr)
	base := filepath.Join(dir, "baseline.yaml")
	code, _, stderr = runIn(t, "", "baseline", "--db", db, "--reason", "r", "--until", "2099-01-01", "-o", base)
	require.Equal(t, exitClean, code, stderr)
	for format, want := range map[string]string{
		"html":     "(0 fixed, 0 unchanged), 2 accepted",
		"markdown": "0 new, 0 fixed, 0 unchanged, 2 accepted",
		"table":    "0 new, 0 fixed, 0 unchanged, 2 accepted",
	} {
		code, out, stderr := runIn(t, "", "files", corpus, "--db", db, "--baseline", base, "--fail-on", "none", "-f", format)
		require.Equal(t, exitClean, code, stderr)
		assert.Contains(t, out, want, format)
	}
}
