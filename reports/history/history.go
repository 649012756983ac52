// Package history stores every scan in an embedded SQLite database (pure Go,
// no cgo) so that nightly runs can say what is new, what was fixed and what
// is unchanged. Schema changes are versioned migrations; a database written
// by a newer aiaudit is refused, never rewritten.
package history

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
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

// busyTimeout is how long a write waits for another program's lock on the
// database before giving up with a clear error.
const busyTimeout = 5 * time.Second

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
	dsn := "file:" + path + fmt.Sprintf("?_pragma=busy_timeout(%d)", busyTimeout.Milliseconds()) + "&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_pragma=cache_size(-4096)&_pragma=temp_store(MEMORY)"
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
	pending rows // waiting for the next batch
	flushed time.Time

	// Batches are written by one goroutine while the scan goes on, so a
	// fast scan (a URL list) does not wait for SQLite between batches.
	batches chan rows
	writing sync.WaitGroup
	errMu   sync.Mutex
	err     error
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
		if strings.Contains(err.Error(), "SQLITE_BUSY") || strings.Contains(err.Error(), "database is locked") {
			return nil, fmt.Errorf("history database is busy: another program holds a write lock on it (waited %s): %w", busyTimeout, err)
		}
		return nil, err
	}
	id, err := res.LastInsertId()
	if err != nil {
		return nil, err
	}
	return &Scan{ID: id, store: s, roots: rep.Scan.Targets, flushed: time.Now()}, nil
}

// Resume continues the newest scan of target when it is incomplete (a run
// that was interrupted and is resumed), so the history holds one scan, not
// two halves; ok is false when there is nothing to continue.
func (s *Store) Resume(ctx context.Context, target string, roots []string) (sc *Scan, ok bool, err error) {
	var id int64
	var complete bool
	err = s.db.QueryRowContext(ctx, `SELECT id, complete FROM scans WHERE target = ? ORDER BY id DESC LIMIT 1`, target).Scan(&id, &complete)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && complete) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return &Scan{ID: id, store: s, roots: roots, flushed: time.Now()}, true, nil
}

// A batch is written when it has this many rows or is this old, so a slow
// crawl that is killed still leaves what it had found in the history.
const (
	batch    = 2000
	batchAge = time.Second
)

// Resource records a resource (nil for findings about an item already
// recorded) and its findings.
func (sc *Scan) Resource(r *reports.Resource, fs []reports.Finding) error {
	// Rows are turned into SQL arguments by the writer goroutine: the
	// caller is a scan's single, ordered output path.
	if r != nil {
		sc.pending.resources = append(sc.pending.resources, *r)
	}
	sc.pending.findings = append(sc.pending.findings, fs...)
	if len(sc.pending.resources)+len(sc.pending.findings) >= batch || time.Since(sc.flushed) >= batchAge {
		return sc.send()
	}
	return nil
}

// rows is one batch waiting to be written.
type rows struct {
	resources []reports.Resource
	findings  []reports.Finding
}

func (sc *Scan) resourceArgs(r *reports.Resource) ([]any, error) {
	ev, err := json.Marshal(struct {
		AI     any `json:"ai,omitempty"`
		Label  any `json:"label,omitempty"`
		OptOut any `json:"opt_out,omitempty"`
	}{r.AIEvidence, r.Labelled.Evidence, r.OptOutEvidence})
	if err != nil {
		return nil, err
	}
	var optOut any
	if r.TrainingOptOut != nil {
		optOut = *r.TrainingOptOut
	}
	return []any{sc.ID, r.Location, r.Kind, r.MediaType, r.Digest, r.AIGenerated, r.Labelled.MachineReadable, optOut, r.Error, string(ev)}, nil
}

// send hands the rows gathered so far to the writer.
func (sc *Scan) send() error {
	if err := sc.writeErr(); err != nil {
		return err
	}
	if len(sc.pending.resources)+len(sc.pending.findings) == 0 {
		return nil
	}
	if sc.batches == nil {
		sc.batches = make(chan rows, 2)
		go sc.writer()
	}
	sc.writing.Add(1)
	sc.batches <- sc.pending
	sc.pending = rows{}
	sc.flushed = time.Now()
	return nil
}

// flush writes everything gathered so far and waits until it is stored.
func (sc *Scan) flush() error {
	if err := sc.send(); err != nil {
		return err
	}
	sc.writing.Wait()
	return sc.writeErr()
}

func (sc *Scan) writer() {
	for b := range sc.batches {
		if sc.writeErr() == nil {
			if err := sc.write(b); err != nil {
				sc.errMu.Lock()
				sc.err = err
				sc.errMu.Unlock()
			}
		}
		sc.writing.Done()
	}
}

func (sc *Scan) writeErr() error {
	sc.errMu.Lock()
	defer sc.errMu.Unlock()
	return sc.err
}

// write stores one batch in one transaction.
func (sc *Scan) write(b rows) error {
	resources := make([][]any, len(b.resources))
	for i := range b.resources {
		args, err := sc.resourceArgs(&b.resources[i])
		if err != nil {
			return err
		}
		resources[i] = args
	}
	findings := make([][]any, len(b.findings))
	for i, f := range b.findings {
		findings[i] = []any{sc.ID, keyHash(Key(f, sc.roots)), f.Rule, string(f.Severity), f.Location, f.Content, f.Message}
	}
	tx, err := sc.store.db.Begin()
	if err != nil {
		return err
	}
	if err := insertRows(tx, `INSERT INTO resources(scan_id, location, kind, media_type, digest, ai, machine_readable, opt_out, error, evidence) VALUES `, 10, resources); err != nil {
		tx.Rollback()
		return err
	}
	if err := insertRows(tx, `INSERT INTO findings(scan_id, key, rule, severity, location, content, message) VALUES `, 7, findings); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// rowsPerInsert rows go in one INSERT statement: the pure-Go SQLite pays
// per statement, and a multi-row VALUES list makes a batch several times
// cheaper to write.
const rowsPerInsert = 64

func insertRows(tx *sql.Tx, prefix string, cols int, rows [][]any) error {
	one := "(" + strings.TrimSuffix(strings.Repeat("?,", cols), ",") + ")"
	var full *sql.Stmt
	defer func() {
		if full != nil {
			full.Close()
		}
	}()
	for len(rows) > 0 {
		n := min(len(rows), rowsPerInsert)
		args := make([]any, 0, n*cols)
		for _, r := range rows[:n] {
			args = append(args, r...)
		}
		query := prefix + strings.TrimSuffix(strings.Repeat(one+",", n), ",")
		var err error
		if n == rowsPerInsert {
			if full == nil {
				if full, err = tx.Prepare(query); err != nil {
					return err
				}
			}
			_, err = full.Exec(args...)
		} else {
			_, err = tx.Exec(query, args...)
		}
		if err != nil {
			return err
		}
		rows = rows[n:]
	}
	return nil
}

// Finish writes what is left and marks the scan finished; it is complete
// only when the report is.
func (sc *Scan) Finish(rep *reports.Report) error {
	err := sc.flush()
	if sc.batches != nil {
		close(sc.batches)
		sc.batches = nil
	}
	if err != nil {
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

// keyHash is what the database stores of a key: fixed-size, so the index
// that diffs use stays small however long the URLs are.
func keyHash(k string) string {
	sum := sha256.Sum256([]byte(k))
	return hex.EncodeToString(sum[:16])
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
	if new, err = s.Newest(ctx, target); err != nil {
		return 0, 0, err
	}
	if target == "" {
		if target, err = s.ScanTarget(ctx, new); err != nil {
			return 0, 0, err
		}
	}
	old, err = s.Previous(ctx, target, new)
	return old, new, err
}

// Newest returns the newest complete scan of target (of any target when
// target is "").
func (s *Store) Newest(ctx context.Context, target string) (int64, error) {
	q, args := `SELECT id FROM scans WHERE complete = 1 ORDER BY id DESC LIMIT 1`, []any{}
	if target != "" {
		q, args = `SELECT id FROM scans WHERE target = ? AND complete = 1 ORDER BY id DESC LIMIT 1`, []any{target}
	}
	var id int64
	err := s.db.QueryRowContext(ctx, q, args...).Scan(&id)
	switch {
	case errors.Is(err, sql.ErrNoRows) && target == "":
		return 0, errors.New("the history holds no complete scan yet")
	case errors.Is(err, sql.ErrNoRows):
		return 0, fmt.Errorf("no complete scan of %q in the history", target)
	}
	return id, err
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

// Findings returns a scan's findings, once per identity, in the order found.
func (s *Store) Findings(ctx context.Context, id int64) ([]reports.Finding, error) {
	if _, err := s.ScanTarget(ctx, id); err != nil {
		return nil, err
	}
	// "Not sharing a key with scan 0" is every finding of the scan.
	sts, err := s.findingsWhere(ctx, id, 0, false)
	out := make([]reports.Finding, len(sts))
	for i, st := range sts {
		out[i] = st.f
	}
	return out, err
}

type stored struct {
	key string
	f   reports.Finding
}

// findingsWhere loads one scan's findings that do (or do not) share a key
// with the other scan, once per key: identical findings count once.
func (s *Store) findingsWhere(ctx context.Context, id, other int64, shared bool) ([]stored, error) {
	return s.findingsQuery(ctx, id, other, shared, "", -1)
}

// findingsQuery is findingsWhere with an extra condition on the rows and at
// most limit rows (-1: all).
func (s *Store) findingsQuery(ctx context.Context, id, other int64, shared bool, and string, limit int) ([]stored, error) {
	not := "NOT "
	if shared {
		not = ""
	}
	rows, err := s.db.QueryContext(ctx, `SELECT key, rule, severity, location, content, message FROM findings n
		WHERE n.scan_id = ? AND `+not+`EXISTS (SELECT 1 FROM findings o WHERE o.scan_id = ? AND o.key = n.key)`+and+` ORDER BY n.rowid LIMIT ?`, id, other, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []stored
	seen := map[string]bool{}
	for rows.Next() {
		var st stored
		var sev string
		if err := rows.Scan(&st.key, &st.f.Rule, &sev, &st.f.Location, &st.f.Content, &st.f.Message); err != nil {
			return nil, err
		}
		if seen[st.key] {
			continue
		}
		seen[st.key] = true
		st.f.Severity = reports.Severity(sev)
		out = append(out, st)
	}
	return out, rows.Err()
}

// Counts is what a report says about the previous scan: how many findings
// are new, fixed and unchanged, and the new ones that are warnings or worse
// (what --fail-on new and --notify act on).
type Counts struct {
	New, Fixed, Unchanged int
	// Alerts holds the first MaxAlerts of AlertCount alerts.
	Alerts     []reports.Finding
	AlertCount int
}

// MaxAlerts caps the alerts Changes loads: a first scan of a big site may
// have tens of thousands, and a notification shows a hundred.
const MaxAlerts = 100

// Changes counts what Compare lists without loading findings into memory:
// re-vetting a list of a million reserved URLs must not read a million rows
// to say "3 new". Only the first MaxAlerts alerts are read.
func (s *Store) Changes(ctx context.Context, oldID, newID int64) (Counts, error) {
	var c Counts
	var nNew, nOld, same int
	count := func(q string, dst *int, args ...any) error {
		return s.db.QueryRowContext(ctx, q, args...).Scan(dst)
	}
	if err := count(`SELECT COUNT(DISTINCT key) FROM findings WHERE scan_id = ?`, &nNew, newID); err != nil {
		return c, err
	}
	if err := count(`SELECT COUNT(DISTINCT key) FROM findings WHERE scan_id = ?`, &nOld, oldID); err != nil {
		return c, err
	}
	if err := count(`SELECT COUNT(DISTINCT key) FROM findings n WHERE n.scan_id = ?
		AND EXISTS (SELECT 1 FROM findings o WHERE o.scan_id = ? AND o.key = n.key)`, &same, newID, oldID); err != nil {
		return c, err
	}
	c.New, c.Fixed, c.Unchanged = nNew-same, nOld-same, same
	if c.New == 0 {
		return c, nil
	}
	if c.Fixed == 0 {
		// Nothing gone, so nothing moved: the counts stand, and only the
		// alerts are read (a first scan reads no info findings at all).
		const severe = ` AND n.severity IN ('warning', 'violation')`
		if err := count(`SELECT COUNT(DISTINCT key) FROM findings n WHERE n.scan_id = ? AND NOT EXISTS
			(SELECT 1 FROM findings o WHERE o.scan_id = ? AND o.key = n.key)`+severe, &c.AlertCount, newID, oldID); err != nil {
			return c, err
		}
		alerts, err := s.findingsQuery(ctx, newID, oldID, false, severe, MaxAlerts)
		for _, st := range alerts {
			st.f.Change = "new"
			c.Alerts = append(c.Alerts, st.f)
		}
		return c, err
	}
	// Both sides changed: the moved-item pass of Compare, in SQL. Within a
	// group of added findings with the same rule and content, the first ones
	// (in the order found) pair with the gone findings of that group; the
	// rest are new. SQLite does the grouping, so memory does not follow the
	// number of changes.
	const ranked = `WITH
		added AS (SELECT key, rule, content, severity, MIN(rowid) AS rid FROM findings n
			WHERE n.scan_id = ?1 AND NOT EXISTS (SELECT 1 FROM findings o WHERE o.scan_id = ?2 AND o.key = n.key)
			GROUP BY key),
		gone AS (SELECT rule, content, COUNT(DISTINCT key) AS c FROM findings n
			WHERE n.scan_id = ?2 AND n.content != '' AND NOT EXISTS (SELECT 1 FROM findings o WHERE o.scan_id = ?1 AND o.key = n.key)
			GROUP BY rule, content),
		ranked AS (SELECT a.rid, a.severity, a.content != '' AND
				ROW_NUMBER() OVER (PARTITION BY a.rule, a.content ORDER BY a.rid) <= COALESCE(g.c, 0) AS moved
			FROM added a LEFT JOIN gone g ON g.rule = a.rule AND g.content = a.content) `
	var moved int
	if err := s.db.QueryRowContext(ctx, ranked+`SELECT COALESCE(SUM(moved), 0),
		COALESCE(SUM(NOT moved AND severity IN ('warning', 'violation')), 0) FROM ranked`, newID, oldID).Scan(&moved, &c.AlertCount); err != nil {
		return c, err
	}
	c.New, c.Fixed, c.Unchanged = c.New-moved, c.Fixed-moved, c.Unchanged+moved
	rows, err := s.db.QueryContext(ctx, ranked+`SELECT f.rule, f.severity, f.location, f.content, f.message
		FROM ranked r JOIN findings f ON f.rowid = r.rid
		WHERE NOT r.moved AND r.severity IN ('warning', 'violation') ORDER BY r.rid LIMIT ?3`, newID, oldID, MaxAlerts)
	if err != nil {
		return c, err
	}
	defer rows.Close()
	for rows.Next() {
		f := reports.Finding{Change: "new"}
		var sev string
		if err := rows.Scan(&f.Rule, &sev, &f.Location, &f.Content, &f.Message); err != nil {
			return c, err
		}
		f.Severity = reports.Severity(sev)
		c.Alerts = append(c.Alerts, f)
	}
	return c, rows.Err()
}

// Compare lists the findings of scan newID that are new, fixed and unchanged
// since scan oldID (0: nothing before, every finding is new).
//
// It matches findings in two passes: by key (same rule, place and
// content) in SQL, then, among those left on both sides, by rule and content
// alone, so an item that moved to a new address is unchanged rather than
// fixed-and-new. A finding without content (a page-level one) matches only
// by key.
func (s *Store) Compare(ctx context.Context, oldID, newID int64) (*reports.Diff, error) {
	target, err := s.ScanTarget(ctx, newID)
	if err != nil {
		return nil, err
	}
	if oldID != 0 {
		if _, err := s.ScanTarget(ctx, oldID); err != nil {
			return nil, err
		}
	}
	added, err := s.findingsWhere(ctx, newID, oldID, false)
	if err != nil {
		return nil, err
	}
	gone, err := s.findingsWhere(ctx, oldID, newID, false)
	if err != nil {
		return nil, err
	}
	same, err := s.findingsWhere(ctx, newID, oldID, true)
	if err != nil {
		return nil, err
	}
	d := assemble(added, gone, same)
	d.Target, d.Old, d.New = target, oldID, newID
	return d, nil
}

// DiffReports diffs two saved scan reports (JSON files) the way Compare
// diffs two scans in the database.
func DiffReports(old, new *reports.Report) *reports.Diff {
	keys := func(r *reports.Report) map[string]bool {
		m := map[string]bool{}
		for _, f := range r.Findings {
			m[Key(f, r.Scan.Targets)] = true
		}
		return m
	}
	// split is findingsWhere for a saved report.
	split := func(r *reports.Report, other map[string]bool, shared bool) []stored {
		var out []stored
		seen := map[string]bool{}
		for _, f := range r.Findings {
			k := Key(f, r.Scan.Targets)
			if !seen[k] && other[k] == shared {
				seen[k] = true
				out = append(out, stored{k, f})
			}
		}
		return out
	}
	oldKeys, newKeys := keys(old), keys(new)
	d := assemble(split(new, oldKeys, false), split(old, newKeys, false), split(new, oldKeys, true))
	d.Target = Target(new.Scan.Command, new.Scan.Targets)
	return d
}

// assemble builds a diff from the findings only in the new scan (added),
// only in the old one (gone) and in both (same). Among added and gone, those
// with the same rule and content are one item that moved: unchanged.
func assemble(added, gone, same []stored) *reports.Diff {
	d := &reports.Diff{Schema: reports.DiffSchema, NewF: []reports.Finding{}, Fixed: []reports.Finding{}, Unchanged: []reports.Finding{}}
	for _, st := range same {
		st.f.Change = "unchanged"
		d.Unchanged = append(d.Unchanged, st.f)
	}
	byContent := map[string][]int{}
	for i, o := range gone {
		if o.f.Content != "" {
			k := o.f.Rule + "|" + o.f.Content
			byContent[k] = append(byContent[k], i)
		}
	}
	used := make([]bool, len(gone))
	for _, st := range added {
		f := st.f
		k := f.Rule + "|" + f.Content
		if idx := byContent[k]; f.Content != "" && len(idx) > 0 {
			used[idx[0]], byContent[k] = true, idx[1:]
			f.Change = "unchanged"
			d.Unchanged = append(d.Unchanged, f)
			continue
		}
		f.Change = "new"
		d.NewF = append(d.NewF, f)
	}
	for i, st := range gone {
		if !used[i] {
			st.f.Change = "fixed"
			d.Fixed = append(d.Fixed, st.f)
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
