package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/aiaudit/aiaudit/detectors/agents"
	"github.com/aiaudit/aiaudit/reports/audit"
	"github.com/aiaudit/aiaudit/reports/model"
	"github.com/aiaudit/aiaudit/reports/rules"
	"github.com/aiaudit/aiaudit/scanner/urls"
)

// vetFlags are the flags urls and check share.
type vetFlags struct {
	agents     []string
	agentsFile string
	depth      string
	strict     bool
	timeout    time.Duration
	retries    int
	hostConc   int
	delay      time.Duration
	userAgent  string
}

// register adds the flags; delay is the default per-host gap (polite for a
// list, none for one URL).
func (v *vetFlags) register(c *cobra.Command, delay time.Duration) {
	c.Flags().StringArrayVar(&v.agents, "agent", nil, "crawler token to evaluate for (repeatable); default: every known AI-training agent")
	c.Flags().StringVar(&v.agentsFile, "agents-file", "", "extra agents, one per line: token<TAB>operator<TAB>purpose")
	c.Flags().StringVar(&v.depth, "check", "headers", "how much to fetch: policy (site files only), headers (plus one request per URL), full (plus the content)")
	c.Flags().BoolVar(&v.strict, "strict", false, "count only signals that follow their spec (malformed tdmrep.json with a clear intent is then ignored)")
	c.Flags().DurationVar(&v.timeout, "timeout", 15*time.Second, "per request, body included")
	c.Flags().IntVar(&v.retries, "retries", 2, "retries on 429/503 (honouring Retry-After) and network errors")
	c.Flags().IntVar(&v.hostConc, "host-concurrency", 2, "requests in flight per host")
	c.Flags().DurationVar(&v.delay, "delay", delay, "minimum gap between requests to one host")
	c.Flags().StringVar(&v.userAgent, "user-agent", "", "User-Agent header (default aiaudit/VERSION (+project URL))")
}

func (v *vetFlags) options(explainAll bool) (urls.Options, error) {
	var depth urls.Depth
	switch v.depth {
	case "policy", "headers", "full":
		depth = urls.Depth(v.depth)
	default:
		return urls.Options{}, usageError{fmt.Errorf("--check %q is not supported (accepted: policy, headers, full)", v.depth)}
	}
	list := agents.Default()
	if v.agentsFile != "" {
		b, err := os.ReadFile(v.agentsFile)
		if err != nil {
			return urls.Options{}, usageError{err}
		}
		extra, err := agents.Parse(b)
		if err != nil {
			return urls.Options{}, usageError{fmt.Errorf("%s: %w", v.agentsFile, err)}
		}
		if list, err = list.Extend(extra.All()); err != nil {
			return urls.Options{}, usageError{err}
		}
	}
	names := v.agents
	if len(names) == 0 && explainAll {
		for _, a := range list.WithPurpose(agents.Training) {
			names = append(names, a.Token)
		}
	}
	ua := v.userAgent
	if ua == "" {
		ua = "aiaudit/" + version() + " (+https://github.com/aiaudit/aiaudit)"
	}
	return urls.Options{Depth: depth, Agents: names, List: list, Strict: v.strict, Fetch: urls.FetchOptions{
		UserAgent: ua, Timeout: v.timeout, Retries: v.retries, HostConcurrency: v.hostConc, HostDelay: v.delay,
	}}, nil
}

func newURLsCommand(e *env, stdin io.Reader, stdout io.Writer) *cobra.Command {
	var vf vetFlags
	var column, field, format, output, reservedOut, allowedOut, shard, progressMode string
	var concurrency int
	var resume bool
	var sf scheduleFlags
	c := &cobra.Command{
		Use:   "urls FILE|-",
		Short: "Vet a list of URLs for AI-training opt-outs (corpus scale)",
		Long: `Reads a URL list (plain lines, CSV with --column, JSONL with --field; "-" for
stdin), streaming, and writes one JSON object per URL: location, training_opt_out
(true, false, or null when it could not be determined), opt_out_evidence and error.
A summary goes to stderr, with the URLs newly reserved since the last run of the
same list (history). Exit codes: 0 done, 2 usage or runtime error, 3 some URLs
could not be vetted, 4 another run of the same list is in progress, 130
interrupted (what was written is complete; --resume goes on).`,
		RunE: func(c *cobra.Command, args []string) error {
			args, err := e.targets(c, args)
			if err != nil {
				return err
			}
			if len(args) != 1 {
				return usageError{fmt.Errorf("urls takes one list (FILE or -), not %d", len(args))}
			}
			opt, err := vf.options(false)
			if err != nil {
				return err
			}
			if format != "jsonl" && format != "table" {
				return usageError{fmt.Errorf("--format %q is not supported (accepted: jsonl, table)", format)}
			}
			sh, err := urls.ParseShard(shard)
			if err != nil {
				return usageError{err}
			}
			if resume && output == "" {
				return usageError{errors.New("--resume needs -o FILE: the output is the checkpoint")}
			}
			in, closeIn, err := openInput(args[0], stdin)
			if err != nil {
				return err
			}
			defer closeIn()
			// One list (and shard) is one target: tonight's run is diffed
			// with last night's, and two runs of it never overlap.
			target := args[0]
			if target != "-" {
				if abs, err := filepath.Abs(target); err == nil {
					target = abs
				}
			}
			targets := []string{target}
			if shard != "" {
				targets = append(targets, "--shard="+shard)
			}
			ho := sf.options(c)
			ho.Resume = resume
			sched, err := audit.OpenSession("urls", targets, ho, "", version())
			if err != nil {
				return err
			}
			defer sched.Close()
			return runURLs(c, in, urls.Input{Column: column, Field: field}, opt, urlRun{
				format: format, output: output, reservedOut: reservedOut, allowedOut: allowedOut,
				resume: resume, shard: sh, concurrency: concurrency, progress: progressMode,
				total: countLines(args[0]), targets: targets, sched: sched,
			}, e.out, stdout, e.log)
		},
	}
	vf.register(c, 250*time.Millisecond)
	sf.registerHistory(c)
	c.Flags().StringVar(&column, "column", "", "CSV input: the URL column (header name or 1-based number)")
	c.Flags().StringVar(&field, "field", "", "JSONL input: the key holding the URL")
	c.Flags().StringVarP(&format, "format", "f", "jsonl", "output: jsonl (one object per URL) or table")
	c.Flags().StringVarP(&output, "output", "o", "", "write results to FILE (appended to with --resume)")
	c.Flags().StringVar(&reservedOut, "reserved-out", "", "write the URLs reserved against AI training to FILE, one per line")
	c.Flags().StringVar(&allowedOut, "allowed-out", "", "write the URLs with no reservation to FILE, one per line (unknown ones go in neither)")
	c.Flags().BoolVar(&resume, "resume", false, "skip URLs already in -o FILE and append to it")
	c.Flags().StringVar(&shard, "shard", "", "vet only hosts of shard i of n (i/n): n machines split one list without overlap")
	c.Flags().IntVar(&concurrency, "concurrency", 64, "URLs in flight across all hosts")
	c.Flags().StringVar(&progressMode, "progress", "auto", "progress on stderr: auto, always, never")
	return c
}

func openInput(name string, stdin io.Reader) (io.Reader, func(), error) {
	if name == "-" {
		return stdin, func() {}, nil
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, nil, err
	}
	return f, func() { f.Close() }, nil
}

type urlRun struct {
	format, output, reservedOut, allowedOut, progress string
	resume                                            bool
	shard                                             urls.Shard
	concurrency                                       int
	total                                             int // lines in the input file, -1 for stdin
	targets                                           []string
	sched                                             *audit.Session
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

func (l *lineFile) close() error {
	if l == nil {
		return nil
	}
	err := l.w.Flush()
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	return err
}

type tally struct {
	total, reserved, allowed, unknown, errors int
	bySignal                                  map[string]int
}

func runURLs(c *cobra.Command, in io.Reader, input urls.Input, opt urls.Options, run urlRun, out *outcome, stdout, stderr io.Writer) error {
	ctx := c.Context()
	rep := audit.NewReport("urls", version(), run.targets)
	if err := run.sched.Begin(ctx, rep); err != nil {
		return err
	}
	var done urls.Done
	if run.resume {
		if f, err := os.Open(run.output); err == nil {
			done, err = urls.LoadDone(f)
			f.Close()
			if err != nil {
				return fmt.Errorf("reading %s for --resume: %w", run.output, err)
			}
		}
	}
	w := bufio.NewWriter(stdout)
	var results *lineFile
	if run.output != "" {
		var err error
		if results, err = createLines(run.output, run.resume); err != nil {
			return err
		}
		w = results.w
	}
	defer results.close()
	var reserved, allowed *lineFile
	var err error
	if run.reservedOut != "" {
		if reserved, err = createLines(run.reservedOut, run.resume); err != nil {
			return err
		}
		defer reserved.close()
	}
	if run.allowedOut != "" {
		if allowed, err = createLines(run.allowedOut, run.resume); err != nil {
			return err
		}
		defer allowed.close()
	}

	v := urls.NewVetter(opt)
	items := make(chan urls.Item, 256)
	readErr := make(chan error, 1)
	go func() {
		readErr <- urls.Read(in, input, items)
		close(items)
	}()
	t := tally{bySignal: map[string]int{}}
	bar := newProgress(run.progress, "URLs", stderr)
	enc := json.NewEncoder(w)
	started := time.Now()
	runErr := v.Run(ctx, items, urls.RunOptions{
		Concurrency: run.concurrency, Shard: run.shard, Resume: done,
		Progress: func(n int) { bar.update(n, run.total) },
		Emit: func(r urls.Result) error {
			// The history keeps the reserved URLs (findings), not every
			// URL: the output holds those, and at corpus scale a row per
			// allowed URL would double the run's time.
			if err := run.sched.Record(nil, urlFindings(r)); err != nil {
				return err
			}
			t.total++
			switch {
			case r.TrainingOptOut == nil:
				t.unknown++
			case *r.TrainingOptOut:
				t.reserved++
				for _, o := range r.OptOutEvidence {
					if o.Verdict == "reserved" {
						t.bySignal[o.Signal]++
					}
				}
				if reserved != nil {
					fmt.Fprintln(reserved.w, r.Location)
				}
			default:
				t.allowed++
				if allowed != nil {
					fmt.Fprintln(allowed.w, r.Location)
				}
			}
			if r.Error != "" {
				t.errors++
			}
			if run.format == "table" {
				_, err := fmt.Fprintf(w, "%-9s %s%s\n", verdictWord(r.TrainingOptOut), r.Location, errSuffix(r.Error))
				return err
			}
			if err := enc.Encode(r); err != nil {
				return err
			}
			// Flushed line by line: the output is the --resume checkpoint.
			return w.Flush()
		},
	})
	bar.finish()
	if err := w.Flush(); err != nil {
		return err
	}
	interrupted := errors.Is(runErr, context.Canceled)
	if runErr != nil && !interrupted {
		return runErr
	}
	if err := <-readErrOrNil(readErr, interrupted); err != nil {
		return fmt.Errorf("reading the URL list: %w", err)
	}
	printTally(stderr, t, v.Agents(), opt.Agents, time.Since(started))
	rep.Scan.Finished, rep.Scan.Complete = time.Now().UTC(), !interrupted
	rep.Summary = model.Summary{Resources: t.total, TrainingOptOut: t.reserved, Errors: t.errors}
	if err := run.sched.Finish(context.Background(), rep); err != nil {
		return err
	}
	if ch := rep.Changes; ch != nil && ch.PreviousScan != 0 {
		fmt.Fprintf(stderr, "aiaudit: since scan %d of this list: %d URLs newly reserved, %d no longer reserved, %d still reserved\n", ch.PreviousScan, ch.New, ch.Fixed, ch.Unchanged)
	}
	out.interrupted = interrupted
	out.incomplete = t.unknown > 0
	return nil
}

// urlFindings makes a reserved URL a finding, so history can say which URLs
// became reserved since the last run. Its content is the whole URL: in a
// corpus list the query string is part of what a URL names.
func urlFindings(r urls.Result) []model.Finding {
	if r.TrainingOptOut == nil || !*r.TrainingOptOut {
		return nil
	}
	return rules.Set{}.Judge(rules.FactReserved, rules.Item{Location: r.Location, Content: "url:" + r.Location}, rules.ReservedBy(r.OptOutEvidence))
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

func printTally(w io.Writer, t tally, evaluated, asked []string, took time.Duration) {
	who := fmt.Sprintf("any of %d known AI-training agents", len(evaluated))
	if len(asked) > 0 {
		who = strings.Join(asked, ", ")
	}
	rate := float64(t.total) / max(took.Seconds(), 1e-9)
	fmt.Fprintf(w, "vetted %d URLs in %s (%.0f/s) for %s: reserved %d, not reserved %d, unknown %d (errors %d)\n",
		t.total, took.Round(time.Millisecond), rate, who, t.reserved, t.allowed, t.unknown, t.errors)
	var sigs []string
	for s, n := range t.bySignal {
		sigs = append(sigs, fmt.Sprintf("%s %d", s, n))
	}
	sort.Strings(sigs)
	if len(sigs) > 0 {
		fmt.Fprintf(w, "reservations by signal: %s\n", strings.Join(sigs, ", "))
	}
}

func verdictWord(b *bool) string {
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
