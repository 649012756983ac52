package media

import (
	"slices"
	"strings"
	"time"

	"github.com/aiaudit/aiaudit/detectors"
	"github.com/aiaudit/aiaudit/detectors/c2pa"
	"github.com/aiaudit/aiaudit/detectors/c2pa/status"
)

// validation turns a store's validation into the item's provenance.validation.
// With several stores (embedded and sidecar) the worst state wins and every
// code is kept.
func (a *analysis) validation(store *c2pa.Store, v *c2pa.Validation) {
	act := store.Active()
	out := &detectors.Validation{State: detectors.ValidationValid, ActiveManifest: act.Label}
	if r, ok := v.Signers[act.Label]; ok {
		out.Signer = &detectors.Signer{Subject: r.Subject, Issuer: r.Issuer, TrustList: r.TrustList, TimeStampAuthority: r.TSA, Algorithm: r.Alg,
			Revocation: revocationStates[r.Revocation]}
		if !r.TimeStamp.IsZero() {
			out.Signer.TimeStamp = r.TimeStamp.UTC().Format(time.RFC3339)
		}
		if r.TrustList != "" {
			out.State = detectors.ValidationTrusted
		}
	}
	if v.Failed(act.Label) {
		out.State = detectors.ValidationInvalid
	}
	for _, f := range v.Findings {
		if f.Code.Success() {
			continue
		}
		out.Codes = append(out.Codes, detectors.StatusCode{Code: string(f.Code), Manifest: f.Manifest, Failure: f.Code.Failure(), Detail: f.Detail})
		// A binding mismatch has its own finding (c2pa.binding_mismatch).
		if f.Code.Failure() && !f.Code.HardBinding() {
			w := problemWords(f)
			if f.Manifest != act.Label {
				w = "in an ingredient's manifest (" + f.Manifest + "): " + w
			}
			if !slices.Contains(out.Problems, w) {
				out.Problems = append(out.Problems, w)
			}
		}
	}
	for _, id := range v.Identities {
		out.Identities = append(out.Identities, identity(id))
	}
	p := &a.res.Provenance
	if prev := p.Validation; prev != nil {
		if rank(prev.State) < rank(out.State) {
			out.State = prev.State
		}
		out.Codes = append(prev.Codes, out.Codes...)
		out.Problems = append(prev.Problems, out.Problems...)
		out.Identities = append(prev.Identities, out.Identities...)
	}
	p.Validation = out
	p.Signature = string(out.State)
}

// identity reports one CAWG identity assertion: passed checks are not
// listed, failures are said in words too.
func identity(id c2pa.Identity) detectors.Identity {
	out := detectors.Identity{Manifest: id.Manifest, Assertion: id.Assertion, SigType: id.SigType, State: id.State,
		Reason: id.Reason, Named: id.Named, Issuer: id.Issuer, TrustList: id.TrustList, Roles: id.Roles}
	for _, f := range id.Findings {
		if f.Code.Success() {
			continue
		}
		out.Codes = append(out.Codes, detectors.StatusCode{Code: string(f.Code), Manifest: id.Manifest, Failure: f.Code.Failure(), Detail: f.Detail})
		if w := f.Code.Words(); f.Code.Failure() && !slices.Contains(out.Problems, w) {
			out.Problems = append(out.Problems, w)
		}
	}
	return out
}

// revocationStates names each OCSP status code's outcome for the report.
var revocationStates = map[status.Code]string{
	status.SigningCredentialNotRevoked:       "not_revoked",
	status.SigningCredentialRevoked:          "revoked",
	status.SigningCredentialOCSPUnknown:      "unknown",
	status.SigningCredentialOCSPSkipped:      "not_checked",
	status.SigningCredentialOCSPInaccessible: "not_checked",
}

func rank(s detectors.ValidationState) int {
	switch s {
	case detectors.ValidationTrusted:
		return 2
	case detectors.ValidationValid:
		return 1
	}
	return 0
}

// problemWords says what a failure means, naming the AI-origin statement
// when that is what was edited.
func problemWords(f c2pa.Finding) string {
	if f.Code == status.AssertionHashedURIMismatch && strings.HasPrefix(f.Assertion, "c2pa.actions") {
		return "the AI-origin statement (" + f.Assertion + ", which records how the content was made) was edited after signing"
	}
	if f.Assertion != "" {
		return f.Code.Words() + " (" + f.Assertion + ")"
	}
	return f.Code.Words()
}

// strengthOf rates the claims of manifest m: invalid when m or the active
// manifest that carries it fails validation.
func strengthOf(store *c2pa.Store, v *c2pa.Validation, m *c2pa.Manifest) detectors.Strength {
	if act := store.Active(); v.Failed(m.Label) || act != nil && v.Failed(act.Label) {
		return detectors.SignedInvalid
	}
	if r, ok := v.Signers[m.Label]; ok && r.TrustList != "" {
		return detectors.SignedTrusted
	}
	return detectors.SignedValid
}

func invalidSuffix(s detectors.Strength) string {
	if s == detectors.SignedInvalid {
		return " (the manifest fails C2PA validation: not a reliable label)"
	}
	return ""
}
