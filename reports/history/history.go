// Package history stores every scan in an embedded SQLite database (pure Go,
// no cgo) so that nightly runs can say what is new, what was fixed and what
// is unchanged. Schema changes are versioned migrations; a database written
// by a newer aiaudit is refused, never rewritten.
package history

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/aiaudit/aiaudit/reports/model"
	_ "modernc.org/sqlite" // the pure-Go SQLite driver, registered as "sqlite"
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
	// v2: a finding's state (open, accepted by a baseline, or carried from
	// the previous scan because its place was not re-checked) and its unit
	// (the place whose re-check decides whether it is fixed).
	`ALTER TABLE findings ADD COLUMN state TEXT NOT NULL DEFAULT 'open';
	ALTER TABLE findings ADD COLUMN unit TEXT NOT NULL DEFAULT '';
	UPDATE findings SET unit = CASE
		WHEN instr(location, ' on ') > 0 THEN substr(location, instr(location, ' on ') + 4)
		WHEN instr(location, ' [') > 0 THEN substr(location, 1, instr(location, ' [') - 1)
		ELSE location END;
	CREATE INDEX resources_scan_location ON resources(scan_id, location);`,
}

// Finding states.
const (
	stateOpen     = "open"
	stateAccepted = "accepted"
	stateCarried  = "carried"
)

// busyTimeout is how long a write waits for another program's lock on the
// database before giving up with a clear error.
const busyTimeout = 5 * time.Second

// Store is an open history database.
type Store struct {
	db *sql.DB
}

// ErrNoDefaultPath says there is no directory to put the default database
// in: a bare environment (some cron daemons, a service without a home).
var ErrNoDefaultPath = errors.New("no directory for the history database: none of $XDG_DATA_HOME, $HOME and $XDG_STATE_HOME is set")

// DefaultPath is the database under the user's data directory:
// $XDG_DATA_HOME/aiaudit/history.db, else ~/.local/share/aiaudit/history.db,
// else, with no home at all, $XDG_STATE_HOME/aiaudit/history.db. Relative
// XDG paths are ignored, as the XDG base directory specification says.
func DefaultPath() (string, error) {
	if dir := os.Getenv("XDG_DATA_HOME"); filepath.IsAbs(dir) {
		return filepath.Join(dir, "aiaudit", "history.db"), nil
	}
	if home, err := os.UserHomeDir(); err == nil && home != "" {
		return filepath.Join(home, ".local", "share", "aiaudit", "history.db"), nil
	}
	if dir := os.Getenv("XDG_STATE_HOME"); filepath.IsAbs(dir) {
		return filepath.Join(dir, "aiaudit", "history.db"), nil
	}
	return "", ErrNoDefaultPath
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

// ScanInfo is one row of the history.
type ScanInfo struct {
	ID       int64  `json:"id"`
	Target   string `json:"target"`
	Started  string `json:"started"`
	Finished string `json:"finished"`
	Complete bool   `json:"complete"`
	// Findings counts what the scan found itself (not what a baseline
	// accepted or what was carried from the previous scan).
	Findings int `json:"findings"`
}

// Scans lists the scans of a target (all targets when target is ""), newest
// first.
func (s *Store) Scans(ctx context.Context, target string) ([]ScanInfo, error) {
	q := `SELECT s.id, s.target, s.started, COALESCE(s.finished, ''), s.complete, (SELECT COUNT(*) FROM findings f WHERE f.scan_id = s.id AND f.state = '` + stateOpen + `') FROM scans s`
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
func (s *Store) Findings(ctx context.Context, id int64) ([]model.Finding, error) {
	if _, err := s.ScanTarget(ctx, id); err != nil {
		return nil, err
	}
	// "Not sharing a key with scan 0" is every finding of the scan.
	// Open and carried findings: what is known or presumed there; accepted
	// ones are already in a baseline.
	sts, err := s.findingsWhere(ctx, id, 0, false, ` AND n.state != '`+stateAccepted+`'`)
	return plain(sts, ""), err
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
