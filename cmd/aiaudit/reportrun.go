package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/aiaudit/aiaudit/reports"
	"github.com/aiaudit/aiaudit/reports/model"
)

// reportRun is one report being written: the sink (stdout or a file renamed
// into place when complete), the renderer, the summary, and the findings the
// fine tables count. files, crawl and report share it.
type reportRun struct {
	sink  *sink
	w     reports.Writer
	rep   *model.Report
	of    outputFlags
	fined []model.Finding
	// sched records the scan in the history and applies the baseline (nil
	// for re-rendered reports).
	sched *schedule
}

func startReport(rep *model.Report, of outputFlags, stdout io.Writer) (*reportRun, error) {
	s, err := openSink(of.output, stdout)
	if err != nil {
		return nil, err
	}
	w, err := reports.NewWriter(of.format, s, reports.TableOptions{All: of.all})
	if err != nil {
		s.abort()
		return nil, usageError{err}
	}
	if err := w.Begin(rep); err != nil {
		s.abort()
		return nil, err
	}
	return &reportRun{sink: s, w: w, rep: rep, of: of}, nil
}

// newReport is the header of a new scan's report.
func newReport(command string, targets []string) *model.Report {
	return &model.Report{
		Schema: model.Schema,
		Tool:   model.Tool{Name: "aiaudit", Version: version()},
		Scan:   model.Scan{Command: command, Targets: targets, Started: time.Now().UTC()},
	}
}

func (r *reportRun) resource(res model.Resource, fs []model.Finding) error {
	fs = r.sched.accept(fs)
	r.rep.Summary.Count(res, fs)
	r.fined = append(r.fined, fined(fs)...)
	if err := r.sched.record(&res, fs); err != nil {
		return fmt.Errorf("history: %w", err)
	}
	return r.w.Resource(res, fs)
}

func (r *reportRun) findings(fs []model.Finding) error {
	fs = r.sched.accept(fs)
	r.rep.Summary.AddFindings(fs)
	r.fined = append(r.fined, fined(fs)...)
	if err := r.sched.record(nil, fs); err != nil {
		return fmt.Errorf("history: %w", err)
	}
	return r.w.Findings(fs)
}

// abort drops a report that could not be finished: no half-written file.
func (r *reportRun) abort() { r.sink.abort() }

// finish computes exposure (when calc is set), writes the end of the report,
// puts the file in place and sets the outcome that decides the exit code.
func (r *reportRun) finish(interrupted bool, calc *exposureCalc, out *outcome, stderr io.Writer) error {
	defer r.sink.abort()
	if calc != nil {
		if err := calc.apply(r.rep, r.fined); err != nil {
			return err
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
	histErr := r.sched.finish(context.Background(), r.rep)
	if err := r.w.End(r.rep); err != nil {
		return err
	}
	if err := r.sink.commit(); err != nil {
		return err
	}
	out.interrupted = interrupted
	out.incomplete = !r.rep.Scan.Complete || r.rep.Summary.Errors > 0
	switch r.of.failOn {
	case "none":
	case "new":
		// The counts the report carries: this scan's history, or a saved
		// scan's when one is re-rendered.
		c := r.rep.Changes
		out.findingsAtFailOn = c != nil && c.NewAlerts > 0
	default:
		out.findingsAtFailOn = r.rep.Summary.Highest().Rank() >= model.Severity(r.of.failOn).Rank()
	}
	if interrupted {
		fmt.Fprintln(stderr, "aiaudit: interrupted; the partial report is marked incomplete")
	}
	if c := r.rep.Changes; c != nil && c.PreviousScan != 0 {
		fmt.Fprintf(stderr, "aiaudit: since scan %d: %d new, %d fixed, %d unchanged findings\n", c.PreviousScan, c.New, c.Fixed, c.Unchanged)
	}
	if b := r.rep.Baseline; b != nil {
		for _, e := range b.Expired {
			warn(stderr, "baseline entry expired, its findings are reported again: %s", e)
		}
	}
	if histErr != nil {
		return fmt.Errorf("the report was written, but the history was not: %w", histErr)
	}
	return r.sched.notify(r.rep, r.of.output)
}
