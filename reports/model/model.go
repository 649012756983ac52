// Package model holds the scan report's types: the JSON output contract of
// DESIGN.md. It sits below everything that reports: scanners emit these
// types, and findings, baseline, history, exposure and every renderer read
// them. It has no behaviour beyond counting, and StripUserinfo: what a URL
// may show.
package model

import (
	"time"

	"github.com/aiaudit/aiaudit/detectors"
)

// Schema is bumped whenever a change breaks the JSON contract.
const Schema = "aiaudit.report/v1"

// Report is one scan's result. Every output format is a view of it.
type Report struct {
	Schema    string     `json:"schema"`
	Tool      Tool       `json:"tool"`
	Scan      Scan       `json:"scan"`
	Summary   Summary    `json:"summary"`
	Resources []Resource `json:"resources"`
	Sites     []Site     `json:"sites"`
	Findings  []Finding  `json:"findings"`
	Exposure  []Exposure `json:"exposure"`
	// Changes compares this scan with the previous complete scan of the same
	// target (present when history is kept).
	Changes *Changes `json:"changes,omitempty"`
	// Baseline says what an accepted-findings file suppressed.
	Baseline *BaselineUse `json:"baseline,omitempty"`
	// Disclaimer accompanies exposure figures.
	Disclaimer string `json:"disclaimer,omitempty"`
	// Profile is the company profile the exposure was priced for, so a
	// re-render (aiaudit report) prices it the same unless told otherwise.
	Profile *CompanyProfile `json:"profile,omitempty"`
	// Basis states what the exposure figures assume.
	Basis *ExposureBasis `json:"exposure_basis,omitempty"`
	// Lang is the language the human-readable formats were asked in (en,
	// ru, kk), kept for re-renders; the JSON itself is always English.
	Lang string `json:"lang,omitempty"`
}

// CompanyProfile is what a user said about the company for fine exposure
// (-1 or 0: not given).
type CompanyProfile struct {
	Jurisdiction    string `json:"jurisdiction"`
	CompanySize     string `json:"company_size,omitempty"`
	Employees       int    `json:"employees"`
	IncomeKZT       int64  `json:"income_kzt"`
	TurnoverEUR     int64  `json:"turnover_eur,omitempty"`
	BalanceSheetEUR int64  `json:"balance_sheet_eur,omitempty"`
	Role            string `json:"role"`
	Counting        string `json:"counting"`
	Year            int    `json:"year"`
}

type Tool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

type Scan struct {
	Command  string    `json:"command"`
	Targets  []string  `json:"targets"`
	Started  time.Time `json:"started"`
	Finished time.Time `json:"finished"`
	// Complete is false when the scan was interrupted; items not reached are
	// missing from Resources, never reported as clean.
	Complete bool `json:"complete"`
}

// Resource is one file, page or URL and everything found about it.
type Resource struct {
	Location  string `json:"location"`
	Kind      string `json:"kind"`
	MediaType string `json:"media_type"`
	Size      int64  `json:"size,omitempty"`
	// Digest identifies the content across scans (XXH3-128 of its size and
	// first 64 KiB): history and baselines match on it.
	Digest string `json:"digest,omitempty"`

	AIGenerated bool                 `json:"ai_generated"`
	AIEvidence  []detectors.Evidence `json:"ai_evidence"`
	Labelled    Labelled             `json:"labelled"`

	// TrainingOptOut is null when it could not be determined (the item could
	// not be read): unknown is never reported as "allowed".
	TrainingOptOut *bool              `json:"training_opt_out"`
	OptOutEvidence []detectors.OptOut `json:"opt_out_evidence"`

	Provenance *detectors.Provenance `json:"provenance,omitempty"`
	// Thumbnail is a small JPEG data URI of an AI-made image, for the HTML
	// report (made by the scanner; reports never decode images).
	Thumbnail string `json:"thumbnail,omitempty"`
	// Notes are observations that are neither evidence nor errors: metadata
	// that looks stripped, a malformed block that was skipped, ...
	Notes []string `json:"notes,omitempty"`
	Error string   `json:"error"`
}

// Changes counts findings against the previous complete scan of a target.
type Changes struct {
	Scan int64 `json:"scan"`
	// PreviousScan is 0 for the first scan of a target: every finding is new.
	PreviousScan int64 `json:"previous_scan,omitempty"`
	New          int   `json:"new"`
	Fixed        int   `json:"fixed"`
	Unchanged    int   `json:"unchanged"`
	// Accepted counts findings a baseline accepts: neither new nor fixed.
	Accepted int `json:"accepted,omitempty"`
	// NotRechecked counts earlier findings whose place this scan could not
	// check again (a page that failed or was not reached): unknown, so not
	// fixed; they are carried forward.
	NotRechecked int `json:"not_rechecked,omitempty"`
	// Alerts are the first 100 new warnings and violations, of NewAlerts:
	// what tonight's reader wants to look at first.
	Alerts    []Finding `json:"new_alerts,omitempty"`
	NewAlerts int       `json:"new_alert_count,omitempty"`
}

// BaselineUse is what a baseline file did to a report.
type BaselineUse struct {
	File       string `json:"file"`
	Suppressed int    `json:"suppressed"`
	// Expired names entries past their date whose findings are reported again.
	Expired []string `json:"expired,omitempty"`
}

// Diff is what changed between two scans of a target: the findings that are
// new, fixed (gone) and unchanged, each with Change set.
type Diff struct {
	Schema string    `json:"schema"`
	Target string    `json:"target"`
	Old    int64     `json:"old_scan,omitempty"`
	New    int64     `json:"new_scan,omitempty"`
	NewF   []Finding `json:"new"`
	Fixed  []Finding `json:"fixed"`
	// Unchanged is listed only when asked for (diff --unchanged); it is
	// then an empty array, and UnchangedCount still says how many there are.
	Unchanged      []Finding `json:"unchanged"`
	UnchangedCount int       `json:"unchanged_count"`
	// Accepted are the new scan's findings a baseline accepts.
	Accepted []Finding `json:"accepted,omitempty"`
	// NotRechecked are earlier findings the new scan could not check again.
	NotRechecked []Finding `json:"not_rechecked,omitempty"`
	// Incomplete marks a new scan that was interrupted: Fixed is then empty,
	// since what it did not reach is unknown, not fixed.
	Incomplete bool `json:"new_scan_incomplete,omitempty"`
}

// DiffSchema versions the diff JSON.
const DiffSchema = "aiaudit.diff/v1"

// Labelled says whether an item carries an AI label.
type Labelled struct {
	// Visible is null where no page was looked at (files, URL lists):
	// metadata never proves a label a person sees.
	Visible         *bool                `json:"visible"`
	MachineReadable bool                 `json:"machine_readable"`
	Evidence        []detectors.Evidence `json:"evidence"`
}

// Site is the site-level opt-out summary of one crawled origin.
type Site struct {
	Origin string     `json:"origin"`
	OptOut SiteOptOut `json:"opt_out"`
	// Notes are what the crawl saw of the whole site, such as pages that
	// look rendered by script.
	Notes []string `json:"notes,omitempty"`
}

// SiteOptOut says which AI agents a site's robots.txt blocks at its root
// and which other site-level signals it has. Fields are in the order of
// their JSON names, as the contract has always printed them.
type SiteOptOut struct {
	AIAgentsAllowed []string `json:"ai_agents_allowed"`
	AIAgentsBlocked []string `json:"ai_agents_blocked"`
	AITxt           bool     `json:"ai_txt"`
	// CrawlerSkippedByRobots counts URLs robots.txt forbade to aiaudit itself.
	CrawlerSkippedByRobots int      `json:"crawler_skipped_by_robots"`
	RobotsAIPreferences    []string `json:"robots_ai_preferences"`
	// RobotsStatus is the HTTP status of robots.txt (0: unreachable).
	RobotsStatus int  `json:"robots_status"`
	TDMRep       bool `json:"tdmrep"`
	// TDMRepRoot is what tdmrep.json says of the site's root.
	TDMRepRoot *detectors.OptOut `json:"tdmrep_root,omitempty"`
}

// Severity orders findings for --fail-on.
type Severity string

const (
	SeverityInfo      Severity = "info"
	SeverityWarning   Severity = "warning"
	SeverityViolation Severity = "violation"
)

// Rank orders severities; unknown severities rank lowest.
func (s Severity) Rank() int {
	switch s {
	case SeverityViolation:
		return 3
	case SeverityWarning:
		return 2
	case SeverityInfo:
		return 1
	}
	return 0
}

type Finding struct {
	Rule     string   `json:"rule"`
	Severity Severity `json:"severity"`
	Location string   `json:"location"`
	Message  string   `json:"message"`
	// Content is the digest of the item the finding is about (empty for
	// page-level findings), so a diff recognises it at a new place.
	Content string `json:"content,omitempty"`
	// Change says how the finding relates to the previous scan of the same
	// target: "new", "unchanged" or "fixed" (set when history is kept).
	Change Change `json:"change,omitempty"`
	// Unit is the place whose re-check decides whether the finding is
	// fixed: the page an item was seen on, else the item itself ("": the
	// location). History keeps it; it is not part of the JSON contract.
	Unit string `json:"-"`
}

// Change is how a finding relates to the previous scan of its target.
type Change string

const (
	ChangeNew       Change = "new"
	ChangeUnchanged Change = "unchanged"
	ChangeFixed     Change = "fixed"
	// ChangeAccepted: a baseline accepts it; ChangeNotRechecked: its place
	// could not be checked again. Neither is new nor fixed.
	ChangeAccepted     Change = "accepted"
	ChangeNotRechecked Change = "not_rechecked"
)

// Exposure is one article's fine exposure for the findings of a scan
// (reports/exposure computes it). Amounts are exact: whole MRP and tenge,
// euros as decimal strings; never floats.
type Exposure struct {
	Jurisdiction   string `json:"jurisdiction"`
	Article        string `json:"article"`
	Cite           string `json:"cite"`
	Year           int    `json:"year"`
	CompanySize    string `json:"company_size,omitempty"`
	Role           string `json:"role,omitempty"`
	Counting       string `json:"counting,omitempty"`
	Offences       int    `json:"offences"`
	FinePerOffence *Money `json:"fine_per_offence,omitempty"`
	TotalMin       *Money `json:"total_min,omitempty"`
	TotalMax       *Money `json:"total_max,omitempty"`
	// CapRule explains an EU cap: "higher of" the fixed amount and the
	// turnover share, or "lower of" for SMEs (Art. 99(6)).
	CapRule string `json:"cap_rule,omitempty"`
	// FlaggedOnly marks exposure that is flagged, never computed (criminal
	// law, prohibited practices, training a model on reserved items).
	FlaggedOnly bool `json:"flagged_only,omitempty"`
	// Cap is a flagged article's maximum, shown and never summed.
	Cap *Money `json:"cap,omitempty"`
	// AppliesFrom is the article's date of application (YYYY-MM-DD);
	// NotYetApplicable is set, and no totals given, when the scan is older.
	AppliesFrom      string `json:"applies_from,omitempty"`
	NotYetApplicable bool   `json:"not_yet_applicable,omitempty"`
	// Informational marks a row that has nothing to compute (a draft law).
	Informational bool   `json:"informational,omitempty"`
	Note          string `json:"note,omitempty"`
}

// ExposureBasis is what the exposure figures assume: the facts given and
// derived, the tables and the rates, so a reader can check them.
type ExposureBasis struct {
	ScanDate      string   `json:"scan_date"`
	Year          int      `json:"year"`
	Jurisdictions []string `json:"jurisdictions"`
	Roles         []string `json:"roles"`
	Counting      string   `json:"counting"`
	CompanySize   string   `json:"company_size"`
	SizeReason    string   `json:"company_size_reason"`
	EUSME         *bool    `json:"eu_sme,omitempty"`
	SMEReason     string   `json:"eu_sme_reason,omitempty"`
	MRPKZT        int64    `json:"mrp_kzt,omitempty"`
	MRPSource     string   `json:"mrp_source,omitempty"`
	EURPerMRP     string   `json:"eur_per_mrp,omitempty"`
	EURSource     string   `json:"eur_per_mrp_source,omitempty"`
}

// Money is an amount in the units a reader needs.
type Money struct {
	MRP int64  `json:"mrp,omitempty"`
	KZT int64  `json:"kzt,omitempty"`
	EUR string `json:"eur"`
}

// Summary counts what a reader wants first.
type Summary struct {
	Resources          int              `json:"resources"`
	AIGenerated        int              `json:"ai_generated"`
	MachineLabelled    int              `json:"machine_readable_labelled"`
	AIUnmarked         int              `json:"ai_without_marking"`
	TrainingOptOut     int              `json:"training_opt_out"`
	NoMetadata         int              `json:"no_metadata"`
	Errors             int              `json:"errors"`
	FindingsBySeverity map[Severity]int `json:"findings_by_severity"`
}

// Count adds one resource and its findings to the summary.
func (s *Summary) Count(r Resource, fs []Finding) {
	s.Resources++
	if r.Error != "" {
		s.Errors++
		return
	}
	if r.AIGenerated {
		s.AIGenerated++
		if !r.Labelled.MachineReadable {
			s.AIUnmarked++
		}
	}
	if r.Labelled.MachineReadable {
		s.MachineLabelled++
	}
	if r.TrainingOptOut != nil && *r.TrainingOptOut {
		s.TrainingOptOut++
	}
	if r.Provenance != nil && r.Provenance.Metadata != detectors.MetadataPresent {
		s.NoMetadata++
	}
	s.AddFindings(fs)
}

// AddFindings counts findings by severity.
func (s *Summary) AddFindings(fs []Finding) {
	if s.FindingsBySeverity == nil {
		s.FindingsBySeverity = map[Severity]int{}
	}
	for _, f := range fs {
		s.FindingsBySeverity[f.Severity]++
	}
}

// Highest returns the highest severity counted.
func (s *Summary) Highest() Severity {
	var best Severity
	for sev, n := range s.FindingsBySeverity {
		if n > 0 && sev.Rank() > best.Rank() {
			best = sev
		}
	}
	return best
}

// Fact is what a finding is about: one observation, which the rules
// (reports/rules) judge, one rule per law in force.
type Fact string

const (
	FactUnmarked    Fact = "ai-made without machine-readable marking"
	FactMarked      Fact = "ai-made with machine-readable marking"
	FactMismatch    Fact = "manifest does not match the bytes"
	FactMalformed   Fact = "malformed manifest store"
	FactInvalid     Fact = "manifest fails validation"
	FactUnknownSign Fact = "valid manifest from an unknown signer"
	FactIdentity    Fact = "identity assertion fails validation"
	FactStripped    Fact = "manifest stripped"
	FactReserved    Fact = "reserved against training"
	FactUnlabelled  Fact = "ai-made item published without a visible label"
	FactUndisclosed Fact = "ai chat assistant without disclosure"
)

// Observation is a fact a scanner saw about an item where it is shown (an
// AI-made image on a page without a visible label, an undisclosed chat
// assistant), beyond what the item's own resource says.
type Observation struct {
	Fact     Fact
	Location string
	// Content is the item's digest (empty for page-level observations), so
	// history recognises the item wherever it moves.
	Content string
	// Detail is what was seen, for the finding's message.
	Detail string
	// Page is where it was seen: the place a later scan must fetch again
	// before the finding can count as fixed.
	Page string
}
