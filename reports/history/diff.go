package history

import (
	"context"

	"github.com/aiaudit/aiaudit/reports/model"
)

type stored struct {
	key string
	f   model.Finding
}

// findingsWhere loads one scan's findings that do (or do not) share a key
// with the other scan, once per key: identical findings count once.
func (s *Store) findingsWhere(ctx context.Context, id, other int64, shared bool, and string) ([]stored, error) {
	return s.findingsQuery(ctx, id, other, shared, and, -1)
}

// onlyOpen keeps the findings a scan found itself and nobody accepted.
const onlyOpen = ` AND n.state = '` + stateOpen + `'`

// findingsIn loads a scan's findings in one state, once per key, marked
// with their change ("Not sharing a key with scan 0" is every finding).
func (s *Store) findingsIn(ctx context.Context, id int64, state string, change model.Change) ([]model.Finding, error) {
	sts, err := s.findingsWhere(ctx, id, 0, false, ` AND n.state = '`+state+`'`)
	return plain(sts, change), err
}

// plain drops the keys of stored findings, marking each with change.
func plain(sts []stored, change model.Change) []model.Finding {
	out := make([]model.Finding, len(sts))
	for i, st := range sts {
		st.f.Change = change
		out[i] = st.f
	}
	return out
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
		st.f.Severity = model.Severity(sev)
		out = append(out, st)
	}
	return out, rows.Err()
}

// Counts is what a report says about the previous scan: how many findings
// are new, fixed and unchanged, and the new ones that are warnings or worse
// (what --fail-on new and --notify act on).
type Counts struct {
	New, Fixed, Unchanged int
	// Accepted (by a baseline) and NotRechecked (carried from the previous
	// scan) are neither new nor fixed.
	Accepted, NotRechecked int
	// Alerts holds the first MaxAlerts of AlertCount alerts.
	Alerts     []model.Finding
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
	// New and unchanged count the findings this scan found itself (open);
	// fixed counts the earlier ones it holds in no state: accepted and
	// carried (not re-checked) findings are neither new nor fixed.
	if err := count(`SELECT COUNT(DISTINCT key) FROM findings n WHERE n.scan_id = ?`+onlyOpen, &nNew, newID); err != nil {
		return c, err
	}
	if err := count(`SELECT COUNT(DISTINCT key) FROM findings n WHERE n.scan_id = ?
		AND NOT EXISTS (SELECT 1 FROM findings o WHERE o.scan_id = ? AND o.key = n.key)`, &nOld, oldID, newID); err != nil {
		return c, err
	}
	if err := count(`SELECT COUNT(DISTINCT key) FROM findings n WHERE n.scan_id = ?`+onlyOpen+`
		AND EXISTS (SELECT 1 FROM findings o WHERE o.scan_id = ? AND o.key = n.key)`, &same, newID, oldID); err != nil {
		return c, err
	}
	for _, st := range []struct {
		state string
		dst   *int
	}{{stateAccepted, &c.Accepted}, {stateCarried, &c.NotRechecked}} {
		if err := count(`SELECT COUNT(DISTINCT key) FROM findings WHERE scan_id = ? AND state = ?`, st.dst, newID, st.state); err != nil {
			return c, err
		}
	}
	c.New, c.Fixed, c.Unchanged = nNew-same, nOld, same
	if c.New == 0 {
		return c, nil
	}
	if c.Fixed == 0 {
		// Nothing gone, so nothing moved: the counts stand, and only the
		// alerts are read (a first scan reads no info findings at all).
		const severe = onlyOpen + ` AND n.severity IN ('warning', 'violation')`
		if err := count(`SELECT COUNT(DISTINCT key) FROM findings n WHERE n.scan_id = ? AND NOT EXISTS
			(SELECT 1 FROM findings o WHERE o.scan_id = ? AND o.key = n.key)`+severe, &c.AlertCount, newID, oldID); err != nil {
			return c, err
		}
		alerts, err := s.findingsQuery(ctx, newID, oldID, false, severe, MaxAlerts)
		for _, st := range alerts {
			st.f.Change = model.ChangeNew
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
			WHERE n.scan_id = ?1` + onlyOpen + ` AND NOT EXISTS (SELECT 1 FROM findings o WHERE o.scan_id = ?2 AND o.key = n.key)
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
		f := model.Finding{Change: model.ChangeNew}
		var sev string
		if err := rows.Scan(&f.Rule, &sev, &f.Location, &f.Content, &f.Message); err != nil {
			return c, err
		}
		f.Severity = model.Severity(sev)
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
func (s *Store) Compare(ctx context.Context, oldID, newID int64) (*model.Diff, error) {
	target, err := s.ScanTarget(ctx, newID)
	if err != nil {
		return nil, err
	}
	if oldID != 0 {
		if _, err := s.ScanTarget(ctx, oldID); err != nil {
			return nil, err
		}
	}
	added, err := s.findingsWhere(ctx, newID, oldID, false, onlyOpen)
	if err != nil {
		return nil, err
	}
	gone, err := s.findingsWhere(ctx, oldID, newID, false, "")
	if err != nil {
		return nil, err
	}
	same, err := s.findingsWhere(ctx, newID, oldID, true, onlyOpen)
	if err != nil {
		return nil, err
	}
	d := assemble(added, gone, same)
	if d.Accepted, err = s.findingsIn(ctx, newID, stateAccepted, model.ChangeAccepted); err != nil {
		return nil, err
	}
	if d.NotRechecked, err = s.findingsIn(ctx, newID, stateCarried, model.ChangeNotRechecked); err != nil {
		return nil, err
	}
	d.Target, d.Old, d.New = target, oldID, newID
	var complete bool
	if err := s.db.QueryRowContext(ctx, `SELECT complete FROM scans WHERE id = ?`, newID).Scan(&complete); err != nil {
		return nil, err
	}
	if !complete {
		d.Incomplete, d.Fixed = true, []model.Finding{}
	}
	return d, nil
}

// DiffReports diffs two saved scan reports (JSON files) the way Compare
// diffs two scans in the database.
func DiffReports(old, new *model.Report) *model.Diff {
	keys := func(r *model.Report) map[string]bool {
		m := map[string]bool{}
		for _, f := range r.Findings {
			m[Key(f, r.Scan.Targets)] = true
		}
		return m
	}
	// split is findingsWhere for a saved report.
	split := func(r *model.Report, other map[string]bool, shared bool) []stored {
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
func assemble(added, gone, same []stored) *model.Diff {
	d := &model.Diff{Schema: model.DiffSchema, NewF: []model.Finding{}, Fixed: []model.Finding{}, Unchanged: []model.Finding{}}
	for _, st := range same {
		st.f.Change = model.ChangeUnchanged
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
			f.Change = model.ChangeUnchanged
			d.Unchanged = append(d.Unchanged, f)
			continue
		}
		f.Change = model.ChangeNew
		d.NewF = append(d.NewF, f)
	}
	for i, st := range gone {
		if !used[i] {
			st.f.Change = model.ChangeFixed
			d.Fixed = append(d.Fixed, st.f)
		}
	}
	return d
}
