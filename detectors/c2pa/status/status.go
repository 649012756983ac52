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
)

// Informational codes: worth saying, not a failure.
const (
	TimeStampMismatch           Code = "timeStamp.mismatch"
	TimeStampMalformed          Code = "timeStamp.malformed"
	TimeStampOutsideValidity    Code = "timeStamp.outsideValidity"
	TimeStampUntrusted          Code = "timeStamp.untrusted"
	IngredientUnknownProvenance Code = "ingredient.unknownProvenance"
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
	AssertionActionMalformed   Code = "assertion.action.malformed"
	IngredientManifestMissing  Code = "ingredient.manifest.missing"
	IngredientManifestMismatch Code = "ingredient.manifest.mismatch"
	AlgorithmUnsupported       Code = "algorithm.unsupported"
	// Prerelease is not a C2PA code: the reference refuses a pre-1.0
	// manifest with PrereleaseError and reads nothing from it.
	Prerelease Code = "manifest.prerelease"
)

var success = map[Code]bool{
	ClaimSignatureValidated: true, SigningCredentialTrusted: true, TimeStampValidated: true, TimeStampTrusted: true,
	AssertionHashedURIMatch: true, AssertionDataHashMatch: true, AssertionBMFFHashMatch: true, IngredientManifestMatched: true,
}

var informational = map[Code]bool{
	TimeStampMismatch: true, TimeStampMalformed: true, TimeStampOutsideValidity: true, TimeStampUntrusted: true,
	IngredientUnknownProvenance: true,
	// An unknown signer does not make a manifest invalid: its state is
	// "valid" rather than "trusted" (the reference's Valid vs Trusted).
	SigningCredentialUntrusted: true,
}

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
	TimeStampUntrusted:         "the time-stamp authority is not on the time-stamp trust list",

	AssertionActionIngredientMismatch: "an action that brings in a source (opened, placed, removed) does not name that source's ingredient",
	AssertionActionMalformed:          "the recorded history of actions does not start with creating or opening the content",
}

// HardBinding says whether a code reports that the hard binding (data,
// BMFF or box hash) does not match the asset.
func (c Code) HardBinding() bool {
	return c == AssertionDataHashMismatch || c == AssertionBMFFHashMismatch || c == AssertionBoxesHashMismatch
}

// Words says what a code means for a person who has not read the spec.
func (c Code) Words() string {
	if w, ok := words[c]; ok {
		return w
	}
	return string(c)
}
