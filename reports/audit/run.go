package audit

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/aiaudit/aiaudit/reports"
	"github.com/aiaudit/aiaudit/reports/exposure"
	"github.com/aiaudit/aiaudit/reports/i18n"
	"github.com/aiaudit/aiaudit/reports/model"
	"github.com/aiaudit/aiaudit/reports/rules"
)

// Run is one report being written: the sink (stdout or a file renamed into
// place when complete), the renderer, the summary, the session (history,
// baseline, notify) and the findings the fine tables count.
type Run struct {
	opt  Options
	sink *sink
	w    reports.Writer
	// p writes the notes of human-readable formats in their language.
	p       *i18n.Printer
	rep     *model.Report
	session *Session
	// offences counts what the fine tables price (nil without exposure).
	offences *exposure.Tally
}

// NewReport is the header of a new scan's report.
func NewReport(command, version string, targets []string) *model.Report {
	return &model.Report{
		Schema: model.Schema,
		Tool:   model.Tool{Name: "aiaudit", Version: version},
		Scan:   model.Scan{Command: command, Targets: targets, Started: time.Now().UTC()},
	}
}

// Rules are the finding rules in force for this run.
func (o Options) Rules() rules.Set {
	if o.Exposure == nil {
		return rules.Set{}
	}
	return o.Exposure.Rules
}

// start opens the report's sink and renderer and writes its beginning.
func start(rep *model.Report, opt Options, session *Session) (*Run, error) {
	s, err := openSink(opt.Output.Path, opt.Output.Stdout)
	if err != nil {
		return nil, err
	}
	p, err := reports.Printer(opt.Output.Format, opt.Output.Lang)
	if err != nil {
		s.abort()
		return nil, err
	}
	w, err := reports.NewWriter(opt.Output.Format, s, reports.Options{All: opt.Output.All, Lang: opt.Output.Lang, Browser: opt.Output.Browser})
	if err != nil {
		s.abort()
		return nil, err
	}
	if opt.Output.Lang != "" {
		// Kept so a re-render writes the language the scan was made in.
		rep.Lang = opt.Output.Lang
	}
	if err := w.Begin(rep); err != nil {
		s.abort()
		return nil, err
	}
	r := &Run{opt: opt, sink: s, w: w, p: p, rep: rep, session: session}
	if opt.Exposure != nil {
		r.offences = opt.Exposure.newTally()
	}
	return r, nil
}

// resource adds one resource and its findings: the baseline removes the
// accepted ones, the rest are counted, kept for the fine tables, recorded
// and rendered.
func (r *Run) resource(res model.Resource, fs []model.Finding) error {
	fs, err := r.session.accept(fs)
	if err != nil {
		return err
	}
	r.rep.Summary.Count(res, fs)
	r.count(fs)
	if err := r.session.Record(&res, fs); err != nil {
		return err
	}
	return r.w.Resource(res, fs)
}

// findings adds findings about a resource written before.
func (r *Run) findings(fs []model.Finding) error {
	fs, err := r.session.accept(fs)
	if err != nil {
		return err
	}
	r.rep.Summary.AddFindings(fs)
	r.count(fs)
	if err := r.session.Record(nil, fs); err != nil {
		return err
	}
	return r.w.Findings(fs)
}

// count tallies what the fine tables price or flag.
func (r *Run) count(fs []model.Finding) {
	if r.offences != nil {
		r.offences.Add(fs)
	}
}

// abort drops a report that could not be finished: no half-written file.
func (r *Run) abort() { r.sink.abort() }

// finish computes exposure, writes the end of the report, puts the file in
// place and returns the outcome that decides the exit code.
func (r *Run) finish(interrupted bool) (Outcome, error) {
	defer r.sink.abort()
	if r.offences != nil {
		defer r.offences.Close()
	}
	var out Outcome
	if r.opt.Exposure != nil {
		if err := r.opt.Exposure.apply(r.rep, r.offences, r.p); err != nil {
			return out, err
		}
	}
	if r.rep.Scan.Finished.IsZero() {
		r.rep.Scan.Finished = time.Now().UTC()
		r.rep.Scan.Complete = !interrupted
	}
	if r.rep.Summary.FindingsBySeverity == nil {
		r.rep.Summary.FindingsBySeverity = map[model.Severity]int{}
	}
	// History is written to the end even after Ctrl-C: the scan is then
	// recorded as incomplete, never as a baseline for the next diff.
	// A history that cannot be written (disk full, locked file) must not
	// cost the report: it is written, and the error is the exit status.
	histErr := r.session.Finish(context.Background(), r.rep)
	if err := r.w.End(r.rep); err != nil {
		return out, err
	}
	if err := r.sink.commit(); err != nil {
		return out, err
	}
	out.Interrupted = interrupted
	out.Incomplete = !r.rep.Scan.Complete || r.rep.Summary.Errors > 0
	out.Summary, out.Changes = r.rep.Summary, r.rep.Changes
	switch r.opt.Output.FailOn {
	case "none":
	case "new":
		// The counts the report carries: this scan's history, or a saved
		// scan's when one is re-rendered.
		c := r.rep.Changes
		out.FindingsAtFailOn = c != nil && c.NewAlerts > 0
	default:
		out.FindingsAtFailOn = r.rep.Summary.Highest().Rank() >= model.Severity(r.opt.Output.FailOn).Rank()
	}
	r.summarize(interrupted)
	if histErr != nil {
		return out, fmt.Errorf("the report was written, but the history was not: %w", histErr)
	}
	return out, r.session.notify(r.rep, r.opt.Output.Path)
}

// summarize tells the person watching what the report cannot: that it is
// partial, what changed, which accepted findings came back.
func (r *Run) summarize(interrupted bool) {
	log := r.opt.Log
	if log == nil {
		return
	}
	say := log.Say()
	if interrupted {
		Summarize(log, say.T("interrupted; the partial report is marked incomplete"), slog.Bool("complete", false))
	}
	if path := r.opt.Output.Path; path != "" && path != "-" {
		// The terminal shows none of the report: say what is in it.
		r.summarizeFile(log, path)
	}
	if c := r.rep.Changes; c != nil && c.PreviousScan != 0 {
		line := say.T("since scan %s: %d new, %d fixed, %d unchanged findings", fmt.Sprint(c.PreviousScan), c.New, c.Fixed, c.Unchanged)
		if c.Accepted > 0 {
			line += ", " + say.T("%d accepted", c.Accepted)
		}
		if c.NotRechecked > 0 {
			line += ", " + say.T("%d not re-checked (not counted as fixed)", c.NotRechecked)
		}
		Summarize(log, line, slog.Int64("scan", c.Scan), slog.Int64("previous_scan", c.PreviousScan),
			slog.Int("new", c.New), slog.Int("fixed", c.Fixed), slog.Int("unchanged", c.Unchanged),
			slog.Int("accepted", c.Accepted), slog.Int("not_rechecked", c.NotRechecked))
	}
	if b := r.rep.Baseline; b != nil {
		for _, e := range b.Expired {
			log.Warn("%s", say.T("baseline entry expired, its findings are reported again: %s", e))
		}
	}
}

// summarizeFile is the one screen a person reads when the report went to a
// file: where it is, its counts, the first violations and the exposure.
func (r *Run) summarizeFile(log Log, path string) {
	say := log.Say()
	s := r.rep.Summary
	Summarize(log, say.T("report written to %s (%s): %d items, %d AI-made, %d without machine-readable marking, %d violations, %d reserved against AI training, %d errors",
		path, r.opt.Output.Format, s.Resources, s.AIGenerated, s.AIUnmarked, s.FindingsBySeverity[model.SeverityViolation], s.TrainingOptOut, s.Errors))
	for _, line := range reports.ExposureSummary(say, r.rep.Exposure) {
		Summarize(log, line)
	}
}

// discardLog is the log of a run nobody watches.
type discardLog struct{ io.Writer }

func (discardLog) Warn(string, ...any) {}

func (discardLog) Say() *i18n.Printer { return i18n.English() }
