package status

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// The three kinds follow the reference implementation's lists: a passed
// check, something worth saying, and what makes a manifest invalid.
func TestKinds(t *testing.T) {
	for _, c := range []Code{ClaimSignatureValidated, AssertionHashedURIMatch, SigningCredentialTrusted, TimeStampValidated, SigningCredentialNotRevoked} {
		assert.True(t, c.Success(), c)
		assert.False(t, c.Failure(), c)
	}
	for _, c := range []Code{SigningCredentialUntrusted, TimeStampMismatch, TimeStampUntrusted, IngredientUnknownProvenance,
		SigningCredentialOCSPSkipped, SigningCredentialOCSPInaccessible} {
		assert.False(t, c.Success(), c)
		assert.False(t, c.Failure(), c)
	}
	for _, c := range []Code{ClaimSignatureMismatch, AssertionHashedURIMismatch, AssertionMissing, SigningCredentialExpired,
		IngredientManifestMissing, AlgorithmUnsupported, Prerelease, SigningCredentialRevoked, SigningCredentialOCSPUnknown, "some.future.code"} {
		assert.True(t, c.Failure(), c)
	}
}

// Every failure aiaudit reports has words a person understands.
func TestEveryFailureHasWords(t *testing.T) {
	for _, c := range []Code{ClaimMissing, ClaimSignatureMissing, ClaimSignatureMismatch, SigningCredentialInvalid,
		SigningCredentialExpired, AssertionHashedURIMismatch, AssertionMissing, AssertionOutsideManifest, AssertionDataHashMismatch,
		AssertionBMFFHashMismatch, AssertionBoxesHashMismatch, AssertionActionIngredientMismatch, AssertionActionMalformed, IngredientManifestMissing, IngredientManifestMismatch, AlgorithmUnsupported, Prerelease,
		SigningCredentialRevoked, SigningCredentialOCSPUnknown, SigningCredentialOCSPSkipped, SigningCredentialOCSPInaccessible} {
		assert.NotEqual(t, string(c), c.Words(), c)
	}
	assert.Equal(t, "x.y", Code("x.y").Words(), "an unknown code is shown as it is")
}

// The three hard-binding mismatches, and nothing else, have their own
// finding (c2pa.binding_mismatch) rather than a validation problem.
func TestHardBinding(t *testing.T) {
	for _, c := range []Code{AssertionDataHashMismatch, AssertionBMFFHashMismatch, AssertionBoxesHashMismatch} {
		assert.True(t, c.HardBinding(), c)
		assert.True(t, c.Failure(), c)
	}
	for _, c := range []Code{AssertionHashedURIMismatch, ClaimSignatureMismatch, IngredientManifestMismatch} {
		assert.False(t, c.HardBinding(), c)
	}
}

// CAWG identity codes: the reference's failures fail an identity; an
// unknown signer or issuer is worth saying; a did:web key aiaudit does not
// fetch leaves the identity not checked. Each failure has words.
func TestIdentityCodes(t *testing.T) {
	for _, c := range []Code{IdentityWellFormed, X509SignatureValidated, X509CredentialTrusted, ICATimeStampValidated} {
		assert.True(t, c.Success(), c)
	}
	for _, c := range []Code{X509CredentialUntrusted, ICAUntrustedIssuer, ICADIDUnavailable} {
		assert.False(t, c.Failure(), c)
		assert.False(t, c.Success(), c)
		assert.NotEqual(t, string(c), c.Words(), c)
	}
	assert.True(t, ICADIDUnavailable.NotChecked())
	assert.False(t, ICASignatureMismatch.NotChecked())
	for _, c := range []Code{IdentityCBORInvalid, IdentitySigTypeUnknown, IdentityAssertionMismatch, IdentityAssertionDuplicate,
		IdentityHardBindingMissing, IdentityPadInvalid, X509SignatureMismatch, X509CredentialInvalid, X509SignatureOutsideValidity,
		X509AlgorithmUnsupported, ICAInvalidCOSESign1, ICAInvalidAlg, ICAInvalidContentType, ICAInvalidCredential, ICAInvalidIssuer,
		ICAInvalidDIDDocument, ICASignatureMismatch, ICATimeStampInvalid, ICAValidFromMissing, ICAValidFromInvalid,
		ICAValidUntilInvalid, ICASignerPayloadMismatch} {
		assert.True(t, c.Failure(), c)
		assert.NotEqual(t, string(c), c.Words(), c)
		assert.Contains(t, Described(), c)
	}
}
