package c2pa

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aiaudit/aiaudit/detectors/c2pa/cawg"
	"github.com/aiaudit/aiaudit/detectors/c2pa/cosesig"
	"github.com/aiaudit/aiaudit/detectors/c2pa/revocation"
	"github.com/aiaudit/aiaudit/detectors/c2pa/status"
	"github.com/aiaudit/aiaudit/detectors/c2pa/trust"
	"github.com/aiaudit/aiaudit/detectors/jumbf"
)

// Finding is one validation status code and the manifest it belongs to.
type Finding struct {
	Manifest string
	Code     status.Code
	Detail   string
	// Assertion is the assertion a hashed-URI code is about.
	Assertion string
}

// Validation is what validating every manifest of a store found: the
// claim signature, the hashed URI of every assertion each claim lists, and
// the ingredient manifests each claim refers to (C2PA 2.2 section 15). The
// hard binding needs the asset, so the caller checks it (CheckDataHash,
// CheckBMFFHash) and adds its code.
type Validation struct {
	Findings []Finding
	// Signers holds each manifest's signature result, by manifest label.
	Signers map[string]cosesig.Result
	// Identities are the CAWG identity assertions of every manifest, in
	// store and claim order. Their codes are theirs alone: an identity
	// that fails does not make its manifest invalid (the reference
	// tolerates X.509 identity failures and untrusted issuers the same way).
	Identities []Identity
}

// Identity is the validation of one CAWG identity assertion.
type Identity struct {
	Manifest, Assertion string
	cawg.Result
}

// Add records a finding.
func (v *Validation) Add(manifest string, c status.Code, detail string) {
	v.Findings = append(v.Findings, Finding{Manifest: manifest, Code: c, Detail: detail})
}

// Failed says whether a manifest has a failure code.
func (v *Validation) Failed(manifest string) bool {
	for _, f := range v.Findings {
		if f.Manifest == manifest && f.Code.Failure() {
			return true
		}
	}
	return false
}

// Refused says whether the reference implementation refuses to read the
// manifest (pre-release format, unsupported algorithm): its claims are
// not checked, so nothing in it counts as tampering.
func (v *Validation) Refused(manifest string) bool {
	for _, f := range v.Findings {
		if f.Manifest == manifest && (f.Code == status.Prerelease || f.Code == status.AlgorithmUnsupported) {
			return true
		}
	}
	return false
}

// Validate checks every manifest of the store. anchors decide trust in the
// signers; now is the time a signature without a time-stamp is judged at;
// online, when not nil, looks up the OCSP status of signers whose manifest
// staples none (--online).
func (s *Store) Validate(anchors *trust.Store, now time.Time, online revocation.Fetcher) *Validation {
	v := &Validation{Signers: map[string]cosesig.Result{}}
	for i := range s.Manifests {
		s.validateManifest(v, &s.Manifests[i], anchors, now, online)
	}
	return v
}

func (s *Store) validateManifest(v *Validation, m *Manifest, anchors *trust.Store, now time.Time, online revocation.Fetcher) {
	p := m.signed
	add := func(c status.Code, detail string) { v.Add(m.Label, c, detail) }
	switch {
	case p.claimJSON:
		add(status.Prerelease, "the claim is JSON, the format of C2PA drafts before 1.0")
		return
	case p.claim == nil:
		add(status.ClaimMissing, "the manifest has no readable claim box")
		return
	case m.draftHashes():
		add(status.Prerelease, "assertion hashes cover the assertions' data alone, as drafts before C2PA 1.0 did")
		return
	}
	// The reference stops at a claim whose hashes name no algorithm it
	// knows: nothing in it can be checked, so nothing counts as tampering.
	for _, ref := range p.refs {
		if alg := firstOf(ref.Alg, p.alg); !algKnown(alg) {
			add(status.AlgorithmUnsupported, "the claim's hash algorithm \""+alg+"\" is not one C2PA allows")
			return
		}
	}
	if p.signature == nil {
		add(status.ClaimSignatureMissing, "the manifest has no signature box")
	} else {
		r := cosesig.Verify(p.signature, p.claim, anchors, now, online)
		v.Signers[m.Label] = r
		for _, f := range r.Findings {
			add(f.Code, f.Detail)
		}
	}
	for _, ref := range p.refs {
		v.Findings = append(v.Findings, m.checkAssertion(ref))
	}
	for _, ing := range p.ingredients {
		s.checkIngredient(m, ing, add)
	}
	if m.ClaimVersion >= 2 { // the reference holds 1.x claims to none of it
		m.checkActions(add)
	}
	m.validateIdentities(v, anchors, now)
}

// checkActions applies C2PA 2.x's rules for actions: a manifest that is not
// an update starts with c2pa.created or c2pa.opened; c2pa.opened names
// exactly one parentOf ingredient assertion of the manifest, c2pa.placed and
// c2pa.removed at least one componentOf, in parameters.ingredients.
func (m *Manifest) checkActions(add func(status.Code, string)) {
	if first := m.Actions; len(first) > 0 && !m.Update && first[0].Action != "c2pa.created" && first[0].Action != "c2pa.opened" {
		add(status.AssertionActionMalformed, "the first action is "+first[0].Action+", not c2pa.created or c2pa.opened")
	}
	for _, a := range m.signed.ingredientActions {
		want := "componentOf"
		if a.action == "c2pa.opened" {
			want = "parentOf"
		}
		found := 0
		for _, url := range a.urls {
			if slices.ContainsFunc(m.signed.ingredients, func(i ingredientRef) bool {
				return i.assertion == assertionLabel(url) && i.relationship == want
			}) {
				found++
			}
		}
		switch {
		case !a.named:
			add(status.AssertionActionIngredientMismatch, a.action+" names no ingredient")
		case found == 0 || a.action == "c2pa.opened" && found != 1:
			add(status.AssertionActionIngredientMismatch, fmt.Sprintf("%s names %d %s ingredient assertions of the manifest (of %d references)", a.action, found, want, len(a.urls)))
		}
	}
}

// validateIdentities checks the CAWG identity assertions the claim lists
// against the claim's hashed URIs.
func (m *Manifest) validateIdentities(v *Validation, anchors *trust.Store, now time.Time) {
	claim := make([]cawg.Ref, len(m.signed.refs))
	for i, ref := range m.signed.refs {
		claim[i] = cawg.Ref{URL: ref.URL, Alg: ref.Alg, Hash: ref.Hash}
	}
	for _, ref := range m.signed.refs {
		label := assertionLabel(ref.URL)
		box, ok := m.signed.assertions[label]
		if !ok || !cawg.IsIdentity(label) {
			continue
		}
		v.Identities = append(v.Identities, Identity{Manifest: m.Label, Assertion: label, Result: cawg.Validate(box.content, m.Label, claim, anchors, now)})
	}
}

// checkAssertion compares an assertion's hash with the claim's reference to
// it: the hash covers the assertion's superbox after its header.
func (m *Manifest) checkAssertion(ref hashedURI) Finding {
	owner, _ := jumbf.SplitURI(ref.URL)
	label := assertionLabel(ref.URL)
	f := Finding{Manifest: m.Label, Assertion: label}
	box, ok := m.signed.assertions[label]
	switch {
	case owner != "" && owner != m.Label:
		f.Code, f.Detail = status.AssertionOutsideManifest, ref.URL
	case slices.ContainsFunc(m.signed.redacted, func(r string) bool { return assertionLabel(r) == label }):
		f.Code, f.Detail = status.AssertionHashedURIMatch, label+" was redacted"
	case !ok:
		f.Code, f.Detail = status.AssertionMissing, "the claim lists "+label+", which is not in the manifest"
	case hashIs(firstOf(ref.Alg, m.signed.alg), box.body, ref.Hash):
		f.Code, f.Detail = status.AssertionHashedURIMatch, label
	default:
		f.Code, f.Detail = status.AssertionHashedURIMismatch, label+" was changed after the claim was signed"
	}
	return f
}

// assertionLabel is the last segment of an assertion's JUMBF URI: its
// label as stored, with any __N suffix.
func assertionLabel(url string) string {
	_, path := jumbf.SplitURI(url)
	return path[strings.LastIndexByte(path, '/')+1:]
}

// draftHashes says whether the claim hashes its assertions' data instead of
// their boxes: the pre-1.0 format the reference refuses (PrereleaseError).
func (m *Manifest) draftHashes() bool {
	for _, ref := range m.signed.refs {
		box, ok := m.signed.assertions[assertionLabel(ref.URL)]
		alg := firstOf(ref.Alg, m.signed.alg)
		if ok && !hashIs(alg, box.body, ref.Hash) && hashIs(alg, box.content, ref.Hash) {
			return true
		}
	}
	return false
}

// checkIngredient finds the manifest an ingredient refers to and compares
// its hash: over the manifest superbox after its header, or (claims before
// C2PA 1.3) over its claim.
func (s *Store) checkIngredient(m *Manifest, ing ingredientRef, add func(status.Code, string)) {
	if ing.manifest == nil {
		if ing.relationship != "inputTo" {
			add(status.IngredientUnknownProvenance, ing.assertion+" has no manifest")
		}
		return
	}
	owner, _ := jumbf.SplitURI(ing.manifest.URL)
	target := s.byLabel(owner)
	if target == nil {
		add(status.IngredientManifestMissing, ing.assertion+" refers to manifest "+owner+", which is not in the store")
		return
	}
	alg := firstOf(ing.manifest.Alg, target.signed.alg, m.signed.alg)
	switch {
	case !algKnown(alg):
		add(status.AlgorithmUnsupported, "hash algorithm \""+alg+"\" of "+ing.assertion)
	case hashIs(alg, target.signed.body, ing.manifest.Hash) || hashIs(alg, target.signed.claim, ing.manifest.Hash):
		add(status.IngredientManifestMatched, owner)
	default:
		add(status.IngredientManifestMismatch, "manifest "+owner+" was changed after "+ing.assertion+" referred to it")
	}
}

func (s *Store) byLabel(label string) *Manifest {
	for i := range s.Manifests {
		if s.Manifests[i].Label == label && label != "" {
			return &s.Manifests[i]
		}
	}
	return nil
}

func algKnown(alg string) bool {
	_, err := hasher(alg)
	return err == nil
}

func hashIs(alg string, data, want []byte) bool {
	h, err := hasher(alg)
	if err != nil || len(want) == 0 || data == nil {
		return false
	}
	h.Write(data)
	return bytes.Equal(h.Sum(nil), want)
}

func firstOf(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
