package audit

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/aiaudit/aiaudit/detectors"
	"github.com/aiaudit/aiaudit/reports"
	"github.com/aiaudit/aiaudit/reports/exposure"
	"github.com/aiaudit/aiaudit/reports/i18n"
	"github.com/aiaudit/aiaudit/reports/model"
	"github.com/aiaudit/aiaudit/reports/rules"
	"github.com/aiaudit/aiaudit/scanner/urls"
)

// URLOptions configure a URL-list run.
type URLOptions struct {
	// List is the list file, or "-" for Stdin.
	List  string
	Stdin io.Reader
	Input urls.Input
	Vet   urls.Options
	// Format is jsonl (one object per URL) or table.
	Format string
	// Results, Reserved and Allowed are files for every result, the
	// reserved URLs and the not reserved ones ("" for none; Results ""
	// writes to the Stdout of Options.Output).
	Results, Reserved, Allowed string
	// Resume skips the URLs already in Results and appends to it.
	Resume bool
	// Shard vets only the hosts of one shard; ShardSpec is how it was given.
	Shard       urls.Shard
	ShardSpec   string
	Concurrency int
}

// urlTargets names a list run for the history: one list (and shard) vetted
// the same way is one target, so tonight's run is diffed with last night's,
// and two runs of it never overlap. What changes the verdicts is part of the
// name (the agents, the check mode, --strict), so a run for other agents is
// not read as URLs that stopped being reserved. The parts read like the
// command line: "urls --agent=CCBot,GPTBot --check=policy /data/list.txt".
func urlTargets(uo URLOptions) []string {
	target := uo.List
	if target != "-" {
		if abs, err := filepath.Abs(target); err == nil {
			target = abs
		}
	}
	depth := uo.Vet.Depth
	if depth == "" {
		depth = urls.Headers
	}
	targets := []string{target, agentsTarget(uo.Vet), "--check=" + string(depth)}
	if uo.ShardSpec != "" {
		targets = append(targets, "--shard="+uo.ShardSpec)
	}
	if uo.Vet.Strict {
		targets = append(targets, "--strict")
	}
	return targets
}

// agentsTarget names the agents a run evaluates: the ones asked for, sorted
// and once each, or the embedded default list ("--agents=default"; when an
// --agents-file changes which agents train, the set it makes).
func agentsTarget(vo urls.Options) string {
	if len(vo.Agents) == 0 {
		evaluated := urls.TrainingAgents(vo.List)
		if slices.Equal(evaluated, urls.TrainingAgents(nil)) {
			return "--agents=default"
		}
		return "--agents=default:" + strings.Join(evaluated, ",")
	}
	seen := map[string]bool{}
	var names []string
	for _, a := range vo.Agents {
		if k := strings.ToLower(a); !seen[k] {
			seen[k] = true
			names = append(names, a)
		}
	}
	slices.SortFunc(names, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) })
	return "--agent=" + strings.Join(names, ",")
}

// URLs vets a list of URLs, streaming: one result per URL to the results
// output (the --resume checkpoint), reserved and allowed URLs to their
// lists, the reserved ones to the history, and a tally to the log.
func URLs(ctx context.Context, opt Options, uo URLOptions) (Outcome, error) {
	if uo.Resume && uo.Results == "" {
		return Outcome{}, errors.New("--resume needs -o FILE: the output is the checkpoint")
	}
	if err := uo.checkFormat(); err != nil {
		return Outcome{}, err
	}
	in, closeIn, err := OpenList(uo.List, uo.Stdin)
	if err != nil {
		return Outcome{}, err
	}
	defer closeIn()
	// Before the lock, the history and the outputs: a list that is not one
	// changes nothing.
	list, err := urls.Open(in, uo.Input)
	if err != nil {
		name := uo.List
		if name == "-" {
			name = "stdin"
		}
		return Outcome{}, fmt.Errorf("%s: %w", name, err)
	}
	opt.Targets = urlTargets(uo)
	opt.History.Resume = uo.Resume
	session, err := OpenSession("urls", opt.Targets, opt.History, "", opt.Version)
	if err != nil {
		return Outcome{}, err
	}
	defer session.Close()
	return vetList(ctx, list, opt, uo, session)
}

func vetList(ctx context.Context, list *urls.List, opt Options, uo URLOptions, session *Session) (Outcome, error) {
	rep := NewReport("urls", opt.Version, opt.Targets)
	if err := session.Begin(ctx, rep); err != nil {
		return Outcome{}, err
	}
	done, err := resumeFrom(uo)
	if err != nil {
		return Outcome{}, err
	}
	out, err := openURLOutputs(uo, opt.Output.Stdout)
	if err != nil {
		return Outcome{}, err
	}
	defer out.abort()
	out.session = session
	if opt.Exposure != nil {
		// A data team's exposure: the reserved URLs raise Art. 101 for a
		// general-purpose AI model provider (--role gpai).
		out.offences = opt.Exposure.newTally()
		defer out.offences.Close()
	}

	v := urls.NewVetter(uo.Vet)
	items := make(chan urls.Item, 256)
	readErr := make(chan error, 1)
	go func() {
		readErr <- list.Read(items)
		close(items)
	}()
	total := int(list.Rows())
	if total < 0 {
		total = countLines(uo.List)
	}
	started := time.Now()
	stats, runErr := v.Run(ctx, items, urls.RunOptions{
		Concurrency: uo.Concurrency, Shard: uo.Shard, Resume: done,
		Progress: func(n int) {
			if opt.Progress != nil {
				opt.Progress(n, total)
			}
		},
		Emit: out.emit,
	})
	if err := out.close(); err != nil {
		return Outcome{}, err
	}
	interrupted := errors.Is(runErr, context.Canceled)
	if runErr != nil && !interrupted {
		return Outcome{}, runErr
	}
	if err := <-readErrOrNil(readErr, interrupted); err != nil {
		return Outcome{}, fmt.Errorf("reading the URL list: %w", err)
	}
	t := out.tally
	say := opt.Log.Say()
	printTally(opt.Log, t, v.Agents(), uo.Vet.Agents, time.Since(started), interrupted, uo.Results)
	if uo.Resume {
		Summarize(opt.Log, say.T("--resume: skipped %d URLs already in %s", stats.Resumed, uo.Results))
	}
	if t.noneVetted() && !interrupted {
		// A warning: --quiet (cron) must not hide it.
		warnNoneVetted(opt.Log, t)
	}
	// A run that decided nothing is never the baseline of a diff: what it
	// failed to reach was not fixed.
	rep.Scan.Finished, rep.Scan.Complete = time.Now().UTC(), !interrupted && !t.noneVetted()
	rep.Summary = model.Summary{Resources: t.total, TrainingOptOut: t.reserved, Errors: t.errors}
	if err := session.Finish(context.Background(), rep); err != nil {
		return Outcome{}, err
	}
	if out.offences != nil {
		// The history keeps the exposure's notes in English; the log says
		// it in the log's language.
		if err := opt.Exposure.apply(rep, out.offences, i18n.English()); err != nil {
			return Outcome{}, err
		}
		if lines := reports.ExposureSummary(say, rep.Exposure); len(lines) > 0 {
			for _, line := range lines {
				Summarize(opt.Log, line)
			}
			Summarize(opt.Log, say.T(exposure.Disclaimer))
		}
	}
	if ch := rep.Changes; ch != nil && ch.PreviousScan != 0 {
		line := say.T("since scan %s of this list: %d URLs newly reserved, %d no longer reserved, %d still reserved", fmt.Sprint(ch.PreviousScan), ch.New, ch.Fixed, ch.Unchanged)
		if n := ch.NotRechecked; n > 0 {
			line += "; " + say.T("%d reserved when last vetted could not be vetted this time (not counted as no longer reserved)", n)
		}
		Summarize(opt.Log, line,
			slog.Int64("scan", ch.Scan), slog.Int64("previous_scan", ch.PreviousScan), slog.Int("new", ch.New), slog.Int("fixed", ch.Fixed),
			slog.Int("unchanged", ch.Unchanged), slog.Int("not_rechecked", ch.NotRechecked))
	}
	return Outcome{Interrupted: interrupted, Incomplete: t.unknown > 0, Summary: rep.Summary, Changes: rep.Changes}, nil
}

// resumeFrom reads the URLs already vetted into the results file.
func resumeFrom(uo URLOptions) (urls.Done, error) {
	if !uo.Resume {
		return nil, nil
	}
	f, err := os.Open(uo.Results)
	if err != nil {
		return nil, nil // nothing written yet: nothing to skip
	}
	defer f.Close()
	done, err := urls.LoadDone(f)
	if err != nil {
		return nil, fmt.Errorf("reading %s for --resume: %w", uo.Results, err)
	}
	return done, nil
}

// checkFormat accepts the formats a list's results are written in: the one
// check for urls and for a distributed job's results.
func (uo URLOptions) checkFormat() error {
	if !slices.Contains(URLFormats, uo.Format) {
		return fmt.Errorf("--format %q is not supported (accepted: %s)", uo.Format, strings.Join(URLFormats, ", "))
	}
	if uo.Format == "parquet" && (uo.Results == "" || uo.Resume) {
		return ErrParquetNotCheckpoint
	}
	return nil
}

// ErrParquetNotCheckpoint refuses -f parquet to stdout or with --resume.
var ErrParquetNotCheckpoint = errors.New("-f parquet needs -o FILE and no --resume: a Parquet file is written whole, its index last, so it cannot be a checkpoint appended to")

// URLFormats are the formats of a list run's results.
var URLFormats = []string{"jsonl", "table", "parquet"}

// urlOutputs are where a list run's results go, and their tally.
type urlOutputs struct {
	// results, reserved and allowed are JSONL, table or text lines, or
	// Parquet tables (-f parquet).
	results, reserved, allowed resultFile
	session                    *Session
	tally                      tally
	// offences counts what the fine tables flag (nil without exposure).
	offences *exposure.Tally
}

// resultFile is one output of a list run.
type resultFile interface {
	write(r urls.Result) error
	// close finishes the file; abort leaves what is kept of it after a
	// failed run (lines written so far; no half Parquet file).
	close() error
	abort()
}

func openURLOutputs(uo URLOptions, stdout io.Writer) (*urlOutputs, error) {
	o := &urlOutputs{tally: tally{bySignal: map[string]int{}}}
	open := func(path string, results bool) (resultFile, error) {
		if uo.Format == "parquet" {
			return createParquet(path, stdout, uo.Input.Keep)
		}
		var l *lineFile
		w := bufio.NewWriter(stdout)
		if path != "" {
			var err error
			if l, err = createLines(path, uo.Resume); err != nil {
				return nil, err
			}
			w = l.w
		}
		if !results {
			return locations{l}, nil
		}
		return &lineResults{file: l, w: w, enc: json.NewEncoder(w), table: uo.Format == "table", keep: uo.Input.Keep}, nil
	}
	for _, f := range []struct {
		path    string
		to      *resultFile
		results bool
	}{{uo.Results, &o.results, true}, {uo.Reserved, &o.reserved, false}, {uo.Allowed, &o.allowed, false}} {
		if f.path == "" && !f.results {
			continue
		}
		var err error
		if *f.to, err = open(f.path, f.results); err != nil {
			o.abort()
			return nil, err
		}
	}
	return o, nil
}

// emit writes one result, in input order, and counts it.
func (o *urlOutputs) emit(r urls.Result) error {
	// The history keeps the reserved URLs (findings), not every URL: the
	// output holds those, and at corpus scale a row per allowed URL would
	// double the run's time.
	fs := urlFindings(r)
	if err := o.session.Record(nil, fs); err != nil {
		return err
	}
	if o.offences != nil {
		o.offences.Add(fs)
	}
	t := &o.tally
	t.total++
	var list resultFile
	switch {
	case r.TrainingOptOut == nil:
		t.unknown++
		if t.firstFailure == "" {
			t.firstFailure = r.Location + ": " + whyUnknown(r)
		}
		// Unknown is not allowed: the history records the failure, so a
		// URL reserved when last vetted is carried as not re-checked, never
		// "no longer reserved", until a run vets it again.
		if r.Location != "" {
			if err := o.session.Record(&model.Resource{Location: r.Location, Error: whyUnknown(r)}, nil); err != nil {
				return err
			}
		}
	case *r.TrainingOptOut:
		t.reserved++
		// Once per URL: a signal that reserves a URL for several agents
		// (one evidence line each) reserved one URL.
		var counted []string
		for _, ev := range r.OptOutEvidence {
			if ev.Verdict == detectors.Reserved && !slices.Contains(counted, ev.Signal) {
				counted = append(counted, ev.Signal)
				t.bySignal[ev.Signal]++
			}
		}
		list = o.reserved
	default:
		t.allowed++
		list = o.allowed
	}
	if r.Error != "" {
		t.errors++
	}
	if list != nil {
		if err := list.write(r); err != nil {
			return err
		}
	}
	return o.results.write(r)
}

// close finishes the files; the first error wins.
func (o *urlOutputs) close() error {
	var first error
	for _, f := range o.files() {
		if err := f.close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// abort ends a run that failed: see resultFile.abort.
func (o *urlOutputs) abort() {
	for _, f := range o.files() {
		f.abort()
	}
}

func (o *urlOutputs) files() []resultFile {
	var fs []resultFile
	for _, f := range []resultFile{o.results, o.reserved, o.allowed} {
		if f != nil {
			fs = append(fs, f)
		}
	}
	return fs
}

// lineResults are the results as JSONL (with --keep, a "kept" object of
// the kept values) or a table, to a file or stdout (file nil).
type lineResults struct {
	file  *lineFile
	w     *bufio.Writer
	enc   *json.Encoder
	table bool
	keep  []string
}

func (l *lineResults) write(r urls.Result) error {
	switch {
	case l.table:
		if _, err := fmt.Fprintf(l.w, "%-9s %s%s\n", VerdictWord(r.TrainingOptOut), r.Location, errSuffix(r.Error)); err != nil {
			return err
		}
	case len(l.keep) > 0:
		kept := make(map[string]*string, len(l.keep))
		for i, k := range l.keep {
			if i < len(r.Kept) {
				kept[k] = r.Kept[i]
			}
		}
		if err := l.enc.Encode(struct {
			urls.Result
			Kept map[string]*string `json:"kept"`
		}{r, kept}); err != nil {
			return err
		}
	default:
		if err := l.enc.Encode(r); err != nil {
			return err
		}
	}
	// Flushed line by line: the output is the --resume checkpoint.
	return l.w.Flush()
}

func (l *lineResults) close() error {
	if l.file == nil {
		return l.w.Flush()
	}
	return l.file.close()
}

// abort keeps the lines written so far: they are the --resume checkpoint.
func (l *lineResults) abort() { l.close() }

// locations is a text list of URLs, one a line (--reserved-out and
// --allowed-out without -f parquet).
type locations struct{ *lineFile }

func (l locations) write(r urls.Result) error {
	_, err := fmt.Fprintln(l.w, r.Location)
	return err
}

func (l locations) abort() { l.close() }

// parquetResults is a Parquet table of results, written to a temp file
// renamed into place when it is complete.
type parquetResults struct {
	sink   *sink
	w      *reports.URLParquet
	closed bool
}

func createParquet(path string, stdout io.Writer, keep []string) (*parquetResults, error) {
	s, err := openSink(path, stdout)
	if err != nil {
		return nil, err
	}
	w, err := reports.NewURLParquet(s, keep)
	if err != nil {
		s.abort()
		return nil, err
	}
	return &parquetResults{sink: s, w: w}, nil
}

func (p *parquetResults) write(r urls.Result) error {
	return p.w.Write(reports.URLRow{URL: r.Location, TrainingOptOut: r.TrainingOptOut, Signals: r.OptOutEvidence,
		Status: r.Status, MediaType: r.MediaType, Error: r.Error, Kept: r.Kept})
}

func (p *parquetResults) close() error {
	if p.closed {
		return nil
	}
	p.closed = true
	if err := p.w.Close(); err != nil {
		p.sink.abort()
		return err
	}
	return p.sink.commit()
}

func (p *parquetResults) abort() {
	p.closed = true
	p.sink.abort()
}

// OpenList opens a URL list file, or stdin for "-".
func OpenList(name string, stdin io.Reader) (io.Reader, func(), error) {
	if name == "-" {
		return stdin, func() {}, nil
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, nil, err
	}
	return f, func() { f.Close() }, nil
}

// countLines counts a list file's lines for the progress bar's ETA (a fast
// pass compared with vetting); stdin cannot be read twice.
func countLines(name string) int {
	if name == "-" {
		return -1
	}
	f, err := os.Open(name)
	if err != nil {
		return -1
	}
	defer f.Close()
	n := 0
	buf := make([]byte, 256<<10)
	for {
		k, err := f.Read(buf)
		n += bytes.Count(buf[:k], []byte{'\n'})
		if err != nil {
			return n
		}
	}
}

// lineFile is an output written line by line (the checkpoint for --resume).
type lineFile struct {
	f *os.File
	w *bufio.Writer
}

func createLines(path string, appendTo bool) (*lineFile, error) {
	flag := os.O_CREATE | os.O_WRONLY | os.O_TRUNC
	if appendTo {
		flag = os.O_CREATE | os.O_WRONLY | os.O_APPEND
	}
	f, err := os.OpenFile(path, flag, 0o644)
	if err != nil {
		return nil, fmt.Errorf("cannot write %s: %w", path, err)
	}
	return &lineFile{f: f, w: bufio.NewWriter(f)}, nil
}

// close flushes and closes the file once; later calls do nothing.
func (l *lineFile) close() error {
	if l == nil || l.f == nil {
		return nil
	}
	err := l.w.Flush()
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	l.f = nil
	return err
}

type tally struct {
	total, reserved, allowed, unknown, errors int
	bySignal                                  map[string]int // reserved URLs per signal
	// firstFailure is the first unknown URL and why.
	firstFailure string
}

// noneVetted reports a run that vetted URLs and decided none: every one
// failed (all hosts down, the network off). It is not a clean run.
func (t tally) noneVetted() bool { return t.total > 0 && t.unknown == t.total }

// whyUnknown is what made a verdict unknown: the URL's error, or the first
// signal that could not be read (an unreachable robots.txt).
func whyUnknown(r urls.Result) string {
	if r.Error != "" {
		return r.Error
	}
	for _, ev := range r.OptOutEvidence {
		if ev.Verdict == detectors.Unknown {
			return ev.Signal + " unknown: " + ev.Detail
		}
	}
	return "verdict unknown"
}

// urlFindings makes a reserved URL a finding, so history can say which URLs
// became reserved since the last run.
func urlFindings(r urls.Result) []model.Finding {
	if r.TrainingOptOut == nil || !*r.TrainingOptOut {
		return nil
	}
	// The content is the whole URL: in a corpus list the query string is
	// part of what a URL names.
	return rules.Set{}.Judge(model.FactReserved, rules.Item{Location: r.Location, Content: "url:" + r.Location}, rules.ReservedBy(r.OptOutEvidence))
}

// readErrOrNil returns the reader's error; after an interrupt the reader may
// still be blocked on a full channel, and its error does not matter.
func readErrOrNil(ch chan error, interrupted bool) chan error {
	if interrupted {
		c := make(chan error, 1)
		c <- nil
		return c
	}
	return ch
}

// printTally is the run's summary. An interrupted run says so first, and
// how to go on: its counts are of the URLs it reached, not of the list.
func printTally(log Log, t tally, evaluated, asked []string, took time.Duration, interrupted bool, results string) {
	say := log.Say()
	who := say.T("any of %d known AI-training agents", len(evaluated))
	if len(asked) > 0 {
		who = strings.Join(asked, ", ")
	}
	counts := say.T("reserved %d, not reserved %d, unknown %d (errors %d)", t.reserved, t.allowed, t.unknown, t.errors)
	if interrupted {
		next := say.T("rerun with --resume to vet the rest")
		if results == "" {
			next = say.T("--resume needs -o FILE as its checkpoint: rerun with -o FILE to be able to go on")
		}
		Summarize(log, say.T("interrupted: %d URLs vetted in %s for %s: %s; %s", t.total, took.Round(time.Millisecond).String(), who, counts, next))
	} else {
		rate := float64(t.total) / max(took.Seconds(), 1e-9)
		Summarize(log, say.T("vetted %d URLs in %s (%.0f/s) for %s: %s", t.total, took.Round(time.Millisecond).String(), rate, who, counts))
	}
	var sigs []string
	for s, n := range t.bySignal {
		sigs = append(sigs, fmt.Sprintf("%s %d", s, n))
	}
	sort.Strings(sigs)
	if len(sigs) > 0 {
		Summarize(log, say.T("reservations by signal: %s", strings.Join(sigs, ", ")))
	}
}

// warnNoneVetted warns that a list run decided nothing at all.
func warnNoneVetted(log Log, t tally) {
	log.Warn("%s", log.Say().T("no URL could be vetted: all %d failed (first: %s)", t.total, t.firstFailure))
}

// VerdictWord is how a verdict reads in tables: unknown is never allowed.
func VerdictWord(b *bool) string {
	switch {
	case b == nil:
		return "unknown"
	case *b:
		return "reserved"
	}
	return "allowed"
}

func errSuffix(e string) string {
	if e == "" {
		return ""
	}
	return "  (" + e + ")"
}
