package main

import (
	"errors"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/aiaudit/aiaudit/detectors/agents"
	"github.com/aiaudit/aiaudit/reports/audit"
	"github.com/aiaudit/aiaudit/reports/i18n"
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
	allowPriv  bool
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
	c.Flags().BoolVar(&v.allowPriv, "allow-private", false, "let fetches reach loopback, private, link-local (cloud metadata) and other internal addresses; by default only the spaces your own targets are in")
}

// options validates the flags (every problem) and builds the vetting
// options.
func (v *vetFlags) options(explainAll bool) (urls.Options, error) {
	var p []error
	add := func(err error) {
		if err != nil {
			p = append(p, err)
		}
	}
	add(oneOf("check", v.depth, "policy", "headers", "full"))
	add(positive("timeout", v.timeout))
	add(notNegative("retries", v.retries))
	add(atLeast("host-concurrency", v.hostConc, 1))
	add(notNegative("delay", v.delay))
	list := agents.Default()
	if v.agentsFile != "" {
		if b, err := os.ReadFile(v.agentsFile); err != nil {
			add(flagErrorf("agents-file", "--agents-file: %v", err))
		} else if extra, err := agents.Parse(b); err != nil {
			add(flagErrorf("agents-file", "--agents-file: %s: %v", v.agentsFile, err))
		} else if list, err = list.Extend(extra.All()); err != nil {
			add(flagErrorf("agents-file", "--agents-file: %s: %v", v.agentsFile, err))
		}
	}
	if len(p) > 0 {
		return urls.Options{}, errors.Join(p...)
	}
	names := v.agents
	if len(names) == 0 && explainAll {
		names = urls.TrainingAgents(list)
	}
	ua := v.userAgent
	if ua == "" {
		ua = "aiaudit/" + version() + " (+https://github.com/aiaudit/aiaudit)"
	}
	return urls.Options{Depth: urls.Depth(v.depth), Agents: names, List: list, Strict: v.strict, Fetch: urls.FetchOptions{
		UserAgent: ua, Timeout: v.timeout, Retries: v.retries, HostConcurrency: v.hostConc, HostDelay: v.delay, AllowPrivate: v.allowPriv,
	}}, nil
}

func newURLsCommand(e *env, stdin io.Reader, stdout io.Writer) *cobra.Command {
	var vf vetFlags
	var column, field, format, output, reservedOut, allowedOut, shard, progressMode string
	var concurrency int
	var resume bool
	var keep []string
	var sf scheduleFlags
	var opt urls.Options
	var sh urls.Shard
	var ef exposureFlags
	var calc *audit.Exposure
	c := &cobra.Command{
		Use:   "urls FILE|-",
		Short: "Vet a list of URLs for AI-training opt-outs (corpus scale)",
		Long: `Reads a URL list (plain lines, CSV with --column, JSONL with --field, Parquet
with --column; "-" for stdin), streaming, and writes one JSON object per URL:
location, training_opt_out (true, false, or null when it could not be
determined), opt_out_evidence and error (-f parquet: one row per URL).
A summary goes to stderr, with the URLs newly reserved since the last run of the
same list (history). Results are written in input order. Exit codes: 0 done,
2 usage or runtime error (a binary list, a --field or --column that matches
nothing), 3 some URLs could not be vetted (none at all: said on stderr), 4
another run of the same list is in progress, 130 interrupted (what was written
is complete; --resume goes on).`,
		PreRunE: func(c *cobra.Command, args []string) error {
			var p problems
			var err error
			opt, err = vf.options(false)
			p.add(err)
			calc, err = ef.resolve()
			p.add(err)
			p.add(oneOf("format", format, audit.URLFormats...))
			if format == "parquet" && (output == "" || resume) {
				p.add(&audit.FlagError{Flag: "format", With: []string{"output", "resume"}, Err: audit.ErrParquetNotCheckpoint})
			}
			if len(keep) > 0 && column == "" && field == "" {
				p.add(&audit.FlagError{Flag: "keep", With: []string{"column", "field"}, Err: urls.ErrKeepPlain})
			}
			if sh, err = urls.ParseShard(shard); err != nil {
				p.add(flagErrorf("shard", "--shard: %v", err))
			}
			if resume && output == "" {
				p.add(&audit.FlagError{Flag: "resume", With: []string{"output"}, Err: i18n.Errorf("--resume needs -o FILE: the output is the checkpoint")})
			}
			p.add(atLeast("concurrency", concurrency, 1), oneOf("progress", progressMode, "auto", "always", "never"))
			p.add(sf.validate(""))
			return p.err()
		},
		RunE: func(c *cobra.Command, args []string) error {
			args, err := e.targets(c, args)
			if err != nil {
				return err
			}
			if len(args) != 1 {
				return usageError{i18n.Errorf("urls takes one list (FILE or -), not %d", len(args))}
			}
			e.logOutput(output)
			ro := audit.Options{Command: "urls", Version: version(), History: sf.options(c), Log: e.log,
				Output: audit.OutputOptions{Stdout: stdout}, Exposure: calc}
			bar := newProgress(progressMode, "URLs", e.log, e.log.Say())
			ro.Progress = bar.update
			out, err := audit.URLs(c.Context(), ro, audit.URLOptions{
				List: args[0], Stdin: stdin, Input: urls.Input{Column: column, Field: field, Keep: keep}, Vet: opt,
				Format: format, Results: output, Reserved: reservedOut, Allowed: allowedOut,
				Resume: resume, Shard: sh, ShardSpec: shard, Concurrency: concurrency,
			})
			bar.finish()
			return e.finish(out, err)
		},
	}
	vf.register(c, 250*time.Millisecond)
	ef.register(c)
	sf.registerHistory(c)
	c.Flags().StringVar(&column, "column", "", "CSV or Parquet input: the URL column (header name; CSV also a 1-based number)")
	c.Flags().StringVar(&field, "field", "", "JSONL input: the key holding the URL")
	c.Flags().StringSliceVar(&keep, "keep", nil, "input columns (CSV, Parquet) or fields (JSONL) to carry into the results: COL,...")
	c.Flags().StringVarP(&format, "format", "f", "jsonl", "output: jsonl (one object per URL), table, or parquet (one row per URL; --reserved-out/--allowed-out are Parquet too)")
	c.Flags().StringVarP(&output, "output", "o", "", "write results to FILE (appended to with --resume)")
	c.Flags().StringVar(&reservedOut, "reserved-out", "", "write the URLs reserved against AI training to FILE, one per line (-f parquet: their result rows)")
	c.Flags().StringVar(&allowedOut, "allowed-out", "", "write the URLs with no reservation to FILE, one per line (-f parquet: their result rows; unknown ones go in neither)")
	c.Flags().BoolVar(&resume, "resume", false, "skip URLs already in -o FILE and append to it")
	c.Flags().StringVar(&shard, "shard", "", "vet only hosts of shard i of n (i/n): n machines split one list without overlap")
	c.Flags().IntVar(&concurrency, "concurrency", 64, "URLs in flight across all hosts")
	c.Flags().StringVar(&progressMode, "progress", "auto", "progress on stderr: auto, always, never")
	addLangFlag(c.Flags(), new(string))
	return c
}
