// Package detectors holds the types every detector returns. Each sub-package is
// one signal family and is a pure function of bytes (or headers / DOM): no I/O of
// its own, no knowledge of the CLI, the scanner or fines.
package detectors

import (
	"fmt"
	"strings"
)

// Evidence is one observation that supports a verdict (AI-made, labelled, ...).
type Evidence struct {
	// Detector is the stable id of the detector that found it: "c2pa", "xmp",
	// "exif", "pngtext", "stealth", "generator", ...
	Detector string `json:"detector"`
	// Detail says what was seen and where, for a person reading the report.
	Detail string `json:"detail"`
	// Generator names the AI tool, when the evidence identifies one.
	Generator string `json:"generator,omitempty"`
	// Strength says how much the evidence can be trusted: "signed-unverified"
	// (a C2PA claim whose signature was not checked), "declared" (unsigned
	// metadata such as XMP), "fingerprint" (a generator's own parameters).
	Strength Strength `json:"strength,omitempty"`
}

// Strength is how far a piece of evidence can be trusted.
type Strength string

const (
	// SignedUnverified: a C2PA claim read without validation (reports made
	// before aiaudit validated manifests).
	SignedUnverified Strength = "signed-unverified"
	// SignedTrusted: a C2PA claim in a valid manifest whose signer chains to
	// a trust anchor.
	SignedTrusted Strength = "signed-trusted"
	// SignedValid: a C2PA claim in a valid manifest from a signer no trust
	// anchor vouches for.
	SignedValid Strength = "signed-valid"
	// SignedInvalid: a C2PA claim in a manifest that fails validation
	// (edited after signing, bad signature, ...): not a reliable label.
	SignedInvalid Strength = "signed-invalid"
	// Declared: unsigned metadata (XMP, a --declared list).
	Declared Strength = "declared"
	// Fingerprint: a generator's own parameters or hidden metadata.
	Fingerprint Strength = "fingerprint"
)

// WhyAI is an item's AI evidence in brief, as findings quote it: the
// detectors behind it and, for a stripped copy whose evidence is its
// library original's, that original, so the team knows which asset it
// published.
func WhyAI(ev []Evidence, p *Provenance) string {
	why := evidenceSummary(ev)
	if p != nil && p.SourceAsset != nil {
		why += "; copy of " + p.SourceAsset.String()
	}
	return why
}

// evidenceSummary names, once each, the detectors (and generators) behind a
// verdict: "c2pa: Firefly; xmp".
func evidenceSummary(ev []Evidence) string {
	var parts []string
	seen := map[string]bool{}
	for _, e := range ev {
		s := e.Detector
		if e.Generator != "" {
			s += ": " + e.Generator
		}
		if s = strings.TrimSpace(s); !seen[s] {
			seen[s] = true
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, "; ")
}

// Verdict of one opt-out mechanism for one agent (SIGNALS.md section 3).
type Verdict string

const (
	Reserved    Verdict = "reserved"
	NotReserved Verdict = "not_reserved"
	Unset       Verdict = "unset"
	Unknown     Verdict = "unknown"
)

// OptOut is one training / text-and-data-mining signal and what it said.
type OptOut struct {
	// Signal is the mechanism: "c2pa.training-mining", "cawg.training-mining",
	// "iptc.plus.DataMining", "robots.txt", "tdmrep", ...
	Signal  string  `json:"signal"`
	Verdict Verdict `json:"verdict"`
	// Agent is the crawler or use the signal names ("GPTBot", "c2pa.ai_training").
	Agent  string `json:"agent,omitempty"`
	Detail string `json:"detail"`
	// NonStandard marks signals honoured although they do not follow their spec.
	NonStandard bool `json:"non_standard,omitempty"`
	// Strength says, for a signal read from a C2PA manifest, whether its
	// manifest validates (signed-trusted, signed-valid, signed-invalid), as
	// for AI evidence.
	Strength Strength `json:"strength,omitempty"`
}

// Provenance summarises the embedded provenance metadata of a media item.
type Provenance struct {
	// C2PA is present | absent | malformed | remote_reference |
	// stripped_reference | legacy_cai.
	C2PA               C2PAStatus `json:"c2pa"`
	ClaimGenerator     string     `json:"claim_generator,omitempty"`
	Manifests          int        `json:"manifests,omitempty"`
	DigitalSourceType  string     `json:"digital_source_type,omitempty"`
	DigitalSourceTypes []string   `json:"all_digital_source_types,omitempty"`
	// Binding is the hard-binding check of the active manifest: match |
	// mismatch | not_checked (with the reason in BindingDetail).
	Binding       Binding `json:"binding,omitempty"`
	BindingDetail string  `json:"binding_detail,omitempty"`
	// Signature is the validation state of the manifest store (trusted |
	// valid | invalid, as Validation.State), or "unverified" when no
	// manifest could be validated. Kept for readers of older reports; new
	// readers use Validation.
	Signature string `json:"signature,omitempty"`
	// Validation is the C2PA validation of the manifest store.
	Validation *Validation `json:"validation,omitempty"`
	// Metadata is "present", "none" (no metadata block at all: possibly
	// stripped by a CMS or CDN) or "stripped" (a reference to a manifest that
	// is no longer there).
	Metadata MetadataStatus `json:"metadata"`
	// SourceAsset names the asset-library original this item is a copy of
	// (--assets): the copy inherits its evidence.
	SourceAsset *SourceAsset `json:"source_asset,omitempty"`
}

// SourceAsset is an asset-library original matched by perceptual hash.
type SourceAsset struct {
	Path string `json:"path"`
	// Distance is the Hamming distance between the two hashes, in bits.
	Distance int `json:"distance"`
	// Method names the hash and threshold ("phash64<=N").
	Method string `json:"method"`
}

// String names the original as evidence inherited from it says where it
// came from: "library original PATH (METHOD, distance N)".
func (s SourceAsset) String() string {
	return fmt.Sprintf("library original %s (%s, distance %d)", s.Path, s.Method, s.Distance)
}

// C2PAStatus is what was found of a C2PA manifest store.
type C2PAStatus string

const (
	C2PAPresent           C2PAStatus = "present"
	C2PAAbsent            C2PAStatus = "absent"
	C2PAMalformed         C2PAStatus = "malformed"
	C2PARemoteReference   C2PAStatus = "remote_reference"
	C2PAStrippedReference C2PAStatus = "stripped_reference"
	C2PALegacyCAI         C2PAStatus = "legacy_cai"
)

// Binding is the result of the active manifest's hard-binding check.
type Binding string

const (
	BindingMatch      Binding = "match"
	BindingMismatch   Binding = "mismatch"
	BindingNotChecked Binding = "not_checked"
)

// MetadataStatus says whether an item carries metadata at all.
type MetadataStatus string

const (
	MetadataPresent  MetadataStatus = "present"
	MetadataNone     MetadataStatus = "none"
	MetadataStripped MetadataStatus = "stripped"
)

// Validation is what validating an item's C2PA manifests found (C2PA 2.2
// section 15).
type Validation struct {
	// State is "trusted" (valid, and the signer chains to a trust anchor),
	// "valid" (signature and hashes check out, the signer is unknown) or
	// "invalid" (the active manifest fails a check), as the reference
	// implementation decides it.
	State ValidationState `json:"state"`
	// ActiveManifest is the label of the manifest the state is about.
	ActiveManifest string `json:"active_manifest,omitempty"`
	// Problems says in plain words which checks failed, in any manifest
	// (ingredients included); empty when none did.
	Problems []string `json:"problems,omitempty"`
	// Codes are the failure and informational status codes, each with the
	// manifest it belongs to (checks that passed are not listed).
	Codes []StatusCode `json:"status_codes,omitempty"`
	// Signer of the active manifest.
	Signer *Signer `json:"signer,omitempty"`
	// Identities are the CAWG identity assertions of every manifest: who
	// the manifest says took part, and whether that holds. Their state is
	// their own: it never changes the manifest's.
	Identities []Identity `json:"identities,omitempty"`
}

// Identity is one CAWG identity assertion and its validation.
type Identity struct {
	Manifest  string `json:"manifest"`
	Assertion string `json:"assertion"`
	// SigType is how it is signed: cawg.x509.cose (an X.509 certificate)
	// or cawg.identity_claims_aggregation (a credential an identity
	// provider issued).
	SigType string `json:"sig_type"`
	// State is "valid", "invalid" or "not_checked" (Reason says why).
	State  IdentityState `json:"state"`
	Reason string        `json:"reason,omitempty"`
	// Named is who it names: the certificate's subject, or the identities
	// the credential's issuer verified.
	Named []string `json:"named,omitempty"`
	// Issuer is the certificate's issuer or the credential issuer's DID.
	Issuer    string   `json:"issuer,omitempty"`
	TrustList string   `json:"trust_list,omitempty"`
	Roles     []string `json:"roles,omitempty"`
	// Problems says in plain words which checks failed.
	Problems []string     `json:"problems,omitempty"`
	Codes    []StatusCode `json:"status_codes,omitempty"`
}

// IdentityState is the outcome of validating a CAWG identity assertion.
type IdentityState string

const (
	IdentityValid      IdentityState = "valid"
	IdentityInvalid    IdentityState = "invalid"
	IdentityNotChecked IdentityState = "not_checked"
)

// ValidationState is the outcome of validating a manifest store.
type ValidationState string

const (
	ValidationTrusted ValidationState = "trusted"
	ValidationValid   ValidationState = "valid"
	ValidationInvalid ValidationState = "invalid"
)

// StatusCode is one C2PA validation status code.
type StatusCode struct {
	Code     string `json:"code"`
	Manifest string `json:"manifest"`
	// Failure is set for codes that make their manifest invalid.
	Failure bool   `json:"failure,omitempty"`
	Detail  string `json:"detail,omitempty"`
}

// Signer is who signed the active manifest.
type Signer struct {
	Subject string `json:"subject,omitempty"`
	Issuer  string `json:"issuer,omitempty"`
	// TrustList names the anchors the signer chains to ("" when none).
	TrustList string `json:"trust_list,omitempty"`
	// TimeStamp is the RFC 3161 time of signing (RFC 3339), when verified.
	TimeStamp          string `json:"time_stamp,omitempty"`
	TimeStampAuthority string `json:"time_stamp_authority,omitempty"`
	Algorithm          string `json:"algorithm,omitempty"`
	// Revocation is the signing certificate's OCSP status at the time of
	// signing: not_revoked, revoked, unknown (to its issuer) or not_checked
	// (no usable response stapled, and no lookup made or none answered).
	Revocation string `json:"revocation,omitempty"`
}
