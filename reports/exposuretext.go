package reports

import (
	"fmt"
	"strings"

	"github.com/aiaudit/aiaudit/reports/model"
)

// reviewDisclaimer is said when a report has no exposure figures.
const reviewDisclaimer = "Findings are for review; they are not legal advice."

// disclaimer is the line every human-readable report ends with.
func disclaimer(r *model.Report) string {
	if r.Disclaimer != "" {
		return r.Disclaimer
	}
	return reviewDisclaimer
}

// articleName is "Art. 456.2" for a numbered article, else the name as it
// stands ("criminal (false information)", a draft law).
func articleName(e model.Exposure) string {
	if e.Article != "" && e.Article[0] >= '0' && e.Article[0] <= '9' {
		return "Art. " + e.Article
	}
	return e.Article
}

// exposureLine says one article's exposure, honest about what is a floor,
// a cap, a flag and a date not yet reached.
func exposureLine(e model.Exposure) string {
	money := func(m *model.Money) string {
		if m == nil {
			return "-"
		}
		if m.MRP != 0 {
			return fmt.Sprintf("%d MRP (%d KZT, %s EUR)", m.MRP, m.KZT, m.EUR)
		}
		return m.EUR + " EUR"
	}
	var line string
	switch {
	case e.Informational:
		return e.Note
	case e.NotYetApplicable:
		return e.Note
	case e.FlaggedOnly:
		line = "flagged, maximum " + money(e.Cap)
		if e.CapRule != "" {
			line += " (" + e.CapRule + ")"
		}
		if e.Offences > 0 {
			line += fmt.Sprintf("; %d item(s) raise it", e.Offences)
		}
	case e.CapRule != "":
		line = fmt.Sprintf("%d offence(s); cap %s (%s)", e.Offences, money(e.TotalMax), e.CapRule)
	default:
		line = fmt.Sprintf("%d offence(s) by %s; %s to %s (%s per offence, %s company)", e.Offences, e.Counting, money(e.TotalMin), money(e.TotalMax), money(e.FinePerOffence), e.CompanySize)
	}
	if e.Note != "" {
		line += "; " + e.Note
	}
	return line
}

// basisLine states, in one line, what the exposure figures assume.
func basisLine(b model.ExposureBasis) string {
	parts := []string{
		fmt.Sprintf("fine tables %s of %d", strings.ToUpper(strings.Join(b.Jurisdictions, ", ")), b.Year),
		"scan date " + b.ScanDate,
		"role " + strings.Join(b.Roles, ", "),
		"one offence per " + b.Counting,
		fmt.Sprintf("company size %s (%s)", b.CompanySize, b.SizeReason),
	}
	if b.EUSME != nil {
		parts = append(parts, fmt.Sprintf("EU SME %s (%s)", map[bool]string{true: "yes", false: "no"}[*b.EUSME], b.SMEReason))
	}
	if b.MRPKZT != 0 {
		parts = append(parts, fmt.Sprintf("MRP %d KZT (%s)", b.MRPKZT, b.MRPSource))
	}
	if b.EURPerMRP != "" {
		parts = append(parts, fmt.Sprintf("%s EUR per MRP (%s)", b.EURPerMRP, b.EURSource))
	}
	return "Assumptions: " + strings.Join(parts, "; ") + "."
}

// ExposureSummary gives one short line per article with something to say,
// for the stderr summary of a report written to a file.
func ExposureSummary(es []model.Exposure) []string {
	var out []string
	for _, e := range es {
		name := "exposure " + e.Jurisdiction + " " + articleName(e) + ": "
		switch {
		case e.Informational, e.NotYetApplicable:
			continue
		case e.FlaggedOnly && e.Offences > 0:
			out = append(out, fmt.Sprintf("%sflagged by %d item(s), maximum %s (never summed)", name, e.Offences, moneyText(e.Cap)))
		case e.FlaggedOnly:
			continue
		case e.CapRule != "":
			out = append(out, fmt.Sprintf("%scap %s (%s)", name, moneyText(e.TotalMax), e.CapRule))
		case e.TotalMax != nil:
			out = append(out, fmt.Sprintf("%s%s to %s (%d offences by %s)", name, moneyText(e.TotalMin), moneyText(e.TotalMax), e.Offences, e.Counting))
		}
	}
	return out
}
