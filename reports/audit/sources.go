package audit

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/aiaudit/aiaudit/detectors/media"
	"github.com/aiaudit/aiaudit/reports/model"
	"github.com/aiaudit/aiaudit/scanner"
	"github.com/aiaudit/aiaudit/scanner/crawl"
	"github.com/aiaudit/aiaudit/scanner/ocspfetch"
	"github.com/aiaudit/aiaudit/scanner/render"
)

// scan runs one source into a new report: it opens the session (lock,
// history, baseline), starts the report, lets the source emit, and finishes.
// The source returns context.Canceled when interrupted: the partial report
// is still written, marked incomplete.
func scan(ctx context.Context, opt Options, source func(r *Run) error) (Outcome, error) {
	session, err := OpenSession(opt.Command, opt.Targets, opt.History, opt.Output.FailOn, opt.Version)
	if err != nil {
		return Outcome{}, err
	}
	defer session.Close()
	r, err := start(NewReport(opt.Command, opt.Version, opt.Targets), opt, session)
	if err != nil {
		return Outcome{}, err
	}
	defer r.abort()
	if err := session.Begin(ctx, r.rep); err != nil {
		return Outcome{}, err
	}
	srcErr := source(r)
	interrupted := errors.Is(srcErr, context.Canceled)
	if srcErr != nil && !interrupted {
		return Outcome{}, srcErr
	}
	return r.finish(interrupted)
}

// Files walks folders and files: every file is one resource. When no
// target exists at all it is a usage error, not a clean scan of nothing (a
// mistyped folder in a cron job); a missing target beside others is an
// error row, and the scan is incomplete.
func Files(ctx context.Context, opt Options, workers int) (Outcome, error) {
	if err := anyExists(opt.Targets); err != nil {
		return Outcome{}, fmt.Errorf("files: nothing to scan: %w", err)
	}
	lib, err := opt.library(ctx)
	if err != nil {
		return Outcome{}, err
	}
	set := opt.Rules()
	return scan(ctx, opt, func(r *Run) error {
		return scanner.ScanFiles(ctx, opt.Targets, scanner.FilesOptions{
			Workers: workers,
			// One time for the whole scan: unstamped signatures are all
			// judged at it, so a signer's chain is verified once per scan.
			Limits:     media.Limits{Trust: opt.Trust, Now: time.Now(), Revocation: opt.revocation(ctx, ocspfetch.Options{})},
			Assets:     lib,
			Thumbnails: opt.Output.thumbnails(),
			Emit:       func(res model.Resource) error { return r.resource(res, set.Resource(res)) },
			Progress:   opt.Progress,
			Walk:       opt.Walk,
		})
	})
}

// anyExists is nil when at least one path exists, else the last error.
func anyExists(paths []string) error {
	var err error
	for _, p := range paths {
		if _, err = os.Stat(p); err == nil {
			return nil
		}
	}
	return err
}

// Crawl audits websites: pages and media are resources, an item's later
// occurrences add findings. With browser options (--render) every page is
// rendered in headless Chromium, started here and ended when the crawl
// ends. It returns the crawl's statistics for the summary line.
func Crawl(ctx context.Context, opt Options, co crawl.Options, browser *render.Options) (Outcome, *crawl.Stats, error) {
	if browser != nil {
		b := *browser
		if b.UserAgent == "" {
			b.UserAgent = co.UserAgent
		}
		r, err := render.New(b)
		if err != nil {
			return Outcome{}, nil, err
		}
		defer r.Close()
		co.Loader = r
	}
	// The crawl fetches with the credentials of its start URLs; the run
	// (report, history, lock, notification) names the sites without them.
	co.Starts = opt.Targets
	opt.Targets = make([]string, len(co.Starts))
	for i, s := range co.Starts {
		opt.Targets[i] = model.StripUserinfo(s)
	}
	lib, err := opt.library(ctx)
	if err != nil {
		return Outcome{}, nil, err
	}
	co.Assets = lib
	co.Trust = opt.Trust
	// OCSP lookups go as the crawl's fetches do: its timeout, user agent
	// and --allow-private (a responder is not one of the user's targets,
	// so the start hosts' address spaces are not opened to it).
	co.Revocation = opt.revocation(ctx, ocspfetch.Options{Timeout: co.Vet.Fetch.Timeout, AllowPrivate: co.Vet.Fetch.AllowPrivate, UserAgent: co.UserAgent, Dial: co.Dial})
	set := opt.Rules()
	co.Thumbnails = opt.Output.thumbnails()
	var stats *crawl.Stats
	n := 0
	out, err := scan(ctx, opt, func(r *Run) error {
		co.Emit = func(res *model.Resource, obs []model.Observation) error {
			n++
			if opt.Progress != nil {
				opt.Progress(n, -1)
			}
			if res == nil {
				return r.findings(set.Observe(obs))
			}
			return r.resource(*res, append(set.Resource(*res), set.Observe(obs)...))
		}
		var err error
		stats, err = crawl.Run(ctx, co)
		if stats != nil {
			r.rep.Sites = stats.Sites
		}
		return err
	})
	if err == nil && stats != nil && stats.Pages == 0 && !out.Interrupted {
		// The report says why, item by item; the run says that nothing at
		// all could be crawled.
		err = ErrNothingScanned
	}
	return out, stats, err
}

// ErrNothingScanned says a scan reached nothing at all (a site that is down,
// a robots.txt that cannot be fetched): the report is written, with the
// reasons, and the run fails rather than reading as clean.
var ErrNothingScanned = errors.New("nothing could be crawled: every start page failed (see the report's errors); nothing is counted as fixed")

// Rerender writes a saved scan again, in another format or under other
// laws and company settings, without scanning: the findings are judged
// again by the rules in force, the baseline (when given) applied, exposure
// recomputed. It takes no lock and writes no history.
func Rerender(opt Options, saved *model.Report) (Outcome, error) {
	if opt.Output.FailOn == "new" && saved.Changes == nil {
		return Outcome{}, fmt.Errorf("--fail-on new needs the scan's changes, and this scan was not recorded in a history")
	}
	session, err := baselineOnly(opt.History.Baseline, saved.Scan.Targets)
	if err != nil {
		return Outcome{}, err
	}
	findings := opt.Rules().Rejudge(saved.Findings)
	resources := saved.Resources
	rep := *saved
	rep.Resources, rep.Findings, rep.Summary = nil, nil, model.Summary{}
	// A re-render is not a scan: no progress, no "since last scan" lines.
	opt.Log = discardLog{io.Discard}
	r, err := start(&rep, opt, session)
	if err != nil {
		return Outcome{}, err
	}
	defer r.abort()
	for _, res := range resources {
		if err := r.resource(res, nil); err != nil {
			return Outcome{}, err
		}
	}
	if err := r.findings(findings); err != nil {
		return Outcome{}, err
	}
	return r.finish(false)
}
