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
		AssertionBMFFHashMismatch, IngredientManifestMissing, IngredientManifestMismatch, AlgorithmUnsupported, Prerelease,
		SigningCredentialRevoked, SigningCredentialOCSPUnknown, SigningCredentialOCSPSkipped, SigningCredentialOCSPInaccessible} {
		assert.NotEqual(t, string(c), c.Words(), c)
	}
	assert.Equal(t, "x.y", Code("x.y").Words(), "an unknown code is shown as it is")
}
