package reports

import (
	"bytes"
	"fmt"
	"html"
	"io"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aiaudit/aiaudit/detectors/c2pa/status"
	"github.com/aiaudit/aiaudit/detectors/labels"
	"github.com/aiaudit/aiaudit/detectors/notes"
	"github.com/aiaudit/aiaudit/reports/exposure"
	"github.com/aiaudit/aiaudit/reports/history"
	"github.com/aiaudit/aiaudit/reports/i18n"
	"github.com/aiaudit/aiaudit/reports/model"
	"github.com/aiaudit/aiaudit/reports/model/detail"
	"github.com/aiaudit/aiaudit/reports/rules"
)

// Every text a report can print is catalogued in all three languages:
// every rule's message, summary and fix, every exposure note of every
// article, role, date and company, and every line of the human formats.
func TestEveryTextIsCatalogued(t *testing.T) {
	tables, err := exposure.Load()
	require.NoError(t, err)
	findings := []model.Finding{
		{Rule: rules.KZUnlabelled, Location: "a on p"}, {Rule: rules.EUUnlabelled, Location: "a on p"},
		{Rule: rules.EUChatWidget, Location: "p"}, {Rule: rules.TrainingReserved, Location: "r"},
	}
	for _, lang := range i18n.Langs {
		p, err := i18n.New(lang)
		require.NoError(t, err)
		for _, r := range rules.All() {
			p.T(r.Summary)
			p.T(r.Fix)
			p.T(r.Message, "x")
		}
		for _, format := range []string{"table", "markdown", "html"} {
			var buf bytes.Buffer
			require.NoError(t, renderSampleIn(&buf, format, lang))
			for _, d := range []*model.Diff{sampleDiff(), {Incomplete: true,
				Accepted:     []model.Finding{{Rule: rules.KZUnlabelled, Severity: model.SeverityViolation, Change: model.ChangeAccepted}},
				NotRechecked: []model.Finding{{Rule: rules.EUChatWidget, Severity: model.SeverityWarning, Change: model.ChangeNotRechecked}}}, {}} {
				require.NoError(t, WriteDiff(format, &buf, d, model.Tool{}, DiffOptions{Lang: lang}))
			}
		}
		require.NoError(t, WriteScans(io.Discard, []history.ScanInfo{{Complete: true}, {}}, p))
		Pruned(p, 2, 1)
		for _, c := range []struct {
			roles    []string
			size     string
			turnover int64
			sme      bool
			on       time.Time
		}{
			{[]string{"publisher", "gpai"}, "small", 0, true, time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)},
			{[]string{"provider", "eu-institution"}, "large", 0, false, time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)},
			{[]string{"deployer"}, "medium", 1_000_000_000, false, time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)},
			{[]string{"operator"}, "large", 10_000_000, true, time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)},
		} {
			for _, counting := range []string{"item", "page", "site"} {
				s := exposure.Settings{Jurisdictions: []string{"kz", "eu", "de"}, Year: 2026, Size: c.size, Roles: c.roles, Counting: counting,
					TurnoverEUR: c.turnover, SME: c.sme, On: c.on, Printer: p}
				es, err := tables.Compute(findings, s)
				require.NoError(t, err)
				b := tables.Basis(s, "x")
				basisLine(p, b)
				for _, e := range es {
					exposureLine(p, e)
					articleName(p, e)
				}
			}
		}
		eu, err := tables.Get("eu", 2026)
		require.NoError(t, err)
		for _, f := range []exposure.CompanyFacts{{Employees: -1}, {Employees: 10}, {Employees: 10, TurnoverEUR: 1}, {Employees: 900, BalanceSheetEUR: 1}} {
			for _, size := range []string{"small", "medium", "large"} {
				eu.EUSME(f, size, p)
			}
		}
		for _, role := range exposure.Roles {
			p.T(role)
		}
		// What each failed C2PA or CAWG check means, in words.
		for _, c := range status.Described() {
			p.Text(c.Words())
		}
		for _, reason := range labels.Reasons {
			p.T(reason)
		}
		for _, note := range notes.Formats {
			p.T(note)
		}
	}
	assert.Empty(t, i18n.Misses(), "texts no catalogue holds: add them to reports/i18n/locales/*.json")
}

// The catalogues agree: every key in every language, the same verbs, the
// plural forms of each language.
func TestCataloguesAgree(t *testing.T) {
	c, err := i18n.Load()
	require.NoError(t, err)
	assert.Empty(t, c.Check())
}

// Why a label does not count is said in the report's language in every
// human format, its numbers written the language's way; JSON keeps the
// detector's English, and a reason worded otherwise (an older scan's) is
// shown as it stands.
func TestHiddenLabelReasonsInEveryLanguage(t *testing.T) {
	render := func(format, lang, why string) string {
		img := detail.Unlabelled{What: "img", Why: "xmp", Looked: []string{"alt", "container"},
			Hidden: &detail.Hidden{Where: "figcaption", Text: "AI", Why: why}}
		fs := rules.Set{}.Judge(model.FactUnlabelled, rules.Item{Location: "https://example.kz/a.png on https://example.kz/", Content: "xxh3:1"}, img.Write(fmt.Sprintf))
		var buf bytes.Buffer
		w, err := NewWriter(format, &buf, Options{Lang: lang})
		require.NoError(t, err)
		rep := &model.Report{Schema: model.Schema, Scan: model.Scan{Command: "crawl", Complete: true}}
		require.NoError(t, w.Begin(rep))
		rep.Summary.AddFindings(fs)
		require.NoError(t, w.Findings(fs))
		require.NoError(t, w.End(rep))
		return buf.String()
	}
	const why = "low contrast (1.61:1, minimum 4.5:1)"
	for lang, want := range map[string]string{
		"ru": "пометка есть, но её не видно: figcaption \"AI\" (низкий контраст (1,61:1, минимум 4,5:1))",
		"kk": "белгі бар, бірақ көрінбейді: figcaption \"AI\" (контраст төмен (1,61:1, ең азы 4,5:1))",
		"en": "label present but not visible: figcaption \"AI\" (low contrast (1.61:1, minimum 4.5:1))",
	} {
		for _, format := range []string{"table", "markdown", "html"} {
			got := html.UnescapeString(render(format, lang, why))
			assert.Contains(t, got, want, "%s %s", lang, format)
			if lang != "en" {
				assert.NotContains(t, got, "low contrast", "%s %s", lang, format)
			}
		}
	}
	assert.Contains(t, render("json", "ru", why), why, "JSON keeps the detector's English")
	assert.Contains(t, html.UnescapeString(render("html", "ru", "hidden by an old rule")), "(hidden by an old rule)", "an unknown wording is shown as found")
	assert.Contains(t, render("markdown", "kk", "not displayed (display:none)"), "(көрсетілмейді (display:none))")
}

// A manifest that fails validation is explained in the report's language:
// each failed check's plain words are translated, who an identity names
// stays as found.
func TestValidationWordsInEveryLanguage(t *testing.T) {
	edited := status.AssertionHashedURIMismatch.Words()
	forged := status.ClaimSignatureMismatch.Words()
	invalid := rules.Set{}.Judge(model.FactInvalid, rules.Item{Location: "https://example.test/a.jpg"}, edited+"; "+forged)
	identity := rules.Set{}.Judge(model.FactIdentity, rules.Item{Location: "https://example.test/a.jpg"}, "CN=Jane Doe ("+status.X509SignatureMismatch.Words()+")")
	require.Len(t, invalid, 1)
	require.Len(t, identity, 1)
	ru, err := i18n.New("ru")
	require.NoError(t, err)
	got := findingMessage(ru, invalid[0])
	assert.Contains(t, got, "изменено после подписи")
	assert.Contains(t, got, "подпись подделана")
	assert.NotContains(t, got, "signing")
	got = findingMessage(ru, identity[0])
	assert.Contains(t, got, "CN=Jane Doe (")
	assert.NotContains(t, got, "forged")
	assert.Equal(t, invalid[0].Message, findingMessage(i18n.English(), invalid[0]), "English says the finding as stored")
}
