// Package history stores every scan in an embedded SQLite database (pure Go,
// no cgo) so that nightly runs can say what is new, what was fixed and what
// is unchanged. Schema changes are versioned migrations; a database written
// by a newer aiaudit is refused, never rewritten.
package history

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	_ "modernc.org/sqlite" // the pure-Go SQLite driver, registered as "sqlite"

	"github.com/aiaudit/aiaudit/reports"
)

// migrations[i] brings the schema from version i to i+1.
var migrations = []string{
	`CREATE TABLE scans (
		id INTEGER PRIMARY KEY,
		target TEXT NOT NULL,
		command TEXT NOT NULL,
		started TEXT NOT NULL,
		finished TEXT,
		complete INTEGER NOT NULL DEFAULT 0,
		settings TEXT NOT NULL DEFAULT '{}',
		summary TEXT,
		exposure TEXT
	);
	CREATE INDEX scans_target ON scans(target, id);
	CREATE TABLE resources (
		scan_id INTEGER NOT NULL REFERENCES scans(id) ON DELETE CASCADE,
		location TEXT NOT NULL,
		kind TEXT, media_type TEXT,
		digest TEXT,
		ai INTEGER, machine_readable INTEGER, opt_out INTEGER,
		error TEXT,
		evidence TEXT
	);
	CREATE INDEX resources_scan ON resources(scan_id);
	CREATE TABLE findings (
		scan_id INTEGER NOT NULL REFERENCES scans(id) ON DELETE CASCADE,
		key TEXT NOT NULL,
		rule TEXT NOT NULL, severity TEXT NOT NULL,
		location TEXT NOT NULL, content TEXT NOT NULL DEFAULT '',
		message TEXT NOT NULL
	);
	CREATE INDEX findings_scan ON findings(scan_id, key);`,
}

// Store is an open history database.
type Store struct {
	db *sql.DB
}

// DefaultPath is the database under the user's data directory:
// $XDG_DATA_HOME/aiaudit/history.db, or ~/.local/share/aiaudit/history.db.
func DefaultPath() (string, error) {
	dir := os.Getenv("XDG_DATA_HOME")
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", err
		}
		dir = filepath.Join(home, ".local", "share")
	}
	return filepath.Join(dir, "aiaudit", "history.db"), nil
}

// Open opens (creating if needed) the database at path and migrates it.
func Open(path string) (*Store, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	// The busy timeout lets a reader wait for a writer instead of failing.
	dsn := "file:" + path + "?_pragma=busy_timeout(5000)&_pragma=foreign_keys(1)"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	s := &Store{db: db}
	if err := s.migrate(); err != nil {
		db.Close()
		return nil, fmt.Errorf("history database %s: %w", path, err)
	}
	return s, nil
}

func (s *Store) migrate() error {
	var v int
	if err := s.db.QueryRow(`PRAGMA user_version`).Scan(&v); err != nil {
		return fmt.Errorf("not a readable SQLite database: %w", err)
	}
	if v > len(migrations) {
		return fmt.Errorf("written by a newer aiaudit (schema %d; this one knows up to %d): left untouched", v, len(migrations))
	}
	// WAL keeps the file consistent when a scan is killed mid-write. Set only
	// now: it rewrites the file header, and a newer database stays untouched.
	if _, err := s.db.Exec(`PRAGMA journal_mode = WAL`); err != nil {
		return err
	}
	for ; v < len(migrations); v++ {
		tx, err := s.db.Begin()
		if err != nil {
			return err
		}
		if _, err := tx.Exec(migrations[v]); err != nil {
			tx.Rollback()
			return fmt.Errorf("migration %d: %w", v+1, err)
		}
		if _, err := tx.Exec(fmt.Sprintf(`PRAGMA user_version = %d`, v+1)); err != nil {
			tx.Rollback()
			return err
		}
		if err := tx.Commit(); err != nil {
			return err
		}
	}
	return nil
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// Check runs SQLite's integrity check.
func (s *Store) Check() error {
	var res string
	if err := s.db.QueryRow(`PRAGMA integrity_check`).Scan(&res); err != nil {
		return err
	}
	if res != "ok" {
		return fmt.Errorf("integrity check: %s", res)
	}
	return nil
}

// Target is the key scans are grouped by: the command and its sorted targets.
func Target(command string, targets []string) string {
	t := append([]string(nil), targets...)
	sort.Strings(t)
	return command + " " + strings.Join(t, " ")
}

// Scan is a scan being recorded. Rows are buffered and written in batches,
// each in its own transaction, so the connection is never held between
// batches; a scan killed before Finish stays marked incomplete and keeps the
// batches it had written.
type Scan struct {
	ID      int64
	store   *Store
	roots   []string
	pending []func(*sql.Tx) error
	flushed time.Time
}

// Begin records the start of a scan of target (see Target).
func (s *Store) Begin(rep *reports.Report, target string, settings any) (*Scan, error) {
	set, err := json.Marshal(settings)
	if err != nil {
		return nil, err
	}
	res, err := s.db.Exec(`INSERT INTO scans(target, command, started, settings) VALUES (?, ?, ?, ?)`,
		target, rep.Scan.Command, rep.Scan.Started.Format(time.RFC3339Nano), string(set))
	if err != nil {
		return nil, err
	}
	id, err := res.LastInsertId()
	if err != nil {
		return nil, err
	}
	return &Scan{ID: id, store: s, roots: rep.Scan.Targets, flushed: time.Now()}, nil
}

// A batch is written when it has this many rows or is this old, so a slow
// crawl that is killed still leaves what it had found in the history.
const (
	batch    = 500
	batchAge = time.Second
)

// Resource records a resource and its findings.
func (sc *Scan) Resource(r *reports.Resource, fs []reports.Finding) error {
	if r != nil {
		ev, err := json.Marshal(struct {
			AI     any `json:"ai"`
			Label  any `json:"label"`
			OptOut any `json:"opt_out"`
		}{r.AIEvidence, r.Labelled.Evidence, r.OptOutEvidence})
		if err != nil {
			return err
		}
		var optOut any
		if r.TrainingOptOut != nil {
			optOut = *r.TrainingOptOut
		}
		row := []any{sc.ID, r.Location, r.Kind, r.MediaType, r.Digest, r.AIGenerated, r.Labelled.MachineReadable, optOut, r.Error, string(ev)}
		sc.pending = append(sc.pending, func(tx *sql.Tx) error {
			_, err := tx.Exec(`INSERT INTO resources(scan_id, location, kind, media_type, digest, ai, machine_readable, opt_out, error, evidence) VALUES (?,?,?,?,?,?,?,?,?,?)`, row...)
			return err
		})
	}
	for _, f := range fs {
		row := []any{sc.ID, Key(f, sc.roots), f.Rule, string(f.Severity), f.Location, f.Content, f.Message}
		sc.pending = append(sc.pending, func(tx *sql.Tx) error {
			_, err := tx.Exec(`INSERT INTO findings(scan_id, key, rule, severity, location, content, message) VALUES (?,?,?,?,?,?,?)`, row...)
			return err
		})
	}
	if len(sc.pending) >= batch || time.Since(sc.flushed) >= batchAge {
		return sc.flush()
	}
	return nil
}

func (sc *Scan) flush() error {
	if len(sc.pending) == 0 {
		return nil
	}
	tx, err := sc.store.db.Begin()
	if err != nil {
		return err
	}
	for _, w := range sc.pending {
		if err := w(tx); err != nil {
			tx.Rollback()
			return err
		}
	}
	sc.pending = sc.pending[:0]
	sc.flushed = time.Now()
	return tx.Commit()
}

// Finish writes what is left and marks the scan finished; it is complete
// only when the report is.
func (sc *Scan) Finish(rep *reports.Report) error {
	if err := sc.flush(); err != nil {
		return err
	}
	sum, err := json.Marshal(rep.Summary)
	if err != nil {
		return err
	}
	exp, err := json.Marshal(rep.Exposure)
	if err != nil {
		return err
	}
	_, err = sc.store.db.Exec(`UPDATE scans SET finished = ?, complete = ?, summary = ?, exposure = ? WHERE id = ?`,
		rep.Scan.Finished.Format(time.RFC3339Nano), rep.Scan.Complete, string(sum), string(exp), sc.ID)
	return err
}

// Key is a finding's identity at its place: the rule and the location with
// query strings and fragments removed (a cache-busting parameter or an
// anchor does not make an old finding new) and file paths made relative to
// the scanned folder (a baseline survives moving the folder), plus the
// content digest, so a different picture at an old address is a new finding.
func Key(f reports.Finding, roots []string) string {
	return f.Rule + "|" + Place(f.Location, roots) + "|" + f.Content
}

// Place is a location stripped of what does not change what it points at.
// Crawl locations read "ITEM on PAGE"; declared text adds " [selector #n]".
func Place(loc string, roots []string) string {
	parts := strings.Split(loc, " on ")
	for i, p := range parts {
		parts[i] = placeOf(p, roots)
	}
	return strings.Join(parts, " on ")
}

func placeOf(s string, roots []string) string {
	head, sel, hasSel := strings.Cut(s, " [")
	if u, err := url.Parse(head); err == nil && u.Host != "" {
		u.RawQuery, u.ForceQuery, u.Fragment, u.RawFragment = "", false, "", ""
		head = u.String()
	} else {
		head = relative(head, roots)
	}
	if hasSel {
		return head + " [" + sel
	}
	return head
}

// relative makes a scanned file's path relative to the root it was found
// under (the root's own name kept, so two roots stay apart).
func relative(p string, roots []string) string {
	for _, r := range roots {
		r = filepath.Clean(r)
		if rel, err := filepath.Rel(filepath.Dir(r), p); err == nil && (p == r || strings.HasPrefix(p, r+string(filepath.Separator))) {
			return filepath.ToSlash(rel)
		}
	}
	return filepath.ToSlash(p)
}

// ScanInfo is one row of the history.
type ScanInfo struct {
	ID       int64  `json:"id"`
	Target   string `json:"target"`
	Started  string `json:"started"`
	Finished string `json:"finished"`
	Complete bool   `json:"complete"`
	Findings int    `json:"findings"`
}

// Scans lists the scans of a target (all targets when target is ""), newest
// first.
func (s *Store) Scans(ctx context.Context, target string) ([]ScanInfo, error) {
	q := `SELECT s.id, s.target, s.started, COALESCE(s.finished, ''), s.complete, (SELECT COUNT(*) FROM findings f WHERE f.scan_id = s.id) FROM scans s`
	args := []any{}
	if target != "" {
		q += ` WHERE s.target = ?`
		args = append(args, target)
	}
	rows, err := s.db.QueryContext(ctx, q+` ORDER BY s.id DESC`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ScanInfo
	for rows.Next() {
		var si ScanInfo
		if err := rows.Scan(&si.ID, &si.Target, &si.Started, &si.Finished, &si.Complete, &si.Findings); err != nil {
			return nil, err
		}
		out = append(out, si)
	}
	return out, rows.Err()
}

// ErrNoHistory says there is nothing to compare with.
var ErrNoHistory = errors.New("no earlier complete scan of this target")

// Previous returns the newest complete scan of target before id.
func (s *Store) Previous(ctx context.Context, target string, id int64) (int64, error) {
	var prev int64
	err := s.db.QueryRowContext(ctx, `SELECT id FROM scans WHERE target = ? AND id < ? AND complete = 1 ORDER BY id DESC LIMIT 1`, target, id).Scan(&prev)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, ErrNoHistory
	}
	return prev, err
}

// Latest returns the two newest complete scans of target (of the most
// recently scanned target when target is ""), for a diff without arguments.
func (s *Store) Latest(ctx context.Context, target string) (old, new int64, err error) {
	if target == "" {
		err = s.db.QueryRowContext(ctx, `SELECT target FROM scans WHERE complete = 1 ORDER BY id DESC LIMIT 1`).Scan(&target)
		if errors.Is(err, sql.ErrNoRows) {
			return 0, 0, errors.New("the history holds no complete scan yet")
		}
		if err != nil {
			return 0, 0, err
		}
	}
	err = s.db.QueryRowContext(ctx, `SELECT id FROM scans WHERE target = ? AND complete = 1 ORDER BY id DESC LIMIT 1`, target).Scan(&new)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, 0, fmt.Errorf("no complete scan of %q in the history", target)
	}
	if err != nil {
		return 0, 0, err
	}
	old, err = s.Previous(ctx, target, new)
	return old, new, err
}

// ScanTarget returns a scan's target, or an error naming the id when the
// history has no such scan.
func (s *Store) ScanTarget(ctx context.Context, id int64) (string, error) {
	var t string
	err := s.db.QueryRowContext(ctx, `SELECT target FROM scans WHERE id = ?`, id).Scan(&t)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("no scan %d in the history (see aiaudit history)", id)
	}
	return t, err
}

type stored struct {
	key string
	f   reports.Finding
}

func (s *Store) findings(ctx context.Context, id int64) ([]stored, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT key, rule, severity, location, content, message FROM findings WHERE scan_id = ? ORDER BY rowid`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []stored
	for rows.Next() {
		var st stored
		var sev string
		if err := rows.Scan(&st.key, &st.f.Rule, &sev, &st.f.Location, &st.f.Content, &st.f.Message); err != nil {
			return nil, err
		}
		st.f.Severity = reports.Severity(sev)
		out = append(out, st)
	}
	return out, rows.Err()
}

// Compare diffs the findings of two scans.
func (s *Store) Compare(ctx context.Context, oldID, newID int64) (*reports.Diff, error) {
	target, err := s.ScanTarget(ctx, newID)
	if err != nil {
		return nil, err
	}
	// Old scan 0 is "nothing before": the first scan's findings are all new.
	var oldF []stored
	if oldID != 0 {
		if _, err := s.ScanTarget(ctx, oldID); err != nil {
			return nil, err
		}
		if oldF, err = s.findings(ctx, oldID); err != nil {
			return nil, err
		}
	}
	newF, err := s.findings(ctx, newID)
	if err != nil {
		return nil, err
	}
	d := match(oldF, newF)
	d.Target, d.Old, d.New = target, oldID, newID
	return d, nil
}

// DiffReports diffs two saved scan reports (JSON files) the way Compare
// diffs two scans in the database.
func DiffReports(old, new *reports.Report) *reports.Diff {
	keyed := func(r *reports.Report) []stored {
		out := make([]stored, len(r.Findings))
		for i, f := range r.Findings {
			out[i] = stored{Key(f, r.Scan.Targets), f}
		}
		return out
	}
	d := match(keyed(old), keyed(new))
	d.Target = Target(new.Scan.Command, new.Scan.Targets)
	return d
}

// match pairs findings in two passes: first by key (same rule, place and
// content), then, among those left, by rule and content alone, so an item
// that moved to a new address is unchanged rather than fixed-and-new. A
// finding without content (a page-level one) matches only by key.
func match(old, new []stored) *reports.Diff {
	d := &reports.Diff{Schema: reports.DiffSchema, NewF: []reports.Finding{}, Fixed: []reports.Finding{}, Unchanged: []reports.Finding{}}
	oldByKey := map[string][]int{}
	for i, o := range old {
		oldByKey[o.key] = append(oldByKey[o.key], i)
	}
	used := make([]bool, len(old))
	matched := make([]bool, len(new))
	take := func(idx []int) bool {
		for _, i := range idx {
			if !used[i] {
				used[i] = true
				return true
			}
		}
		return false
	}
	for j, n := range new {
		matched[j] = take(oldByKey[n.key])
	}
	oldByContent := map[string][]int{}
	for i, o := range old {
		if !used[i] && o.f.Content != "" {
			k := o.f.Rule + "|" + o.f.Content
			oldByContent[k] = append(oldByContent[k], i)
		}
	}
	for j, n := range new {
		if !matched[j] && n.f.Content != "" {
			matched[j] = take(oldByContent[n.f.Rule+"|"+n.f.Content])
		}
	}
	for j, n := range new {
		f := n.f
		if matched[j] {
			f.Change = "unchanged"
			d.Unchanged = append(d.Unchanged, f)
		} else {
			f.Change = "new"
			d.NewF = append(d.NewF, f)
		}
	}
	for i, o := range old {
		if !used[i] {
			f := o.f
			f.Change = "fixed"
			d.Fixed = append(d.Fixed, f)
		}
	}
	return d
}

// Prune keeps the newest keep scans of every target and deletes the rest.
func (s *Store) Prune(ctx context.Context, keep int) (int64, error) {
	if keep < 1 {
		return 0, fmt.Errorf("--keep must be at least 1")
	}
	res, err := s.db.ExecContext(ctx, `DELETE FROM scans WHERE id IN (
		SELECT id FROM (SELECT id, ROW_NUMBER() OVER (PARTITION BY target ORDER BY id DESC) AS n FROM scans) WHERE n > ?)`, keep)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
