// Package status names the C2PA validation status codes aiaudit reports (C2PA
// 2.2 section 15, "Validation", the codes the reference implementation
// reports) and says, once, which of them fail a manifest and what each means
// in plain words.
package status

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
	ClaimMissing                 Code = "claim.missing"
	ClaimSignatureMissing        Code = "claimSignature.missing"
	ClaimSignatureMismatch       Code = "claimSignature.mismatch"
	SigningCredentialInvalid     Code = "signingCredential.invalid"
	SigningCredentialExpired     Code = "signingCredential.expired"
	SigningCredentialUntrusted   Code = "signingCredential.untrusted"
	AssertionHashedURIMismatch   Code = "assertion.hashedURI.mismatch"
	AssertionMissing             Code = "assertion.missing"
	AssertionOutsideManifest     Code = "assertion.outsideManifest"
	AssertionDataHashMismatch    Code = "assertion.dataHash.mismatch"
	AssertionBMFFHashMismatch    Code = "assertion.bmffHash.mismatch"
	IngredientManifestMissing    Code = "ingredient.manifest.missing"
	IngredientManifestMismatch   Code = "ingredient.manifest.mismatch"
	AlgorithmUnsupported         Code = "algorithm.unsupported"
	SigningCredentialRevoked     Code = "signingCredential.ocsp.revoked"
	SigningCredentialOCSPUnknown Code = "signingCredential.ocsp.unknown"
	// Prerelease is not a C2PA code: the reference refuses a pre-1.0
	// manifest with PrereleaseError and reads nothing from it.
	Prerelease Code = "manifest.prerelease"
)

var success = map[Code]bool{
	ClaimSignatureValidated: true, SigningCredentialTrusted: true, TimeStampValidated: true, TimeStampTrusted: true,
	AssertionHashedURIMatch: true, AssertionDataHashMatch: true, AssertionBMFFHashMatch: true, IngredientManifestMatched: true,
	SigningCredentialNotRevoked: true,
}

var informational = map[Code]bool{
	TimeStampMismatch: true, TimeStampMalformed: true, TimeStampOutsideValidity: true, TimeStampUntrusted: true,
	IngredientUnknownProvenance: true, SigningCredentialOCSPSkipped: true, SigningCredentialOCSPInaccessible: true,
	// An unknown signer does not make a manifest invalid: its state is
	// "valid" rather than "trusted" (the reference's Valid vs Trusted).
	SigningCredentialUntrusted: true,
}

// Failure says whether a code makes the manifest it belongs to invalid.
func (c Code) Failure() bool { return !success[c] && !informational[c] }

// Success says whether a code records a check that passed.
func (c Code) Success() bool { return success[c] }

var words = map[Code]string{
	ClaimMissing:                      "the manifest has no claim",
	ClaimSignatureMissing:             "the claim is not signed",
	ClaimSignatureMismatch:            "the claim was changed after signing, or the signature is forged",
	SigningCredentialInvalid:          "the signing certificate is not fit for signing C2PA claims",
	SigningCredentialExpired:          "the signing certificate was not valid when the claim was signed",
	SigningCredentialUntrusted:        "the signer is not on a trust list aiaudit knows",
	AssertionHashedURIMismatch:        "a statement in the manifest (for example the AI-origin statement) was edited after signing",
	AssertionMissing:                  "a statement the claim lists has been removed",
	AssertionOutsideManifest:          "the claim points at statements in another manifest",
	AssertionDataHashMismatch:         "the content was altered after signing, or the manifest was copied from other content",
	AssertionBMFFHashMismatch:         "the video or image data was altered after signing, or the manifest was copied from other content",
	IngredientManifestMissing:         "a source (ingredient) manifest the claim relies on has been removed",
	IngredientManifestMismatch:        "a source (ingredient) manifest was changed after the claim was signed",
	AlgorithmUnsupported:              "the manifest uses a hash or signature algorithm C2PA does not allow",
	Prerelease:                        "the manifest uses a pre-release (pre-1.0) format that C2PA validators do not read",
	TimeStampMismatch:                 "the time-stamp does not cover this signature",
	TimeStampMalformed:                "the time-stamp cannot be read",
	TimeStampOutsideValidity:          "the time-stamp authority's certificate was not valid at the time-stamp",
	TimeStampUntrusted:                "the time-stamp authority is not on the time-stamp trust list, or its certificate is not fit for time-stamping",
	SigningCredentialRevoked:          "the signing certificate had been revoked by its issuer when the claim was signed",
	SigningCredentialOCSPUnknown:      "the signing certificate's issuer does not know it (OCSP status unknown)",
	SigningCredentialOCSPSkipped:      "revocation not checked: no OCSP response in the manifest and no online lookup (--online)",
	SigningCredentialOCSPInaccessible: "revocation not checked: no usable OCSP response was available",
}

// Words says what a code means for a person who has not read the spec.
func (c Code) Words() string {
	if w, ok := words[c]; ok {
		return w
	}
	return string(c)
}
