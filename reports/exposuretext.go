package reports

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/aiaudit/aiaudit/detectors/c2pa/status"
	"github.com/aiaudit/aiaudit/reports/i18n"
	"github.com/aiaudit/aiaudit/reports/model"
	"github.com/aiaudit/aiaudit/reports/model/detail"
	"github.com/aiaudit/aiaudit/reports/rules"
)

// reviewDisclaimer is said when a report has no exposure figures.
const reviewDisclaimer = "Findings are for review; they are not legal advice."

// disclaimer is the line every human-readable report ends with (the
// exposure's own disclaimer is already in the report's language).
func disclaimer(r *model.Report, p *i18n.Printer) string {
	if r.Disclaimer != "" {
		return r.Disclaimer
	}
	return p.T(reviewDisclaimer)
}

// articleName is "Art. 456.2" for a numbered article, else the name as it
// stands ("criminal (false information)", a draft law).
func articleName(p *i18n.Printer, e model.Exposure) string {
	if e.Article != "" && e.Article[0] >= '0' && e.Article[0] <= '9' {
		return p.T("Art. %s", e.Article)
	}
	return p.Text(e.Article)
}

// money writes an amount in every unit it has: MRP, tenge and euros.
func money(p *i18n.Printer, m *model.Money) string {
	switch {
	case m == nil:
		return "-"
	case m.MRP != 0:
		return p.T("%d MRP (%s, %s)", m.MRP, p.KZT(m.KZT), p.EUR(m.EUR))
	case m.KZT != 0:
		return p.T("%s (%s)", p.KZT(m.KZT), p.EUR(m.EUR))
	}
	return p.EUR(m.EUR)
}

// exposureLine says one article's exposure, honest about what is a floor,
// a cap, a flag and a date not yet reached. Its notes are already in the
// report's language.
func exposureLine(p *i18n.Printer, e model.Exposure) string {
	var line string
	switch {
	case e.Informational, e.NotYetApplicable:
		return e.Note
	case e.FlaggedOnly:
		line = p.T("flagged, maximum %s", money(p, e.Cap))
		if e.CapRule != "" {
			line += " (" + e.CapRule + ")"
		}
		if e.Offences > 0 {
			line += "; " + p.T("%d item(s) raise it", e.Offences)
		}
	case e.CapRule != "":
		line = p.T("%d offence(s); cap %s (%s)", e.Offences, money(p, e.TotalMax), e.CapRule)
	default:
		line = p.T("%d offence(s) by %s; %s to %s (%s per offence, %s company)", e.Offences, p.T(e.Counting), money(p, e.TotalMin), money(p, e.TotalMax),
			money(p, e.FinePerOffence), p.T(e.CompanySize))
	}
	if e.Note != "" {
		line += "; " + e.Note
	}
	return line
}

// basisLine states, in one line, what the exposure figures assume.
func basisLine(p *i18n.Printer, b model.ExposureBasis) string {
	roles := make([]string, len(b.Roles))
	for i, r := range b.Roles {
		roles[i] = p.T(r)
	}
	parts := []string{
		p.T("fine tables %s of %s", strings.ToUpper(strings.Join(b.Jurisdictions, ", ")), fmt.Sprint(b.Year)),
		p.T("scan date %s", b.ScanDate),
		p.T("role %s", strings.Join(roles, ", ")),
		p.T("one offence per %s", p.T(b.Counting)),
		p.T("company size %s (%s)", p.T(b.CompanySize), b.SizeReason),
	}
	if b.EUSME != nil {
		yes := map[bool]string{true: p.T("yes"), false: p.T("no")}[*b.EUSME]
		parts = append(parts, p.T("EU SME %s (%s)", yes, b.SMEReason))
	}
	if b.MRPKZT != 0 {
		parts = append(parts, p.T("MRP %s (%s)", p.KZT(b.MRPKZT), p.Text(b.MRPSource)))
	}
	if b.EURPerMRP != "" {
		parts = append(parts, p.T("%s per MRP (%s)", p.EUR(b.EURPerMRP), p.Text(b.EURSource)))
	}
	return p.T("Assumptions: %s.", strings.Join(parts, "; "))
}

// findingMessage is a finding's message in the report's language: the
// rule's template translated, around the detail the scan saw, itself
// re-said in the language when it is one of the scanner's known shapes
// (the scanned parts inside it, names and quoted text, stay as seen).
func findingMessage(p *i18n.Printer, f model.Finding) string {
	r, ok := rules.Get(f.Rule)
	if !ok || p.Lang == "en" {
		return f.Message
	}
	said := rules.Detail(f)
	if d, ok := detail.Parse(said); ok {
		said = d.Write(p.T)
	} else if r.ID == rules.C2PAInvalid || r.ID == rules.C2PAIdentity {
		said = validationWords(p, said)
	}
	return p.T(r.Message, said)
}

// validationWords says, in the printer's language, the plain words of the
// failed C2PA and CAWG checks a finding lists (status.Code.Words, joined
// with names and "; "); the rest (who an identity names) stays as found.
func validationWords(p *i18n.Printer, said string) string {
	r, ok := validationReplacers.Load(p.Lang)
	if !ok {
		r, _ = validationReplacers.LoadOrStore(p.Lang, validationReplacer(p))
	}
	return r.(*strings.Replacer).Replace(said)
}

// validationReplacers keeps one replacer per language: a report with many
// invalid manifests says them all with the same one.
var validationReplacers sync.Map

// validationReplacer replaces every status code's words with p's, longest
// first: a replacer tries them in order, so a phrase is never cut by a
// shorter one it holds.
func validationReplacer(p *i18n.Printer) *strings.Replacer {
	var words []string
	for _, c := range status.Described() {
		if !slices.Contains(words, c.Words()) {
			words = append(words, c.Words())
		}
	}
	slices.SortStableFunc(words, func(a, b string) int { return len(b) - len(a) })
	pairs := make([]string, 0, 2*len(words))
	for _, w := range words {
		pairs = append(pairs, w, p.Text(w))
	}
	return strings.NewReplacer(pairs...)
}

// ExposureSummary gives one short line per article with something to say,
// in the printer's language, for the stderr summary of a report written to
// a file.
func ExposureSummary(p *i18n.Printer, es []model.Exposure) []string {
	var out []string
	for _, e := range es {
		var line string
		switch {
		case e.Informational, e.NotYetApplicable:
			continue
		case e.FlaggedOnly && e.Offences > 0:
			line = p.T("flagged by %d item(s), maximum %s (never summed)", e.Offences, money(p, e.Cap))
		case e.FlaggedOnly:
			continue
		case e.CapRule != "":
			line = p.T("cap %s (%s)", money(p, e.TotalMax), e.CapRule)
		case e.TotalMax != nil:
			line = p.T("%s to %s (%d offences by %s)", money(p, e.TotalMin), money(p, e.TotalMax), e.Offences, p.T(e.Counting))
		default:
			continue
		}
		out = append(out, p.T("exposure %s %s: %s", e.Jurisdiction, articleName(p, e), line))
	}
	return out
}
