// Package rules is the rule registry: every finding rule is declared here
// once, as data (id, severity, the law it cites, a summary, what fixes it,
// its SARIF help), and every finding of every command is made here. The same
// fact judged under two laws is two rules over one resource (kz.aap.456.2 and
// eu.ai-act.50 for an unlabelled AI item), never a copy of a message.
package rules

import (
	"fmt"
	"slices"
	"strings"

	"github.com/aiaudit/aiaudit/detectors"
	"github.com/aiaudit/aiaudit/reports/model"
)

// ID names a rule in reports, baselines, history and fine tables.
type ID = string

// The rules. Fine tables (reports/exposure) name them in their "findings".
const (
	AIUnmarked         ID = "ai.unmarked"
	AIMarked           ID = "ai.marked"
	BindingMismatch    ID = "c2pa.binding_mismatch"
	C2PAMalformed      ID = "c2pa.malformed"
	C2PAInvalid        ID = "c2pa.invalid"
	C2PAUnknownSigner  ID = "c2pa.unknown_signer"
	C2PAIdentity       ID = "c2pa.identity_invalid"
	ProvenanceStripped ID = "provenance.stripped"
	TrainingReserved   ID = "training.reserved"
	KZUnlabelled       ID = "kz.aap.456.2"
	EUUnlabelled       ID = "eu.ai-act.50"
	ChatWidget         ID = "ai.chat-widget"
	EUChatWidget       ID = "eu.ai-act.50.1"
)

// Rule is one rule's declaration.
type Rule struct {
	ID       ID
	Fact     model.Fact
	Severity model.Severity
	// Jurisdiction is "kz" or "eu" for rules a fine table can count; ""
	// for the jurisdiction-neutral facts the inventory lists.
	Jurisdiction string
	// Message is the finding's text: a fmt template with one %s for what
	// was seen (the detail). Detail inverts it, so a re-render can judge the
	// same fact under another law.
	Message string
	// Summary is one line naming the rule (SARIF shortDescription, tables).
	Summary string
	// Fix says what makes the finding go away.
	Fix string
}

var registry = []Rule{
	{ID: AIUnmarked, Fact: model.FactUnmarked, Severity: model.SeverityWarning,
		Message: "AI-made (%s) but carries no machine-readable AI marking (IPTC DigitalSourceType or C2PA): EU AI Act Art. 50(2), KZ AI law Art. 21.2",
		Summary: "AI-made content without a machine-readable AI marking",
		Fix:     "Embed an AI digital source type: IPTC Iptc4xmpExt:DigitalSourceType trainedAlgorithmicMedia in XMP, or a C2PA manifest declaring it."},
	{ID: AIMarked, Fact: model.FactMarked, Severity: model.SeverityInfo,
		Message: "AI-made (%s) and marked machine-readably",
		Summary: "AI-made content with a machine-readable AI marking",
		Fix:     "Nothing to fix: listed so the inventory of AI-made content is complete."},
	{ID: BindingMismatch, Fact: model.FactMismatch, Severity: model.SeverityWarning,
		Message: "C2PA manifest (claim generator %s) does not match these bytes: it was copied from other content or the content was altered",
		Summary: "C2PA manifest does not match the content",
		Fix:     "Re-sign the published file with a C2PA tool after the last edit, or remove the foreign manifest."},
	{ID: C2PAMalformed, Fact: model.FactMalformed, Severity: model.SeverityWarning,
		Message: "C2PA manifest store is malformed; its claims could not be read in full%s",
		Summary: "Malformed C2PA manifest store",
		Fix:     "Re-export the file from the tool that signed it; check it with a C2PA validator."},
	{ID: C2PAInvalid, Fact: model.FactInvalid, Severity: model.SeverityWarning,
		Message: "C2PA manifest fails validation, so its statements (AI origin included) are not a reliable label: %s",
		Summary: "C2PA manifest fails validation (edited after signing, forged or incomplete)",
		Fix:     "Re-sign the file with a C2PA tool from the original; if nobody in your team edited it, treat its provenance claims as unreliable."},
	{ID: C2PAUnknownSigner, Fact: model.FactUnknownSign, Severity: model.SeverityInfo,
		Message: "C2PA manifest is intact, but its signer (%s) is on no trust list in use: nobody vouches for who signed it",
		Summary: "Valid C2PA manifest from an unknown signer",
		Fix:     "Sign with a certificate from a CA on the C2PA trust list, or add your own CA with --trust-anchors (or pin the signer with --allowed-signers)."},
	{ID: C2PAIdentity, Fact: model.FactIdentity, Severity: model.SeverityWarning,
		Message: "a CAWG identity assertion in the C2PA manifest fails validation, so it does not prove who took part: %s",
		Summary: "CAWG identity assertion fails validation (who took part is not proven)",
		Fix:     "Have the named person or organisation sign the identity assertion again with the tool that made it; until then, do not rely on who the manifest names."},
	{ID: ProvenanceStripped, Fact: model.FactStripped, Severity: model.SeverityInfo,
		Message: "XMP says a C2PA manifest was embedded, but it has been stripped%s",
		Summary: "C2PA provenance stripped",
		Fix:     "Publish the original file, or configure the CMS or CDN to keep metadata (C2PA, XMP)."},
	{ID: TrainingReserved, Fact: model.FactReserved, Severity: model.SeverityInfo,
		Message: "reserved against AI training by %s (KZ AI law Art. 23; EU DSM Art. 4(3))",
		Summary: "Reserved against AI training",
		Fix:     "Do not use for AI training without the rights holder's licence."},
	{ID: KZUnlabelled, Fact: model.FactUnlabelled, Severity: model.SeverityViolation, Jurisdiction: "kz",
		Message: "%s (KZ Administrative Code Art. 456.2, AI law Art. 21.2)",
		Summary: "AI-made content published without a visible AI label (KZ Administrative Code Art. 456.2)",
		Fix:     "Show a label a reader sees next to the item (caption, alt text or a page notice), e.g. «Изображение создано ИИ» / «Сурет ЖИ арқылы жасалған»."},
	{ID: EUUnlabelled, Fact: model.FactUnlabelled, Severity: model.SeverityViolation, Jurisdiction: "eu",
		Message: "%s (EU AI Act Art. 50(4))",
		Summary: "AI-made content without disclosure (EU AI Act Art. 50)",
		Fix:     "Disclose that the content is AI-generated in a way a person sees (caption, label or notice), e.g. \"AI-generated image\"."},
	{ID: ChatWidget, Fact: model.FactUndisclosed, Severity: model.SeverityInfo,
		Message: "%s",
		Summary: "AI chat assistant embedded without disclosure",
		Fix:     "Tell visitors they are talking to an AI, in the page or in the widget's greeting."},
	{ID: EUChatWidget, Fact: model.FactUndisclosed, Severity: model.SeverityViolation, Jurisdiction: "eu",
		Message: "%s (EU AI Act Art. 50(1))",
		Summary: "AI chat assistant without disclosure (EU AI Act Art. 50(1))",
		Fix:     "Tell visitors they are talking to an AI, in the page or in the widget's greeting (EU AI Act Art. 50(1))."},
}

// All returns every rule, in declaration order.
func All() []Rule { return slices.Clone(registry) }

// Get returns a rule by id.
func Get(id ID) (Rule, bool) {
	for _, r := range registry {
		if r.ID == id {
			return r, true
		}
	}
	return Rule{}, false
}

// Fined says whether a fine table can count the rule's findings.
func Fined(id ID) bool {
	r, ok := Get(id)
	return ok && r.Jurisdiction != ""
}

// FinedIDs lists the rules a fine table can count.
func FinedIDs() []ID {
	var out []ID
	for _, r := range registry {
		if r.Jurisdiction != "" {
			out = append(out, r.ID)
		}
	}
	return out
}

// Detail recovers what was seen from a finding's message, by inverting its
// rule's template; a message that does not fit it (a report saved by an older
// version) is returned whole.
func Detail(f model.Finding) string {
	r, ok := Get(f.Rule)
	if !ok {
		return f.Message
	}
	prefix, suffix, _ := strings.Cut(r.Message, "%s")
	if strings.HasPrefix(f.Message, prefix) && strings.HasSuffix(f.Message, suffix) && len(f.Message) >= len(prefix)+len(suffix) {
		return f.Message[len(prefix) : len(f.Message)-len(suffix)]
	}
	return f.Message
}

// Set is the rules in force for one run: the jurisdictions asked for.
// Kazakh rules always apply (the tool's home law; fine tables are chosen
// apart); EU rules only with EU. A fact's neutral rule applies when no
// jurisdiction's rule of that fact does.
type Set struct {
	EU bool
}

// For returns the rules that judge a fact.
func (s Set) For(fact model.Fact) []Rule {
	var out []Rule
	var neutral []Rule
	for _, r := range registry {
		if r.Fact != fact {
			continue
		}
		switch r.Jurisdiction {
		case "":
			neutral = append(neutral, r)
		case "kz":
			out = append(out, r)
		case "eu":
			if s.EU {
				out = append(out, r)
			}
		}
	}
	if len(out) == 0 {
		return neutral
	}
	return out
}

// Item is where a finding is and what it is about.
type Item struct {
	Location string
	// Content is the digest of the item (empty for page-level findings), so
	// history recognises it at a new place.
	Content string
	// Unit is the place a later scan must check again before the finding
	// can be fixed ("": the location).
	Unit string
}

// Judge makes the findings of one fact about one item: one per rule in force.
func (s Set) Judge(fact model.Fact, it Item, detail string) []model.Finding {
	var out []model.Finding
	for _, r := range s.For(fact) {
		out = append(out, make1(r, it, detail))
	}
	return out
}

// Rejudge adds, to findings judged under other laws, the findings of the
// rules this set has in force for the same facts (a scan made for KZ
// re-rendered for KZ and EU): the facts are the same, only the law differs.
func (s Set) Rejudge(fs []model.Finding) []model.Finding {
	have := map[string]bool{}
	for _, f := range fs {
		have[f.Rule+"\x00"+f.Location] = true
	}
	out := slices.Clone(fs)
	for _, f := range fs {
		r, ok := Get(f.Rule)
		if !ok || r.Jurisdiction == "" {
			continue
		}
		for _, other := range s.For(r.Fact) {
			if other.Jurisdiction == "" || have[other.ID+"\x00"+f.Location] {
				continue
			}
			have[other.ID+"\x00"+f.Location] = true
			out = append(out, make1(other, Item{Location: f.Location, Content: f.Content, Unit: f.Unit}, Detail(f)))
		}
	}
	return out
}

// Observe judges what a scanner observed.
func (s Set) Observe(obs []model.Observation) []model.Finding {
	var out []model.Finding
	for _, o := range obs {
		out = append(out, s.Judge(o.Fact, Item{Location: o.Location, Content: o.Content, Unit: o.Page}, o.Detail)...)
	}
	return out
}

func make1(r Rule, it Item, detail string) model.Finding {
	return model.Finding{Rule: r.ID, Severity: r.Severity, Location: it.Location, Content: it.Content, Unit: it.Unit, Message: fmt.Sprintf(r.Message, detail)}
}

// Resource makes the findings one resource carries on its own (what its
// bytes and metadata show): the same for files, URL lists and crawls.
func (s Set) Resource(r model.Resource) []model.Finding {
	if r.Error != "" {
		return nil
	}
	it := Item{Location: r.Location, Content: r.Digest}
	var out []model.Finding
	if r.AIGenerated {
		fact := model.FactUnmarked
		if r.Labelled.MachineReadable {
			fact = model.FactMarked
		}
		out = append(out, s.Judge(fact, it, detectors.WhyAI(r.AIEvidence, r.Provenance))...)
	}
	if p := r.Provenance; p != nil {
		if p.Binding == detectors.BindingMismatch {
			out = append(out, s.Judge(model.FactMismatch, it, fmt.Sprintf("%q", p.ClaimGenerator))...)
		}
		if v := p.Validation; v != nil {
			switch {
			case len(v.Problems) > 0:
				out = append(out, s.Judge(model.FactInvalid, it, strings.Join(v.Problems, "; "))...)
			case v.State == detectors.ValidationValid && v.Signer != nil:
				out = append(out, s.Judge(model.FactUnknownSign, it, v.Signer.Subject)...)
			}
			if failed := invalidIdentities(v.Identities); failed != "" {
				out = append(out, s.Judge(model.FactIdentity, it, failed)...)
			}
		}
		switch p.C2PA {
		case detectors.C2PAMalformed:
			out = append(out, s.Judge(model.FactMalformed, it, "")...)
		case detectors.C2PAStrippedReference:
			out = append(out, s.Judge(model.FactStripped, it, "")...)
		}
	}
	if r.TrainingOptOut != nil && *r.TrainingOptOut {
		out = append(out, s.Judge(model.FactReserved, it, ReservedBy(r.OptOutEvidence))...)
	}
	return out
}

// invalidIdentities says, for each identity assertion that fails, who it
// names and what failed ("" when none fails). One not checked is not a
// failure: its reason is in the report.
func invalidIdentities(ids []detectors.Identity) string {
	var parts []string
	for _, id := range ids {
		if id.State != detectors.IdentityInvalid {
			continue
		}
		who := strings.Join(id.Named, ", ")
		if who == "" {
			who = id.Assertion
		}
		parts = append(parts, who+" ("+strings.Join(id.Problems, "; ")+")")
	}
	return strings.Join(parts, "; ")
}

// ReservedBy names the signals (and agents) that reserve an item, once each.
func ReservedBy(ev []detectors.OptOut) string {
	var sigs []string
	for _, o := range ev {
		if o.Verdict == detectors.Reserved {
			sigs = append(sigs, o.Signal+" "+o.Agent)
		}
	}
	return strings.Join(uniq(sigs), ", ")
}

func uniq(in []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range in {
		s = strings.TrimSpace(s)
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
