package history

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/aiaudit/aiaudit/reports/model"
)

// Scan is a scan being recorded. Rows are buffered and written in batches,
// each in its own transaction, so the connection is never held between
// batches; a scan killed before Finish stays marked incomplete and keeps the
// batches it had written.
type Scan struct {
	ID      int64
	store   *Store
	target  string
	command string
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
func (s *Store) Begin(rep *model.Report, target string, settings any) (*Scan, error) {
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
	return &Scan{ID: id, store: s, target: target, command: rep.Scan.Command, roots: rep.Scan.Targets, flushed: time.Now()}, nil
}

// Resume continues the newest scan of target when it is incomplete (a run
// that was interrupted and is resumed), so the history holds one scan, not
// two halves; ok is false when there is nothing to continue.
func (s *Store) Resume(ctx context.Context, target string, roots []string) (sc *Scan, ok bool, err error) {
	var id int64
	var complete bool
	var command string
	err = s.db.QueryRowContext(ctx, `SELECT id, complete, command FROM scans WHERE target = ? ORDER BY id DESC LIMIT 1`, target).Scan(&id, &complete, &command)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && complete) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return &Scan{ID: id, store: s, target: target, command: command, roots: roots, flushed: time.Now()}, true, nil
}

// A batch is written when it has this many rows or is this old, so a slow
// crawl that is killed still leaves what it had found in the history.
const (
	batch    = 2000
	batchAge = time.Second
)

// Resource records a resource (nil for findings about an item already
// recorded) and its findings.
func (sc *Scan) Resource(r *model.Resource, fs []model.Finding) error {
	// Rows are turned into SQL arguments by the writer goroutine: the
	// caller is a scan's single, ordered output path.
	if r != nil {
		sc.pending.resources = append(sc.pending.resources, *r)
	}
	sc.pending.findings = append(sc.pending.findings, fs...)
	return sc.maybeSend()
}

// Accepted records findings a baseline accepts: they stay in the history,
// so an accepted finding is never "fixed", nor "new" when its entry
// expires.
func (sc *Scan) Accepted(fs []model.Finding) error {
	sc.pending.accepted = append(sc.pending.accepted, fs...)
	return sc.maybeSend()
}

func (sc *Scan) maybeSend() error {
	if len(sc.pending.resources)+len(sc.pending.findings)+len(sc.pending.accepted) >= batch || time.Since(sc.flushed) >= batchAge {
		return sc.send()
	}
	return nil
}

// rows is one batch waiting to be written.
type rows struct {
	resources []model.Resource
	findings  []model.Finding
	accepted  []model.Finding
}

func (sc *Scan) resourceArgs(r *model.Resource) ([]any, error) {
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
	if len(sc.pending.resources)+len(sc.pending.findings)+len(sc.pending.accepted) == 0 {
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
	findings := make([][]any, 0, len(b.findings)+len(b.accepted))
	for _, part := range []struct {
		fs    []model.Finding
		state string
	}{{b.findings, stateOpen}, {b.accepted, stateAccepted}} {
		for _, f := range part.fs {
			unit := f.Unit
			if unit == "" {
				unit = f.Location
			}
			findings = append(findings, []any{sc.ID, keyHash(Key(f, sc.roots)), f.Rule, string(f.Severity), f.Location, f.Content, f.Message, part.state, unit})
		}
	}
	tx, err := sc.store.db.Begin()
	if err != nil {
		return err
	}
	if err := insertRows(tx, `INSERT INTO resources(scan_id, location, kind, media_type, digest, ai, machine_readable, opt_out, error, evidence) VALUES `, 10, resources); err != nil {
		tx.Rollback()
		return err
	}
	if err := insertRows(tx, `INSERT INTO findings(scan_id, key, rule, severity, location, content, message, state, unit) VALUES `, 9, findings); err != nil {
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
func (sc *Scan) Finish(rep *model.Report) error {
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
	if rep.Scan.Complete {
		if err := sc.carry(); err != nil {
			return err
		}
	}
	_, err = sc.store.db.Exec(`UPDATE scans SET finished = ?, complete = ?, summary = ?, exposure = ? WHERE id = ?`,
		rep.Scan.Finished.Format(time.RFC3339Nano), rep.Scan.Complete, string(sum), string(exp), sc.ID)
	return err
}

// carry copies into this scan, as "carried", the previous complete scan's
// findings that this one did not find and could not check again: their
// unit failed here (an error), or, for a crawl, was not fetched again (a
// page that failed, or that the crawl did not reach). Unknown is not fixed:
// a site that is down fixes nothing, and a later scan that reaches the page
// again decides.
func (sc *Scan) carry() error {
	prev, err := sc.store.Previous(context.Background(), sc.target, sc.ID)
	if errors.Is(err, ErrNoHistory) {
		return nil
	}
	if err != nil {
		return err
	}
	notRechecked := `EXISTS (SELECT 1 FROM resources r WHERE r.scan_id = ?1 AND r.location = o.unit AND r.error != '')`
	if sc.command == "crawl" {
		notRechecked = `NOT EXISTS (SELECT 1 FROM resources r WHERE r.scan_id = ?1 AND r.location = o.unit AND r.error = '')`
	}
	_, err = sc.store.db.Exec(`INSERT INTO findings(scan_id, key, rule, severity, location, content, message, state, unit)
		SELECT ?1, o.key, o.rule, o.severity, o.location, o.content, o.message, '`+stateCarried+`', o.unit FROM findings o
		WHERE o.scan_id = ?2 AND NOT EXISTS (SELECT 1 FROM findings n WHERE n.scan_id = ?1 AND n.key = o.key)
		AND `+notRechecked, sc.ID, prev)
	return err
}
