package media

import (
	"bytes"
	"crypto/x509"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/ocsp"

	"github.com/aiaudit/aiaudit/cmd/mktestdata/build"
	"github.com/aiaudit/aiaudit/detectors"
	"github.com/aiaudit/aiaudit/detectors/c2pa/trust"
)

const aiDST = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"

func aiManifest() build.Manifest {
	return build.Manifest{Generator: "signer test", Action: "c2pa.created", DigitalSourceType: aiDST, SoftwareAgent: "Gen", TrainingUse: "notAllowed"}
}

// signedJPEG signs m into a fresh JPEG.
func signedJPEG(t *testing.T, m build.Manifest) []byte {
	t.Helper()
	jpg, err := build.JPEG(24, 16, 9)
	require.NoError(t, err)
	b, err := build.SignedJPEG(jpg, m)
	require.NoError(t, err)
	return b
}

// replaceOnce swaps old for a same-length new, exactly once.
func replaceOnce(t *testing.T, b []byte, old, new string) []byte {
	t.Helper()
	require.Len(t, new, len(old))
	require.Equal(t, 1, bytes.Count(b, []byte(old)), "%q must occur once", old)
	return bytes.Replace(b, []byte(old), []byte(new), 1)
}

func codes(v *detectors.Validation) map[string]string {
	out := map[string]string{}
	for _, c := range v.Codes {
		if c.Failure {
			out[c.Code] = c.Manifest
		}
	}
	return out
}

func analyzeWith(t *testing.T, b []byte, lim Limits) *Result {
	t.Helper()
	res, err := FromBytes(b, lim)
	require.NoError(t, err)
	require.NotNil(t, res.Provenance.Validation, "notes: %v", res.Provenance.Validation)
	return res
}

func TestIntactManifestFromUnknownSignerIsValid(t *testing.T) {
	res := analyzeWith(t, signedJPEG(t, aiManifest()), Limits{})
	v := res.Provenance.Validation
	assert.Equal(t, detectors.ValidationValid, v.State, "%+v", v.Codes)
	assert.Empty(t, codes(v))
	assert.Empty(t, v.Problems)
	require.NotNil(t, v.Signer)
	assert.Contains(t, v.Signer.Subject, "aiaudit Test C2PA Signer")
	assert.Contains(t, v.Signer.Issuer, "aiaudit Test Root CA")
	assert.Empty(t, v.Signer.TrustList)
	assert.Equal(t, "EdDSA", v.Signer.Algorithm)
	assert.Equal(t, "valid", res.Provenance.Signature, "the old field carries the state")
	assert.True(t, res.MachineReadable)
	assert.Equal(t, detectors.SignedValid, res.AIEvidence[0].Strength)
}

func TestTrustAnchorsAndAllowedSigners(t *testing.T) {
	pki, err := build.TestPKI()
	require.NoError(t, err)
	b := signedJPEG(t, aiManifest())

	anchored, err := trust.Default().WithAnchors(pki.RootPEM())
	require.NoError(t, err)
	v := analyzeWith(t, b, Limits{Trust: anchored}).Provenance.Validation
	assert.Equal(t, detectors.ValidationTrusted, v.State)
	assert.Equal(t, trust.UserAnchorsName, v.Signer.TrustList)

	pinned, err := trust.Default().WithAllowedSigners(pki.SignerPEM())
	require.NoError(t, err)
	v = analyzeWith(t, b, Limits{Trust: pinned}).Provenance.Validation
	assert.Equal(t, detectors.ValidationTrusted, v.State)
	assert.Equal(t, trust.AllowedListName, v.Signer.TrustList)

	// Another CA's root vouches for nothing here.
	other, err := build.NewPKI("Other", 7, time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2040, 1, 1, 0, 0, 0, 0, time.UTC))
	require.NoError(t, err)
	wrong, err := trust.Default().WithAnchors(other.RootPEM())
	require.NoError(t, err)
	v = analyzeWith(t, b, Limits{Trust: wrong}).Provenance.Validation
	assert.Equal(t, detectors.ValidationValid, v.State)
}

// The attack: one word of the signed AI-origin statement edited to a
// same-length non-AI term. The binding still matches (the manifest is not
// part of the hashed bytes), but the assertion's hashed URI does not.
func TestEditedAIStatementIsInvalid(t *testing.T) {
	b := replaceOnce(t, signedJPEG(t, aiManifest()), "trainedAlgorithmicMedia", "algorithmicallyEnhanced")
	res := analyzeWith(t, b, Limits{})
	v := res.Provenance.Validation
	assert.Equal(t, detectors.ValidationInvalid, v.State)
	assert.Equal(t, map[string]string{"assertion.hashedURI.mismatch": "urn:c2pa:00000000-0000-4000-8000-000000000001"}, codes(v))
	require.Len(t, v.Problems, 1)
	assert.Contains(t, v.Problems[0], "AI-origin statement")
	assert.EqualValues(t, "match", res.Provenance.Binding, "the asset bytes are untouched")
	assert.False(t, res.MachineReadable, "an edited manifest is no reliable label")
	assert.Equal(t, "invalid", res.Provenance.Signature)
}

// An AI statement in a manifest that fails validation still says AI-made,
// and is reported as unreliable.
func TestAIClaimFromInvalidManifestIsReportedAsSuch(t *testing.T) {
	b := replaceOnce(t, signedJPEG(t, aiManifest()), "signer test", "signer TEST")
	res := analyzeWith(t, b, Limits{})
	assert.Equal(t, detectors.ValidationInvalid, res.Provenance.Validation.State)
	assert.Contains(t, codes(res.Provenance.Validation), "claimSignature.mismatch", "the claim itself was edited")
	assert.True(t, res.AIGenerated)
	assert.False(t, res.MachineReadable)
	require.NotEmpty(t, res.AIEvidence)
	assert.Equal(t, detectors.SignedInvalid, res.AIEvidence[0].Strength)
	assert.Contains(t, res.AIEvidence[0].Detail, "not a reliable label")
}

func TestSignatureBytesTampered(t *testing.T) {
	b := signedJPEG(t, aiManifest())
	// The Ed25519 signature is the last 64 bytes of the COSE_Sign1, which
	// ends the store and so the APP11 segment (right after SOI).
	segEnd := 4 + (int(b[4])<<8 | int(b[5]))
	b[segEnd-10] ^= 0x01
	v := analyzeWith(t, b, Limits{}).Provenance.Validation
	assert.Equal(t, detectors.ValidationInvalid, v.State)
	assert.Equal(t, map[string]string{"claimSignature.mismatch": "urn:c2pa:00000000-0000-4000-8000-000000000001"}, codes(v))
}

func TestAssetBytesTampered(t *testing.T) {
	b := signedJPEG(t, aiManifest())
	b[len(b)-10] ^= 0x40 // inside the entropy-coded image data
	res := analyzeWith(t, b, Limits{})
	assert.EqualValues(t, "mismatch", res.Provenance.Binding)
	v := res.Provenance.Validation
	assert.Equal(t, detectors.ValidationInvalid, v.State)
	assert.Equal(t, map[string]string{"assertion.dataHash.mismatch": "urn:c2pa:00000000-0000-4000-8000-000000000001"}, codes(v))
	assert.Empty(t, v.Problems, "the binding mismatch has its own finding")
	assert.False(t, res.MachineReadable)
}

func TestIngredientClaimTampered(t *testing.T) {
	ing := aiManifest()
	ing.Label, ing.Generator = "urn:c2pa:00000000-0000-4000-8000-0000000000aa", "ingredient maker"
	m := build.Manifest{Generator: "editor", Action: "c2pa.opened", Ingredient: &ing}
	b := signedJPEG(t, m)

	v := analyzeWith(t, b, Limits{}).Provenance.Validation
	require.Equal(t, detectors.ValidationValid, v.State, "%+v", v.Codes)

	// Editing the ingredient's claim breaks its signature and the active
	// manifest's reference to it; each code names its manifest.
	res := analyzeWith(t, replaceOnce(t, b, "ingredient maker", "ingredient MAKER"), Limits{})
	v = res.Provenance.Validation
	assert.Equal(t, detectors.ValidationInvalid, v.State)
	assert.Equal(t, map[string]string{
		"claimSignature.mismatch":      ing.Label,
		"ingredient.manifest.mismatch": "urn:c2pa:00000000-0000-4000-8000-000000000001",
	}, codes(v))
	for _, e := range res.AIEvidence {
		if e.Detector == "c2pa" {
			assert.Equal(t, detectors.SignedInvalid, e.Strength, e.Detail)
		}
	}
}

// C2PA 2.x actions that bring a source in name its ingredient assertion
// (c2pa.opened one parentOf, c2pa.placed a componentOf), and the first
// action creates or opens.
func TestIngredientActionsNameTheirIngredient(t *testing.T) {
	ing := aiManifest()
	ing.Label = "urn:c2pa:00000000-0000-4000-8000-0000000000aa"
	v := analyzeWith(t, signedJPEG(t, build.Manifest{Generator: "editor", Action: "c2pa.opened", Ingredient: &ing}), Limits{}).Provenance.Validation
	assert.Equal(t, detectors.ValidationValid, v.State, "%+v", v.Codes)
	// Placing a parentOf ingredient; and placing is no first action.
	v = analyzeWith(t, signedJPEG(t, build.Manifest{Generator: "editor", Action: "c2pa.placed", Ingredient: &ing}), Limits{}).Provenance.Validation
	assert.Equal(t, detectors.ValidationInvalid, v.State)
	assert.Equal(t, []string{"assertion.action.malformed", "assertion.action.ingredientMismatch"}, failureCodes(v, "urn:c2pa:00000000-0000-4000-8000-000000000001"))

	opened := aiManifest()
	opened.Action = "c2pa.opened"
	v = analyzeWith(t, signedJPEG(t, opened), Limits{}).Provenance.Validation
	assert.Equal(t, detectors.ValidationInvalid, v.State)
	assert.Equal(t, map[string]string{"assertion.action.ingredientMismatch": "urn:c2pa:00000000-0000-4000-8000-000000000001"}, codes(v))
	require.Len(t, v.Problems, 1)
	assert.Contains(t, v.Problems[0], "does not name that source's ingredient")
}

func TestMissingIngredientManifest(t *testing.T) {
	ing := aiManifest()
	ing.Label = "urn:c2pa:00000000-0000-4000-8000-0000000000aa"
	b := signedJPEG(t, build.Manifest{Generator: "editor", Action: "c2pa.opened", Ingredient: &ing})
	// Renaming the ingredient's manifest (same length) leaves the reference
	// pointing at a manifest that is not in the store.
	b = replaceOnce(t, b, ing.Label+"\x00", "urn:c2pa:00000000-0000-4000-8000-0000000000bb\x00")
	v := analyzeWith(t, b, Limits{}).Provenance.Validation
	assert.Equal(t, detectors.ValidationInvalid, v.State)
	assert.Equal(t, "urn:c2pa:00000000-0000-4000-8000-000000000001", codes(v)["ingredient.manifest.missing"])
}

// The signing certificate must be valid when the claim was signed; without
// a time-stamp that is judged at the scan's time.
func TestExpiredCertificate(t *testing.T) {
	old, err := build.NewPKI("Expired", 3, time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC))
	require.NoError(t, err)
	m := aiManifest()
	m.Signer = old
	b := signedJPEG(t, m)

	v := analyzeWith(t, b, Limits{}).Provenance.Validation
	assert.Equal(t, detectors.ValidationInvalid, v.State)
	assert.Equal(t, map[string]string{"signingCredential.expired": "urn:c2pa:00000000-0000-4000-8000-000000000001"}, codes(v))

	v = analyzeWith(t, b, Limits{Now: time.Date(2020, 6, 1, 0, 0, 0, 0, time.UTC)}).Provenance.Validation
	assert.Equal(t, detectors.ValidationValid, v.State, "%+v", v.Codes)
}

// A certificate that expired after a time-stamped signature still
// validates: the RFC 3161 time, not the scan's, is the time of signing.
func TestTimeStampedSignatureOutlivesItsCertificate(t *testing.T) {
	old, err := build.NewPKI("Stamped", 4, time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC))
	require.NoError(t, err)
	signedAt := time.Date(2020, 6, 1, 12, 0, 0, 0, time.UTC)
	tsa, err := old.NewTSA(signedAt)
	require.NoError(t, err)
	m := aiManifest()
	m.Signer, m.TimeStamp = old, tsa

	file := signedJPEG(t, m)
	v := analyzeWith(t, file, Limits{}).Provenance.Validation
	assert.Equal(t, detectors.ValidationValid, v.State, "%+v", v.Codes)
	assert.Equal(t, "2020-06-01T12:00:00Z", v.Signer.TimeStamp)
	assert.Contains(t, v.Signer.TimeStampAuthority, "Stamped TSA")
	assert.Contains(t, v.Codes, detectors.StatusCode{Code: "timeStamp.untrusted", Manifest: "urn:c2pa:00000000-0000-4000-8000-000000000001",
		Detail: "time-stamped by " + tsa.Cert.Subject.String() + ", which no TSA trust anchor vouches for"})

	// Trust in the signer at the stamped time needs a trusted TSA: with the
	// root as anchor for both, the expired signer is trusted.
	anchored, err := trust.Default().WithAnchors(old.RootPEM())
	require.NoError(t, err)
	v = analyzeWith(t, file, Limits{Trust: anchored}).Provenance.Validation
	assert.Equal(t, detectors.ValidationTrusted, v.State, "%+v", v.Codes)

	// A TSA nobody vouches for cannot date trust: a stranger's stamp on the
	// same expired signer leaves it valid, not trusted.
	stranger, err := build.NewPKI("Stranger", 5, time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2040, 1, 1, 0, 0, 0, 0, time.UTC))
	require.NoError(t, err)
	m.TimeStamp, err = stranger.NewTSA(signedAt)
	require.NoError(t, err)
	v = analyzeWith(t, signedJPEG(t, m), Limits{Trust: anchored}).Provenance.Validation
	assert.Equal(t, detectors.ValidationValid, v.State, "%+v", v.Codes)
	assert.Equal(t, "2020-06-01T12:00:00Z", v.Signer.TimeStamp)

	// A time-stamp from after the certificate expired proves nothing good.
	late, err := old.NewTSA(time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC))
	require.NoError(t, err)
	m.TimeStamp = late
	v = analyzeWith(t, signedJPEG(t, m), Limits{}).Provenance.Validation
	assert.Equal(t, detectors.ValidationInvalid, v.State)
	assert.Contains(t, codes(v), "signingCredential.expired")
}

// A training-mining opt-out read from a manifest that fails validation still
// reserves the file (an unreliable "no" is not a "yes"), but says, as AI
// evidence does, that its manifest is invalid.
func TestOptOutFromInvalidManifestSaysSo(t *testing.T) {
	valid := analyzeWith(t, signedJPEG(t, aiManifest()), Limits{})
	edited := analyzeWith(t, replaceOnce(t, signedJPEG(t, aiManifest()), "trainedAlgorithmicMedia", "algorithmicallyEnhanced"), Limits{})
	require.Equal(t, detectors.ValidationInvalid, edited.Provenance.Validation.State)
	for _, c := range []struct {
		res  *Result
		want detectors.Strength
	}{{valid, detectors.SignedValid}, {edited, detectors.SignedInvalid}} {
		require.Len(t, c.res.OptOuts, 2)
		assert.True(t, c.res.TrainingOptOut)
		for _, o := range c.res.OptOuts {
			assert.Equal(t, detectors.Reserved, o.Verdict)
			assert.Equal(t, c.want, o.Strength, o.Detail)
			assert.Equal(t, c.want == detectors.SignedInvalid, strings.Contains(o.Detail, "not a reliable label"), o.Detail)
		}
	}
}

// ocspSigner is a signer whose CA delegated OCSP signing to a responder,
// with its issuer in x5chain so that a stapled response can be checked.
func ocspSigner(t *testing.T, seed byte) (*build.PKI, *build.OCSPResponder) {
	pki, r, err := build.NewOCSPPKI("Revocable", seed, "")
	require.NoError(t, err)
	return pki, r
}

// Stapled OCSP responses decide the signer's revocation at the time of
// signing (the time-stamp's, when a trusted TSA gives it): revoked fails
// the manifest, a response that cannot be used leaves it unchecked, never
// good.
func TestStapledOCSP(t *testing.T) {
	pki, responder := ocspSigner(t, 11)
	_, otherResponder := ocspSigner(t, 13) // same names, another key: a forger's CA
	signedAt := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tsa, err := pki.NewTSA(signedAt)
	require.NoError(t, err)
	anchored, err := trust.Default().WithAnchors(pki.RootPEM())
	require.NoError(t, err)
	respond := func(r *build.OCSPResponder, tmpl ocsp.Response) []byte {
		der, err := r.Respond(pki.Signer, tmpl)
		require.NoError(t, err)
		return der
	}
	good := ocsp.Response{Status: ocsp.Good, ThisUpdate: signedAt.Add(-time.Hour), NextUpdate: signedAt.Add(7 * 24 * time.Hour)}
	expired := ocsp.Response{Status: ocsp.Good, ThisUpdate: signedAt.AddDate(0, 0, -10), NextUpdate: signedAt.AddDate(0, 0, -3)}
	revoked := func(at time.Time) ocsp.Response {
		return ocsp.Response{Status: ocsp.Revoked, RevokedAt: at, ThisUpdate: signedAt.AddDate(0, 0, 2), NextUpdate: signedAt.AddDate(0, 0, 9)}
	}
	for _, tc := range []struct {
		name       string
		der        []byte
		state      detectors.ValidationState
		revocation string
		code       string
	}{
		{"good", respond(responder, good), detectors.ValidationTrusted, "not_revoked", ""},
		{"revoked before signing", respond(responder, revoked(signedAt.Add(-time.Hour))), detectors.ValidationInvalid, "revoked", "signingCredential.ocsp.revoked"},
		{"revoked after signing", respond(responder, revoked(signedAt.Add(time.Hour))), detectors.ValidationTrusted, "not_revoked", ""},
		{"expired before signing", respond(responder, expired), detectors.ValidationTrusted, "not_checked", "signingCredential.ocsp.inaccessible"},
		{"signed by another CA", respond(otherResponder, good), detectors.ValidationTrusted, "not_checked", "signingCredential.ocsp.inaccessible"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := aiManifest()
			m.Signer, m.TimeStamp, m.IssuerInChain, m.OCSP = pki, tsa, true, [][]byte{tc.der}
			res := analyzeWith(t, signedJPEG(t, m), Limits{Trust: anchored})
			v := res.Provenance.Validation
			assert.Equal(t, tc.state, v.State, "%+v", v.Codes)
			assert.Equal(t, tc.revocation, v.Signer.Revocation)
			if tc.code != "" {
				assert.True(t, slices.ContainsFunc(v.Codes, func(c detectors.StatusCode) bool { return c.Code == tc.code }), "%+v", v.Codes)
			}
			if tc.state == detectors.ValidationInvalid {
				assert.Contains(t, v.Problems, "the signing certificate had been revoked by its issuer when the claim was signed")
				assert.Equal(t, detectors.SignedInvalid, res.AIEvidence[0].Strength, "a revoked signer's AI claim is no reliable label")
			}
		})
	}

	// Revocation after signing counts only when a trusted TSA dates the
	// signing: judged at the scan's time otherwise, the signer is revoked.
	m := aiManifest()
	m.Signer, m.TimeStamp, m.IssuerInChain, m.OCSP = pki, tsa, true, [][]byte{respond(responder, revoked(signedAt.Add(time.Hour)))}
	v := analyzeWith(t, signedJPEG(t, m), Limits{}).Provenance.Validation
	assert.Equal(t, detectors.ValidationInvalid, v.State, "%+v", v.Codes)
	assert.Equal(t, "revoked", v.Signer.Revocation)

	// Nothing stapled, no lookup: said, and not a failure.
	v = analyzeWith(t, signedJPEG(t, aiManifest()), Limits{}).Provenance.Validation
	assert.Equal(t, "not_checked", v.Signer.Revocation)
	assert.Equal(t, detectors.ValidationValid, v.State)
}

// The time-stamp authority's certificate must be a time-stamping one
// (id-kp-timeStamping alone, critical): otherwise the stamp is untrusted
// and cannot date the signer's trust.
func TestTimeStampAuthorityProfile(t *testing.T) {
	old, err := build.NewPKI("Profiled", 12, time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC))
	require.NoError(t, err)
	anchored, err := trust.Default().WithAnchors(old.RootPEM())
	require.NoError(t, err)
	signedAt := time.Date(2020, 6, 1, 12, 0, 0, 0, time.UTC)
	for name, edit := range map[string]func(*x509.Certificate){
		"no timeStamping EKU": func(c *x509.Certificate) {
			c.ExtraExtensions, c.ExtKeyUsage = nil, []x509.ExtKeyUsage{x509.ExtKeyUsageEmailProtection}
		},
		"EKU not critical": func(c *x509.Certificate) { c.ExtraExtensions = nil },
		"timeStamping and more": func(c *x509.Certificate) {
			c.ExtraExtensions, c.ExtKeyUsage = nil, []x509.ExtKeyUsage{x509.ExtKeyUsageTimeStamping, x509.ExtKeyUsageServerAuth}
		},
		"no signing key usage": func(c *x509.Certificate) { c.KeyUsage = x509.KeyUsageKeyEncipherment },
	} {
		tsa, err := old.NewTSA(signedAt, edit)
		require.NoError(t, err)
		m := aiManifest()
		m.Signer, m.TimeStamp = old, tsa
		v := analyzeWith(t, signedJPEG(t, m), Limits{Trust: anchored}).Provenance.Validation
		assert.Equal(t, detectors.ValidationValid, v.State, "%s: not trusted at the stamped time: %+v", name, v.Codes)
		assert.True(t, slices.ContainsFunc(v.Codes, func(c detectors.StatusCode) bool {
			return c.Code == "timeStamp.untrusted" && strings.Contains(c.Detail, "not a time-stamping one")
		}), "%s: %+v", name, v.Codes)
	}
}
