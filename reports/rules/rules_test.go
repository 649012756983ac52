package rules_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aiaudit/aiaudit/detectors"
	"github.com/aiaudit/aiaudit/detectors/labels"
	"github.com/aiaudit/aiaudit/reports/exposure"
	"github.com/aiaudit/aiaudit/reports/model"
	. "github.com/aiaudit/aiaudit/reports/rules"
)

func TestEveryRuleIsDeclaredWhole(t *testing.T) {
	seen := map[ID]bool{}
	for _, r := range All() {
		assert.False(t, seen[r.ID], "%s declared twice", r.ID)
		seen[r.ID] = true
		assert.Equal(t, 1, strings.Count(r.Message, "%s"), "%s: the message template takes exactly one detail", r.ID)
		assert.NotContains(t, strings.ReplaceAll(r.Message, "%s", ""), "%", "%s: no other verbs", r.ID)
		assert.NotEmpty(t, r.Summary, r.ID)
		assert.NotEmpty(t, r.Fix, r.ID)
		assert.NotEmpty(t, r.Fact, r.ID)
		assert.Positive(t, r.Severity.Rank(), "%s: a known severity", r.ID)
		assert.Contains(t, []string{"", "kz", "eu"}, r.Jurisdiction, r.ID)
	}
}

// Detail inverts the template, so a re-render recovers exactly what was seen
// whatever the template says, even for details that contain the template's
// own words.
func TestDetailInvertsTheMessage(t *testing.T) {
	for _, r := range All() {
		for _, d := range []string{"", "GPTBot robots.txt", "x (EU AI Act Art. 50(4)) (KZ Administrative Code Art. 456.2, AI law Art. 21.2)"} {
			f := Set{EU: true}.Judge(r.Fact, Item{Location: "l"}, d)
			for _, got := range f {
				assert.Equal(t, d, Detail(got), "%s", got.Rule)
			}
		}
	}
	old := model.Finding{Rule: KZUnlabelled, Message: "an older wording"}
	assert.Equal(t, "an older wording", Detail(old), "a message that does not fit its template is kept whole")
}

func TestSetChoosesTheRulesInForce(t *testing.T) {
	ids := func(rs []Rule) []ID {
		var out []ID
		for _, r := range rs {
			out = append(out, r.ID)
		}
		return out
	}
	assert.Equal(t, []ID{KZUnlabelled}, ids(Set{}.For(model.FactUnlabelled)))
	assert.Equal(t, []ID{KZUnlabelled, EUUnlabelled}, ids(Set{EU: true}.For(model.FactUnlabelled)))
	assert.Equal(t, []ID{ChatWidget}, ids(Set{}.For(model.FactUndisclosed)), "no law in force: the neutral rule")
	assert.Equal(t, []ID{EUChatWidget}, ids(Set{EU: true}.For(model.FactUndisclosed)), "the EU rule replaces the neutral one")
	assert.Equal(t, []ID{AIUnmarked}, ids(Set{EU: true}.For(model.FactUnmarked)))
}

func TestRejudgeAddsTheOtherLawOnce(t *testing.T) {
	kz := Set{}.Judge(model.FactUnlabelled, Item{Location: "https://x.kz/a.jpg on https://x.kz/", Content: "xxh3:1"}, "AI-made image (c2pa) is published without a visible AI label; looked in: alt")
	require.Len(t, kz, 1)
	assert.Equal(t, kz, Set{}.Rejudge(kz), "KZ only: nothing to add")

	both := Set{EU: true}.Rejudge(kz)
	require.Len(t, both, 2)
	eu := both[1]
	assert.Equal(t, EUUnlabelled, eu.Rule)
	assert.Equal(t, kz[0].Location, eu.Location)
	assert.Equal(t, kz[0].Content, eu.Content, "the same item: history and baselines match it")
	assert.Equal(t, "AI-made image (c2pa) is published without a visible AI label; looked in: alt (EU AI Act Art. 50(4))", eu.Message)
	assert.Equal(t, both, Set{EU: true}.Rejudge(both), "a scan already made for the EU gains nothing")

	widget := Set{}.Judge(model.FactUndisclosed, Item{Location: "p"}, "embeds X")
	assert.Equal(t, widget, Set{EU: true}.Rejudge(widget), "a neutral finding is not re-judged: the scan did not apply a law")
}

func TestResourceFindings(t *testing.T) {
	yes := true
	r := model.Resource{Location: "a.jpg", Digest: "xxh3:2", AIGenerated: true,
		AIEvidence:     []detectors.Evidence{{Detector: "xmp", Generator: "Midjourney"}, {Detector: "xmp", Generator: "Midjourney"}},
		Provenance:     &detectors.Provenance{C2PA: detectors.C2PAMalformed, Binding: detectors.BindingMismatch, ClaimGenerator: "forger"},
		TrainingOptOut: &yes, OptOutEvidence: []detectors.OptOut{{Signal: "robots.txt", Agent: "GPTBot", Verdict: detectors.Reserved}, {Signal: "tdmrep header", Verdict: detectors.NotReserved}},
	}
	fs := Set{}.Resource(r)
	var got []string
	for _, f := range fs {
		got = append(got, f.Rule+": "+f.Message)
		assert.Equal(t, "xxh3:2", f.Content)
	}
	assert.Equal(t, []string{
		"ai.unmarked: AI-made (xmp: Midjourney) but carries no machine-readable AI marking (IPTC DigitalSourceType or C2PA): EU AI Act Art. 50(2), KZ AI law Art. 21.2",
		`c2pa.binding_mismatch: C2PA manifest (claim generator "forger") does not match these bytes: it was copied from other content or the content was altered`,
		"c2pa.malformed: C2PA manifest store is malformed; its claims could not be read in full",
		"training.reserved: reserved against AI training by robots.txt GPTBot (KZ AI law Art. 23; EU DSM Art. 4(3))",
	}, got)

	r.Error = "truncated"
	assert.Empty(t, Set{}.Resource(r), "an unread item has no findings: it is unknown")
}

// A CAWG identity assertion that fails is a finding naming who it names and
// what failed; one not checked (did:web) is not.
func TestIdentityFinding(t *testing.T) {
	r := model.Resource{Location: "a.jpg", Provenance: &detectors.Provenance{C2PA: detectors.C2PAPresent, Validation: &detectors.Validation{
		State: detectors.ValidationTrusted,
		Identities: []detectors.Identity{
			{Assertion: "cawg.identity", State: detectors.IdentityInvalid, Named: []string{"CN=Jane"}, Problems: []string{"p1", "p2"}},
			{Assertion: "cawg.identity__1", State: detectors.IdentityNotChecked, Reason: "did:web"},
			{Assertion: "cawg.identity__2", State: detectors.IdentityInvalid, Problems: []string{"p3"}},
			{Assertion: "cawg.identity__3", State: detectors.IdentityValid, Named: []string{"CN=Joe"}},
		},
	}}}
	fs := Set{}.Resource(r)
	require.Len(t, fs, 1)
	assert.Equal(t, C2PAIdentity, fs[0].Rule)
	assert.Equal(t, model.SeverityWarning, fs[0].Severity)
	assert.Equal(t, "CN=Jane (p1; p2); cawg.identity__2 (p3)", Detail(fs[0]))

	r.Provenance.Validation.Identities = r.Provenance.Validation.Identities[1:2]
	assert.Empty(t, Set{}.Resource(r), "not checked is not a failure")
}

// The fix hints quote example labels; each must be one the crawler accepts,
// or following the advice would not clear the finding.
func TestFixExamplesAreLabelsTheCrawlerAccepts(t *testing.T) {
	quoted := regexp.MustCompile(`«([^»]+)»|"([^"]+)"`)
	n := 0
	for _, r := range All() {
		for _, m := range quoted.FindAllStringSubmatch(r.Fix, -1) {
			phrase := m[1] + m[2]
			_, _, ok := labels.Default().Match(phrase)
			assert.True(t, ok, "%s: %q is not recognised as a visible label", r.ID, phrase)
			n++
		}
	}
	assert.GreaterOrEqual(t, n, 3)
}

// Fine tables count rules by id: every id they name is a registered rule a
// table may count, so a renamed rule cannot silently drop out of the exposure.
func TestFineTablesNameRegisteredRules(t *testing.T) {
	_, err := exposure.Load()
	require.NoError(t, err)
	_, err = exposure.Load([]byte(`{"jurisdiction": "KZ", "year": 2026, "rules": [{"article": "x", "roles": ["any"], "findings": ["ai.unmarked"]}]}`))
	assert.ErrorContains(t, err, `"ai.unmarked"`, "a neutral rule carries no fine")
	assert.True(t, Fined(KZUnlabelled))
	assert.False(t, Fined(TrainingReserved))
	assert.False(t, Fined("no.such.rule"))
}
