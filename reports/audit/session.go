package audit

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"github.com/aiaudit/aiaudit/reports/baseline"
	"github.com/aiaudit/aiaudit/reports/history"
	"github.com/aiaudit/aiaudit/reports/i18n"
	"github.com/aiaudit/aiaudit/reports/model"
	"github.com/aiaudit/aiaudit/reports/notify"
)

// Session is a scan's part in the history: its target's lock, the open
// database and the scan being recorded, the baseline and what it did.
type Session struct {
	opt        HistoryOptions
	version    string
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

// DBPath is the history database a run uses: the one given, or the default.
// Where there is no default (no $HOME), the error names the flags that help.
func DBPath(db string) (string, error) {
	if db != "" {
		return db, nil
	}
	path, err := history.DefaultPath()
	if err != nil {
		return "", fmt.Errorf("%w (--db FILE chooses the database, --no-history scans without one)", err)
	}
	return path, nil
}

// OpenSession takes the target's lock (an overlapping run stops here with
// history.ErrLocked), opens the history and reads the baseline. Nothing is
// written before all three succeeded.
func OpenSession(command string, targets []string, opt HistoryOptions, failOn, version string) (*Session, error) {
	base, err := opt.check(failOn)
	if err != nil {
		return nil, err
	}
	s := &Session{opt: opt, version: version, roots: targets, target: history.Target(command, canonical(command, targets)), seen: map[string]bool{}, base: base}
	path, err := DBPath(opt.DB)
	if err != nil && !opt.Off {
		return nil, err
	}
	const hint = "--db chooses another file, --no-history scans without one"
	if path == "" {
		// No history and no directory to lock in (no $HOME): as below,
		// the run goes ahead unlocked.
		return s, nil
	}
	if s.lock, err = history.LockTarget(filepath.Join(filepath.Dir(path), "locks"), s.target); err != nil {
		switch {
		case errors.Is(err, history.ErrLocked):
			return nil, err
		case !opt.Off:
			return nil, fmt.Errorf("lock for %s: %w (%s)", s.target, err, hint)
		}
		// Without history the lock only guards against overlapping runs:
		// where no lock file can be made (a read-only home), scan anyway.
		s.lock = nil
	}
	if !opt.Off {
		if s.store, err = history.Open(path); err != nil {
			s.lock.Unlock()
			return nil, fmt.Errorf("%w (%s)", err, hint)
		}
	}
	return s, nil
}

// Validate checks the history options of a scan that fails on failOn ("" for
// none), every problem a FlagError: what OpenSession would refuse, without
// taking a lock or opening the database.
func (h HistoryOptions) Validate(failOn string) error {
	_, err := h.check(failOn)
	return err
}

// check is Validate, returning the baseline it read.
func (h HistoryOptions) check(failOn string) (*baseline.File, error) {
	var errs []error
	if failOn == "new" && h.Off {
		errs = append(errs, &FlagError{Flag: "fail-on", With: []string{"no-history"},
			Err: i18n.Errorf("--fail-on new compares with the last scan: it needs history (drop --no-history)")})
	}
	if h.Notify != "" && h.Off {
		errs = append(errs, &FlagError{Flag: "notify", With: []string{"no-history"},
			Err: i18n.Errorf("--notify reports new findings: it needs history (drop --no-history)")})
	}
	if h.Notify != "" {
		if _, err := notify.CheckURL(h.Notify); err != nil {
			errs = append(errs, &FlagError{Flag: "notify", Err: i18n.Errorf("--notify: %v", err)})
		}
	}
	var base *baseline.File
	if h.Baseline != "" {
		b, err := baseline.Load(h.Baseline)
		if err != nil {
			errs = append(errs, &FlagError{Flag: "baseline", Err: i18n.Errorf("--baseline: %v", err)})
		}
		base = b
	}
	return base, errors.Join(errs...)
}

// baselineOnly is the part of a session a re-render needs: it is not a
// scan, so it takes no lock and writes no history.
func baselineOnly(path string, roots []string) (*Session, error) {
	if path == "" {
		return nil, nil
	}
	b, err := HistoryOptions{Baseline: path}.check("")
	if err != nil {
		return nil, err
	}
	return &Session{base: b, roots: roots, seen: map[string]bool{}}, nil
}

// canonical names targets so that the same target has one name, for its
// lock and its history: file targets absolute (the same folder from any
// working directory), crawl start URLs normalised (scheme and host in lower
// case, no default port, "/" for an empty path: http://X and http://x/ are
// one site). URL lists are named by urlTargets.
func canonical(command string, targets []string) []string {
	out := make([]string, len(targets))
	for i, t := range targets {
		switch command {
		case "files":
			if abs, err := filepath.Abs(t); err == nil {
				t = abs
			}
		case "crawl":
			t = canonicalURL(t)
		}
		out[i] = t
	}
	return out
}

func canonicalURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return raw
	}
	u.Scheme, u.Host = strings.ToLower(u.Scheme), strings.ToLower(u.Host)
	if port := u.Port(); (u.Scheme == "http" && port == "80") || (u.Scheme == "https" && port == "443") {
		u.Host = u.Hostname()
	}
	if u.Path == "" {
		u.Path = "/"
	}
	u.Fragment = ""
	return u.String()
}

// Begin records the scan's start with the settings it ran with, or with
// Resume continues the target's interrupted scan when there is one.
func (s *Session) Begin(ctx context.Context, rep *model.Report) error {
	if s == nil || s.store == nil {
		return nil
	}
	if s.opt.Resume {
		sc, ok, err := s.store.Resume(ctx, s.target, s.roots)
		if err != nil {
			return err
		}
		if ok {
			s.scan = sc
			return nil
		}
	}
	settings := map[string]string{}
	for k, v := range s.opt.Settings {
		settings[k] = v
	}
	if hook, ok := settings["notify"]; ok {
		settings["notify"] = notify.Redact(hook) // its secret is in the path
	}
	var err error
	s.scan, err = s.store.Begin(rep, s.target, settings)
	return err
}

// accept removes the findings the baseline accepts; the history keeps them
// as accepted, so they are neither fixed now nor new when the entry expires.
func (s *Session) accept(fs []model.Finding) ([]model.Finding, error) {
	if s == nil || s.base == nil || len(fs) == 0 {
		return fs, nil
	}
	r := s.base.Apply(fs, s.roots, time.Now())
	s.suppressed += r.Suppressed
	for _, e := range r.Expired {
		if !s.seen[e.String()] {
			s.seen[e.String()] = true
			s.expired = append(s.expired, e.String())
		}
	}
	if s.scan != nil && len(r.Accepted) > 0 {
		if err := s.scan.Accepted(r.Accepted); err != nil {
			return nil, fmt.Errorf("history: %w", err)
		}
	}
	return r.Kept, nil
}

// Record writes a resource (nil for findings about one written before) and
// its findings into the history.
func (s *Session) Record(r *model.Resource, fs []model.Finding) error {
	if s == nil || s.scan == nil {
		return nil
	}
	if err := s.scan.Resource(r, fs); err != nil {
		return fmt.Errorf("history: %w", err)
	}
	return nil
}

// Finish marks the scan finished in the history and puts what changed since
// the last complete scan, and what the baseline did, into the report.
func (s *Session) Finish(ctx context.Context, rep *model.Report) error {
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
	rep.Changes = &model.Changes{Scan: s.scan.ID, PreviousScan: prev, New: c.New, Fixed: c.Fixed, Unchanged: c.Unchanged,
		Accepted: c.Accepted, NotRechecked: c.NotRechecked, Alerts: c.Alerts, NewAlerts: c.AlertCount}
	return nil
}

// notify posts the report's new alerts (new warnings and violations; a new
// info finding wakes nobody) to the webhook, if there are any.
func (s *Session) notify(rep *model.Report, reportPath string) error {
	c := rep.Changes
	if s == nil || s.opt.Notify == "" || c == nil || c.NewAlerts == 0 {
		return nil
	}
	fs := make([]notify.Finding, len(c.Alerts))
	for i, f := range c.Alerts {
		fs[i] = notify.Finding{Rule: f.Rule, Severity: string(f.Severity), Location: f.Location, Message: f.Message}
	}
	// The text speaks the scan's language, whatever the report's format:
	// the message is for people.
	m := notify.Build(i18n.For(rep.Lang), s.target, c.Scan, c.PreviousScan, rep.Scan.Complete, fs, c.NewAlerts, c.Fixed, c.Unchanged, reportPath).WithHeldBack(c.Accepted, c.NotRechecked)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	if err := notify.Post(ctx, s.opt.Notify, m, notify.Options{UserAgent: "aiaudit/" + s.version}); err != nil {
		return fmt.Errorf("the report was written, but the notification failed: %w", err)
	}
	return nil
}

// Close releases the database and the target's lock.
func (s *Session) Close() {
	if s == nil {
		return
	}
	if s.store != nil {
		s.store.Close()
	}
	s.lock.Unlock()
}
