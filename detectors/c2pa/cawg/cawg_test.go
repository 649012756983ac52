package cawg

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/fxamacker/cbor/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/veraison/go-cose"

	"github.com/aiaudit/aiaudit/detectors"
	"github.com/aiaudit/aiaudit/detectors/c2pa/cosesig"
	"github.com/aiaudit/aiaudit/detectors/c2pa/status"
	"github.com/aiaudit/aiaudit/detectors/c2pa/trust"
)

const bindingURL = "self#jumbf=c2pa.assertions/c2pa.hash.data"

var (
	bindingHash = sha256.Sum256([]byte("the hard binding assertion"))
	claim       = []Ref{
		{URL: "self#jumbf=c2pa.assertions/c2pa.actions.v2", Hash: make([]byte, 32)},
		{URL: bindingURL, Hash: bindingHash[:]},
	}
	now = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
)

// didJWK is the did:jwk of an Ed25519 key: the key itself, base64url JSON.
func didJWK(pub ed25519.PublicKey) string {
	jwk, _ := json.Marshal(map[string]string{"kty": "OKP", "crv": "Ed25519", "x": base64.RawURLEncoding.EncodeToString(pub)})
	return "did:jwk:" + base64.RawURLEncoding.EncodeToString(jwk)
}

// credentialCase is an identity claims aggregation credential to sign, and
// how the test breaks it.
type credentialCase struct {
	issuer string
	vc     func(map[string]any)
	// alg and key sign the COSE_Sign1 (default EdDSA with the issuer's key).
	alg         cose.Algorithm
	key         crypto.Signer
	contentType any
	untagged    bool
}

// icaAssertion builds a cawg.identity assertion whose signature is an ICA
// credential issued by key for the signer payload.
func icaAssertion(t testing.TB, key ed25519.PrivateKey, c credentialCase) []byte {
	t.Helper()
	payload := map[string]any{
		"referenced_assertions": []map[string]any{{"url": bindingURL, "hash": bindingHash[:]}},
		"sig_type":              SigTypeICA,
	}
	vc := map[string]any{
		"@context":  []string{contextV2, contextICA},
		"type":      []string{"VerifiableCredential", typeICA},
		"issuer":    c.issuer,
		"validFrom": "2025-01-01T00:00:00Z",
		"credentialSubject": map[string]any{
			"verifiedIdentities": []map[string]any{{
				"type": "cawg.social_media", "username": "jane", "uri": "https://social.example/jane",
				"verifiedAt": "2025-01-01T00:00:00Z", "provider": map[string]string{"id": "https://social.example", "name": "Social"},
			}},
			"c2paAsset": map[string]any{
				"referenced_assertions": []map[string]any{{"url": bindingURL, "hash": base64.StdEncoding.EncodeToString(bindingHash[:])}},
				"sig_type":              SigTypeICA,
			},
		},
	}
	if c.issuer == "" {
		vc["issuer"] = didJWK(key.Public().(ed25519.PublicKey))
	}
	if c.vc != nil {
		c.vc(vc)
	}
	body, err := json.Marshal(vc)
	require.NoError(t, err)
	alg, signKey := cose.AlgorithmEdDSA, crypto.Signer(key)
	if c.key != nil {
		alg, signKey = c.alg, c.key
	}
	signer, err := cose.NewSigner(alg, signKey)
	require.NoError(t, err)
	msg := cose.NewSign1Message()
	msg.Headers.Protected.SetAlgorithm(alg)
	msg.Headers.Protected[cose.HeaderLabelContentType] = contentTypeVC
	if c.contentType != nil {
		msg.Headers.Protected[cose.HeaderLabelContentType] = c.contentType
	}
	msg.Payload = body
	require.NoError(t, msg.Sign(rand.Reader, nil, signer))
	sig, err := msg.MarshalCBOR()
	require.NoError(t, err)
	if c.untagged {
		sig = sig[1:] // drop tag 18 (one byte, 0xd2)
	}
	a, err := cbor.Marshal(map[string]any{"signer_payload": payload, "signature": sig, "pad1": make([]byte, 8)})
	require.NoError(t, err)
	return a
}

func failures(r Result) []status.Code {
	var out []status.Code
	for _, f := range r.Findings {
		if f.Code.Failure() {
			out = append(out, f.Code)
		}
	}
	return out
}

func TestICACredentialCheckedOffline(t *testing.T) {
	_, key, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	other, _, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)

	r := Validate(icaAssertion(t, key, credentialCase{}), "m", claim, trust.Default(), now)
	assert.Equal(t, detectors.IdentityValid, r.State, "%+v", r.Findings)
	assert.Equal(t, SigTypeICA, r.SigType)
	assert.Equal(t, []string{"jane (cawg.social_media verified by Social) https://social.example/jane"}, r.Named)
	assert.Equal(t, didJWK(key.Public().(ed25519.PublicKey)), r.Issuer)
	assert.Equal(t, []status.Code{status.ICAUntrustedIssuer}, codesOf(r), "a self-made did:jwk verifies, but nobody vouches for its issuer")

	for _, c := range []struct {
		name string
		cc   credentialCase
		want status.Code
	}{
		{"issuer key is another's", credentialCase{issuer: didJWK(other)}, status.ICASignatureMismatch},
		{"credential edited after signing", credentialCase{}, status.ICASignatureMismatch},
		{"issuer is not a DID", credentialCase{issuer: "https://issuer.example"}, status.ICAInvalidIssuer},
		{"unsupported DID method", credentialCase{issuer: "did:example:123"}, status.ICAInvalidIssuer},
		{"unreadable did:jwk", credentialCase{issuer: "did:jwk:e30"}, status.ICAInvalidDIDDocument},
		{"not EdDSA", credentialCase{alg: cose.AlgorithmES256, key: ecKey}, status.ICAInvalidAlg},
		{"no content type", credentialCase{contentType: "application/json"}, status.ICAInvalidContentType},
		{"untagged COSE_Sign1", credentialCase{untagged: true}, status.ICAInvalidCOSESign1},
		{"not a credential", credentialCase{vc: func(vc map[string]any) { delete(vc, "credentialSubject") }}, status.ICAInvalidCredential},
		{"no validFrom", credentialCase{vc: func(vc map[string]any) { delete(vc, "validFrom") }}, status.ICAValidFromMissing},
		{"validFrom after now", credentialCase{vc: func(vc map[string]any) { vc["validFrom"] = "2030-01-01T00:00:00Z" }}, status.ICAValidFromInvalid},
		{"validUntil before now", credentialCase{vc: func(vc map[string]any) { vc["validUntil"] = "2026-01-01T00:00:00Z" }}, status.ICAValidUntilInvalid},
		{"c2paAsset of another payload", credentialCase{vc: func(vc map[string]any) {
			vc["credentialSubject"].(map[string]any)["c2paAsset"].(map[string]any)["sig_type"] = SigTypeX509
		}}, status.ICASignerPayloadMismatch},
	} {
		t.Run(c.name, func(t *testing.T) {
			a := icaAssertion(t, key, c.cc)
			if c.name == "credential edited after signing" {
				a = bytes.Replace(a, []byte(`"jane"`), []byte(`"john"`), 1)
			}
			r := Validate(a, "m", claim, trust.Default(), now)
			assert.Equal(t, detectors.IdentityInvalid, r.State)
			assert.Equal(t, []status.Code{c.want}, failures(r), "%+v", r.Findings)
		})
	}
}

// did:web keys live on a web server: the credential is read and checked
// as far as it can be, and its signature reported not checked, with why.
func TestDIDWebIsNotChecked(t *testing.T) {
	_, key, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	r := Validate(icaAssertion(t, key, credentialCase{issuer: "did:web:issuer.example"}), "m", claim, trust.Default(), now)
	assert.Equal(t, detectors.IdentityNotChecked, r.State, "%+v", r.Findings)
	assert.Contains(t, r.Reason, "did:web:issuer.example")
	assert.Equal(t, []status.Code{status.ICADIDUnavailable}, codesOf(r))
	assert.Len(t, r.Named, 1, "who it names is still reported")

	// A check that fails offline still makes it invalid.
	r = Validate(icaAssertion(t, key, credentialCase{issuer: "did:web:issuer.example", vc: func(vc map[string]any) { delete(vc, "validFrom") }}), "m", claim, trust.Default(), now)
	assert.Equal(t, detectors.IdentityInvalid, r.State)
	assert.Empty(t, r.Reason)
}

func codesOf(r Result) []status.Code {
	var out []status.Code
	for _, f := range r.Findings {
		out = append(out, f.Code)
	}
	return out
}

// What the CBOR must hold, and the caps on it.
func TestMalformedAssertions(t *testing.T) {
	_, key, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	good := icaAssertion(t, key, credentialCase{})
	var fields map[string]cbor.RawMessage
	require.NoError(t, cbor.Unmarshal(good, &fields))
	without := func(k string) []byte {
		m := maps.Clone(fields)
		delete(m, k)
		b, err := cbor.Marshal(m)
		require.NoError(t, err)
		return b
	}
	nested := bytes.Repeat([]byte{0x81}, 100) // [[[[...
	huge := append([]byte{0x5a, 0, 0x20, 0, 0}, make([]byte, MaxAssertionBytes+1)...)
	for name, b := range map[string][]byte{
		"no signer_payload": without("signer_payload"), "no signature": without("signature"), "no pad1": without("pad1"),
		"not CBOR": []byte("{}"), "empty": nil, "too deep": nested, "larger than the cap": huge,
		"payload without sig_type": mustCBOR(t, map[string]any{"signer_payload": map[string]any{"referenced_assertions": []any{}}, "signature": []byte{}, "pad1": []byte{}}),
		"duplicate keys":           []byte{0xa2, 0x64, 'p', 'a', 'd', '1', 0x40, 0x64, 'p', 'a', 'd', '1', 0x40},
	} {
		r := Validate(b, "m", claim, trust.Default(), now)
		assert.Equal(t, detectors.IdentityInvalid, r.State, name)
		assert.Equal(t, []status.Code{status.IdentityCBORInvalid}, codesOf(r), name)
	}
	// Without pad2 (optional) and with a field nobody knows, it is read.
	r := Validate(mustCBOR(t, map[string]any{"signer_payload": fields["signer_payload"], "signature": fields["signature"], "pad1": []byte{}, "other": "x"}), "m", claim, trust.Default(), now)
	assert.Equal(t, detectors.IdentityValid, r.State, "%+v", r.Findings)
}

func mustCBOR(t testing.TB, v any) []byte {
	b, err := cbor.Marshal(v)
	require.NoError(t, err)
	return b
}

// The references are checked against the claim whatever the signature:
// an absolute URI into this manifest is the same reference, one into
// another manifest is not.
func TestReferencesAgainstTheClaim(t *testing.T) {
	var r Result
	r.checkRefs([]Ref{{URL: "self#jumbf=/c2pa/m/c2pa.assertions/c2pa.hash.data", Hash: bindingHash[:]}}, "m", claim)
	assert.Empty(t, r.Findings)
	r = Result{}
	r.checkRefs([]Ref{{URL: "self#jumbf=/c2pa/other/c2pa.assertions/c2pa.hash.data", Hash: bindingHash[:]}}, "m", claim)
	assert.Equal(t, []status.Code{status.IdentityAssertionMismatch}, codesOf(r))
	r = Result{}
	r.checkRefs(nil, "m", claim)
	assert.Equal(t, []status.Code{status.IdentityHardBindingMissing}, codesOf(r))
}

// FuzzValidate feeds hostile assertions: never a panic, and the state is
// always what the codes say.
func FuzzValidate(f *testing.F) {
	_, key, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(f, err)
	f.Add(icaAssertion(f, key, credentialCase{}))
	f.Add(icaAssertion(f, key, credentialCase{issuer: "did:web:x.example"}))
	f.Add(mustCBOR(f, map[string]any{"signer_payload": map[string]any{"referenced_assertions": []any{map[string]any{"url": bindingURL, "hash": bindingHash[:]}}, "sig_type": SigTypeX509}, "signature": []byte{0xd2, 0x84}, "pad1": []byte{0}}))
	f.Add([]byte{0xa0})
	f.Fuzz(func(t *testing.T, b []byte) {
		r := Validate(b, "m", claim, trust.Default(), now)
		failed := slices.ContainsFunc(r.Findings, func(f cosesig.Finding) bool { return f.Code.Failure() })
		notChecked := slices.ContainsFunc(r.Findings, func(f cosesig.Finding) bool { return f.Code.NotChecked() })
		switch r.State {
		case detectors.IdentityInvalid:
			assert.True(t, failed, "invalid names a failure: %+v", r.Findings)
			assert.Empty(t, r.Reason)
		case detectors.IdentityNotChecked:
			assert.False(t, failed)
			assert.True(t, notChecked)
			assert.NotEmpty(t, r.Reason)
		case detectors.IdentityValid:
			assert.False(t, failed || notChecked, "%+v", r.Findings)
			assert.Contains(t, []string{SigTypeX509, SigTypeICA}, r.SigType, "only a known signature validates")
		default:
			t.Fatalf("state %q", r.State)
		}
		if slices.ContainsFunc(r.Findings, func(f cosesig.Finding) bool { return f.Code == status.IdentityCBORInvalid }) {
			assert.Len(t, r.Findings, 1, "an unreadable assertion has nothing else to say")
		}
		if len(b) > MaxAssertionBytes {
			assert.Equal(t, []status.Code{status.IdentityCBORInvalid}, codesOf(r))
		}
	})
}

// A credential listing many identities is reported with the first few.
func TestNamedIsCapped(t *testing.T) {
	_, key, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	r := Validate(icaAssertion(t, key, credentialCase{vc: func(vc map[string]any) {
		sub := vc["credentialSubject"].(map[string]any)
		ids := sub["verifiedIdentities"].([]map[string]any)
		for len(ids) < maxNamed+24 {
			ids = append(ids, ids[0])
		}
		sub["verifiedIdentities"] = ids
	}}), "m", claim, trust.Default(), now)
	assert.Equal(t, detectors.IdentityValid, r.State, "%+v", r.Findings)
	require.Len(t, r.Named, maxNamed+1)
	assert.Equal(t, "and 24 more", r.Named[maxNamed])
}
