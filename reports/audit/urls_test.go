package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aiaudit/aiaudit/reports/history"
	"github.com/aiaudit/aiaudit/scanner/urls"
)

// listRun is one URL-list run against a history in dir.
type listRun struct {
	dir  string
	list []string
	uo   URLOptions
}

func newListRun(t *testing.T, list ...string) *listRun {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "list.txt")
	require.NoError(t, os.WriteFile(path, []byte(strings.Join(list, "\n")+"\n"), 0o644))
	return &listRun{dir: dir, list: list, uo: URLOptions{
		List: path, Format: "jsonl", Results: filepath.Join(dir, "out.jsonl"), Concurrency: 4,
		Vet: urls.Options{Depth: urls.Policy, Fetch: urls.FetchOptions{Timeout: 5 * time.Second}},
	}}
}

// run vets the list with these options and returns the outcome and the log.
func (l *listRun) run(t *testing.T, ctx context.Context, uo URLOptions) (Outcome, string, error) {
	t.Helper()
	log := &testLog{}
	opt := Options{Command: "urls", Version: "test", Log: log,
		History: HistoryOptions{DB: filepath.Join(l.dir, "history.db"), Resume: uo.Resume},
		Output:  OutputOptions{Stdout: &strings.Builder{}}}
	out, err := URLs(ctx, opt, uo)
	return out, log.String(), err
}

// robotsSite serves a robots.txt and a page for every other path.
func robotsSite(t *testing.T, robots string) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/robots.txt":
			fmt.Fprint(w, robots)
		case "/.well-known/tdmrep.json", "/ai.txt":
			http.NotFound(w, r)
		default:
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, "<html></html>")
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// A list vetted for other agents, another check mode or --strict is another
// target: its verdicts are not comparable with the last run's.
func TestURLTargetsIncludeWhatChangesVerdicts(t *testing.T) {
	srv := robotsSite(t, "User-agent: GPTBot\nDisallow: /\n")
	l := newListRun(t, srv.URL+"/a", srv.URL+"/b")

	gpt := l.uo
	gpt.Vet.Agents = []string{"GPTBot"}
	_, log, err := l.run(t, context.Background(), gpt)
	require.NoError(t, err)
	assert.Contains(t, log, "reserved 2")

	cc := l.uo
	cc.Vet.Agents = []string{"CCBot"}
	_, log, err = l.run(t, context.Background(), cc)
	require.NoError(t, err)
	assert.Contains(t, log, "not reserved 2")
	assert.NotContains(t, log, "no longer reserved", "CCBot's run is not compared with GPTBot's")

	_, log, err = l.run(t, context.Background(), gpt)
	require.NoError(t, err)
	assert.Contains(t, log, "0 URLs newly reserved, 0 no longer reserved, 2 still reserved", "GPTBot's run is compared with GPTBot's")

	abs, err := filepath.Abs(l.uo.List)
	require.NoError(t, err)
	name := func(uo URLOptions) string { return history.Target("urls", urlTargets(uo)) }
	both := l.uo
	both.Vet.Agents = []string{"GPTBot", "CCBot", "GPTBot"}
	assert.Equal(t, "urls --agent=CCBot,GPTBot --check=policy "+abs, name(both), "sorted, once each, readable")
	strict := both
	strict.Vet.Strict, strict.Vet.Depth = true, urls.Full
	strict.ShardSpec = "1/4"
	assert.Equal(t, "urls --agent=CCBot,GPTBot --check=full --shard=1/4 --strict "+abs, name(strict))
	def := l.uo
	def.Vet.Depth = ""
	assert.Equal(t, "urls --agents=default --check=headers "+abs, name(def), "headers is the default check")
}

// "reservations by signal" counts URLs: a robots.txt that reserves two URLs
// for two agents each is 2, not 4.
func TestReservationsBySignalCountURLs(t *testing.T) {
	srv := robotsSite(t, "User-agent: GPTBot\nDisallow: /\n\nUser-agent: CCBot\nDisallow: /\n")
	l := newListRun(t, srv.URL+"/a", srv.URL+"/b")
	uo := l.uo
	uo.Vet.Agents = []string{"GPTBot", "CCBot"}
	_, log, err := l.run(t, context.Background(), uo)
	require.NoError(t, err)
	assert.Contains(t, log, "reserved 2,")
	assert.Contains(t, log, "reservations by signal: robots.txt 2\n")
}

// An interrupted run says so, how far it got and how to go on; --resume
// says how many URLs it skipped as already done.
func TestInterruptedRunSaysHowToResume(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var interrupted atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/robots.txt", "/.well-known/tdmrep.json", "/ai.txt":
			http.NotFound(w, r)
			return
		case "/p1":
			if !interrupted.Swap(true) {
				cancel() // Ctrl-C while the second URL is fetched
				<-r.Context().Done()
				return
			}
		}
		fmt.Fprint(w, "ok")
	}))
	defer srv.Close()
	l := newListRun(t, srv.URL+"/p0", srv.URL+"/p1", srv.URL+"/p2")
	uo := l.uo
	uo.Vet.Depth, uo.Vet.Agents, uo.Concurrency = urls.Headers, []string{"GPTBot"}, 1
	out, log, err := l.run(t, ctx, uo)
	require.NoError(t, err)
	assert.True(t, out.Interrupted)
	assert.Contains(t, log, "interrupted: 1 URL vetted")
	assert.Contains(t, log, "rerun with --resume")
	assert.NotContains(t, log, "vetted 1 URL in", "not the summary of a finished run")

	uo.Resume = true
	out, log, err = l.run(t, context.Background(), uo)
	require.NoError(t, err)
	assert.False(t, out.Interrupted)
	assert.Contains(t, log, "vetted 2 URLs")
	assert.Contains(t, log, "--resume: skipped 1 URL already in "+uo.Results)
	b, err := os.ReadFile(uo.Results)
	require.NoError(t, err)
	assert.Equal(t, 3, strings.Count(string(b), "\n"))

	noFile := l.uo
	noFile.Results = ""
	ctx, cancel = context.WithCancel(context.Background())
	cancel()
	_, log, err = l.run(t, ctx, noFile)
	require.NoError(t, err)
	assert.Contains(t, log, "interrupted: 0 URLs vetted")
	assert.Contains(t, log, "--resume needs -o FILE")
}

// flakySite serves pages that X-Robots-Tag reserves (paths in reserved),
// and drops the connection of every request while down is set, or of the
// paths in failing.
type flakySite struct {
	*httptest.Server
	down     atomic.Bool
	mu       sync.Mutex
	reserved map[string]bool
	failing  map[string]bool
}

func newFlakySite(t *testing.T, reserved ...string) *flakySite {
	s := &flakySite{reserved: map[string]bool{}, failing: map[string]bool{}}
	for _, p := range reserved {
		s.reserved[p] = true
	}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		fail, noai := s.down.Load() || s.failing[r.URL.Path], s.reserved[r.URL.Path]
		s.mu.Unlock()
		if fail {
			c, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				c.Close()
			}
			return
		}
		switch r.URL.Path {
		case "/robots.txt", "/.well-known/tdmrep.json", "/ai.txt":
			http.NotFound(w, r)
			return
		}
		if noai {
			w.Header().Set("X-Robots-Tag", "noai")
		}
		fmt.Fprint(w, "ok")
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *flakySite) set(m map[string]bool, path string, on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m[path] = on
}

// scans lists the history's scans, oldest first.
func (l *listRun) scans(t *testing.T) []history.ScanInfo {
	t.Helper()
	s, err := history.Open(filepath.Join(l.dir, "history.db"))
	require.NoError(t, err)
	defer s.Close()
	scans, err := s.Scans(context.Background(), "")
	require.NoError(t, err)
	slices.Reverse(scans)
	return scans
}

// A list where every fetch failed is not a clean run: it is incomplete
// (exit 3), says so in one line, and makes nothing "no longer reserved".
func TestNoURLVettedIsIncomplete(t *testing.T) {
	site := newFlakySite(t, "/a", "/b")
	l := newListRun(t, site.URL+"/a", site.URL+"/b")
	uo := l.uo
	uo.Vet.Depth, uo.Vet.Agents = urls.Headers, []string{"GPTBot"}
	out, log, err := l.run(t, context.Background(), uo)
	require.NoError(t, err)
	require.False(t, out.Incomplete, log)
	assert.Contains(t, log, "reserved 2,")

	site.down.Store(true) // every connection is dropped
	out, log, err = l.run(t, context.Background(), uo)
	require.NoError(t, err)
	assert.True(t, out.Incomplete, "exit 3")
	assert.Contains(t, log, "no URL could be vetted: all 2 failed")
	assert.NotContains(t, log, "2 no longer reserved")
	scans := l.scans(t)
	require.Len(t, scans, 2)
	assert.False(t, scans[1].Complete, "recorded incomplete: never the baseline of a diff")

	site.down.Store(false)
	_, log, err = l.run(t, context.Background(), uo)
	require.NoError(t, err)
	assert.Contains(t, log, fmt.Sprintf("since scan %d of this list: 0 URLs newly reserved, 0 no longer reserved, 2 still reserved", scans[0].ID))
}

// A URL reserved last time whose verdict is unknown now (its fetch failed)
// is not "no longer reserved": unknown is not allowed. It stays reserved in
// the history until a run vets it again.
func TestUnknownURLIsNotNoLongerReserved(t *testing.T) {
	site := newFlakySite(t, "/a", "/b")
	l := newListRun(t, site.URL+"/a", site.URL+"/b", site.URL+"/c")
	uo := l.uo
	uo.Vet.Depth, uo.Vet.Agents, uo.Concurrency = urls.Headers, []string{"GPTBot"}, 1
	_, log, err := l.run(t, context.Background(), uo)
	require.NoError(t, err)
	assert.Contains(t, log, "reserved 2, not reserved 1, unknown 0")

	site.set(site.failing, "/a", true)
	out, log, err := l.run(t, context.Background(), uo)
	require.NoError(t, err)
	assert.True(t, out.Incomplete)
	assert.Contains(t, log, "reserved 1, not reserved 1, unknown 1")
	assert.Contains(t, log, "0 URLs newly reserved, 0 no longer reserved, 1 still reserved; 1 reserved when last vetted could not be vetted this time (not counted as no longer reserved)")
	assert.NotContains(t, log, "no URL could be vetted")
	scans := l.scans(t)
	assert.True(t, scans[1].Complete, "some URLs were vetted: a complete run with unknown URLs")

	// Vetted again and allowed now: that is a change since the run before.
	site.set(site.failing, "/a", false)
	site.set(site.reserved, "/a", false)
	_, log, err = l.run(t, context.Background(), uo)
	require.NoError(t, err)
	assert.Contains(t, log, fmt.Sprintf("since scan %d of this list: 0 URLs newly reserved, 1 no longer reserved, 1 still reserved", scans[1].ID))
}

// parquetResult is a row of urls -f parquet, read back by parquet-go's
// generic reader.
type parquetResult struct {
	URL            string  `parquet:"url"`
	TrainingOptOut *bool   `parquet:"training_opt_out,optional"`
	Status         *int32  `parquet:"status,optional"`
	Error          *string `parquet:"error,optional"`
	Signals        []struct {
		Signal  string  `parquet:"signal"`
		Agent   *string `parquet:"agent,optional"`
		Verdict string  `parquet:"verdict"`
		Detail  string  `parquet:"detail"`
	} `parquet:"signals,list"`
	Caption *string `parquet:"caption,optional"`
}

// A list vetted from Parquet gives, URL for URL, what the same list vetted
// from text gives, with the kept column beside each URL; --reserved-out and
// --allowed-out are Parquet tables of the same rows.
func TestParquetListVetsLikeText(t *testing.T) {
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	reserving := robotsSite(t, "User-agent: GPTBot\nDisallow: /\n")
	open := robotsSite(t, "User-agent: *\nAllow: /\n")
	list := []string{reserving.URL + "/a", open.URL + "/b", closed.URL + "/c", reserving.URL + "/d", open.URL + "/e"}
	l := newListRun(t, list...)
	uo := l.uo
	uo.Vet.Agents = []string{"GPTBot"}
	_, _, err := l.run(t, context.Background(), uo)
	require.NoError(t, err)
	text := readJSONLResults(t, uo.Results)

	type inRow struct {
		ID      int64  `parquet:"id"`
		URL     string `parquet:"url"`
		Caption string `parquet:"caption"`
	}
	var rows []inRow
	for i, u := range list {
		rows = append(rows, inRow{ID: int64(i), URL: u, Caption: fmt.Sprintf("caption %d", i)})
	}
	pq := filepath.Join(l.dir, "list.parquet")
	require.NoError(t, parquet.WriteFile(pq, rows, parquet.MaxRowsPerRowGroup(2)))
	uo.List, uo.Format, uo.Input = pq, "parquet", urls.Input{Column: "url", Keep: []string{"caption"}}
	uo.Results = filepath.Join(l.dir, "out.parquet")
	uo.Reserved, uo.Allowed = filepath.Join(l.dir, "reserved.parquet"), filepath.Join(l.dir, "allowed.parquet")
	out, _, err := l.run(t, context.Background(), uo)
	require.NoError(t, err)
	assert.True(t, out.Incomplete, "the closed port's URL is unknown")

	got, err := parquet.ReadFile[parquetResult](uo.Results)
	require.NoError(t, err)
	require.Len(t, got, len(list))
	for i, r := range got {
		want := text[i]
		assert.Equal(t, want.Location, r.URL)
		assert.Equal(t, want.TrainingOptOut, r.TrainingOptOut, r.URL)
		assert.Equal(t, fmt.Sprintf("caption %d", i), *r.Caption)
		require.Len(t, r.Signals, len(want.OptOutEvidence), r.URL)
		for j, s := range r.Signals {
			w := want.OptOutEvidence[j]
			assert.Equal(t, w.Signal, s.Signal)
			assert.Equal(t, string(w.Verdict), s.Verdict)
			assert.Equal(t, w.Detail, s.Detail)
			assert.Equal(t, w.Agent, ptrOr(s.Agent))
		}
		assert.Equal(t, want.Error, ptrOr(r.Error))
	}
	assert.Nil(t, got[2].TrainingOptOut, "unknown is null, not allowed")

	reserved, err := parquet.ReadFile[parquetResult](uo.Reserved)
	require.NoError(t, err)
	allowed, err := parquet.ReadFile[parquetResult](uo.Allowed)
	require.NoError(t, err)
	var res, all []string
	for _, r := range reserved {
		res = append(res, r.URL)
	}
	for _, r := range allowed {
		all = append(all, r.URL)
	}
	assert.Equal(t, []string{list[0], list[3]}, res)
	assert.Equal(t, []string{list[1], list[4]}, all)
	leftovers, err := filepath.Glob(filepath.Join(l.dir, ".*.tmp-*"))
	require.NoError(t, err)
	assert.Empty(t, leftovers, "temp files are renamed into place")
}

func ptrOr(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func readJSONLResults(t *testing.T, path string) []urls.Result {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	var rs []urls.Result
	for line := range strings.Lines(string(b)) {
		var r urls.Result
		require.NoError(t, json.Unmarshal([]byte(line), &r))
		rs = append(rs, r)
	}
	return rs
}

// --keep with JSONL output adds a "kept" object; -f parquet without -o, or
// with --resume, is refused before anything is vetted.
func TestKeepInJSONLAndParquetNeedsAFile(t *testing.T) {
	srv := robotsSite(t, "User-agent: GPTBot\nDisallow: /\n")
	l := newListRun(t)
	csvList := filepath.Join(l.dir, "list.csv")
	require.NoError(t, os.WriteFile(csvList, []byte("url,caption,n\n"+srv.URL+"/a,\"a, cat\",1\n"), 0o644))
	uo := l.uo
	uo.List, uo.Input = csvList, urls.Input{Column: "url", Keep: []string{"caption", "3"}}
	_, _, err := l.run(t, context.Background(), uo)
	require.NoError(t, err)
	b, err := os.ReadFile(uo.Results)
	require.NoError(t, err)
	assert.Contains(t, string(b), `"kept":{"3":"1","caption":"a, cat"}`)

	for _, bad := range []URLOptions{{Format: "parquet"}, {Format: "parquet", Results: uo.Results, Resume: true}} {
		bad.List, bad.Input = csvList, uo.Input
		_, _, err := l.run(t, context.Background(), bad)
		assert.ErrorIs(t, err, ErrParquetNotCheckpoint)
	}
}
