// Package status names the C2PA validation status codes aiaudit reports (C2PA
// 2.2 section 15, "Validation", the codes the reference implementation
// reports) and says, once, which of them fail a manifest and what each means
// in plain words.
package status

import "slices"

// Code is a C2PA validation status code ("assertion.hashedURI.mismatch").
type Code string

// Success codes.
const (
	ClaimSignatureValidated   Code = "claimSignature.validated"
	SigningCredentialTrusted  Code = "signingCredential.trusted"
	TimeStampValidated        Code = "timeStamp.validated"
	TimeStampTrusted          Code = "timeStamp.trusted"
	AssertionHashedURIMatch   Code = "assertion.hashedURI.match"
	AssertionDataHashMatch    Code = "assertion.dataHash.match"
	AssertionBMFFHashMatch    Code = "assertion.bmffHash.match"
	IngredientManifestMatched Code = "ingredient.manifest.validated"
	// SigningCredentialNotRevoked: an OCSP response says the signing
	// certificate was not revoked when the claim was signed.
	SigningCredentialNotRevoked Code = "signingCredential.ocsp.notRevoked"
)

// Informational codes: worth saying, not a failure.
const (
	TimeStampMismatch           Code = "timeStamp.mismatch"
	TimeStampMalformed          Code = "timeStamp.malformed"
	TimeStampOutsideValidity    Code = "timeStamp.outsideValidity"
	TimeStampUntrusted          Code = "timeStamp.untrusted"
	IngredientUnknownProvenance Code = "ingredient.unknownProvenance"
	// SigningCredentialOCSPSkipped: revocation was not checked (no OCSP
	// response stapled, and no online lookup asked for or possible).
	SigningCredentialOCSPSkipped Code = "signingCredential.ocsp.skipped"
	// SigningCredentialOCSPInaccessible: no usable OCSP response was had
	// (the stapled one cannot be used, or the online lookup failed).
	SigningCredentialOCSPInaccessible Code = "signingCredential.ocsp.inaccessible"
)

// Failure codes.
const (
	ClaimMissing               Code = "claim.missing"
	ClaimSignatureMissing      Code = "claimSignature.missing"
	ClaimSignatureMismatch     Code = "claimSignature.mismatch"
	SigningCredentialInvalid   Code = "signingCredential.invalid"
	SigningCredentialExpired   Code = "signingCredential.expired"
	SigningCredentialUntrusted Code = "signingCredential.untrusted"
	AssertionHashedURIMismatch Code = "assertion.hashedURI.mismatch"
	AssertionMissing           Code = "assertion.missing"
	AssertionOutsideManifest   Code = "assertion.outsideManifest"
	AssertionDataHashMismatch  Code = "assertion.dataHash.mismatch"
	AssertionBMFFHashMismatch  Code = "assertion.bmffHash.mismatch"
	AssertionBoxesHashMismatch Code = "assertion.boxesHash.mismatch"
	// AssertionActionIngredientMismatch: an action that brings a source
	// in (opened, placed, removed) does not name its ingredient.
	AssertionActionIngredientMismatch Code = "assertion.action.ingredientMismatch"
	// AssertionActionMalformed: the actions break C2PA's rules (the first
	// is neither c2pa.created nor c2pa.opened).
	AssertionActionMalformed     Code = "assertion.action.malformed"
	IngredientManifestMissing    Code = "ingredient.manifest.missing"
	IngredientManifestMismatch   Code = "ingredient.manifest.mismatch"
	AlgorithmUnsupported         Code = "algorithm.unsupported"
	SigningCredentialRevoked     Code = "signingCredential.ocsp.revoked"
	SigningCredentialOCSPUnknown Code = "signingCredential.ocsp.unknown"
	// Prerelease is not a C2PA code: the reference refuses a pre-1.0
	// manifest with PrereleaseError and reads nothing from it.
	Prerelease Code = "manifest.prerelease"
)

// CAWG identity assertion codes (CAWG identity assertion 1.x, section
// "Validation", with the names the reference implementation reports). They
// belong to one identity assertion: they never make its manifest invalid.
const (
	IdentityWellFormed         Code = "cawg.identity.well-formed"
	IdentityCBORInvalid        Code = "cawg.identity.cbor.invalid"
	IdentitySigTypeUnknown     Code = "cawg.identity.sig_type.unknown"
	IdentityAssertionMismatch  Code = "cawg.identity.assertion.mismatch"
	IdentityAssertionDuplicate Code = "cawg.identity.assertion.duplicate"
	IdentityHardBindingMissing Code = "cawg.identity.hard_binding_missing"
	IdentityPadInvalid         Code = "cawg.identity.pad.invalid"

	// X.509 signatures (sig_type cawg.x509.cose): the claim-signature codes
	// as the reference renames them for an identity assertion.
	X509SignatureValidated       Code = "cawg.x509.signature.validated"
	X509SignatureMismatch        Code = "cawg.x509.signature.mismatch"
	X509CredentialTrusted        Code = "cawg.x509.credential.trusted"
	X509CredentialUntrusted      Code = "cawg.x509.credential.untrusted"
	X509CredentialInvalid        Code = "cawg.x509.credential.invalid"
	X509SignatureOutsideValidity Code = "cawg.x509.signature.outside_validity"
	X509AlgorithmUnsupported     Code = "cawg.x509.algorithm.unsupported"

	// Identity claims aggregation credentials (sig_type
	// cawg.identity_claims_aggregation).
	ICATimeStampValidated    Code = "cawg.ica.time_stamp.validated"
	ICAUntrustedIssuer       Code = "cawg.ica.untrusted_issuer"
	ICADIDUnavailable        Code = "cawg.ica.did_unavailable"
	ICAInvalidCOSESign1      Code = "cawg.ica.invalid_cose_sign1"
	ICAInvalidAlg            Code = "cawg.ica.invalid_alg"
	ICAInvalidContentType    Code = "cawg.ica.invalid_content_type"
	ICAInvalidCredential     Code = "cawg.ica.invalid_verifiable_credential"
	ICAInvalidIssuer         Code = "cawg.ica.invalid_issuer"
	ICAInvalidDIDDocument    Code = "cawg.ica.invalid_did_document"
	ICASignatureMismatch     Code = "cawg.ica.signature_mismatch"
	ICATimeStampInvalid      Code = "cawg.ica.time_stamp.invalid"
	ICAValidFromMissing      Code = "cawg.ica.valid_from.missing"
	ICAValidFromInvalid      Code = "cawg.ica.valid_from.invalid"
	ICAValidUntilInvalid     Code = "cawg.ica.valid_until.invalid"
	ICASignerPayloadMismatch Code = "cawg.ica.signer_payload.mismatch"
)

var success = map[Code]bool{
	IdentityWellFormed: true, X509SignatureValidated: true, X509CredentialTrusted: true,
	ICATimeStampValidated:   true,
	ClaimSignatureValidated: true, SigningCredentialTrusted: true, TimeStampValidated: true, TimeStampTrusted: true,
	AssertionHashedURIMatch: true, AssertionDataHashMatch: true, AssertionBMFFHashMatch: true, IngredientManifestMatched: true,
	SigningCredentialNotRevoked: true,
}

var informational = map[Code]bool{
	TimeStampMismatch: true, TimeStampMalformed: true, TimeStampOutsideValidity: true, TimeStampUntrusted: true,
	IngredientUnknownProvenance: true, SigningCredentialOCSPSkipped: true, SigningCredentialOCSPInaccessible: true,
	// As for claim signers, an unknown identity signer or issuer is worth
	// saying, not a failure (the reference's informational codes).
	X509CredentialUntrusted: true, ICAUntrustedIssuer: true,
	// The issuer's DID document is on the web: aiaudit makes no network
	// request, so the credential's signature is not checked (the
	// reference, offline, fails it). NotChecked says so.
	ICADIDUnavailable: true,
	// An unknown signer does not make a manifest invalid: its state is
	// "valid" rather than "trusted" (the reference's Valid vs Trusted).
	SigningCredentialUntrusted: true,
}

// NotChecked says whether a code means a check could not be made.
func (c Code) NotChecked() bool { return c == ICADIDUnavailable }

// Failure says whether a code makes the manifest it belongs to invalid.
func (c Code) Failure() bool { return !success[c] && !informational[c] }

// Success says whether a code records a check that passed.
func (c Code) Success() bool { return success[c] }

var words = map[Code]string{
	ClaimMissing:               "the manifest has no claim",
	ClaimSignatureMissing:      "the claim is not signed",
	ClaimSignatureMismatch:     "the claim was changed after signing, or the signature is forged",
	SigningCredentialInvalid:   "the signing certificate is not fit for signing C2PA claims",
	SigningCredentialExpired:   "the signing certificate was not valid when the claim was signed",
	SigningCredentialUntrusted: "the signer is not on a trust list aiaudit knows",
	AssertionHashedURIMismatch: "a statement in the manifest (for example the AI-origin statement) was edited after signing",
	AssertionMissing:           "a statement the claim lists has been removed",
	AssertionOutsideManifest:   "the claim points at statements in another manifest",
	AssertionDataHashMismatch:  "the content was altered after signing, or the manifest was copied from other content",
	AssertionBMFFHashMismatch:  "the video or image data was altered after signing, or the manifest was copied from other content",
	AssertionBoxesHashMismatch: "the content was altered after signing, or the manifest was copied from other content",
	IngredientManifestMissing:  "a source (ingredient) manifest the claim relies on has been removed",
	IngredientManifestMismatch: "a source (ingredient) manifest was changed after the claim was signed",
	AlgorithmUnsupported:       "the manifest uses a hash or signature algorithm C2PA does not allow",
	Prerelease:                 "the manifest uses a pre-release (pre-1.0) format that C2PA validators do not read",
	TimeStampMismatch:          "the time-stamp does not cover this signature",
	TimeStampMalformed:         "the time-stamp cannot be read",
	TimeStampOutsideValidity:   "the time-stamp authority's certificate was not valid at the time-stamp",
	TimeStampUntrusted:         "the time-stamp authority is not on the time-stamp trust list, or its certificate is not fit for time-stamping",

	SigningCredentialRevoked:          "the signing certificate had been revoked by its issuer when the claim was signed",
	SigningCredentialOCSPUnknown:      "the signing certificate's issuer does not know it (OCSP status unknown)",
	SigningCredentialOCSPSkipped:      "revocation not checked: no OCSP response in the manifest and no online lookup (--online)",
	SigningCredentialOCSPInaccessible: "revocation not checked: no usable OCSP response was available",

	AssertionActionIngredientMismatch: "an action that brings in a source (opened, placed, removed) does not name that source's ingredient",
	AssertionActionMalformed:          "the recorded history of actions does not start with creating or opening the content",
	IdentityCBORInvalid:               "the identity assertion cannot be read",
	IdentitySigTypeUnknown:            "the identity assertion uses a kind of signature aiaudit does not know",
	IdentityAssertionMismatch:         "the identity assertion vouches for statements that are not the ones the manifest signed",
	IdentityAssertionDuplicate:        "the identity assertion names the same statement twice",
	IdentityHardBindingMissing:        "the identity assertion is not tied to the content (it does not cover the hard binding)",
	IdentityPadInvalid:                "the identity assertion's padding holds hidden data",
	X509SignatureMismatch:             "the identity signature does not match: the identity assertion was changed or forged",
	X509CredentialUntrusted:           "the identity certificate is on no trust list aiaudit knows",
	X509CredentialInvalid:             "the identity certificate is not fit for signing",
	X509SignatureOutsideValidity:      "the identity certificate was not valid when the identity assertion was signed",
	X509AlgorithmUnsupported:          "the identity signature uses an algorithm that is not allowed",
	ICAUntrustedIssuer:                "the identity credential's issuer is on no list of trusted issuers aiaudit knows",
	ICADIDUnavailable:                 "the identity credential's issuer key is published on the web, which aiaudit does not fetch: its signature is not checked",
	ICAInvalidCOSESign1:               "the identity credential's signature cannot be read",
	ICAInvalidAlg:                     "the identity credential is signed with an algorithm that is not supported",
	ICAInvalidContentType:             "the identity credential's signature does not say it holds a verifiable credential",
	ICAInvalidCredential:              "the identity credential is missing or cannot be read",
	ICAInvalidIssuer:                  "the identity credential's issuer cannot be identified",
	ICAInvalidDIDDocument:             "the identity credential's issuer key cannot be read",
	ICASignatureMismatch:              "the identity credential's signature does not match: it was changed or forged",
	ICATimeStampInvalid:               "the identity credential's time-stamp is invalid",
	ICAValidFromMissing:               "the identity credential does not say from when it is valid",
	ICAValidFromInvalid:               "the identity credential was not yet valid when it was used",
	ICAValidUntilInvalid:              "the identity credential has expired",
	ICASignerPayloadMismatch:          "the identity credential vouches for other statements than this identity assertion",
}

// HardBinding says whether a code reports that the hard binding (data,
// BMFF or box hash) does not match the asset.
func (c Code) HardBinding() bool {
	return c == AssertionDataHashMismatch || c == AssertionBMFFHashMismatch || c == AssertionBoxesHashMismatch
}

// Described lists, sorted, every code that has words.
func Described() []Code {
	out := make([]Code, 0, len(words))
	for c := range words {
		out = append(out, c)
	}
	slices.Sort(out)
	return out
}

// Words says what a code means for a person who has not read the spec.
func (c Code) Words() string {
	if w, ok := words[c]; ok {
		return w
	}
	return string(c)
}
