package audit

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/aiaudit/aiaudit/reports/exposure"
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
	// sizeReason says how the company size was reached.
	sizeReason string
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
			errs = append(errs, &FlagError{Flag: "rules", Val: f, Err: fmt.Errorf("--rules: %w", err)})
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
		s.Size, calc.sizeReason = size, why
	} else if e.Size != "" {
		// The size's own check needs no tables.
		if _, _, err := e.size(nil); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if calc.Rules.EU {
		// EU SME status by the EU's definition, from the facts given.
		eu, err := tables.Get("eu", e.Year)
		if err != nil {
			return nil, err
		}
		s.SME, s.SMEReason = eu.EUSME(exposure.CompanyFacts{Employees: e.Employees, TurnoverEUR: e.TurnoverEUR, BalanceSheetEUR: e.BalanceSheetEUR}, s.Size)
	}
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
			return e.Size, "given with --company-size", nil
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
		return size, fmt.Sprintf("derived from %d staff and income %s KZT (%s)", e.Employees, exposure.GroupDigits(e.IncomeKZT), kz.SizeRule.Cite), nil
	case e.Employees >= 0 || e.IncomeKZT >= 0:
		return "", "", &FlagError{Flag: "employees", With: []string{"income-kzt"}, Err: errors.New("--employees and --income-kzt go together (or give --company-size)")}
	}
	return "small", "not given: the lowest fines assumed (give --company-size, or --employees and --income-kzt)", nil
}

// newTally counts the offences a run's findings make.
func (c *Exposure) newTally() *exposure.Tally { return c.tables.NewTally(c.settings) }

// apply computes the exposure of what the tally counted into the report.
func (c *Exposure) apply(rep *model.Report, tally *exposure.Tally) error {
	s := c.settings
	// Dates of application are checked against the scan's own date, so a
	// re-render of an old scan prices it as the law stood then.
	s.On = rep.Scan.Started
	es, err := c.tables.ComputeTally(tally, s)
	if err != nil {
		return err
	}
	rep.Exposure = es
	rep.Disclaimer = exposure.Disclaimer
	p := c.profile
	rep.Profile = &p
	b := c.tables.Basis(s, c.sizeReason)
	rep.Basis = &b
	return nil
}
