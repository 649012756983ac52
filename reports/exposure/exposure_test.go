package exposure

import (
	"fmt"
	"slices"
	"time"

	"testing"

	"github.com/aiaudit/aiaudit/reports/digestset"
	"github.com/aiaudit/aiaudit/reports/i18n"
	"github.com/aiaudit/aiaudit/reports/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Three unlabelled images on two pages of one site.
var findings = []model.Finding{
	{Rule: "kz.aap.456.2", Location: "https://a.kz/1.jpg on https://a.kz/p1"},
	{Rule: "kz.aap.456.2", Location: "https://a.kz/2.jpg on https://a.kz/p1"},
	{Rule: "kz.aap.456.2", Location: "https://a.kz/3.jpg on https://a.kz/p2"},
	{Rule: "eu.ai-act.50", Location: "https://a.kz/3.jpg on https://a.kz/p2"},
	{Rule: "ai.unmarked", Location: "https://a.kz/9.jpg"},
}

func tables(t *testing.T) *Tables {
	tab, err := Load()
	require.NoError(t, err)
	return tab
}

func byArticle(es []model.Exposure) map[string]model.Exposure {
	m := map[string]model.Exposure{}
	for _, e := range es {
		m[e.Jurisdiction+" "+e.Article] = e
	}
	return m
}

// Hand-computed: MRP 2026 = 4,325 KZT, 7.35 EUR per MRP.
func TestKazakhFigures(t *testing.T) {
	cases := []struct {
		size, role, counting string
		article              string
		perMRP, perKZT       int64
		perEUR               string
		maxMRP, maxKZT       int64
		maxEUR               string
		offences             int
	}{
		{"small", "publisher", "item", "456.2", 30, 129750, "220.50", 90, 389250, "661.50", 3},
		{"small", "deployer", "item", "456.2", 30, 129750, "220.50", 90, 389250, "661.50", 3},
		{"large", "provider", "item", "641.1", 100, 432500, "735.00", 300, 1297500, "2205.00", 3},
		{"medium", "publisher", "item", "456.2", 50, 216250, "367.50", 150, 648750, "1102.50", 3},
		{"large", "publisher", "item", "456.2", 100, 432500, "735.00", 300, 1297500, "2205.00", 3},
		{"medium", "publisher", "page", "456.2", 50, 216250, "367.50", 100, 432500, "735.00", 2},
		{"large", "publisher", "site", "456.2", 100, 432500, "735.00", 100, 432500, "735.00", 1},
		{"small", "operator", "item", "641.1", 20, 86500, "147.00", 60, 259500, "441.00", 3},
		{"medium", "operator", "page", "641.1", 30, 129750, "220.50", 60, 259500, "441.00", 2},
		{"large", "operator", "site", "641.1", 100, 432500, "735.00", 100, 432500, "735.00", 1},
	}
	for _, c := range cases {
		es, err := tables(t).Compute(findings, Settings{Jurisdictions: []string{"kz"}, Year: 2026, Size: c.size, Roles: []string{c.role}, Counting: c.counting})
		require.NoError(t, err)
		e := byArticle(es)["KZ "+c.article]
		name := c.size + "/" + c.role + "/" + c.counting
		assert.Equal(t, c.offences, e.Offences, name)
		assert.Equal(t, &model.Money{MRP: c.perMRP, KZT: c.perKZT, EUR: c.perEUR}, e.FinePerOffence, name)
		assert.Equal(t, &model.Money{MRP: c.perMRP, KZT: c.perKZT, EUR: c.perEUR}, e.TotalMin, name+": one case")
		assert.Equal(t, &model.Money{MRP: c.maxMRP, KZT: c.maxKZT, EUR: c.maxEUR}, e.TotalMax, name)
		assert.True(t, byArticle(es)["KZ criminal (false information)"].FlaggedOnly, "flagged, never computed")
		_, other := byArticle(es)["KZ "+map[string]string{"456.2": "641.1", "641.1": "456.2"}[c.article]]
		assert.False(t, other, "%s: the role chooses the article", name)
	}
	es, err := tables(t).Compute(findings, Settings{Jurisdictions: []string{"kz"}, Year: 2026, Size: "small", Roles: []string{"publisher", "operator"}, Counting: "item"})
	require.NoError(t, err)
	assert.Len(t, byArticle(es), 3, "456.2, 641.1 and the criminal flag")
}

func TestEUCaps(t *testing.T) {
	cases := []struct {
		turnover int64
		sme      bool
		max      string
	}{
		{1_000_000_000, false, "30000000.00"}, // 3 % is higher than 15 M
		{100_000_000, false, "15000000.00"},   // 15 M is higher than 3 M
		{10_000_000, true, "300000.00"},       // SME: the lower
		{0, false, "15000000.00"},             // turnover unknown
	}
	for _, c := range cases {
		es, err := tables(t).Compute(findings, Settings{Jurisdictions: []string{"eu"}, Year: 2026, Size: "large", Roles: []string{"publisher"}, Counting: "item", TurnoverEUR: c.turnover, SME: c.sme})
		require.NoError(t, err)
		e := byArticle(es)["EU 99(4)"]
		assert.Equal(t, 1, e.Offences)
		assert.Equal(t, c.max, e.TotalMax.EUR, "%d sme=%v", c.turnover, c.sme)
		assert.NotEmpty(t, e.CapRule)
		prohibited := byArticle(es)["EU 99(3)"]
		assert.True(t, prohibited.FlaggedOnly, "prohibited practices are not found by this tool: shown with the cap, not computed")
		assert.Nil(t, prohibited.TotalMax, "a reference cap is never a total")
	}
}

func TestSizeDerivation(t *testing.T) {
	kz, err := tables(t).Get("kz", 2026)
	require.NoError(t, err)
	for _, c := range []struct {
		employees int
		income    int64
		want      string
	}{
		{50, 1_000_000_000, "small"},  // 231,213 MRP
		{100, 1_297_500_000, "small"}, // exactly 300,000 MRP
		{101, 1_000_000, "medium"},
		{150, 12_975_000_000, "medium"}, // exactly 3,000,000 MRP
		{150, 13_000_000_000, "large"},
		{251, 1, "large"},
	} {
		got, err := kz.KZSize(c.employees, c.income)
		require.NoError(t, err)
		assert.Equal(t, c.want, got, "%d employees, %d KZT", c.employees, c.income)
	}
	_, err = kz.KZSize(-1, 0)
	assert.Error(t, err)
}

func TestErrorsNameWhatIsAccepted(t *testing.T) {
	_, err := tables(t).Compute(findings, Settings{Jurisdictions: []string{"kz"}, Year: 2025, Size: "small", Roles: []string{"publisher"}, Counting: "item"})
	assert.ErrorContains(t, err, "available: de-2026, eu-2026, kz-2026")
	_, err = Load([]byte(`{"jurisdiction":"XX","year":2026,"rules":[{"article":"1","roles":["bystander"],"findings":[]}]}`))
	assert.ErrorContains(t, err, "publisher, deployer, provider, operator, gpai, eu-institution")
	_, err = Load([]byte(`{"jurisdiction":"XX","year":2026,"rules":[{"article":"1","role":"any","applies_from":"August 2026","findings":[]}]}`))
	assert.ErrorContains(t, err, "not a date")
	_, err = tables(t).Compute(findings, Settings{Jurisdictions: []string{"us"}, Year: 2026, Size: "small", Roles: []string{"publisher"}, Counting: "item"})
	assert.ErrorContains(t, err, `"us"`)
	_, err = tables(t).Compute(findings, Settings{Jurisdictions: []string{"kz"}, Year: 2026, Size: "huge", Roles: []string{"publisher"}, Counting: "item"})
	assert.ErrorContains(t, err, "accepted: small, medium, large")
}

func TestOverridesAndNewJurisdictions(t *testing.T) {
	tab, err := Load([]byte(`{"jurisdiction":"KZ","year":2026,"mrp_kzt":5000,"eur_per_mrp":"8.00"}`),
		[]byte(`{"jurisdiction":"XX","year":2026,"rules":[{"article":"1","cite":"test","role":"any","findings":["kz.aap.456.2"],"fine_mrp":{"small":1,"medium":2,"large":3}}]}`))
	require.NoError(t, err)
	es, err := tab.Compute(findings, Settings{Jurisdictions: []string{"kz", "xx"}, Year: 2026, Size: "small", Roles: []string{"publisher"}, Counting: "site"})
	require.NoError(t, err)
	m := byArticle(es)
	assert.Equal(t, &model.Money{MRP: 30, KZT: 150000, EUR: "240.00"}, m["KZ 456.2"].FinePerOffence)
	assert.Equal(t, int64(1), m["XX 1"].FinePerOffence.MRP)
	_, err = Load([]byte(`{"jurisdiction":"KZ","year":2026,"mrp":1}`))
	assert.ErrorContains(t, err, "unknown field", "a misspelt key is an error, not ignored")
	_, err = Load([]byte(`{"jurisdiction":"KZ","year":2026,"eur_per_mrp":"seven"}`))
	assert.Error(t, err)
}

// Company size at its boundaries, computed by hand: 300,000 MRP × 4,325 KZT
// = 1,297,500,000 KZT is the small limit; 3,000,000 MRP = 12,975,000,000 KZT
// the medium one; 100 and 250 staff.
func TestKZSizeBoundaries(t *testing.T) {
	kz, err := tables(t).Get("kz", 2026)
	require.NoError(t, err)
	for _, c := range []struct {
		staff  int
		income int64
		want   string
	}{
		{100, 1_297_499_999, "small"},
		{100, 1_297_500_000, "small"},
		{100, 1_297_500_001, "medium"},
		{100, 1_297_504_324, "medium"}, // the case an integer division got wrong
		{101, 1_000, "medium"},
		{250, 12_975_000_000, "medium"},
		{250, 12_975_000_001, "large"},
		{251, 1_000, "large"},
	} {
		got, err := kz.KZSize(c.staff, c.income)
		require.NoError(t, err)
		assert.Equal(t, c.want, got, "%d staff, %d KZT", c.staff, c.income)
	}
}

// EU SME by the EU's definition: fewer than 250 staff, and turnover up to
// 50 M EUR or balance sheet up to 43 M EUR; a large Kazakh company can be
// an EU SME.
func TestEUSMEBoundaries(t *testing.T) {
	eu, err := tables(t).Get("eu", 2026)
	require.NoError(t, err)
	for _, c := range []struct {
		f    CompanyFacts
		size string
		want bool
	}{
		{CompanyFacts{Employees: 248, TurnoverEUR: 49_999_999}, "large", true},
		{CompanyFacts{Employees: 249, TurnoverEUR: 50_000_000}, "large", true},
		{CompanyFacts{Employees: 249, TurnoverEUR: 60_000_000, BalanceSheetEUR: 42_999_999}, "large", true},
		{CompanyFacts{Employees: 250, TurnoverEUR: 50_000_000}, "small", false},
		{CompanyFacts{Employees: 249, TurnoverEUR: 50_000_001}, "small", false},
		{CompanyFacts{Employees: 249, TurnoverEUR: 60_000_000, BalanceSheetEUR: 43_000_000}, "large", true},
		{CompanyFacts{Employees: 249, TurnoverEUR: 60_000_000, BalanceSheetEUR: 43_000_001}, "small", false},
		{CompanyFacts{Employees: -1}, "large", false},
		{CompanyFacts{Employees: -1}, "medium", true},
		{CompanyFacts{Employees: 200}, "large", false}, // staff alone does not decide: the size does
	} {
		got, why := eu.EUSME(c.f, c.size, i18n.English())
		assert.Equal(t, c.want, got, "%+v (%s): %s", c.f, c.size, why)
	}
	_, why := eu.EUSME(CompanyFacts{Employees: 200, TurnoverEUR: 25_000_000}, "large", i18n.English())
	assert.Equal(t, "EU SME: 200 staff, turnover 25,000,000 EUR", why)
}

// Without a turnover the fixed amount is the floor of a large company's
// cap ("at least"), and an SME's upper bound; the criminal row counts the
// items that raise its flag.
func TestCapWordingAndFlagCounts(t *testing.T) {
	f := []model.Finding{{Rule: "eu.ai-act.50", Location: "a on p"}, {Rule: "kz.aap.456.2", Location: "a on p"}, {Rule: "kz.aap.456.2", Location: "b on p"}}
	es, err := tables(t).Compute(f, Settings{Jurisdictions: []string{"kz", "eu"}, Year: 2026, Size: "large", Roles: []string{"publisher"}, Counting: "item"})
	require.NoError(t, err)
	byArt := map[string]model.Exposure{}
	for _, e := range es {
		byArt[e.Jurisdiction+" "+e.Article] = e
	}
	eu := byArt["EU 99(4)"]
	assert.Equal(t, "15000000.00", eu.TotalMax.EUR)
	assert.Contains(t, eu.CapRule, "at least 15,000,000 EUR")
	crim := byArt["KZ criminal (false information)"]
	assert.True(t, crim.FlaggedOnly)
	assert.Equal(t, 2, crim.Offences, "two unlabelled items raise the flag")
}

// Every EU article by hand, for a company with 1,000,000,000 EUR turnover
// (not an SME) and for an SME with 10,000,000 EUR: Art. 99(3) 7 %, 99(4)
// 3 %, 99(5) 1 % (higher, or for SMEs lower, of that and the fixed
// amount); Art. 100 fixed amounts; Art. 101 3 % or 15 M, the higher, with
// no SME rule.
func TestEveryEUArticle(t *testing.T) {
	f := []model.Finding{
		{Rule: "eu.ai-act.50", Location: "a.jpg on p"},
		{Rule: "training.reserved", Location: "x.jpg"},
		{Rule: "training.reserved", Location: "y.jpg"},
	}
	type row struct {
		cap, total string // cap: a flagged row's maximum; total: a computed row's
		flagged    bool
		offences   int
	}
	cases := []struct {
		name     string
		roles    []string
		turnover int64
		sme      bool
		want     map[string]row
	}{
		{"large deployer", []string{"deployer"}, 1_000_000_000, false, map[string]row{
			"99(4)": {total: "30000000.00", offences: 1},
			"99(3)": {cap: "70000000.00", flagged: true},
			"99(5)": {cap: "10000000.00", flagged: true},
		}},
		{"SME provider", []string{"provider"}, 10_000_000, true, map[string]row{
			"99(4)": {total: "300000.00", offences: 1},
			"99(3)": {cap: "700000.00", flagged: true},
			"99(5)": {cap: "100000.00", flagged: true},
		}},
		{"EU institution", []string{"eu-institution"}, 1_000_000_000, false, map[string]row{
			"100(3)": {total: "750000.00", offences: 1},
			"100(2)": {cap: "1500000.00", flagged: true},
		}},
		{"GPAI SME", []string{"gpai"}, 10_000_000, true, map[string]row{
			"101": {cap: "15000000.00", flagged: true, offences: 2}, // 3 % is 300,000: the higher, no SME rule
		}},
		{"GPAI large", []string{"gpai"}, 1_000_000_000, false, map[string]row{
			"101": {cap: "30000000.00", flagged: true, offences: 2},
		}},
	}
	for _, c := range cases {
		s := Settings{Jurisdictions: []string{"eu"}, Year: 2026, Size: "large", Roles: c.roles, Counting: "item", TurnoverEUR: c.turnover, SME: c.sme,
			On: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)}
		es, err := tables(t).Compute(f, s)
		require.NoError(t, err)
		got := map[string]row{}
		for _, e := range es {
			r := row{flagged: e.FlaggedOnly, offences: e.Offences}
			if e.Cap != nil {
				r.cap = e.Cap.EUR
			}
			if e.TotalMax != nil {
				r.total = e.TotalMax.EUR
			}
			assert.False(t, e.FlaggedOnly && e.TotalMax != nil, "%s %s: a flagged row has no total", c.name, e.Article)
			got[e.Article] = r
		}
		assert.Equal(t, c.want, got, c.name)
	}
}

// The criminal provision is flagged with its maximum, never summed.
func TestCriminalFlagShowsItsMaximum(t *testing.T) {
	es, err := tables(t).Compute(findings, Settings{Jurisdictions: []string{"kz"}, Year: 2026, Size: "small", Roles: []string{"publisher"}, Counting: "item"})
	require.NoError(t, err)
	crim := byArticle(es)["KZ criminal (false information)"]
	assert.Equal(t, &model.Money{MRP: 3000, KZT: 12_975_000, EUR: "22050.00"}, crim.Cap)
	assert.Nil(t, crim.TotalMax)
	assert.Equal(t, 3, crim.Offences)
}

// An article fines nothing before its date of application, checked
// against the scan's date: KZ from 18 January 2026, EU Art. 50 (99(4))
// and Art. 101 from 2 August 2026.
func TestDatesOfApplication(t *testing.T) {
	f := []model.Finding{{Rule: "kz.aap.456.2", Location: "a on p"}, {Rule: "eu.ai-act.50", Location: "a on p"}, {Rule: "training.reserved", Location: "r"}}
	for _, c := range []struct {
		on           time.Time
		kz, eu, gpai bool // applies
	}{
		{time.Date(2026, 1, 17, 23, 0, 0, 0, time.UTC), false, false, false},
		{time.Date(2026, 1, 18, 0, 0, 0, 0, time.UTC), true, false, false},
		{time.Date(2026, 8, 1, 12, 0, 0, 0, time.UTC), true, false, false},
		{time.Date(2026, 8, 2, 0, 0, 0, 0, time.UTC), true, true, true},
	} {
		es, err := tables(t).Compute(f, Settings{Jurisdictions: []string{"kz", "eu"}, Year: 2026, Size: "small", Roles: []string{"publisher", "gpai"}, Counting: "item", On: c.on})
		require.NoError(t, err)
		m := byArticle(es)
		for art, applies := range map[string]bool{"KZ 456.2": c.kz, "EU 99(4)": c.eu, "EU 101": c.gpai} {
			e := m[art]
			day := c.on.Format(time.DateOnly)
			assert.Equal(t, !applies, e.NotYetApplicable, "%s on %s", art, day)
			if !applies {
				assert.Nil(t, e.TotalMax, "%s on %s: no total before it applies", art, day)
				assert.Contains(t, e.Note, "did not yet apply on the scan date "+day+": applies from "+e.AppliesFrom)
			}
		}
		assert.NotNil(t, m["EU 99(3)"].Cap, "Art. 5 penalties apply from 2 August 2025")
		assert.False(t, m["EU 99(3)"].NotYetApplicable)
	}
}

// The German draft has no duty and no amounts: one row says so.
func TestGermanDraftSaysNothingToCompute(t *testing.T) {
	es, err := tables(t).Compute(findings, Settings{Jurisdictions: []string{"de"}, Year: 2026, Size: "small", Roles: []string{"publisher"}, Counting: "item"})
	require.NoError(t, err)
	require.Len(t, es, 1)
	assert.True(t, es[0].Informational)
	assert.Contains(t, es[0].Article, "Gesetz VII")
	assert.Contains(t, es[0].Note, "no duty or fine amounts to compute")
	assert.Nil(t, es[0].TotalMax)
}

// The role decides the articles: a publisher alone never sees Art. 101
// or 641.1, a GPAI provider alone never sees Art. 50 or 456.2.
func TestRolesChooseArticles(t *testing.T) {
	f := append(slices.Clone(findings), model.Finding{Rule: "training.reserved", Location: "r"})
	arts := func(roles ...string) []string {
		es, err := tables(t).Compute(f, Settings{Jurisdictions: []string{"kz", "eu"}, Year: 2026, Size: "small", Roles: roles, Counting: "item"})
		require.NoError(t, err)
		var out []string
		for _, e := range es {
			out = append(out, e.Jurisdiction+" "+e.Article)
		}
		return out
	}
	assert.ElementsMatch(t, []string{"KZ 456.2", "KZ criminal (false information)", "EU 99(4)", "EU 99(3)", "EU 99(5)"}, arts("publisher"))
	assert.ElementsMatch(t, []string{"KZ criminal (false information)", "EU 101"}, arts("gpai"))
	assert.ElementsMatch(t, []string{"KZ 641.1", "KZ criminal (false information)", "EU 99(4)", "EU 99(3)", "EU 99(5)"}, arts("operator"))
	assert.ElementsMatch(t, []string{"KZ criminal (false information)", "EU 100(3)", "EU 100(2)"}, arts("eu-institution"))
}

func TestBasisStatesTheAssumptions(t *testing.T) {
	tab := tables(t)
	b := tab.Basis(Settings{Jurisdictions: []string{"kz", "eu"}, Year: 2026, Size: "medium", Roles: []string{"publisher"}, Counting: "page",
		SME: true, SMEReason: "EU SME: 200 staff, turnover 25,000,000 EUR", On: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}, "given with --company-size")
	assert.Equal(t, "2026-12-01", b.ScanDate)
	assert.Equal(t, int64(4325), b.MRPKZT)
	assert.Equal(t, "7.35", b.EURPerMRP)
	assert.NotEmpty(t, b.MRPSource)
	require.NotNil(t, b.EUSME)
	assert.True(t, *b.EUSME)
	assert.Equal(t, "given with --company-size", b.SizeReason)
	kzOnly := tab.Basis(Settings{Jurisdictions: []string{"kz"}, Year: 2026}, "")
	assert.Nil(t, kzOnly.EUSME, "no EU SME status without the EU")
}

// A tally of more units than it keeps in memory counts exactly what a map
// would: each item once however many pages show it, and EU Art. 50's units
// once across both rules it counts.
func TestTallyPastItsMemory(t *testing.T) {
	const items = 3*digestset.DefaultMemKeys + 123
	var fs []model.Finding
	union := map[string]bool{}
	for i := range items {
		loc := fmt.Sprintf("https://a.kz/%d.jpg on https://a.kz/p%d", i, i%7)
		fs = append(fs, model.Finding{Rule: "kz.aap.456.2", Location: loc}, model.Finding{Rule: "kz.aap.456.2", Location: loc},
			model.Finding{Rule: "eu.ai-act.50", Location: loc})
		union[loc] = true
		if i%3 == 0 {
			other := fmt.Sprintf("https://a.kz/%d.jpg on https://a.kz/p%d", i*2, (i*2)%7) // half of them also ai-act.50's
			fs = append(fs, model.Finding{Rule: "eu.ai-act.50.1", Location: other})
			union[other] = true
		}
	}
	s := Settings{Jurisdictions: []string{"kz", "eu"}, Year: 2026, Size: "large", Roles: []string{"publisher"}, Counting: "item"}
	tally := tables(t).NewTally(s)
	defer tally.Close()
	for i := 0; i < len(fs); i += 1000 {
		tally.Add(fs[i:min(i+1000, len(fs))])
	}
	es, err := tables(t).ComputeTally(tally, s)
	require.NoError(t, err)
	m := byArticle(es)
	assert.Equal(t, items, m["KZ 456.2"].Offences, "each item once")
	assert.Equal(t, items, m["KZ criminal (false information)"].Offences)
	assert.Equal(t, len(union), m["EU 99(4)"].Offences, "the units of both rules, once each")
	s.Counting = "page"
	es, err = tables(t).Compute(fs, s)
	require.NoError(t, err)
	assert.Equal(t, 7, byArticle(es)["KZ 456.2"].Offences, "seven pages")
}
