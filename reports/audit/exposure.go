package audit

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/aiaudit/aiaudit/reports/exposure"
	"github.com/aiaudit/aiaudit/reports/i18n"
	"github.com/aiaudit/aiaudit/reports/model"
	"github.com/aiaudit/aiaudit/reports/rules"
)

// ExposureOptions are the company facts and counting choices that turn
// findings into fine exposure, as a user gives them.
type ExposureOptions struct {
	Jurisdiction string // kz, eu or kz,eu
	Size         string // small, medium, large; "" derives it
	Employees    int    // -1: not given
	IncomeKZT    int64  // -1: not given
	TurnoverEUR  int64
	// BalanceSheetEUR is the balance-sheet total, for the EU SME test.
	BalanceSheetEUR int64
	Role            string // publisher, operator or both
	Counting        string // item, page, site
	Year            int
	// RuleFiles override the MRP or exchange rate, or add a jurisdiction.
	RuleFiles []string
}

// Exposure is a validated exposure configuration, ready to compute.
type Exposure struct {
	tables   *exposure.Tables
	settings exposure.Settings
	profile  model.CompanyProfile
	// sizeHow says how the company size was reached; facts are the EU SME
	// test's inputs. Both are put in words in the report's language.
	sizeHow string
	facts   exposure.CompanyFacts
	// Rules are the finding rules in force for the jurisdictions asked for.
	Rules rules.Set
}

// Profile is the options as a saved scan keeps them.
func (e ExposureOptions) Profile() model.CompanyProfile {
	return model.CompanyProfile{Jurisdiction: e.Jurisdiction, CompanySize: e.Size, Employees: e.Employees, IncomeKZT: e.IncomeKZT,
		TurnoverEUR: e.TurnoverEUR, BalanceSheetEUR: e.BalanceSheetEUR, Role: e.Role, Counting: e.Counting, Year: e.Year}
}

// Resolve validates the options and derives the company size. It reports
// every problem, each a FlagError naming its flag.
func (e ExposureOptions) Resolve() (*Exposure, error) {
	var errs []error
	bad := func(flag, format string, args ...any) { errs = append(errs, FlagErrorf(flag, format, args...)) }
	var overrides [][]byte
	for _, f := range e.RuleFiles {
		b, err := os.ReadFile(f)
		if err != nil {
			errs = append(errs, &FlagError{Flag: "rules", Val: f, Err: i18n.Errorf("--rules: %v", err)})
			continue
		}
		overrides = append(overrides, b)
	}
	var tables *exposure.Tables
	if len(errs) == 0 {
		var err error
		if tables, err = exposure.Load(overrides...); err != nil {
			bad("rules", "--rules: %v", err)
		}
	}
	s := exposure.Settings{Year: e.Year, Counting: e.Counting, TurnoverEUR: e.TurnoverEUR}
	calc := &Exposure{tables: tables, profile: e.Profile()}
	for _, j := range strings.Split(e.Jurisdiction, ",") {
		j = strings.ToLower(strings.TrimSpace(j))
		if tables != nil {
			if _, err := tables.Get(j, e.Year); err != nil {
				errs = append(errs, &FlagError{Flag: "jurisdiction", With: []string{"year"}, Err: fmt.Errorf("--jurisdiction %q / --year %d: %w", j, e.Year, err)})
				continue
			}
		}
		s.Jurisdictions = append(s.Jurisdictions, j)
		if j == "eu" {
			calc.Rules.EU = true
		}
	}
	for _, r := range strings.Split(e.Role, ",") {
		if r = strings.TrimSpace(r); slices.Contains(exposure.Roles, r) {
			s.Roles = append(s.Roles, r)
		} else {
			bad("role", "--role %q is not supported (accepted: %s, or several joined by commas)", r, strings.Join(exposure.Roles, ", "))
		}
	}
	switch e.Counting {
	case "item", "page", "site":
	default:
		bad("counting", "--counting %q is not supported (accepted: item, page, site)", e.Counting)
	}
	if e.TurnoverEUR < 0 || e.TurnoverEUR > 10_000_000_000_000 {
		bad("turnover-eur", "--turnover-eur %d EUR is not plausible (accepted: 0 to 10,000,000,000,000)", e.TurnoverEUR)
	}
	if e.BalanceSheetEUR < 0 || e.BalanceSheetEUR > 10_000_000_000_000 {
		bad("balance-sheet-eur", "--balance-sheet-eur %d EUR is not plausible (accepted: 0 to 10,000,000,000,000)", e.BalanceSheetEUR)
	}
	// -1 is "not given", the flags' default.
	if e.Employees < -1 {
		bad("employees", "--employees must not be negative (got %d)", e.Employees)
	}
	if e.IncomeKZT < -1 {
		bad("income-kzt", "--income-kzt must not be negative (got %d)", e.IncomeKZT)
	}
	if len(errs) == 0 {
		size, why, err := e.size(tables)
		if err != nil {
			errs = append(errs, err)
		}
		s.Size, calc.sizeHow = size, why
	} else if e.Size != "" {
		// The size's own check needs no tables.
		if _, _, err := e.size(nil); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	// The EU SME status is decided when the exposure is applied, its reason
	// in the report's language.
	calc.facts = exposure.CompanyFacts{Employees: e.Employees, TurnoverEUR: e.TurnoverEUR, BalanceSheetEUR: e.BalanceSheetEUR}
	calc.settings = s
	return calc, nil
}

// size is the company size given, or derived from staff and income under
// Kazakh law, else small (the lowest fines), with the reason shown in the
// report. tables may be nil when a size is given.
func (e ExposureOptions) size(tables *exposure.Tables) (size, why string, err error) {
	switch {
	case e.Size != "":
		switch e.Size {
		case "small", "medium", "large":
			return e.Size, sizeGiven, nil
		}
		return "", "", FlagErrorf("company-size", "--company-size %q is not supported (accepted: small, medium, large)", e.Size)
	case e.Employees >= 0 && e.IncomeKZT >= 0:
		kz, err := tables.Get("kz", e.Year)
		if err != nil {
			return "", "", &FlagError{Flag: "year", Err: err}
		}
		size, err := kz.KZSize(e.Employees, e.IncomeKZT)
		if err != nil {
			return "", "", &FlagError{Flag: "employees", With: []string{"income-kzt"}, Err: err}
		}
		return size, sizeDerived, nil
	case e.Employees >= 0 || e.IncomeKZT >= 0:
		return "", "", &FlagError{Flag: "employees", With: []string{"income-kzt"}, Err: i18n.Errorf("--employees and --income-kzt go together (or give --company-size)")}
	}
	return "small", sizeAssumed, nil
}

// newTally counts the offences a run's findings make.
func (c *Exposure) newTally() *exposure.Tally { return c.tables.NewTally(c.settings) }

// How the company size was reached.
const (
	sizeGiven   = "given"
	sizeDerived = "derived"
	sizeAssumed = "assumed"
)

// sizeReason puts how the company size was reached in words.
func (c *Exposure) sizeReason(p *i18n.Printer) string {
	switch c.sizeHow {
	case sizeGiven:
		return p.T("given with --company-size")
	case sizeDerived:
		return p.T("derived from %d staff and an income of %s (Entrepreneurial Code Art. 24)", c.profile.Employees, p.KZT(c.profile.IncomeKZT))
	}
	return p.T("not given: the lowest fines assumed (give --company-size, or --employees and --income-kzt)")
}

// apply computes the exposure of what the tally counted into the report,
// its notes in p's language.
func (c *Exposure) apply(rep *model.Report, tally *exposure.Tally, p *i18n.Printer) error {
	s := c.settings
	s.Printer = p
	// Dates of application are checked against the scan's own date, so a
	// re-render of an old scan prices it as the law stood then.
	s.On = rep.Scan.Started
	if c.Rules.EU {
		// EU SME status by the EU's definition, from the facts given.
		eu, err := c.tables.Get("eu", s.Year)
		if err != nil {
			return err
		}
		s.SME, s.SMEReason = eu.EUSME(c.facts, s.Size, p)
	}
	es, err := c.tables.ComputeTally(tally, s)
	if err != nil {
		return err
	}
	rep.Exposure = es
	rep.Disclaimer = p.T(exposure.Disclaimer)
	prof := c.profile
	rep.Profile = &prof
	b := c.tables.Basis(s, c.sizeReason(p))
	rep.Basis = &b
	return nil
}
