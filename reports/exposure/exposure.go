// Package exposure turns findings into fine exposure under the rule tables
// (embedded data files, one per jurisdiction and year; every figure cites its
// article). It is an estimate for planning, not legal advice.
package exposure

import (
	"embed"
	"encoding/json"
	"fmt"
	"math/big"
	"net/url"
	"path"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/aiaudit/aiaudit/reports/digestset"
	"github.com/aiaudit/aiaudit/reports/i18n"
	"github.com/aiaudit/aiaudit/reports/model"
	"github.com/aiaudit/aiaudit/reports/rules"
	"github.com/zeebo/xxh3"
)

// Disclaimer is the one line every report carries with exposure figures.
const Disclaimer = "Fine exposure is an estimate for planning from the published fine schedules, not legal advice."

//go:embed rules/*.json
var embedded embed.FS

// Rule is one article of a table.
type Rule struct {
	Article string `json:"article"`
	Cite    string `json:"cite"`
	// Roles are the company roles the article concerns (publisher,
	// deployer, provider, operator, gpai, eu-institution, or any).
	Roles []string `json:"roles"`
	// Role is the one-role form older rules files use.
	Role string `json:"role,omitempty"`
	// AppliesFrom is the date (YYYY-MM-DD) from which the article can be
	// fined; a scan made before it says the article did not yet apply.
	AppliesFrom        string           `json:"applies_from,omitempty"`
	Findings           []string         `json:"findings"`
	FineMRP            map[string]int64 `json:"fine_mrp"`
	CapEUR             int64            `json:"cap_eur"`
	CapTurnoverPercent string           `json:"cap_turnover_percent"`
	// SMELower applies Art. 99(6): for SMEs the lower of the two amounts
	// (Art. 101 has no such rule).
	SMELower bool `json:"sme_lower"`
	// CapMRP is a flagged rule's maximum in MRP (criminal law).
	CapMRP   int64 `json:"cap_mrp"`
	FlagOnly bool  `json:"flag_only"`
	// FlagWith names the findings that raise a flag-only rule; without it
	// the rule is a reference row with its cap (nothing a scan can see).
	FlagWith []string `json:"flag_with"`
	// FlagNote says why a flag-only rule is not computed.
	FlagNote string `json:"flag_note"`
}

// Table is one jurisdiction's rules for one year.
type Table struct {
	Jurisdiction string `json:"jurisdiction"`
	Year         int    `json:"year"`
	Currency     string `json:"currency"`
	// Draft names a law that is not yet in force; Note says what it means
	// for exposure. A table with a note and no rules yields one row that
	// says there is nothing to compute.
	Draft     string `json:"draft"`
	Note      string `json:"note"`
	MRPKZT    int64  `json:"mrp_kzt"`
	MRPCite   string `json:"mrp_cite"`
	EURPerMRP string `json:"eur_per_mrp"`
	EURCite   string `json:"eur_cite"`
	SizeRule  struct {
		Cite                  string `json:"cite"`
		Small                 *limit `json:"small"`
		Medium                *limit `json:"medium"`
		SMEMaxEmployees       int    `json:"sme_max_employees"`
		SMEMaxTurnoverEUR     int64  `json:"sme_max_turnover_eur"`
		SMEMaxBalanceSheetEUR int64  `json:"sme_max_balance_sheet_eur"`
	} `json:"size_rule"`
	Rules []Rule `json:"rules"`
}

// Roles lists the roles a company can have, each with the articles it
// brings into play.
var Roles = []string{"publisher", "deployer", "provider", "operator", "gpai", "eu-institution"}

type limit struct {
	MaxEmployees int   `json:"max_employees"`
	MaxIncomeMRP int64 `json:"max_income_mrp"`
}

// Tables holds every table by jurisdiction and year.
type Tables struct {
	byKey map[string]*Table
}

func key(jur string, year int) string { return fmt.Sprintf("%s-%d", strings.ToLower(jur), year) }

// Load reads the embedded tables, then the override files: a file for an
// existing jurisdiction and year replaces its MRP, exchange rate or rules
// where it sets them; a new one adds a jurisdiction.
func Load(overrides ...[]byte) (*Tables, error) {
	t := &Tables{byKey: map[string]*Table{}}
	files, _ := embedded.ReadDir("rules")
	for _, f := range files {
		b, err := embedded.ReadFile(path.Join("rules", f.Name()))
		if err != nil {
			return nil, err
		}
		if err := t.add(b, f.Name(), false); err != nil {
			return nil, err
		}
	}
	for i, b := range overrides {
		if err := t.add(b, fmt.Sprintf("rules file %d", i+1), true); err != nil {
			return nil, err
		}
	}
	return t, nil
}

func (t *Tables) add(b []byte, name string, override bool) error {
	var tab Table
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&tab); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if tab.Jurisdiction == "" || tab.Year == 0 {
		return fmt.Errorf("%s: jurisdiction and year are required", name)
	}
	if tab.EURPerMRP != "" {
		if _, ok := new(big.Rat).SetString(tab.EURPerMRP); !ok {
			return fmt.Errorf("%s: eur_per_mrp %q is not a decimal number", name, tab.EURPerMRP)
		}
	}
	for i := range tab.Rules {
		if err := tab.Rules[i].check(); err != nil {
			return fmt.Errorf("%s: article %s: %w", name, tab.Rules[i].Article, err)
		}
	}
	k := key(tab.Jurisdiction, tab.Year)
	if old, ok := t.byKey[k]; ok && override {
		if tab.MRPKZT != 0 {
			old.MRPKZT, old.MRPCite = tab.MRPKZT, tab.MRPCite
		}
		if tab.EURPerMRP != "" {
			old.EURPerMRP = tab.EURPerMRP
		}
		if len(tab.Rules) > 0 {
			old.Rules = tab.Rules
		}
		return nil
	}
	t.byKey[k] = &tab
	return nil
}

// check validates a rule as loaded and folds the one-role form into Roles.
func (r *Rule) check() error {
	if r.Role != "" {
		r.Roles = append(r.Roles, r.Role)
	}
	if len(r.Roles) == 0 {
		return fmt.Errorf("no roles (accepted: any, %s)", strings.Join(Roles, ", "))
	}
	for _, role := range r.Roles {
		if role != "any" && !slices.Contains(Roles, role) {
			return fmt.Errorf("role %q is not one of any, %s", role, strings.Join(Roles, ", "))
		}
	}
	for _, id := range r.Findings {
		// A rule id the registry does not know would never count.
		if !rules.Fined(id) {
			return fmt.Errorf("counts %q, which is not a rule a fine table can count (%s)", id, strings.Join(rules.FinedIDs(), ", "))
		}
	}
	for _, id := range r.FlagWith {
		if _, ok := rules.Get(id); !ok {
			return fmt.Errorf("is flagged by %q, which is not a rule", id)
		}
	}
	if r.AppliesFrom != "" {
		if _, err := time.Parse(time.DateOnly, r.AppliesFrom); err != nil {
			return fmt.Errorf("applies_from %q is not a date (YYYY-MM-DD)", r.AppliesFrom)
		}
	}
	if r.CapTurnoverPercent != "" {
		if _, ok := new(big.Rat).SetString(r.CapTurnoverPercent); !ok {
			return fmt.Errorf("cap_turnover_percent %q is not a decimal number", r.CapTurnoverPercent)
		}
	}
	return nil
}

// Get returns a table, or an error that says which tables exist: a year or
// jurisdiction that has no table is never silently replaced by another.
func (t *Tables) Get(jur string, year int) (*Table, error) {
	if tab, ok := t.byKey[key(jur, year)]; ok {
		return tab, nil
	}
	var have []string
	for k := range t.byKey {
		have = append(have, k)
	}
	sort.Strings(have)
	return nil, fmt.Errorf("no fine table for jurisdiction %q and year %d (available: %s)", jur, year, strings.Join(have, ", "))
}

// KZSize derives the Kazakh company size from employees and annual income in
// tenge (Entrepreneurial Code Art. 24): small, medium, or large above either
// medium limit.
func (tab *Table) KZSize(employees int, incomeKZT int64) (string, error) {
	if tab.SizeRule.Small == nil || tab.SizeRule.Medium == nil || tab.MRPKZT == 0 {
		return "", fmt.Errorf("the %s %d table has no company-size rule", tab.Jurisdiction, tab.Year)
	}
	if employees < 0 || incomeKZT < 0 {
		return "", fmt.Errorf("employees and income must not be negative")
	}
	// Compared in tenge, exactly: dividing the income by the MRP first
	// would round 300,000.99 MRP down to a small company.
	fits := func(l *limit) bool { return employees <= l.MaxEmployees && incomeKZT <= l.MaxIncomeMRP*tab.MRPKZT }
	switch {
	case fits(tab.SizeRule.Small):
		return "small", nil
	case fits(tab.SizeRule.Medium):
		return "medium", nil
	}
	return "large", nil
}

// CompanyFacts are what the user said about the company for the EU SME
// test; -1 (or 0 for money) is "not given".
type CompanyFacts struct {
	Employees       int
	TurnoverEUR     int64
	BalanceSheetEUR int64
}

// EUSME decides EU SME status by the EU's own definition (Commission
// Recommendation 2003/361/EC, as the table gives it): fewer staff than the
// limit, and turnover or balance sheet within its limit. Without staff and
// money facts it falls back to the Kazakh size and says so. The reason is
// shown in the report.
func (tab *Table) EUSME(f CompanyFacts, kzSize string, p *i18n.Printer) (bool, string) {
	r := tab.SizeRule
	var facts []string
	staffKnown, moneyKnown := f.Employees >= 0, f.TurnoverEUR > 0 || f.BalanceSheetEUR > 0
	if staffKnown {
		facts = append(facts, p.T("%d staff", f.Employees))
	}
	within := false // turnover or balance sheet within its limit
	if f.TurnoverEUR > 0 {
		facts = append(facts, p.T("turnover %s", p.EUR(fmt.Sprint(f.TurnoverEUR))))
		within = within || f.TurnoverEUR <= r.SMEMaxTurnoverEUR
	}
	if f.BalanceSheetEUR > 0 {
		facts = append(facts, p.T("balance sheet %s", p.EUR(fmt.Sprint(f.BalanceSheetEUR))))
		within = within || (r.SMEMaxBalanceSheetEUR > 0 && f.BalanceSheetEUR <= r.SMEMaxBalanceSheetEUR)
	}
	what := strings.Join(facts, ", ")
	switch {
	case r.SMEMaxEmployees == 0:
	case staffKnown && f.Employees > r.SMEMaxEmployees, moneyKnown && !within:
		// One fact that fails the test is enough.
		return false, p.T("not an EU SME on the facts given: %s", what)
	case staffKnown && moneyKnown:
		return true, p.T("EU SME: %s", what)
	}
	sme := kzSize != "large"
	if what != "" {
		return sme, p.T("EU SME status taken from the company size, %s (%s do not decide it): give --employees and --turnover-eur or --balance-sheet-eur", p.T(kzSize), what)
	}
	return sme, p.T("EU SME status taken from the company size, %s: give --employees and --turnover-eur or --balance-sheet-eur", p.T(kzSize))
}

// Settings are the company facts and counting choices.
type Settings struct {
	Jurisdictions []string // "kz", "eu", "de"
	Year          int
	Size          string   // small, medium, large
	Roles         []string // see Roles
	Counting      string   // item, page, site
	// TurnoverEUR is the worldwide annual turnover in whole euros; 0 when
	// unknown.
	TurnoverEUR int64
	// SME applies the EU "lower of" rule (Art. 99(6)); SMEReason says why
	// the company is (not) one.
	SME       bool
	SMEReason string
	// Printer writes the notes: the report's language for human formats,
	// English (nil) for machine formats.
	Printer *i18n.Printer
	// On is the scan's date, checked against each article's date of
	// application; the zero time checks nothing.
	On time.Time
}

// Compute gives the exposure of the findings under every applicable rule.
func (t *Tables) Compute(findings []model.Finding, s Settings) ([]model.Exposure, error) {
	tally := t.NewTally(s)
	defer tally.Close()
	tally.Add(findings)
	return t.ComputeTally(tally, s)
}

// Tally counts offence units as findings arrive: for each list of rules an
// article counts, the distinct units (items, pages or sites) offending any
// of them, as 16-byte digests in a digestset, so a long scan's memory does
// not follow its findings. It counts only the rules an article in force for
// the settings' jurisdictions and roles reads.
type Tally struct {
	counting string
	// byRule are the unit sets each rule's findings go into; byList the
	// same sets by the rule list they count (ruleList).
	byRule map[string][]*digestset.Set
	byList map[string]*digestset.Set
	err    error // the first spill failure: the counts are unknown after it
}

func ruleList(rules []string) string { return strings.Join(rules, "\x00") }

// NewTally makes a tally for the articles that concern s.
func (t *Tables) NewTally(s Settings) *Tally {
	tally := &Tally{counting: s.Counting, byRule: map[string][]*digestset.Set{}, byList: map[string]*digestset.Set{}}
	for _, jur := range s.Jurisdictions {
		tab, err := t.Get(jur, s.Year)
		if err != nil {
			continue
		}
		for _, r := range tab.Rules {
			if r.concerns(s.Roles) {
				tally.counts(r.Findings)
				tally.counts(r.FlagWith)
			}
		}
	}
	return tally
}

// counts makes the unit set of a rule list, once.
func (t *Tally) counts(rules []string) {
	if len(rules) == 0 || t.byList[ruleList(rules)] != nil {
		return
	}
	set := digestset.New(0, 0) // spills past 16k units
	t.byList[ruleList(rules)] = set
	for _, id := range slices.Compact(slices.Sorted(slices.Values(rules))) {
		t.byRule[id] = append(t.byRule[id], set)
	}
}

// Add counts the findings of the rules the tally reads.
func (t *Tally) Add(fs []model.Finding) {
	for _, f := range fs {
		sets := t.byRule[f.Rule]
		if len(sets) == 0 || t.err != nil {
			continue
		}
		k := digestset.Key(xxh3.HashString128(unit(f.Location, t.counting)).Bytes())
		for _, set := range sets {
			if _, err := set.Add(k); err != nil {
				t.err = fmt.Errorf("exposure tally: %w", err)
			}
		}
	}
}

// count counts the distinct units offending any of the rules.
func (t *Tally) count(rules []string) int {
	if set := t.byList[ruleList(rules)]; set != nil {
		return set.Len()
	}
	return 0
}

// Close removes the tally's spill files.
func (t *Tally) Close() {
	for _, set := range t.byList {
		set.Close()
	}
}

// ComputeTally gives the exposure of what a tally counted.
func (t *Tables) ComputeTally(tally *Tally, s Settings) ([]model.Exposure, error) {
	if tally.err != nil {
		return nil, tally.err
	}
	var out []model.Exposure
	for _, jur := range s.Jurisdictions {
		tab, err := t.Get(jur, s.Year)
		if err != nil {
			return nil, err
		}
		if len(tab.Rules) == 0 && tab.Note != "" {
			out = append(out, model.Exposure{Jurisdiction: tab.Jurisdiction, Article: tab.Draft, Year: tab.Year, Informational: true, Note: tab.Note})
		}
		for _, r := range tab.Rules {
			if !r.concerns(s.Roles) {
				continue
			}
			e, ok, err := tab.expose(r, tally, s)
			if err != nil {
				return nil, err
			}
			if ok {
				out = append(out, e)
			}
		}
	}
	return out, nil
}

// expose prices one article; ok is false when the scan found nothing it
// concerns.
func (tab *Table) expose(r Rule, tally *Tally, s Settings) (e model.Exposure, ok bool, err error) {
	p := s.printer()
	e = model.Exposure{Jurisdiction: tab.Jurisdiction, Article: r.Article, Cite: r.Cite, Year: tab.Year,
		CompanySize: s.Size, Role: strings.Join(r.Roles, ","), Counting: s.Counting, AppliesFrom: r.AppliesFrom}
	switch {
	case r.FlagOnly:
		if len(r.FlagWith) > 0 {
			// The items that raise the flag, not offences of this article.
			if e.Offences = tally.count(r.FlagWith); e.Offences == 0 {
				return e, false, nil
			}
		}
		e.FlaggedOnly = true
		e.Note = p.Text(r.FlagNote)
		if r.CapMRP > 0 {
			e.Cap = tab.mrp(r.CapMRP)
		} else {
			e.Cap, e.CapRule = euCap(r, s, p)
		}
	case r.FineMRP != nil:
		fine, known := r.FineMRP[s.Size]
		if !known {
			return e, false, fmt.Errorf("%s Art. %s has no fine for company size %q (accepted: small, medium, large)", tab.Jurisdiction, r.Article, s.Size)
		}
		if e.Offences = tally.count(r.Findings); e.Offences == 0 {
			return e, false, nil
		}
		e.FinePerOffence = tab.mrp(fine)
		e.TotalMin = tab.mrp(fine) // one case: one fine per rule broken
		e.TotalMax = tab.mrp(fine * int64(e.Offences))
		e.Note = p.T("range: one fine (one case) to one fine per %s, since the Code fines each offence", p.T(s.Counting))
	case r.CapEUR > 0:
		if e.Offences = tally.count(r.Findings); e.Offences == 0 {
			return e, false, nil
		}
		e.TotalMin = &model.Money{EUR: "0.00"}
		e.TotalMax, e.CapRule = euCap(r, s, p)
		e.Note = p.T("one maximum for the whole infringement, not per item: the Regulation caps the fine for an infringement and sets it below the cap by the factors of Art. 99(7)")
		if r.SMELower && s.SMEReason != "" {
			e.Note += "; " + s.SMEReason
		}
	default:
		return e, false, nil
	}
	if from, _ := time.Parse(time.DateOnly, r.AppliesFrom); !s.On.IsZero() && s.On.Before(from) {
		// Before its date of application an article fines nothing.
		e.NotYetApplicable = true
		e.TotalMin, e.TotalMax = nil, nil
		e.Note = p.T("did not yet apply on the scan date %s: applies from %s", s.On.Format(time.DateOnly), r.AppliesFrom)
	}
	return e, true, nil
}

// Basis states what exposure under s assumes; sizeReason says how the
// company size was reached.
func (t *Tables) Basis(s Settings, sizeReason string) model.ExposureBasis {
	b := model.ExposureBasis{Year: s.Year, Jurisdictions: s.Jurisdictions, Roles: s.Roles, Counting: s.Counting,
		CompanySize: s.Size, SizeReason: sizeReason}
	if !s.On.IsZero() {
		b.ScanDate = s.On.UTC().Format(time.DateOnly)
	}
	for _, jur := range s.Jurisdictions {
		tab, err := t.Get(jur, s.Year)
		if err != nil {
			continue
		}
		if tab.MRPKZT != 0 {
			b.MRPKZT, b.MRPSource, b.EURPerMRP, b.EURSource = tab.MRPKZT, tab.MRPCite, tab.EURPerMRP, tab.EURCite
		}
		if tab.SizeRule.SMEMaxEmployees > 0 {
			sme := s.SME
			b.EUSME, b.SMEReason = &sme, s.SMEReason
		}
	}
	return b
}

// printer is the notes' language, English unless a report asks for another.
func (s Settings) printer() *i18n.Printer {
	if s.Printer != nil {
		return s.Printer
	}
	return i18n.English()
}

// concerns says whether the article concerns any of the company's roles.
func (r Rule) concerns(roles []string) bool {
	return slices.Contains(r.Roles, "any") || slices.ContainsFunc(roles, func(role string) bool { return slices.Contains(r.Roles, role) })
}

// mrp renders an amount in MRP as MRP, tenge and euros, exactly.
func (tab *Table) mrp(n int64) *model.Money {
	m := &model.Money{MRP: n, KZT: n * tab.MRPKZT}
	if rate, ok := new(big.Rat).SetString(tab.EURPerMRP); ok {
		m.EUR = new(big.Rat).Mul(rate, new(big.Rat).SetInt64(n)).FloatString(2)
	}
	return m
}

// euCap gives an EU article's cap and how it was reached: the higher of
// the fixed amount and the turnover share (Art. 99(3)-(5), 101), for SMEs
// the lower where the article allows it (Art. 99(6)); a fixed amount alone
// where the article has no share (Art. 100). Without a turnover a large
// company's fixed amount is the floor of its cap, an SME's its ceiling.
func euCap(r Rule, s Settings, p *i18n.Printer) (*model.Money, string) {
	fixed := new(big.Rat).SetInt64(r.CapEUR)
	amount := func(x *big.Rat) *model.Money { return &model.Money{EUR: x.FloatString(2)} }
	pct, _ := new(big.Rat).SetString(r.CapTurnoverPercent)
	sme := s.SME && r.SMELower
	switch {
	case pct == nil:
		return amount(fixed), p.T("up to %s, a fixed amount", p.EUR(fmt.Sprint(r.CapEUR)))
	case s.TurnoverEUR <= 0 && sme:
		return amount(fixed), p.T("up to %s: SME, the lower of %s and %s %% of turnover (turnover not given: the fixed amount is an upper bound)", p.EUR(fmt.Sprint(r.CapEUR)), p.EUR(fmt.Sprint(r.CapEUR)), r.CapTurnoverPercent)
	case s.TurnoverEUR <= 0:
		return amount(fixed), p.T("at least %s: the cap is %s or %s %% of turnover, whichever is higher, and the turnover was not given (--turnover-eur)", p.EUR(fmt.Sprint(r.CapEUR)), p.EUR(fmt.Sprint(r.CapEUR)), r.CapTurnoverPercent)
	}
	share := new(big.Rat).Mul(new(big.Rat).SetInt64(s.TurnoverEUR), pct)
	share.Quo(share, big.NewRat(100, 1))
	higher, lower := fixed, share
	if share.Cmp(fixed) > 0 {
		higher, lower = share, fixed
	}
	if sme {
		return amount(lower), p.T("SME: lower of %s and %s %% of turnover (%s)", p.EUR(fmt.Sprint(r.CapEUR)), r.CapTurnoverPercent, p.EUR(share.FloatString(2)))
	}
	return amount(higher), p.T("higher of %s and %s %% of turnover (%s)", p.EUR(fmt.Sprint(r.CapEUR)), r.CapTurnoverPercent, p.EUR(share.FloatString(2)))
}

// unit reduces a finding location ("MEDIA on PAGE", "PAGE [selector #n]",
// or a page) to the counting unit.
func unit(loc, counting string) string {
	page := loc
	if i := strings.LastIndex(loc, " on "); i >= 0 {
		page = loc[i+4:]
	} else if i := strings.Index(loc, " ["); i >= 0 {
		page = loc[:i]
	}
	switch counting {
	case "page":
		return page
	case "site":
		if u, err := url.Parse(page); err == nil && u.Host != "" {
			return u.Scheme + "://" + u.Host
		}
		return page
	}
	return loc
}
