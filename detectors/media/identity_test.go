package media

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aiaudit/aiaudit/cmd/mktestdata/build"
	"github.com/aiaudit/aiaudit/detectors"
	"github.com/aiaudit/aiaudit/detectors/c2pa/trust"
)

// identityManifest is aiManifest with a CAWG X.509 identity assertion over
// its actions and its hard binding, changed by edit.
func identityManifest(edit func(*build.Identity)) build.Manifest {
	m := aiManifest()
	m.Identity = &build.Identity{Refs: []string{"c2pa.actions.v2", "c2pa.hash.data"}, Roles: []string{"cawg.creator"}}
	if edit != nil {
		edit(m.Identity)
	}
	return m
}

// identityOf scans b and returns its one identity assertion, after checking
// that whatever the identity's fate, the manifest stays valid and its AI
// statement a reliable label.
func identityOf(t *testing.T, b []byte, lim Limits) detectors.Identity {
	t.Helper()
	res := analyzeWith(t, b, lim)
	v := res.Provenance.Validation
	assert.NotEqual(t, detectors.ValidationInvalid, v.State, "%+v", v.Codes)
	assert.Empty(t, v.Problems)
	assert.True(t, res.MachineReadable)
	require.Len(t, v.Identities, 1)
	id := v.Identities[0]
	assert.Equal(t, "cawg.identity", id.Assertion)
	assert.Equal(t, v.ActiveManifest, id.Manifest)
	return id
}

func TestSignedX509IdentityIsValid(t *testing.T) {
	id := identityOf(t, signedJPEG(t, identityManifest(nil)), Limits{})
	assert.Equal(t, detectors.IdentityValid, id.State, "%+v", id.Codes)
	assert.Equal(t, "cawg.x509.cose", id.SigType)
	assert.Equal(t, []string{"CN=aiaudit Test C2PA Signer,O=aiaudit Test"}, id.Named)
	assert.Contains(t, id.Issuer, "aiaudit Test Root CA")
	assert.Equal(t, []string{"cawg.creator"}, id.Roles)
	assert.Empty(t, identityFailures(id))
	assert.Empty(t, id.Problems)
	// Passed checks are not listed; the unknown signer is, and so is the
	// identity certificate's revocation, which nothing stapled decides.
	assert.Equal(t, []string{"cawg.x509.credential.untrusted", "signingCredential.ocsp.skipped"}, codesOfIdentity(id))
	assert.Empty(t, id.TrustList)

	pki, err := build.TestPKI()
	require.NoError(t, err)
	anchored, err := trust.Default().WithAnchors(pki.RootPEM())
	require.NoError(t, err)
	id = identityOf(t, signedJPEG(t, identityManifest(nil)), Limits{Trust: anchored})
	assert.Equal(t, detectors.IdentityValid, id.State)
	assert.Equal(t, trust.UserAnchorsName, id.TrustList)
	assert.Equal(t, []string{"signingCredential.ocsp.skipped"}, codesOfIdentity(id))
}

// Each test file changes one thing; the identity fails with that one code,
// said in words, and nothing else about the file changes.
func TestTamperedX509Identity(t *testing.T) {
	expired, err := build.NewPKI("Expired", 3, time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC))
	require.NoError(t, err)
	for _, c := range []struct {
		name, code string
		edit       func(*build.Identity)
	}{
		{"signature bytes", "cawg.x509.signature.mismatch", func(id *build.Identity) {
			id.Tamper = func(a *build.IdentityAssertion) { a.Signature[len(a.Signature)-1] ^= 1 }
		}},
		{"signer payload after signing", "cawg.x509.signature.mismatch", func(id *build.Identity) {
			id.Tamper = func(a *build.IdentityAssertion) { a.SignerPayload.Roles = []string{"cawg.publisher"} }
		}},
		{"referenced assertion hash", "cawg.identity.assertion.mismatch", func(id *build.Identity) {
			id.Edit = func(p *build.SignerPayload) { p.ReferencedAssertions[0].Hash[0] ^= 1 }
		}},
		{"assertion the claim does not list", "cawg.identity.assertion.mismatch", func(id *build.Identity) {
			id.Edit = func(p *build.SignerPayload) {
				p.ReferencedAssertions = append(p.ReferencedAssertions, build.HashedURI{URL: "self#jumbf=c2pa.assertions/not.there", Hash: make([]byte, 32)})
			}
		}},
		{"hard binding not referenced", "cawg.identity.hard_binding_missing", func(id *build.Identity) { id.Refs = id.Refs[:1] }},
		{"the same assertion twice", "cawg.identity.assertion.duplicate", func(id *build.Identity) { id.Refs = append(id.Refs, "c2pa.hash.data") }},
		{"pad1 not zero", "cawg.identity.pad.invalid", func(id *build.Identity) {
			id.Tamper = func(a *build.IdentityAssertion) { a.Pad1[3] = 7 }
		}},
		{"pad2 not zero", "cawg.identity.pad.invalid", func(id *build.Identity) {
			id.Tamper = func(a *build.IdentityAssertion) { a.Pad2 = []byte{0, 1} }
		}},
		{"unknown signature type", "cawg.identity.sig_type.unknown", func(id *build.Identity) {
			id.Edit = func(p *build.SignerPayload) { p.SigType = "cawg.example" }
		}},
		{"certificate expired at signing", "cawg.x509.signature.outside_validity", func(id *build.Identity) { id.Signer = expired }},
		{"unreadable signature", "cawg.x509.signature.mismatch", func(id *build.Identity) {
			id.Tamper = func(a *build.IdentityAssertion) { a.Signature = []byte("not COSE") }
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			id := identityOf(t, signedJPEG(t, identityManifest(c.edit)), Limits{})
			assert.Equal(t, detectors.IdentityInvalid, id.State, "%+v", id.Codes)
			assert.Equal(t, []string{c.code}, identityFailures(id), "%+v", id.Codes)
			require.Len(t, id.Problems, 1)
			assert.NotEqual(t, c.code, id.Problems[0], "said in words")
		})
	}
}

func codesOfIdentity(id detectors.Identity) []string {
	var out []string
	for _, c := range id.Codes {
		out = append(out, c.Code)
	}
	return out
}
