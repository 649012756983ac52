// Package cawg validates CAWG identity assertions (cawg.identity, Creator
// Assertions Working Group identity assertion 1.x): a signer payload naming
// the manifest's assertions it vouches for, signed by a named actor. What
// the CBOR and the claim can prove is checked for every assertion: padding,
// the referenced assertions against the claim's hashed URIs, the hard
// binding among them, duplicates. The signature is then checked by its
// sig_type: cawg.x509.cose (an X.509 COSE_Sign1, verified by cosesig) and
// cawg.identity_claims_aggregation (a W3C verifiable credential, checked as
// far as it can be offline: see ica.go). Status codes and their order follow
// the reference implementation (c2pa-rs, sdk/src/identity). It is a pure
// function of the bytes; bad input gives codes, never a panic.
package cawg

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/fxamacker/cbor/v2"

	"github.com/aiaudit/aiaudit/detectors"
	"github.com/aiaudit/aiaudit/detectors/c2pa/cosesig"
	"github.com/aiaudit/aiaudit/detectors/c2pa/status"
	"github.com/aiaudit/aiaudit/detectors/c2pa/trust"
	"github.com/aiaudit/aiaudit/detectors/jumbf"
)

// Signature types.
const (
	SigTypeX509 = "cawg.x509.cose"
	SigTypeICA  = "cawg.identity_claims_aggregation"
)

// MaxAssertionBytes caps the identity assertion read; its pads make it a
// few kilobytes, its credential a few more.
const MaxAssertionBytes = 1 << 20

// IsIdentity says whether an assertion label (as stored, with any __N
// suffix) is a CAWG identity assertion.
func IsIdentity(label string) bool {
	return label == "cawg.identity" || strings.HasPrefix(label, "cawg.identity__")
}

// Ref is a hashed URI: one of the claim's references to its assertions, or
// one the signer payload makes.
type Ref struct {
	URL  string `cbor:"url"`
	Alg  string `cbor:"alg"`
	Hash []byte `cbor:"hash"`
}

// Result is what validating one identity assertion found.
type Result struct {
	SigType string
	Roles   []string
	State   detectors.IdentityState
	// Reason says why the signature was not checked (state not_checked).
	Reason   string
	Findings []cosesig.Finding
	// Named is who the assertion names: the X.509 signer's subject, or
	// the identities a credential's issuer verified.
	Named []string
	// Issuer is the certificate's issuer or the credential's issuer DID.
	Issuer string
	// TrustList names the anchors an X.509 signer chains to ("" if none).
	TrustList string
}

func (r *Result) add(c status.Code, format string, args ...any) {
	r.Findings = append(r.Findings, cosesig.Finding{Code: c, Detail: fmt.Sprintf(format, args...)})
}

// assertion is the identity assertion's CBOR map. The signer payload is
// kept as its bytes: they are what was signed.
type assertion struct {
	SignerPayload cbor.RawMessage `cbor:"signer_payload"`
	Signature     []byte          `cbor:"signature"`
	Pad1          []byte          `cbor:"pad1"`
	Pad2          []byte          `cbor:"pad2"`
}

type signerPayload struct {
	Refs    []Ref    `cbor:"referenced_assertions"`
	SigType string   `cbor:"sig_type"`
	Roles   []string `cbor:"role"`
}

// decMode caps what hostile CBOR may allocate.
var decMode = func() cbor.DecMode {
	m, err := cbor.DecOptions{
		MaxNestedLevels:  16,
		MaxArrayElements: 4096,
		MaxMapPairs:      4096,
		DupMapKey:        cbor.DupMapKeyEnforcedAPF,
	}.DecMode()
	if err != nil {
		panic(err) // static options: cannot fail
	}
	return m
}()

// parse reads the assertion; every field but pad2 is required, as in the
// reference (its serde structure), and unknown fields are ignored.
func parse(b []byte) (assertion, signerPayload, error) {
	var a assertion
	var p signerPayload
	if len(b) > MaxAssertionBytes {
		return a, p, fmt.Errorf("larger than %d bytes", MaxAssertionBytes)
	}
	var fields map[string]cbor.RawMessage
	if err := decMode.Unmarshal(b, &fields); err != nil {
		return a, p, err
	}
	for _, k := range []string{"signer_payload", "signature", "pad1"} {
		if _, ok := fields[k]; !ok {
			return a, p, fmt.Errorf("no %s", k)
		}
	}
	if err := decMode.Unmarshal(b, &a); err != nil {
		return a, p, err
	}
	var pf map[string]cbor.RawMessage
	if err := decMode.Unmarshal(a.SignerPayload, &pf); err != nil {
		return a, p, fmt.Errorf("signer_payload: %w", err)
	}
	for _, k := range []string{"referenced_assertions", "sig_type"} {
		if _, ok := pf[k]; !ok {
			return a, p, fmt.Errorf("signer_payload has no %s", k)
		}
	}
	if err := decMode.Unmarshal(a.SignerPayload, &p); err != nil {
		return a, p, fmt.Errorf("signer_payload: %w", err)
	}
	return a, p, nil
}

// Validate checks one identity assertion: content is its CBOR, manifest the
// label of the manifest holding it, claim the hashed URIs its claim lists.
// anchors decide trust in an X.509 signer; now is the time a signature
// without a time-stamp is judged at.
func Validate(content []byte, manifest string, claim []Ref, anchors *trust.Store, now time.Time) Result {
	var r Result
	a, p, err := parse(content)
	if err != nil {
		r.add(status.IdentityCBORInvalid, "the identity assertion is not valid CBOR: %v", err)
		r.State = detectors.IdentityInvalid
		return r
	}
	r.SigType, r.Roles = p.SigType, p.Roles
	// The pads only make room for the signature: anything in them is data
	// nobody signed.
	if !zero(a.Pad1) || !zero(a.Pad2) {
		r.add(status.IdentityPadInvalid, "pad1 or pad2 holds non-zero bytes")
	}
	r.checkRefs(p.Refs, manifest, claim)
	switch p.SigType {
	case SigTypeX509:
		r.x509(a, anchors, now)
	case SigTypeICA:
		r.ica(a.Signature, p, anchors, now)
	default:
		r.add(status.IdentitySigTypeUnknown, "sig_type %q is not one aiaudit knows (%s, %s)", p.SigType, SigTypeX509, SigTypeICA)
	}
	r.State = detectors.IdentityValid
	for _, f := range r.Findings {
		if f.Code.NotChecked() {
			r.State, r.Reason = detectors.IdentityNotChecked, f.Detail
		}
	}
	if slices.ContainsFunc(r.Findings, func(f cosesig.Finding) bool { return f.Code.Failure() }) {
		r.State, r.Reason = detectors.IdentityInvalid, ""
	} else if p.SigType == SigTypeX509 {
		r.add(status.IdentityWellFormed, "the X.509 identity assertion of %s is valid", strings.Join(r.Named, ", "))
	}
	return r
}

func zero(b []byte) bool { return !slices.ContainsFunc(b, func(c byte) bool { return c != 0 }) }

// checkRefs compares the signer payload's references with the claim's:
// each must be one of the claim's with the same hash, one must be a hard
// binding (c2pa.hash.*), none twice.
func (r *Result) checkRefs(refs []Ref, manifest string, claim []Ref) {
	seen := map[string]bool{}
	binding := false
	for _, ref := range refs {
		path := pathIn(ref.URL, manifest)
		i := slices.IndexFunc(claim, func(c Ref) bool { return path != "" && pathIn(c.URL, manifest) == path })
		switch {
		case i < 0:
			r.add(status.IdentityAssertionMismatch, "%s is not among the assertions the claim lists", ref.URL)
		case !bytes.Equal(claim[i].Hash, ref.Hash):
			r.add(status.IdentityAssertionMismatch, "%s has another hash in the claim: it changed after the identity was signed", ref.URL)
		}
		if seen[ref.URL] {
			r.add(status.IdentityAssertionDuplicate, "%s is referenced twice", ref.URL)
		}
		seen[ref.URL] = true
		slash := strings.LastIndexByte(ref.URL, '/')
		binding = binding || slash >= 0 && strings.HasPrefix(ref.URL[slash+1:], "c2pa.hash.")
	}
	if !binding {
		r.add(status.IdentityHardBindingMissing, "the signer payload references no hard binding (c2pa.hash.*) assertion")
	}
}

// pathIn is a JUMBF URI's path inside manifest: "" when it points into
// another manifest.
func pathIn(url, manifest string) string {
	owner, path := jumbf.SplitURI(url)
	if owner != "" && owner != manifest {
		return ""
	}
	return path
}
