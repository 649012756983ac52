package audit

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aiaudit/aiaudit/reports/i18n"
	"github.com/aiaudit/aiaudit/reports/model"
	"github.com/aiaudit/aiaudit/reports/rules"
)

type testLog struct{ bytes.Buffer }

func (l *testLog) Warn(format string, args ...any) {
	l.WriteString("warning: " + fmt.Sprintf(format, args...) + "\n")
}

func (l *testLog) Say() *i18n.Printer { return i18n.English() }

func readReport(t *testing.T, path string) model.Report {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	var r model.Report
	require.NoError(t, json.Unmarshal(b, &r))
	return r
}

// The whole pipeline, without the CLI: a files scan of the shipped sample
// media written to a file, recorded in a real history, scanned again.
func TestFilesRunRecordsAndCompares(t *testing.T) {
	dir := t.TempDir()
	opt := Options{Command: "files", Targets: []string{"../../testdata/media"}, Version: "test",
		Output:  OutputOptions{Format: "json", Path: filepath.Join(dir, "scan.json"), FailOn: "warning"},
		History: HistoryOptions{DB: filepath.Join(dir, "history.db")}, Log: &testLog{}}
	out, err := Files(context.Background(), opt, 2)
	require.NoError(t, err)
	assert.True(t, out.FindingsAtFailOn, "the sample has unmarked AI images (warnings)")
	assert.False(t, out.Incomplete, "every sample file is read (the truncated one with a note)")
	assert.False(t, out.Interrupted)
	first := readReport(t, opt.Output.Path)
	require.NotNil(t, first.Changes)
	assert.Zero(t, first.Changes.PreviousScan, "the first scan of a target")
	assert.Equal(t, len(first.Findings), first.Changes.New)

	out, err = Files(context.Background(), opt, 2)
	require.NoError(t, err)
	second := readReport(t, opt.Output.Path)
	assert.Equal(t, first.Changes.Scan, second.Changes.PreviousScan)
	assert.Zero(t, second.Changes.New)
	assert.Equal(t, len(first.Findings), second.Changes.Unchanged)
	assert.Contains(t, opt.Log.(*testLog).String(), "0 new, 0 fixed")
}

// A scan made under Kazakh law, re-rendered for the EU, is judged by the EU
// rules from the same facts and priced under both laws.
func TestRerenderJudgesUnderTheLawsAskedFor(t *testing.T) {
	kz := rules.Set{}.Judge(model.FactUnlabelled, rules.Item{Location: "https://x.kz/a.jpg on https://x.kz/", Content: "c1"}, "AI-made image (xmp) is published without a visible AI label; looked in: alt")
	saved := &model.Report{Schema: model.Schema, Scan: model.Scan{Command: "crawl", Targets: []string{"https://x.kz/"}, Complete: true}, Findings: kz}
	x, err := ExposureOptions{Jurisdiction: "kz,eu", Employees: -1, IncomeKZT: -1, Role: "publisher", Counting: "item", Year: 2026}.Resolve()
	require.NoError(t, err)
	var buf bytes.Buffer
	out, err := Rerender(Options{Version: "test", Output: OutputOptions{Format: "json", Stdout: &buf, FailOn: "violation"}, Exposure: x}, saved)
	require.NoError(t, err)
	assert.True(t, out.FindingsAtFailOn)
	var rep model.Report
	require.NoError(t, json.Unmarshal(buf.Bytes(), &rep))
	var ids []string
	for _, f := range rep.Findings {
		ids = append(ids, f.Rule)
	}
	assert.Equal(t, []string{rules.KZUnlabelled, rules.EUUnlabelled}, ids)
	jur := map[string]int{}
	for _, e := range rep.Exposure {
		jur[e.Jurisdiction] += e.Offences
	}
	assert.Positive(t, jur["KZ"])
	assert.Positive(t, jur["EU"])
}

func TestExposureOptionsAreValidated(t *testing.T) {
	base := ExposureOptions{Jurisdiction: "kz", Employees: -1, IncomeKZT: -1, Role: "publisher", Counting: "item", Year: 2026}
	for name, change := range map[string]func(*ExposureOptions){
		"unknown size":             func(o *ExposureOptions) { o.Size = "huge" },
		"unknown role":             func(o *ExposureOptions) { o.Role = "bystander" },
		"unknown counting":         func(o *ExposureOptions) { o.Counting = "sometimes" },
		"no table for the year":    func(o *ExposureOptions) { o.Year = 1999 },
		"employees without income": func(o *ExposureOptions) { o.Employees = 10 },
		"negative turnover":        func(o *ExposureOptions) { o.TurnoverEUR = -1 },
		"missing rules file":       func(o *ExposureOptions) { o.RuleFiles = []string{"/nonexistent/rules.json"} },
		"negative employees":       func(o *ExposureOptions) { o.Employees, o.IncomeKZT = -5, 10 },
	} {
		o := base
		change(&o)
		_, err := o.Resolve()
		assert.Error(t, err, name)
	}
	// Every problem at once, each naming its flag (the CLI puts a config
	// file's line on it).
	o := base
	o.Size, o.Role, o.Counting, o.TurnoverEUR = "huge", "bystander", "sometimes", -1
	_, err := o.Resolve()
	var flags []string
	for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
		var fe *FlagError
		require.ErrorAs(t, e, &fe)
		flags = append(flags, fe.Flag)
	}
	assert.ElementsMatch(t, []string{"company-size", "role", "counting", "turnover-eur"}, flags)

	x, err := base.Resolve()
	require.NoError(t, err)
	assert.Equal(t, "small", x.settings.Size, "no facts given: small")
	assert.False(t, x.Rules.EU)
}

// One site is one target whatever its spelling: its runs share a lock and
// a history.
func TestCrawlTargetsAreNormalised(t *testing.T) {
	same := []string{"http://Example.KZ", "http://example.kz/", "HTTP://example.kz:80/", "http://example.kz/#top"}
	for _, s := range same {
		assert.Equal(t, []string{"http://example.kz/"}, canonical("crawl", []string{s}), s)
	}
	assert.Equal(t, []string{"https://example.kz:8443/news"}, canonical("crawl", []string{"https://EXAMPLE.kz:8443/news"}))
	assert.NotEqual(t, canonical("crawl", []string{"https://example.kz/"}), canonical("crawl", []string{"http://example.kz/"}))
}

// With no $HOME and no XDG directories (a bare cron or service environment)
// a scan says which flag chooses the database; with --no-history it scans,
// without a lock (there is nowhere to put one).
func TestNoHomeNamesTheWayOut(t *testing.T) {
	t.Setenv("HOME", "")
	t.Setenv("XDG_DATA_HOME", "")
	t.Setenv("XDG_STATE_HOME", "")
	opt := Options{Command: "files", Targets: []string{"../../testdata/media"}, Version: "test",
		Output: OutputOptions{Format: "json", Stdout: &bytes.Buffer{}, FailOn: "none"}, Log: &testLog{}}
	_, err := Files(context.Background(), opt, 2)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "--db")
	assert.Contains(t, err.Error(), "--no-history")

	opt.History.Off = true
	_, err = Files(context.Background(), opt, 2)
	require.NoError(t, err)
	assert.NotEmpty(t, opt.Output.Stdout.(*bytes.Buffer).String())

	state := t.TempDir()
	t.Setenv("XDG_STATE_HOME", state)
	opt.History.Off = false
	_, err = Files(context.Background(), opt, 2)
	require.NoError(t, err)
	assert.FileExists(t, filepath.Join(state, "aiaudit", "history.db"))
}

// -o naming a device or a pipe writes to it; it is never renamed over (a
// report written to -o /dev/null once replaced /dev/null with a file).
func TestOutputToAPipeIsWrittenNotReplaced(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "report.fifo")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	got := make(chan []byte, 1)
	go func() {
		f, err := os.Open(fifo)
		if err != nil {
			got <- nil
			return
		}
		defer f.Close()
		b, _ := io.ReadAll(f)
		got <- b
	}()
	err := WriteWhole(fifo, nil, func(w io.Writer) error {
		_, err := io.WriteString(w, "report\n")
		return err
	})
	require.NoError(t, err)
	st, err := os.Stat(fifo)
	require.NoError(t, err)
	require.Equal(t, os.ModeNamedPipe, st.Mode().Type(), "still a pipe, not a file")
	select {
	case b := <-got:
		assert.Equal(t, "report\n", string(b))
	case <-time.After(10 * time.Second):
		t.Fatal("nothing was written to the pipe")
	}
}
