package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/aiaudit/aiaudit/reports/baseline"
	"github.com/aiaudit/aiaudit/reports/history"
	"github.com/aiaudit/aiaudit/reports/model"
	"github.com/aiaudit/aiaudit/reports/notify"
)

// scheduleFlags are what a scan run from cron needs: history, a baseline of
// accepted findings, and an alert when something is new.
type scheduleFlags struct {
	db, baseline, notify string
	noHistory            bool
}

func (s *scheduleFlags) register(c *cobra.Command) {
	s.registerHistory(c)
	c.Flags().StringVar(&s.baseline, "baseline", "", "YAML file of accepted findings (reason and expiry each); they are left out of the report and counted")
	c.Flags().StringVar(&s.notify, "notify", "", "POST a JSON summary to this webhook URL when a warning or violation is new since the last scan (retried)")
}

func (s *scheduleFlags) registerHistory(c *cobra.Command) {
	c.Flags().StringVar(&s.db, "db", "", "history database (default $XDG_DATA_HOME/aiaudit/history.db, else ~/.local/share/aiaudit/history.db)")
	c.Flags().BoolVar(&s.noHistory, "no-history", false, "do not record this scan in the history database")
}

func (s *scheduleFlags) dbPath() (string, error) {
	if s.db != "" {
		return s.db, nil
	}
	return history.DefaultPath()
}

// schedule is a scan's part in the history: its target's lock, the open
// database and the scan being recorded, the baseline and what it did.
type schedule struct {
	flags      scheduleFlags
	target     string
	roots      []string
	lock       *history.Lock
	store      *history.Store
	scan       *history.Scan
	base       *baseline.File
	suppressed int
	expired    []string
	seen       map[string]bool
}

// startSchedule takes the target's lock (an overlapping run stops here with
// its own exit code), opens the history and reads the baseline. Nothing is
// written before all three succeeded.
func startSchedule(sf scheduleFlags, of outputFlags, command string, targets []string) (*schedule, error) {
	if of.failOn == "new" && sf.noHistory {
		return nil, usageError{errors.New("--fail-on new compares with the last scan: it needs history (drop --no-history)")}
	}
	if sf.notify != "" && sf.noHistory {
		return nil, usageError{errors.New("--notify reports new findings: it needs history (drop --no-history)")}
	}
	if sf.notify != "" {
		if _, err := notify.CheckURL(sf.notify); err != nil {
			return nil, usageError{fmt.Errorf("--notify: %w", err)}
		}
	}
	s := &schedule{flags: sf, roots: targets, target: history.Target(command, canonical(command, targets)), seen: map[string]bool{}}
	if sf.baseline != "" {
		b, err := baseline.Load(sf.baseline)
		if err != nil {
			return nil, usageError{err}
		}
		s.base = b
	}
	path, err := sf.dbPath()
	if err != nil {
		return nil, err
	}
	const hint = "--db chooses another file, --no-history scans without one"
	if s.lock, err = history.LockTarget(filepath.Join(filepath.Dir(path), "locks"), s.target); err != nil {
		switch {
		case errors.Is(err, history.ErrLocked):
			return nil, err
		case !sf.noHistory:
			return nil, fmt.Errorf("lock for %s: %w (%s)", s.target, err, hint)
		}
		// Without history the lock only guards against overlapping runs:
		// where no lock file can be made (a read-only home), scan anyway.
		s.lock = nil
	}
	if !sf.noHistory {
		if s.store, err = history.Open(path); err != nil {
			s.lock.Unlock()
			return nil, fmt.Errorf("%w (%s)", err, hint)
		}
	}
	return s, nil
}

// canonical makes file targets absolute, so the same folder is the same
// target from any working directory. URLs are left as given.
func canonical(command string, targets []string) []string {
	if command != "files" {
		return targets
	}
	out := make([]string, len(targets))
	for i, t := range targets {
		if abs, err := filepath.Abs(t); err == nil {
			t = abs
		}
		out[i] = t
	}
	return out
}

// begin records the scan's start with the settings it ran with.
func (s *schedule) begin(c *cobra.Command, rep *model.Report) error {
	if s == nil || s.store == nil {
		return nil
	}
	settings := map[string]string{}
	c.Flags().Visit(func(f *pflag.Flag) { settings[f.Name] = f.Value.String() })
	if u, err := url.Parse(settings["notify"]); err == nil && u.Host != "" {
		// Webhook URLs carry their secret in the path: keep only the host.
		settings["notify"] = u.Scheme + "://" + u.Host + "/…"
	}
	var err error
	s.scan, err = s.store.Begin(rep, s.target, settings)
	return err
}

// resume continues the target's interrupted scan in the history (urls
// --resume), or begins a new one when there is none.
func (s *schedule) resume(c *cobra.Command, rep *model.Report) error {
	if s == nil || s.store == nil {
		return nil
	}
	sc, ok, err := s.store.Resume(c.Context(), s.target, s.roots)
	if err != nil || !ok {
		if err == nil {
			err = s.begin(c, rep)
		}
		return err
	}
	s.scan = sc
	return nil
}

// accept removes the findings the baseline accepts.
func (s *schedule) accept(fs []model.Finding) []model.Finding {
	if s == nil || s.base == nil || len(fs) == 0 {
		return fs
	}
	r := s.base.Apply(fs, s.roots, time.Now())
	s.suppressed += r.Suppressed
	for _, e := range r.Expired {
		if !s.seen[e.String()] {
			s.seen[e.String()] = true
			s.expired = append(s.expired, e.String())
		}
	}
	return r.Kept
}

func (s *schedule) record(r *model.Resource, fs []model.Finding) error {
	if s == nil || s.scan == nil {
		return nil
	}
	return s.scan.Resource(r, fs)
}

// finish marks the scan finished in the history and puts what changed since
// the last complete scan, and what the baseline did, into the report.
func (s *schedule) finish(ctx context.Context, rep *model.Report) error {
	if s == nil {
		return nil
	}
	if s.base != nil {
		rep.Baseline = &model.BaselineUse{File: s.base.Path, Suppressed: s.suppressed, Expired: s.expired}
	}
	if s.scan == nil {
		return nil
	}
	if err := s.scan.Finish(rep); err != nil {
		return fmt.Errorf("history: %w", err)
	}
	prev, err := s.store.Previous(ctx, s.target, s.scan.ID)
	if err != nil && !errors.Is(err, history.ErrNoHistory) {
		return err
	}
	c, err := s.store.Changes(ctx, prev, s.scan.ID)
	if err != nil {
		return err
	}
	if !rep.Scan.Complete {
		// Unknown is not absent: what an interrupted scan did not reach was
		// not fixed.
		c.Fixed = 0
	}
	rep.Changes = &model.Changes{Scan: s.scan.ID, PreviousScan: prev, New: c.New, Fixed: c.Fixed, Unchanged: c.Unchanged, Alerts: c.Alerts, NewAlerts: c.AlertCount}
	return nil
}

// notify posts the report's new alerts (new warnings and violations; a new
// info finding wakes nobody) to the webhook, if there are any.
func (s *schedule) notify(rep *model.Report, reportPath string) error {
	c := rep.Changes
	if s == nil || s.flags.notify == "" || c == nil || c.NewAlerts == 0 {
		return nil
	}
	fs := make([]notify.Finding, len(c.Alerts))
	for i, f := range c.Alerts {
		fs[i] = notify.Finding{Rule: f.Rule, Severity: string(f.Severity), Location: f.Location, Message: f.Message}
	}
	m := notify.Build(s.target, c.Scan, c.PreviousScan, rep.Scan.Complete, fs, c.NewAlerts, c.Fixed, c.Unchanged, reportPath)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	if err := notify.Post(ctx, s.flags.notify, m, notify.Options{UserAgent: "aiaudit/" + version()}); err != nil {
		return fmt.Errorf("the report was written, but the notification failed: %w", err)
	}
	return nil
}

func (s *schedule) close() {
	if s == nil {
		return
	}
	if s.store != nil {
		s.store.Close()
	}
	s.lock.Unlock()
}
