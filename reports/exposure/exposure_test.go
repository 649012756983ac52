package exposure

import (
	"testing"

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
		es, err := tables(t).Compute(findings, Settings{Jurisdictions: []string{"eu"}, Year: 2026, Size: "large", Counting: "item", TurnoverEUR: c.turnover, SME: c.sme})
		require.NoError(t, err)
		e := byArticle(es)["EU 99(4)"]
		assert.Equal(t, 1, e.Offences)
		assert.Equal(t, c.max, e.TotalMax.EUR, "%d sme=%v", c.turnover, c.sme)
		assert.NotEmpty(t, e.CapRule)
		_, flagged := byArticle(es)["EU 99(3)"]
		assert.False(t, flagged, "prohibited practices are not found by this tool")
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
	assert.ErrorContains(t, err, "available: eu-2026, kz-2026")
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
		{CompanyFacts{Employees: 249, TurnoverEUR: 50_000_000}, "large", true},
		{CompanyFacts{Employees: 250, TurnoverEUR: 50_000_000}, "small", false},
		{CompanyFacts{Employees: 249, TurnoverEUR: 50_000_001}, "small", false},
		{CompanyFacts{Employees: 249, TurnoverEUR: 60_000_000, BalanceSheetEUR: 43_000_000}, "large", true},
		{CompanyFacts{Employees: 249, TurnoverEUR: 60_000_000, BalanceSheetEUR: 43_000_001}, "small", false},
		{CompanyFacts{Employees: -1}, "large", false},
		{CompanyFacts{Employees: -1}, "medium", true},
		{CompanyFacts{Employees: 200}, "large", false}, // staff alone does not decide: the size does
	} {
		got, why := eu.EUSME(c.f, c.size)
		assert.Equal(t, c.want, got, "%+v (%s): %s", c.f, c.size, why)
	}
	_, why := eu.EUSME(CompanyFacts{Employees: 200, TurnoverEUR: 25_000_000}, "large")
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
	assert.Contains(t, eu.CapRule, "at least 15000000 EUR")
	crim := byArt["KZ criminal (false information)"]
	assert.True(t, crim.FlaggedOnly)
	assert.Equal(t, 2, crim.Offences, "two unlabelled items raise the flag")
}
