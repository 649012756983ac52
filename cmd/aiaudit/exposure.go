package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/aiaudit/aiaudit/reports/audit"
	"github.com/aiaudit/aiaudit/reports/i18n"
	"github.com/aiaudit/aiaudit/reports/model"
)

// exposureFlags are the company facts and counting choices that turn
// findings into fine exposure.
type exposureFlags struct {
	opt audit.ExposureOptions
}

func (e *exposureFlags) register(c *cobra.Command) {
	f := c.Flags()
	f.StringVar(&e.opt.Jurisdiction, "jurisdiction", "kz", "laws to report findings and exposure under: kz, eu, de (draft: nothing to compute), or several joined by commas")
	f.StringVar(&e.opt.Size, "company-size", "", "small, medium or large under Kazakh law (default: derived from --employees and --income-kzt, else small)")
	f.IntVar(&e.opt.Employees, "employees", -1, "number of employees (with --income-kzt: derives the Kazakh company size; with --turnover-eur or --balance-sheet-eur: the EU SME status)")
	f.Int64Var(&e.opt.IncomeKZT, "income-kzt", -1, "annual income in KZT (with --employees: derives the company size)")
	f.Int64Var(&e.opt.TurnoverEUR, "turnover-eur", 0, "worldwide annual turnover in EUR, for the EU percentage caps and the EU SME test")
	f.Int64Var(&e.opt.BalanceSheetEUR, "balance-sheet-eur", 0, "annual balance-sheet total in EUR, for the EU SME test (with --employees)")
	f.StringVar(&e.opt.Role, "role", "publisher", "what the company is, joined by commas: publisher or deployer (KZ Art. 456.2, EU Art. 50), provider or operator of an AI system (KZ Art. 641.1, EU Art. 50), gpai (EU Art. 101: general-purpose AI model provider), eu-institution (EU Art. 100)")
	f.StringVar(&e.opt.Counting, "counting", "item", "what one offence is: item, page or site")
	f.IntVar(&e.opt.Year, "year", 2026, "year of the fine tables")
	f.StringArrayVar(&e.opt.RuleFiles, "rules", nil, "a rules file overriding the MRP or exchange rate, or adding a jurisdiction (repeatable)")
	// The names before the currency was part of them still work.
	for old, now := range renamedExposureFlags {
		f.Var(f.Lookup(now).Value, old, "")
		_ = f.MarkHidden(old)
	}
}

// renamedExposureFlags maps earlier flag names to the current ones.
var renamedExposureFlags = map[string]string{"annual-income": "income-kzt", "turnover": "turnover-eur", "balance-sheet": "balance-sheet-eur"}

// resolve validates the flags (every problem) and prepares the exposure.
func (e *exposureFlags) resolve() (*audit.Exposure, error) { return e.opt.Resolve() }

// keep takes, for every exposure flag the command line did not set, the
// value of a saved scan's profile. It returns what it took and what the
// command line changed, to be said.
func (e *exposureFlags) keep(c *cobra.Command, p model.CompanyProfile, say *i18n.Printer) (kept, overridden []string) {
	changed := func(flag string) bool {
		for old, now := range renamedExposureFlags {
			if now == flag && c.Flags().Changed(old) {
				return true
			}
		}
		return c.Flags().Changed(flag)
	}
	for _, f := range []struct {
		flag  string
		saved string
		take  func()
	}{
		{"jurisdiction", p.Jurisdiction, func() { e.opt.Jurisdiction = p.Jurisdiction }},
		{"company-size", p.CompanySize, func() { e.opt.Size = p.CompanySize }},
		{"employees", fmt.Sprint(p.Employees), func() { e.opt.Employees = p.Employees }},
		{"income-kzt", fmt.Sprint(p.IncomeKZT), func() { e.opt.IncomeKZT = p.IncomeKZT }},
		{"turnover-eur", fmt.Sprint(p.TurnoverEUR), func() { e.opt.TurnoverEUR = p.TurnoverEUR }},
		{"balance-sheet-eur", fmt.Sprint(p.BalanceSheetEUR), func() { e.opt.BalanceSheetEUR = p.BalanceSheetEUR }},
		{"role", p.Role, func() { e.opt.Role = p.Role }},
		{"counting", p.Counting, func() { e.opt.Counting = p.Counting }},
		{"year", fmt.Sprint(p.Year), func() { e.opt.Year = p.Year }},
	} {
		if !changed(f.flag) {
			f.take()
			kept = append(kept, f.flag)
		} else if now := c.Flags().Lookup(f.flag).Value.String(); now != f.saved {
			overridden = append(overridden, say.T("--%s %s instead of the saved %s", f.flag, now, f.saved))
		}
	}
	return kept, overridden
}
