package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/aiaudit/aiaudit/reports/exposure"
	"github.com/aiaudit/aiaudit/reports/model"
	"github.com/aiaudit/aiaudit/reports/rules"
)

// exposureFlags are the company facts and counting choices that turn
// findings into fine exposure.
type exposureFlags struct {
	jurisdiction string
	size         string
	employees    int
	income       int64
	turnover     int64
	role         string
	counting     string
	year         int
	rules        []string
}

func (e *exposureFlags) register(c *cobra.Command) {
	c.Flags().StringVar(&e.jurisdiction, "jurisdiction", "kz", "laws to report findings and exposure under: kz, eu, or kz,eu")
	c.Flags().StringVar(&e.size, "company-size", "", "small, medium or large (default: derived from --employees and --annual-income, else small)")
	c.Flags().IntVar(&e.employees, "employees", -1, "number of employees (with --annual-income: derives the company size)")
	c.Flags().Int64Var(&e.income, "annual-income", -1, "annual income in KZT (with --employees: derives the company size)")
	c.Flags().Int64Var(&e.turnover, "turnover", 0, "worldwide annual turnover in EUR, for the EU percentage caps")
	c.Flags().StringVar(&e.role, "role", "publisher", "publisher (KZ Art. 456.2), operator (Art. 641.1) or publisher,operator")
	c.Flags().StringVar(&e.counting, "counting", "item", "what one offence is: item, page or site")
	c.Flags().IntVar(&e.year, "year", 2026, "year of the fine tables")
	c.Flags().StringArrayVar(&e.rules, "rules", nil, "a rules file overriding the MRP or exchange rate, or adding a jurisdiction (repeatable)")
}

// exposure is a validated configuration, ready to compute.
type exposureCalc struct {
	tables   *exposure.Tables
	settings exposure.Settings
	eu       bool
}

func (e *exposureFlags) resolve() (*exposureCalc, error) {
	var overrides [][]byte
	for _, f := range e.rules {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, usageError{err}
		}
		overrides = append(overrides, b)
	}
	tables, err := exposure.Load(overrides...)
	if err != nil {
		return nil, usageError{err}
	}
	s := exposure.Settings{Year: e.year, Counting: e.counting, TurnoverEUR: e.turnover}
	calc := &exposureCalc{tables: tables}
	for _, j := range strings.Split(e.jurisdiction, ",") {
		j = strings.ToLower(strings.TrimSpace(j))
		if _, err := tables.Get(j, e.year); err != nil {
			return nil, usageError{fmt.Errorf("--jurisdiction %q / --year %d: %w", j, e.year, err)}
		}
		s.Jurisdictions = append(s.Jurisdictions, j)
		if j == "eu" {
			calc.eu = true
		}
	}
	for _, r := range strings.Split(e.role, ",") {
		switch r = strings.TrimSpace(r); r {
		case "publisher", "operator":
			s.Roles = append(s.Roles, r)
		default:
			return nil, usageError{fmt.Errorf("--role %q is not supported (accepted: publisher, operator, publisher,operator)", r)}
		}
	}
	switch e.counting {
	case "item", "page", "site":
	default:
		return nil, usageError{fmt.Errorf("--counting %q is not supported (accepted: item, page, site)", e.counting)}
	}
	if e.turnover < 0 || e.turnover > 10_000_000_000_000 {
		return nil, usageError{fmt.Errorf("--turnover %d EUR is not plausible (accepted: 0 to 10,000,000,000,000)", e.turnover)}
	}
	switch {
	case e.size != "":
		switch e.size {
		case "small", "medium", "large":
			s.Size = e.size
		default:
			return nil, usageError{fmt.Errorf("--company-size %q is not supported (accepted: small, medium, large)", e.size)}
		}
	case e.employees >= 0 && e.income >= 0:
		kz, err := tables.Get("kz", e.year)
		if err != nil {
			return nil, usageError{err}
		}
		if s.Size, err = kz.KZSize(e.employees, e.income); err != nil {
			return nil, usageError{err}
		}
	case e.employees >= 0 || e.income >= 0:
		return nil, usageError{fmt.Errorf("--employees and --annual-income go together (or give --company-size)")}
	default:
		s.Size = "small"
	}
	// EU SME (Recommendation 2003/361/EC): fewer than 250 employees and
	// turnover up to 50 M EUR; without those facts, the size decides.
	s.SME = s.Size != "large"
	if e.employees >= 250 || e.turnover > 50_000_000 {
		s.SME = false
	}
	calc.settings = s
	return calc, nil
}

// apply computes the exposure of the collected findings into the report.
func (c *exposureCalc) apply(rep *model.Report, findings []model.Finding) error {
	es, err := c.tables.Compute(findings, c.settings)
	if err != nil {
		return err
	}
	rep.Exposure = es
	rep.Disclaimer = exposure.Disclaimer
	return nil
}

// fined keeps the findings that fine tables count, so exposure is computed
// without holding every finding in memory.
func fined(fs []model.Finding) []model.Finding {
	var out []model.Finding
	for _, f := range fs {
		if rules.Fined(f.Rule) {
			out = append(out, f)
		}
	}
	return out
}
