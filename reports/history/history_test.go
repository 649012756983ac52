package history

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aiaudit/aiaudit/reports/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func report(targets ...string) *model.Report {
	return &model.Report{Scan: model.Scan{Command: "crawl", Targets: targets, Started: time.Now(), Finished: time.Now(), Complete: true}}
}

// f is an unlabelled-image finding for the picture with digest content.
func f(loc, content string) model.Finding {
	return model.Finding{Rule: "kz.aap.456.2", Severity: model.SeverityViolation, Location: loc, Content: content, Message: "m"}
}

func open(t *testing.T) *Store {
	t.Helper()
	s, err := Open(filepath.Join(t.TempDir(), "h.db"))
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	return s
}

// record records a crawl that fetched the home page and every page its
// findings were seen on ("IMAGE on PAGE"), as the crawler does.
func record(t *testing.T, s *Store, fs ...model.Finding) int64 {
	t.Helper()
	return recordFetched(t, s, nil, fs...)
}

// recordFetched is record with the pages fetched given (nil: every page a
// finding names) and the failed ones.
func recordFetched(t *testing.T, s *Store, fetched []string, fs ...model.Finding) int64 {
	t.Helper()
	rep := report("https://a.kz/")
	sc, err := s.Begin(rep, Target("crawl", rep.Scan.Targets), map[string]string{"size": "small"})
	require.NoError(t, err)
	pages := map[string]bool{"https://a.kz/": true}
	for i := range fs {
		_, page, _ := strings.Cut(fs[i].Location, " on ")
		fs[i].Unit = page
		if fetched == nil {
			pages[page] = true
		}
	}
	for _, p := range fetched {
		pages[p] = true
	}
	for p := range pages {
		require.NoError(t, sc.Resource(&model.Resource{Location: p, Digest: "d"}, nil))
	}
	require.NoError(t, sc.Resource(nil, fs))
	require.NoError(t, sc.Finish(rep))
	return sc.ID
}

func locs(fs []model.Finding) []string {
	out := []string{}
	for _, f := range fs {
		out = append(out, f.Location)
	}
	return out
}

func TestDiffAcrossScans(t *testing.T) {
	s := open(t)
	first := record(t, s,
		f("https://a.kz/img/1.jpg?v=1 on https://a.kz/p", "sha-1"), // stays; its query string changes
		f("https://a.kz/img/2.jpg on https://a.kz/p", "sha-2"),     // fixed (relabelled)
		f("https://a.kz/img/3.jpg on https://a.kz/old", "sha-3"),   // its page is not fetched again: not re-checked
		f("https://a.kz/img/5.jpg on https://a.kz/p", "sha-5"),     // moves to the CDN
		f("https://a.kz/img/6.jpg on https://a.kz/p", "sha-6"),     // replaced by another picture, same URL
	)
	second := record(t, s,
		f("https://a.kz/img/new.jpg on https://a.kz/p", "sha-new"),
		f("https://a.kz/img/1.jpg?v=2 on https://a.kz/p#top", "sha-1"),
		f("https://a.kz/img/4.jpg on https://a.kz/p", "sha-4"), // another image: never merged with 1.jpg
		f("https://cdn.a.kz/5.jpg on https://a.kz/about", "sha-5"),
		f("https://a.kz/img/6.jpg on https://a.kz/p", "sha-6b"),
	)
	ctx := context.Background()
	prev, err := s.Previous(ctx, Target("crawl", []string{"https://a.kz/"}), second)
	require.NoError(t, err)
	assert.Equal(t, first, prev)
	d, err := s.Compare(ctx, prev, second)
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{
		"https://a.kz/img/new.jpg on https://a.kz/p",
		"https://a.kz/img/4.jpg on https://a.kz/p",
		"https://a.kz/img/6.jpg on https://a.kz/p",
	}, locs(d.NewF))
	assert.ElementsMatch(t, []string{
		"https://a.kz/img/2.jpg on https://a.kz/p",
		"https://a.kz/img/6.jpg on https://a.kz/p",
	}, locs(d.Fixed))
	assert.Equal(t, []string{"https://a.kz/img/3.jpg on https://a.kz/old"}, locs(d.NotRechecked), "unknown is not fixed")
	assert.ElementsMatch(t, []string{
		"https://a.kz/img/1.jpg?v=2 on https://a.kz/p#top",
		"https://cdn.a.kz/5.jpg on https://a.kz/about",
	}, locs(d.Unchanged))
	for _, x := range d.NewF {
		assert.Equal(t, model.ChangeNew, x.Change)
	}
	c, err := s.Changes(ctx, prev, second)
	require.NoError(t, err)
	assert.Equal(t, Counts{New: 3, Fixed: 2, Unchanged: 2, NotRechecked: 1, Alerts: c.Alerts, AlertCount: 3}, c, "Changes counts what Compare lists")
	assert.Equal(t, locs(d.NewF), locs(c.Alerts), "every new violation is an alert")
	assert.Equal(t, model.ChangeFixed, d.Fixed[0].Change)

	list, err := s.Scans(ctx, "")
	require.NoError(t, err)
	require.Len(t, list, 2)
	assert.Equal(t, second, list[0].ID, "newest first")
	assert.Equal(t, 5, list[0].Findings)
	old, latest, err := s.Latest(ctx, "")
	require.NoError(t, err)
	assert.Equal(t, [2]int64{first, second}, [2]int64{old, latest})
	require.NoError(t, s.Check())
}

func TestSameImageTwiceOnAPageStaysTwoFindings(t *testing.T) {
	s := open(t)
	a := record(t, s, f("https://a.kz/x.jpg on https://a.kz/1", "sha-x"), f("https://a.kz/x.jpg on https://a.kz/2", "sha-x"))
	b := recordFetched(t, s, []string{"https://a.kz/1", "https://a.kz/2"}, f("https://a.kz/x.jpg on https://a.kz/1", "sha-x"))
	d, err := s.Compare(context.Background(), a, b)
	require.NoError(t, err)
	assert.Len(t, d.Unchanged, 1)
	assert.Equal(t, []string{"https://a.kz/x.jpg on https://a.kz/2"}, locs(d.Fixed))
	assert.Empty(t, d.NewF)
	c, err := s.Changes(context.Background(), a, b)
	require.NoError(t, err)
	assert.Equal(t, Counts{New: 0, Fixed: 1, Unchanged: 1}, c)
}

func TestChangesCountsMovesOncePerPairAndSkipsInfoAlerts(t *testing.T) {
	s := open(t)
	info := func(loc, content string) model.Finding {
		return model.Finding{Rule: "training.reserved", Severity: model.SeverityInfo, Location: loc, Content: content, Message: "m"}
	}
	a := record(t, s, f("https://a.kz/1.jpg on https://a.kz/", "same"), f("https://a.kz/2.jpg on https://a.kz/", "same"))
	// Both copies of one picture move; a third copy appears; an info finding is new.
	b := record(t, s, f("https://cdn.kz/1.jpg on https://a.kz/", "same"), f("https://cdn.kz/2.jpg on https://a.kz/", "same"),
		f("https://cdn.kz/3.jpg on https://a.kz/", "same"), info("https://a.kz/x", "url:x"))
	d, err := s.Compare(context.Background(), a, b)
	require.NoError(t, err)
	c, err := s.Changes(context.Background(), a, b)
	require.NoError(t, err)
	assert.Equal(t, len(d.NewF), c.New)
	assert.Equal(t, len(d.Fixed), c.Fixed)
	assert.Equal(t, len(d.Unchanged), c.Unchanged)
	assert.Equal(t, Counts{New: 2, Fixed: 0, Unchanged: 2, Alerts: c.Alerts, AlertCount: 1}, c)
	require.Len(t, c.Alerts, 1, "the third copy; the info finding is not an alert")
	assert.Equal(t, "https://cdn.kz/3.jpg on https://a.kz/", c.Alerts[0].Location)
}

func TestFilePathsAreRelativeToTheScannedFolder(t *testing.T) {
	fl := model.Finding{Rule: "ai.unmarked", Location: "/home/ana/corpus/a/x.png", Content: "c"}
	moved := fl
	moved.Location = "/srv/data/corpus/a/x.png"
	assert.Equal(t, Key(fl, []string{"/home/ana/corpus"}), Key(moved, []string{"/srv/data/corpus/"}))
	assert.Equal(t, "ai.unmarked|corpus/a/x.png|c", Key(fl, []string{"/home/ana/corpus"}))
	assert.NotEqual(t, Key(fl, []string{"/home/ana/corpus"}), Key(model.Finding{Rule: "ai.unmarked", Location: "/home/ana/corpus2/a/x.png", Content: "c"}, []string{"/home/ana/corpus2"}))
}

func TestDiffReports(t *testing.T) {
	old := &model.Report{Scan: model.Scan{Command: "files", Targets: []string{"/a/corpus"}}, Findings: []model.Finding{
		{Rule: "ai.unmarked", Location: "/a/corpus/1.png", Content: "one"},
		{Rule: "ai.unmarked", Location: "/a/corpus/2.png", Content: "two"},
	}}
	new := &model.Report{Scan: model.Scan{Command: "files", Targets: []string{"/b/corpus"}}, Findings: []model.Finding{
		{Rule: "ai.unmarked", Location: "/b/corpus/1.png", Content: "one"},
		{Rule: "ai.unmarked", Location: "/b/corpus/3.png", Content: "three"},
	}}
	d := DiffReports(old, new)
	assert.Equal(t, []string{"/b/corpus/1.png"}, locs(d.Unchanged))
	assert.Equal(t, []string{"/b/corpus/3.png"}, locs(d.NewF))
	assert.Equal(t, []string{"/a/corpus/2.png"}, locs(d.Fixed))
}

func TestIncompleteScanIsNotABaseline(t *testing.T) {
	s := open(t)
	done := record(t, s, f("https://a.kz/1.jpg on https://a.kz/", "1"))
	rep := report("https://a.kz/")
	killed, err := s.Begin(rep, Target("crawl", rep.Scan.Targets), nil) // never finished: as if the process was killed after a batch
	require.NoError(t, err)
	require.NoError(t, killed.Resource(nil, []model.Finding{f("https://a.kz/x.jpg on https://a.kz/", "x")}))
	require.NoError(t, killed.flush())
	latest := record(t, s)
	list, _ := s.Scans(context.Background(), "")
	assert.False(t, list[1].Complete, "the killed scan stays incomplete")
	prev, err := s.Previous(context.Background(), Target("crawl", []string{"https://a.kz/"}), latest)
	require.NoError(t, err)
	assert.Equal(t, done, prev, "the diff compares with the last complete scan")
	d, err := s.Compare(context.Background(), done, killed.ID)
	require.NoError(t, err)
	assert.True(t, d.Incomplete)
	assert.Empty(t, d.Fixed, "an interrupted scan fixes nothing")
	assert.Len(t, d.NewF, 1)
}

func TestRefusesNewerAndCorruptDatabases(t *testing.T) {
	dir := t.TempDir()
	newer := filepath.Join(dir, "newer.db")
	db, err := sql.Open("sqlite", newer)
	require.NoError(t, err)
	_, err = db.Exec(`PRAGMA user_version = 99`)
	require.NoError(t, err)
	db.Close()
	before, _ := os.ReadFile(newer)
	_, err = Open(newer)
	assert.ErrorContains(t, err, "newer aiaudit (schema 99")
	after, _ := os.ReadFile(newer)
	assert.Equal(t, before, after, "a newer database is left untouched")

	corrupt := filepath.Join(dir, "corrupt.db")
	require.NoError(t, os.WriteFile(corrupt, []byte("this is not a database, just text that is long enough to look like a header......"), 0o644))
	_, err = Open(corrupt)
	assert.ErrorContains(t, err, "not a readable SQLite database")
	b, _ := os.ReadFile(corrupt)
	assert.Contains(t, string(b), "this is not a database", "nothing overwritten")
}

func TestPrune(t *testing.T) {
	s := open(t)
	for range 5 {
		record(t, s, f("https://a.kz/1.jpg on https://a.kz/", "1"))
	}
	n, err := s.Prune(context.Background(), 2)
	require.NoError(t, err)
	assert.Equal(t, int64(3), n)
	list, _ := s.Scans(context.Background(), "")
	assert.Len(t, list, 2)
	var orphans int
	require.NoError(t, s.db.QueryRow(`SELECT COUNT(*) FROM findings WHERE scan_id NOT IN (SELECT id FROM scans)`).Scan(&orphans))
	assert.Zero(t, orphans, "findings go with their scans")
	_, err = s.Prune(context.Background(), 0)
	assert.Error(t, err)
}

func TestBatchesSpanManyResources(t *testing.T) {
	s := open(t)
	rep := report("https://a.kz/")
	sc, err := s.Begin(rep, Target("crawl", rep.Scan.Targets), nil)
	require.NoError(t, err)
	for i := range 1234 {
		require.NoError(t, sc.Resource(&model.Resource{Location: "https://a.kz/" + string(rune('a'+i%26))}, []model.Finding{f("https://a.kz/x on https://a.kz/", "x")}))
	}
	require.NoError(t, sc.Finish(rep))
	var n int
	require.NoError(t, s.db.QueryRow(`SELECT COUNT(*) FROM resources WHERE scan_id = ?`, sc.ID).Scan(&n))
	assert.Equal(t, 1234, n)
}

func TestFirstScanLoadsOnlyTheFirstAlerts(t *testing.T) {
	s := open(t)
	var fs []model.Finding
	for i := range MaxAlerts + 50 {
		fs = append(fs, f(fmt.Sprintf("https://a.kz/%d.jpg on https://a.kz/", i), fmt.Sprint(i)))
	}
	fs = append(fs, model.Finding{Rule: "training.reserved", Severity: model.SeverityInfo, Location: "https://a.kz/", Content: "u"})
	id := record(t, s, fs...)
	c, err := s.Changes(context.Background(), 0, id)
	require.NoError(t, err)
	assert.Equal(t, MaxAlerts+51, c.New)
	assert.Equal(t, MaxAlerts+50, c.AlertCount, "info findings are not alerts")
	assert.Len(t, c.Alerts, MaxAlerts)
	assert.Equal(t, "https://a.kz/0.jpg on https://a.kz/", c.Alerts[0].Location, "in the order found")
}

func TestLockTarget(t *testing.T) {
	dir := t.TempDir()
	a, err := LockTarget(dir, "crawl https://a.kz/")
	require.NoError(t, err)
	_, err = LockTarget(dir, "crawl https://a.kz/")
	require.ErrorIs(t, err, ErrLocked)
	assert.Contains(t, err.Error(), fmt.Sprintf("pid %d", os.Getpid()))
	other, err := LockTarget(dir, "crawl https://b.kz/")
	require.NoError(t, err, "other targets are not blocked")
	require.NoError(t, other.Unlock())
	require.NoError(t, a.Unlock())
	again, err := LockTarget(dir, "crawl https://a.kz/")
	require.NoError(t, err, "released on unlock")
	require.NoError(t, again.Unlock())
}

// A database another program holds a write lock on is an error that says
// so (after SQLite's busy timeout), not a hang.
func TestBusyDatabaseIsAClearError(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for the busy timeout")
	}
	path := filepath.Join(t.TempDir(), "h.db")
	s, err := Open(path)
	require.NoError(t, err)
	defer s.Close()
	other, err := sql.Open("sqlite", "file:"+path)
	require.NoError(t, err)
	defer other.Close()
	conn, err := other.Conn(context.Background())
	require.NoError(t, err)
	defer conn.Close()
	_, err = conn.ExecContext(context.Background(), `BEGIN IMMEDIATE`)
	require.NoError(t, err)
	defer conn.ExecContext(context.Background(), `ROLLBACK`)
	rep := report("https://a.kz/")
	_, err = s.Begin(rep, Target("crawl", rep.Scan.Targets), nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "busy")
}

// Changes (counted in SQL) agrees with Compare (matched in Go) on random
// pairs of scans with moves, duplicates, page-level findings and both
// severities: the report's counts and the diff never disagree.
func TestChangesAgreesWithCompare(t *testing.T) {
	s := open(t)
	rng := rand.New(rand.NewPCG(1, 2))
	rules := []struct {
		rule string
		sev  model.Severity
	}{{"kz.aap.456.2", model.SeverityViolation}, {"ai.unmarked", model.SeverityWarning}, {"training.reserved", model.SeverityInfo}}
	random := func() []model.Finding {
		var fs []model.Finding
		for range rng.IntN(40) {
			r := rules[rng.IntN(len(rules))]
			content := fmt.Sprint("c", rng.IntN(6))
			if rng.IntN(5) == 0 {
				content = "" // a page-level finding
			}
			fs = append(fs, model.Finding{Rule: r.rule, Severity: r.sev, Content: content, Message: "m",
				Location: fmt.Sprintf("https://a.kz/%d.jpg on https://a.kz/p%d", rng.IntN(8), rng.IntN(3))})
		}
		return fs
	}
	for i := range 60 {
		a := record(t, s, random()...)
		b := record(t, s, random()...)
		old := a
		if i%7 == 0 {
			old = 0 // a first scan
		}
		d, err := s.Compare(context.Background(), old, b)
		require.NoError(t, err)
		c, err := s.Changes(context.Background(), old, b)
		require.NoError(t, err)
		var alerts []string
		for _, f := range d.NewF {
			if f.Severity.Rank() >= model.SeverityWarning.Rank() {
				alerts = append(alerts, f.Rule+" "+f.Location+" "+f.Content)
			}
		}
		var got []string
		for _, f := range c.Alerts {
			got = append(got, f.Rule+" "+f.Location+" "+f.Content)
		}
		require.Equal(t, [4]int{len(d.NewF), len(d.Fixed), len(d.Unchanged), len(d.NotRechecked)}, [4]int{c.New, c.Fixed, c.Unchanged, c.NotRechecked}, "round %d", i)
		require.Equal(t, len(alerts), c.AlertCount, "round %d", i)
		require.Equal(t, alerts, got, "round %d: the same alerts, in the order found", i)
	}
}

// A site that is down fixes nothing: every earlier finding is carried as not
// re-checked, and the next good scan finds them unchanged, not new.
func TestUnreachableSiteFixesNothing(t *testing.T) {
	s := open(t)
	ctx := context.Background()
	img := f("https://a.kz/x.jpg on https://a.kz/p", "sha-x")
	first := record(t, s, img)
	down := recordFetched(t, s, []string{}, nil...) // nothing fetched: the home page failed
	c, err := s.Changes(ctx, first, down)
	require.NoError(t, err)
	assert.Equal(t, Counts{NotRechecked: 1}, c)
	back := record(t, s, f("https://a.kz/x.jpg on https://a.kz/p", "sha-x"))
	prev, err := s.Previous(ctx, Target("crawl", []string{"https://a.kz/"}), back)
	require.NoError(t, err)
	require.Equal(t, down, prev)
	c, err = s.Changes(ctx, prev, back)
	require.NoError(t, err)
	assert.Equal(t, Counts{Unchanged: 1}, c, "the finding is back where it was: unchanged, not new")
}

// Accepted findings are kept in the history in their own state: accepting
// one does not fix it, and when the acceptance expires it is not new.
func TestAcceptedIsNeitherFixedNorNew(t *testing.T) {
	s := open(t)
	ctx := context.Background()
	rec := func(accepted bool) int64 {
		rep := report("https://a.kz/")
		sc, err := s.Begin(rep, Target("crawl", rep.Scan.Targets), nil)
		require.NoError(t, err)
		fs := []model.Finding{f("https://a.kz/x.jpg on https://a.kz/", "sha-x")}
		require.NoError(t, sc.Resource(&model.Resource{Location: "https://a.kz/"}, nil))
		if accepted {
			require.NoError(t, sc.Accepted(fs))
		} else {
			require.NoError(t, sc.Resource(nil, fs))
		}
		require.NoError(t, sc.Finish(rep))
		return sc.ID
	}
	a := rec(false)
	b := rec(true)
	c, err := s.Changes(ctx, a, b)
	require.NoError(t, err)
	assert.Equal(t, Counts{Accepted: 1}, c, "accepted, not fixed")
	d, err := s.Compare(ctx, a, b)
	require.NoError(t, err)
	assert.Empty(t, d.Fixed)
	assert.Len(t, d.Accepted, 1)
	e := rec(false)
	c, err = s.Changes(ctx, b, e)
	require.NoError(t, err)
	assert.Equal(t, Counts{Unchanged: 1}, c, "the acceptance expired: reported again, but not new")
}

// The default database follows the XDG base directories, and a bare
// environment (cron or a service with no $HOME) gets a clear error instead of
// Go's "$HOME is not defined".
func TestDefaultPath(t *testing.T) {
	tests := []struct {
		name           string
		data, home, st string
		want           string // "" for ErrNoDefaultPath
	}{
		{name: "data home", data: "/d", home: "/h", st: "/s", want: "/d/aiaudit/history.db"},
		{name: "home", home: "/h", st: "/s", want: "/h/.local/share/aiaudit/history.db"},
		{name: "state home when there is no home", st: "/s", want: "/s/aiaudit/history.db"},
		{name: "relative XDG paths are ignored, as the spec says", data: "rel", home: "/h", want: "/h/.local/share/aiaudit/history.db"},
		{name: "nothing set", want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("XDG_DATA_HOME", tt.data)
			t.Setenv("HOME", tt.home)
			t.Setenv("XDG_STATE_HOME", tt.st)
			got, err := DefaultPath()
			if tt.want == "" {
				require.ErrorIs(t, err, ErrNoDefaultPath)
				assert.Contains(t, err.Error(), "$HOME")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}
