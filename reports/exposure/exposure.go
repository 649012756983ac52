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
	Article            string           `json:"article"`
	Cite               string           `json:"cite"`
	Role               string           `json:"role"` // publisher, operator, any
	Findings           []string         `json:"findings"`
	FineMRP            map[string]int64 `json:"fine_mrp"`
	CapEUR             int64            `json:"cap_eur"`
	CapTurnoverPercent string           `json:"cap_turnover_percent"`
	FlagOnly           bool             `json:"flag_only"`
	// FlagWith names the findings that make a flag-only rule worth a
	// mention; without it the rule is listed in the table only.
	FlagWith []string `json:"flag_with"`
}

// Table is one jurisdiction's rules for one year.
type Table struct {
	Jurisdiction string `json:"jurisdiction"`
	Year         int    `json:"year"`
	Currency     string `json:"currency"`
	MRPKZT       int64  `json:"mrp_kzt"`
	MRPCite      string `json:"mrp_cite"`
	EURPerMRP    string `json:"eur_per_mrp"`
	EURCite      string `json:"eur_cite"`
	SizeRule     struct {
		Cite                  string `json:"cite"`
		Small                 *limit `json:"small"`
		Medium                *limit `json:"medium"`
		SMEMaxEmployees       int    `json:"sme_max_employees"`
		SMEMaxTurnoverEUR     int64  `json:"sme_max_turnover_eur"`
		SMEMaxBalanceSheetEUR int64  `json:"sme_max_balance_sheet_eur"`
	} `json:"size_rule"`
	Rules []Rule `json:"rules"`
}

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
	for _, r := range tab.Rules {
		for _, id := range append(slices.Clone(r.Findings), r.FlagWith...) {
			// A rule id the registry does not know would never count.
			if !rules.Fined(id) {
				return fmt.Errorf("%s: article %s counts %q, which is not a rule a fine table can count (%s)", name, r.Article, id, strings.Join(rules.FinedIDs(), ", "))
			}
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
func (tab *Table) EUSME(f CompanyFacts, kzSize string) (bool, string) {
	r := tab.SizeRule
	var facts []string
	staffKnown, moneyKnown := f.Employees >= 0, f.TurnoverEUR > 0 || f.BalanceSheetEUR > 0
	if staffKnown {
		facts = append(facts, fmt.Sprintf("%d staff", f.Employees))
	}
	within := false // turnover or balance sheet within its limit
	if f.TurnoverEUR > 0 {
		facts = append(facts, fmt.Sprintf("turnover %s EUR", groupDigits(f.TurnoverEUR)))
		within = within || f.TurnoverEUR <= r.SMEMaxTurnoverEUR
	}
	if f.BalanceSheetEUR > 0 {
		facts = append(facts, fmt.Sprintf("balance sheet %s EUR", groupDigits(f.BalanceSheetEUR)))
		within = within || (r.SMEMaxBalanceSheetEUR > 0 && f.BalanceSheetEUR <= r.SMEMaxBalanceSheetEUR)
	}
	what := strings.Join(facts, ", ")
	switch {
	case r.SMEMaxEmployees == 0:
	case staffKnown && f.Employees > r.SMEMaxEmployees, moneyKnown && !within:
		// One fact that fails the test is enough.
		return false, "not an EU SME on the facts given: " + what
	case staffKnown && moneyKnown:
		return true, "EU SME: " + what
	}
	sme := kzSize != "large"
	if what != "" {
		what = " (" + what + " do not decide it)"
	}
	return sme, fmt.Sprintf("EU SME status taken from the company size, %s%s: give --employees and --turnover or --balance-sheet", kzSize, what)
}

// groupDigits writes 25000000 as 25,000,000.
func groupDigits(n int64) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// Settings are the company facts and counting choices.
type Settings struct {
	Jurisdictions []string // "kz", "eu"
	Year          int
	Size          string   // small, medium, large
	Roles         []string // publisher, operator
	Counting      string   // item, page, site
	// TurnoverEUR is the worldwide annual turnover in whole euros; 0 when
	// unknown.
	TurnoverEUR int64
	// SME applies the EU "lower of" rule (Art. 99(6)); SMEReason says why
	// the company is (not) one.
	SME       bool
	SMEReason string
}

// Compute gives the exposure of the findings under every applicable rule.
func (t *Tables) Compute(findings []model.Finding, s Settings) ([]model.Exposure, error) {
	tally := NewTally(s.Counting)
	tally.Add(findings)
	return t.ComputeTally(tally, s)
}

// Tally counts offence units per rule as findings arrive, keeping a 16-byte
// digest per unit rather than the finding, so a long scan's memory does not
// follow its findings.
type Tally struct {
	counting string
	units    map[string]map[[16]byte]struct{}
}

// NewTally counts by item, page or site.
func NewTally(counting string) *Tally {
	return &Tally{counting: counting, units: map[string]map[[16]byte]struct{}{}}
}

// Add counts findings.
func (t *Tally) Add(fs []model.Finding) {
	for _, f := range fs {
		set := t.units[f.Rule]
		if set == nil {
			set = map[[16]byte]struct{}{}
			t.units[f.Rule] = set
		}
		set[xxh3.HashString128(unit(f.Location, t.counting)).Bytes()] = struct{}{}
	}
}

// count counts the distinct units offending any of the rules.
func (t *Tally) count(rules []string) int {
	if len(rules) == 1 {
		return len(t.units[rules[0]])
	}
	seen := map[[16]byte]struct{}{}
	for _, r := range rules {
		for u := range t.units[r] {
			seen[u] = struct{}{}
		}
	}
	return len(seen)
}

// ComputeTally gives the exposure of what a tally counted.
func (t *Tables) ComputeTally(tally *Tally, s Settings) ([]model.Exposure, error) {
	var out []model.Exposure
	for _, jur := range s.Jurisdictions {
		tab, err := t.Get(jur, s.Year)
		if err != nil {
			return nil, err
		}
		for _, r := range tab.Rules {
			if !roleApplies(r.Role, s.Roles) {
				continue
			}
			offences := tally.count(r.Findings)
			e := model.Exposure{Jurisdiction: tab.Jurisdiction, Article: r.Article, Cite: r.Cite, Year: tab.Year,
				CompanySize: s.Size, Role: r.Role, Counting: s.Counting, Offences: offences}
			switch {
			case r.FlagOnly:
				if tally.count(r.FlagWith) == 0 {
					continue
				}
				// The items that raise the flag, not offences of this article.
				e.Offences = tally.count(r.FlagWith)
				e.FlaggedOnly = true
				e.Note = "flagged, not computed: applies only if the content is knowingly false and harmful"
			case r.FineMRP != nil:
				fine, ok := r.FineMRP[s.Size]
				if !ok {
					return nil, fmt.Errorf("%s Art. %s has no fine for company size %q (accepted: small, medium, large)", tab.Jurisdiction, r.Article, s.Size)
				}
				if offences == 0 {
					continue
				}
				e.FinePerOffence = tab.mrp(fine)
				e.TotalMin = tab.mrp(fine) // one case: one fine per rule broken
				e.TotalMax = tab.mrp(fine * int64(offences))
				e.Note = fmt.Sprintf("range: one fine (one case) to one fine per %s", s.Counting)
			case r.CapEUR > 0:
				if offences == 0 {
					continue
				}
				capEUR, rule := euCap(r, s)
				e.CapRule = rule
				e.TotalMin = &model.Money{EUR: "0.00"}
				e.TotalMax = &model.Money{EUR: capEUR}
				e.Note = "fines are set up to the cap, by the factors of Art. 99(7); one cap for the whole case, not per item"
				if s.SMEReason != "" {
					e.Note += "; " + s.SMEReason
				}
			}
			out = append(out, e)
		}
	}
	return out, nil
}

func roleApplies(ruleRole string, roles []string) bool {
	if ruleRole == "any" {
		return true
	}
	for _, r := range roles {
		if r == ruleRole {
			return true
		}
	}
	return false
}

// mrp renders an amount in MRP as MRP, tenge and euros, exactly.
func (tab *Table) mrp(n int64) *model.Money {
	m := &model.Money{MRP: n, KZT: n * tab.MRPKZT}
	if rate, ok := new(big.Rat).SetString(tab.EURPerMRP); ok {
		m.EUR = new(big.Rat).Mul(rate, new(big.Rat).SetInt64(n)).FloatString(2)
	}
	return m
}

// euCap applies Art. 99(4) with 99(6): the higher of the fixed cap and the
// turnover share, or for SMEs the lower. Without a turnover only the fixed
// amount can be stated.
func euCap(r Rule, s Settings) (string, string) {
	fixed := new(big.Rat).SetInt64(r.CapEUR)
	pct, _ := new(big.Rat).SetString(r.CapTurnoverPercent)
	if s.TurnoverEUR <= 0 || pct == nil {
		rule := fmt.Sprintf("at least %s EUR: the cap is %s EUR or %s %% of turnover, whichever is higher, and the turnover was not given (--turnover)", fixed.FloatString(0), fixed.FloatString(0), r.CapTurnoverPercent)
		if s.SME {
			rule = fmt.Sprintf("SME: %s EUR or %s %% of turnover, whichever is lower (turnover not given: the fixed amount is an upper bound)", fixed.FloatString(0), r.CapTurnoverPercent)
		}
		return fixed.FloatString(2), rule
	}
	share := new(big.Rat).Mul(new(big.Rat).SetInt64(s.TurnoverEUR), pct)
	share.Quo(share, big.NewRat(100, 1))
	higher, lower := fixed, share
	if share.Cmp(fixed) > 0 {
		higher, lower = share, fixed
	}
	if s.SME {
		return lower.FloatString(2), fmt.Sprintf("SME: lower of %s EUR and %s %% of turnover (%s EUR)", fixed.FloatString(0), r.CapTurnoverPercent, share.FloatString(2))
	}
	return higher.FloatString(2), fmt.Sprintf("higher of %s EUR and %s %% of turnover (%s EUR)", fixed.FloatString(0), r.CapTurnoverPercent, share.FloatString(2))
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
