package main

import (
	"github.com/spf13/cobra"

	"github.com/aiaudit/aiaudit/reports/audit"
	"github.com/aiaudit/aiaudit/reports/model"
)

// exposureFlags are the company facts and counting choices that turn
// findings into fine exposure.
type exposureFlags struct {
	opt audit.ExposureOptions
}

func (e *exposureFlags) register(c *cobra.Command) {
	c.Flags().StringVar(&e.opt.Jurisdiction, "jurisdiction", "kz", "laws to report findings and exposure under: kz, eu, or kz,eu")
	c.Flags().StringVar(&e.opt.Size, "company-size", "", "small, medium or large (default: derived from --employees and --annual-income, else small)")
	c.Flags().IntVar(&e.opt.Employees, "employees", -1, "number of employees (with --annual-income: derives the company size)")
	c.Flags().Int64Var(&e.opt.IncomeKZT, "annual-income", -1, "annual income in KZT (with --employees: derives the company size)")
	c.Flags().Int64Var(&e.opt.TurnoverEUR, "turnover", 0, "worldwide annual turnover in EUR, for the EU percentage caps and the EU SME test")
	c.Flags().Int64Var(&e.opt.BalanceSheetEUR, "balance-sheet", 0, "annual balance-sheet total in EUR, for the EU SME test (with --employees)")
	c.Flags().StringVar(&e.opt.Role, "role", "publisher", "publisher (KZ Art. 456.2), operator (Art. 641.1) or publisher,operator")
	c.Flags().StringVar(&e.opt.Counting, "counting", "item", "what one offence is: item, page or site")
	c.Flags().IntVar(&e.opt.Year, "year", 2026, "year of the fine tables")
	c.Flags().StringArrayVar(&e.opt.RuleFiles, "rules", nil, "a rules file overriding the MRP or exchange rate, or adding a jurisdiction (repeatable)")
}

// resolve validates the flags (every problem) and prepares the exposure.
func (e *exposureFlags) resolve() (*audit.Exposure, error) { return e.opt.Resolve() }

// keep takes, for every exposure flag the command line did not set, the
// value of a saved scan's profile; it returns what it took, to be said.
func (e *exposureFlags) keep(c *cobra.Command, p model.CompanyProfile) []string {
	var kept []string
	take := func(flag string, set func()) {
		if !c.Flags().Changed(flag) {
			set()
			kept = append(kept, flag)
		}
	}
	take("jurisdiction", func() { e.opt.Jurisdiction = p.Jurisdiction })
	take("company-size", func() { e.opt.Size = p.CompanySize })
	take("employees", func() { e.opt.Employees = p.Employees })
	take("annual-income", func() { e.opt.IncomeKZT = p.IncomeKZT })
	take("turnover", func() { e.opt.TurnoverEUR = p.TurnoverEUR })
	take("balance-sheet", func() { e.opt.BalanceSheetEUR = p.BalanceSheetEUR })
	take("role", func() { e.opt.Role = p.Role })
	take("counting", func() { e.opt.Counting = p.Counting })
	take("year", func() { e.opt.Year = p.Year })
	return kept
}
