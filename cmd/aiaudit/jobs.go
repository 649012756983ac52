package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"regexp"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/aiaudit/aiaudit/reports/audit"
	"github.com/aiaudit/aiaudit/reports/i18n"
	"github.com/aiaudit/aiaudit/scanner/jobs"
	"github.com/aiaudit/aiaudit/scanner/urls"
)

// defaultNATS is where the job commands look for NATS: $NATS_URL, or the
// address `aiaudit queue serve` listens on by default.
func defaultNATS() string {
	if u := os.Getenv("NATS_URL"); u != "" {
		return u
	}
	return "nats://127.0.0.1:4222"
}

func newQueueCommand(e *env) *cobra.Command {
	q := &cobra.Command{Use: "queue", Short: "Run the NATS JetStream server that distributed jobs use (one machine; see README for a cluster)"}
	var store, listen string
	serve := &cobra.Command{
		Use:   "serve",
		Short: "Run an embedded single-node NATS server with JetStream file storage until SIGTERM/SIGINT",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			if store == "" {
				return usageError{i18n.Errorf("queue serve: --store DIR is required (where streams are kept)")}
			}
			s, err := jobs.StartServer(store, listen)
			if err != nil {
				return err
			}
			say := e.log.Say()
			audit.Summarize(e.log, say.T("NATS with JetStream on nats://%s, store %s", listen, store))
			<-c.Context().Done()
			s.Shutdown()
			s.WaitForShutdown()
			audit.Summarize(e.log, say.T("NATS stopped"))
			return nil
		},
	}
	serve.Flags().StringVar(&store, "store", "", "folder for the JetStream file store (kept across restarts)")
	serve.Flags().StringVar(&listen, "listen", "127.0.0.1:4222", "HOST:PORT to listen on")
	addLangFlag(serve.Flags(), new(string))
	q.AddCommand(serve)
	return q
}

func connectJobs(c *cobra.Command, natsURL string) (*jobs.Client, error) {
	return jobs.Connect(c.Context(), natsURL, "aiaudit "+c.Name())
}

func newJobCommand(e *env, stdin io.Reader, stdout io.Writer) *cobra.Command {
	var natsURL string
	j := &cobra.Command{Use: "job", Short: "Vet a URL list on any number of workers: submit, status, results, cancel"}
	j.PersistentFlags().StringVar(&natsURL, "nats", defaultNATS(), "NATS server URL(s), comma-separated (default $NATS_URL)")
	addLangFlag(j.PersistentFlags(), new(string))
	j.AddCommand(newJobSubmitCommand(e, stdin, &natsURL), newJobStatusCommand(e, stdout, &natsURL),
		newJobResultsCommand(e, stdout, &natsURL), newJobCancelCommand(e, &natsURL))
	return j
}

func newJobSubmitCommand(e *env, stdin io.Reader, natsURL *string) *cobra.Command {
	var vf vetFlags
	var name, column, field string
	var set jobs.Settings
	c := &cobra.Command{
		Use:   "submit --job NAME INPUT...",
		Short: "Stream URL lists (plain, CSV with --column, JSONL with --field; - for stdin) into a job, grouped by host",
		Args:  cobra.MinimumNArgs(1),
		PreRunE: func(c *cobra.Command, args []string) error {
			var p problems
			_, err := vf.options(false)
			p.add(err)
			if name != "" { // missing, cobra says it is required
				p.add(jobs.CheckName(name))
			}
			p.add(atLeast("batch-size", set.BatchSize, 1), atLeast("max-deliver", set.MaxDeliver, 1),
				positive("ack-wait", set.AckWait), positive("lease-ttl", set.LeaseTTL))
			return p.err()
		},
		RunE: func(c *cobra.Command, args []string) error {
			opt, _ := vf.options(false)
			if vf.agentsFile != "" {
				b, err := os.ReadFile(vf.agentsFile)
				if err != nil {
					return err
				}
				set.ExtraAgents = string(b)
			}
			set.Agents, set.Check, set.Strict = opt.Agents, opt.Depth, opt.Strict
			f := opt.Fetch
			set.Delay, set.Timeout, set.Retries, set.HostConcurrency, set.UserAgent, set.AllowPrivate = f.HostDelay, f.Timeout, f.Retries, f.HostConcurrency, f.UserAgent, f.AllowPrivate
			in := urls.Input{Column: column, Field: field}
			// Every list is checked before any is sent.
			var lists []*urls.List // text, CSV, JSONL or Parquet, as urls reads them
			for _, a := range args {
				r, closeIn, err := audit.OpenList(a, stdin)
				if err != nil {
					return err
				}
				defer closeIn()
				l, err := urls.Open(r, in)
				if err != nil {
					return fmt.Errorf("%s: %w", a, err)
				}
				lists = append(lists, l)
			}
			client, err := connectJobs(c, *natsURL)
			if err != nil {
				return err
			}
			defer client.Close()
			spec, err := client.Submit(c.Context(), jobs.Spec{Name: name, Version: version(), Settings: set}, func(out chan<- urls.Item) error {
				for i, l := range lists {
					if err := l.Read(out); err != nil {
						return fmt.Errorf("reading %s: %w", args[i], err)
					}
				}
				return nil
			})
			if err != nil {
				return err
			}
			audit.Summarize(e.log, e.log.Say().T("job %s: %d URLs in %d batches submitted; start workers with: aiaudit worker --nats %s", spec.Name, spec.Total, spec.Batches, *natsURL))
			return nil
		},
	}
	vf.register(c, 250*time.Millisecond)
	c.Flags().StringVar(&name, "job", "", "the job's name (letters, digits, - and _); an existing name is refused")
	c.Flags().StringVar(&column, "column", "", "CSV or Parquet input: the URL column (header name, or a CSV column's 1-based number)")
	c.Flags().StringVar(&field, "field", "", "JSONL input: the key holding the URL")
	c.Flags().IntVar(&set.BatchSize, "batch-size", 100, "URLs of one host per work message")
	c.Flags().DurationVar(&set.AckWait, "ack-wait", time.Minute, "a batch whose worker is silent this long goes to another worker")
	c.Flags().DurationVar(&set.LeaseTTL, "lease-ttl", 30*time.Second, "a host lease whose worker is silent this long may be taken by another")
	c.Flags().IntVar(&set.MaxDeliver, "max-deliver", 5, "tries of a batch before the URLs whose vetting crashes are dead-lettered")
	c.MarkFlagRequired("job")
	return c
}

func newJobStatusCommand(e *env, stdout io.Writer, natsURL *string) *cobra.Command {
	var format string
	var watch bool
	var every time.Duration
	c := &cobra.Command{
		Use:   "status NAME",
		Short: "Where a job stands: total, done, in flight, errors, dead-lettered, per worker, rate, ETA",
		Args:  cobra.ExactArgs(1),
		PreRunE: func(c *cobra.Command, args []string) error {
			var p problems
			p.add(oneOf("format", format, "text", "json"), positive("interval", every))
			return p.err()
		},
		RunE: func(c *cobra.Command, args []string) error {
			client, err := connectJobs(c, *natsURL)
			if err != nil {
				return err
			}
			defer client.Close()
			for {
				st, err := client.Status(c.Context(), args[0])
				if err != nil {
					return err
				}
				if format == "json" {
					b, _ := json.Marshal(st)
					fmt.Fprintf(stdout, "%s\n", b)
				} else {
					printStatus(stdout, st, e.log.Say())
				}
				if !watch || st.Finished || st.Canceled {
					return nil
				}
				select {
				case <-c.Context().Done():
					return nil
				case <-time.After(every):
				}
			}
		},
	}
	c.Flags().StringVarP(&format, "format", "f", "text", "text, or json (one object per update)")
	c.Flags().BoolVarP(&watch, "watch", "w", false, "update until the job is finished")
	c.Flags().DurationVar(&every, "interval", 2*time.Second, "--watch: time between updates")
	return c
}

// printStatus writes a job's status for a person, in say's language (its
// JSON stays English).
func printStatus(w io.Writer, st jobs.Status, say *i18n.Printer) {
	state := "running"
	switch {
	case st.Canceled:
		state = "canceled"
	case st.Finished:
		state = "finished"
	case !st.Submitted:
		state = "being submitted"
	}
	eta := say.T("unknown")
	if st.ETASeconds >= 0 {
		eta = (time.Duration(st.ETASeconds) * time.Second).String()
	}
	fmt.Fprintln(w, say.T("job %s (%s, aiaudit %s): %d of %d done, %d in flight, %d pending, %d errors, %d dead-lettered; %.1f URLs/s, ETA %s",
		st.Job, say.T(state), st.Version, st.Done, st.Total, st.InFlight, st.Pending, st.Errors, st.DeadLettered, st.Rate, eta))
	if len(st.Workers) == 0 {
		return
	}
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", say.T("WORKER"), say.T("DONE"), say.T("IN FLIGHT"), say.T("ALIVE"))
	yes := map[bool]string{true: say.T("yes"), false: say.T("no")}
	for _, wk := range st.Workers {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s\n", wk.Name, wk.Done, wk.InFlight, yes[wk.Alive])
	}
	tw.Flush()
}

func newJobResultsCommand(e *env, stdout io.Writer, natsURL *string) *cobra.Command {
	var format, output, reservedOut, allowedOut string
	c := &cobra.Command{
		Use:   "results NAME",
		Short: "Write a job's results: the JSONL records (or table) of aiaudit urls, --reserved-out/--allowed-out, and the summary",
		Args:  cobra.ExactArgs(1),
		PreRunE: func(c *cobra.Command, args []string) error {
			if err := oneOf("format", format, audit.URLFormats...); err != nil {
				return usageError{err}
			}
			return nil
		},
		RunE: func(c *cobra.Command, args []string) error {
			client, err := connectJobs(c, *natsURL)
			if err != nil {
				return err
			}
			defer client.Close()
			spec, _, err := client.Spec(c.Context(), args[0])
			if err != nil {
				return err
			}
			st, err := client.Status(c.Context(), args[0])
			if err != nil {
				return err
			}
			if !st.Finished {
				e.log.Warn("%s", e.log.Say().T("job %s is not finished: %d of %d URLs have results so far", st.Job, st.Done+st.DeadLettered, st.Total))
			}
			vo, err := spec.Settings.VetOptions()
			if err != nil {
				return err
			}
			evaluated := vo.Agents
			if len(evaluated) == 0 {
				evaluated = urls.TrainingAgents(vo.List)
			}
			ro := audit.Options{Command: "job results", Version: version(), Log: e.log, Output: audit.OutputOptions{Stdout: stdout}}
			out, err := audit.ListResults(ro, audit.URLOptions{Format: format, Results: output, Reserved: reservedOut, Allowed: allowedOut, Vet: vo},
				client.Results(c.Context(), args[0]), evaluated, st.LastResult.Sub(st.FirstResult))
			out.Incomplete = out.Incomplete || !st.Finished
			return e.finish(out, err)
		},
	}
	c.Flags().StringVarP(&format, "format", "f", "jsonl", "output: jsonl (one object per URL, as aiaudit urls writes), table, or parquet (with -o)")
	c.Flags().StringVarP(&output, "output", "o", "", "write results to FILE (default stdout)")
	c.Flags().StringVar(&reservedOut, "reserved-out", "", "write the URLs reserved against AI training to FILE, one per line")
	c.Flags().StringVar(&allowedOut, "allowed-out", "", "write the URLs with no reservation to FILE, one per line (unknown ones go in neither)")
	return c
}

func newJobCancelCommand(e *env, natsURL *string) *cobra.Command {
	var purge bool
	c := &cobra.Command{
		Use:   "cancel NAME",
		Short: "Stop a job: its queued work is removed (batches in hand finish); --purge also removes its results and frees the name",
		Args:  cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			client, err := connectJobs(c, *natsURL)
			if err != nil {
				return err
			}
			defer client.Close()
			if err := client.Cancel(c.Context(), args[0], purge); err != nil {
				return err
			}
			what := "job %s canceled"
			if purge {
				what = "job %s canceled and removed"
			}
			audit.Summarize(e.log, e.log.Say().T(what, args[0]))
			return nil
		},
	}
	c.Flags().BoolVar(&purge, "purge", false, "also remove the job's results, dead letters and name")
	return c
}

// workerName is what a key of a NATS key-value bucket may hold.
var workerName = regexp.MustCompile(`^[-/_=.a-zA-Z0-9]+$`)

func newWorkerCommand(e *env) *cobra.Command {
	var natsURL, name, job, userAgent string
	var batches int
	c := &cobra.Command{
		Use:   "worker",
		Short: "Vet the batches of every job of this aiaudit version; SIGTERM drains (in-flight batches finish and are acknowledged)",
		Args:  cobra.NoArgs,
		PreRunE: func(c *cobra.Command, args []string) error {
			var p problems
			p.add(atLeast("batches", batches, 1))
			if name != "" && !workerName.MatchString(name) {
				p.add(flagErrorf("name", "--name %q: use letters, digits and - _ . = /", name))
			}
			return p.err()
		},
		RunE: func(c *cobra.Command, args []string) error {
			client, err := connectJobs(c, natsURL)
			if err != nil {
				return err
			}
			defer client.Close()
			w := jobs.NewWorker(client, jobs.WorkerOptions{Name: name, Version: version(), Batches: batches, UserAgent: userAgent, Job: job,
				Log: func(f string, a ...any) { audit.Summarize(e.log, e.log.Say().T(f, a...)) }})
			return w.Run(c.Context())
		},
	}
	c.Flags().StringVar(&natsURL, "nats", defaultNATS(), "NATS server URL(s), comma-separated (default $NATS_URL)")
	c.Flags().StringVar(&name, "name", "", "this worker's name in status and leases (default HOSTNAME-PID)")
	c.Flags().StringVar(&job, "job", "", "work on this job only (default: every job of this aiaudit version)")
	c.Flags().IntVar(&batches, "batches", 32, "batches (each one host's URLs) vetted at once")
	c.Flags().StringVar(&userAgent, "user-agent", "", "User-Agent header (default: the job's)")
	addLangFlag(c.Flags(), new(string))
	return c
}
