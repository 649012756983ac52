package cosesig

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"maps"
	"math/big"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/digitorus/timestamp"
	"github.com/fxamacker/cbor/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/veraison/go-cose"
	"golang.org/x/crypto/ocsp"

	"github.com/aiaudit/aiaudit/detectors/c2pa/status"
	"github.com/aiaudit/aiaudit/detectors/c2pa/trust"
)

var (
	t0        = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	claim     = []byte("\xa1\x63alg\x66sha256")
	c2paEKU   = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 62558, 2, 1}
	signedNow = t0.Add(24 * time.Hour)
)

type testCA struct {
	cert *x509.Certificate
	key  crypto.Signer
}

func newCA(t testing.TB) testCA {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Test CA"}, NotBefore: t0, NotAfter: t0.AddDate(5, 0, 0),
		KeyUsage: x509.KeyUsageCertSign, BasicConstraintsValid: true, IsCA: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	require.NoError(t, err)
	c, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	return testCA{c, key}
}

// issue makes an end-entity certificate for key; edit adjusts the template.
func (ca testCA) issue(t testing.TB, key crypto.Signer, edit func(*x509.Certificate)) *x509.Certificate {
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "Signer", Organization: []string{"Org"}}, NotBefore: t0, NotAfter: t0.AddDate(1, 0, 0),
		KeyUsage: x509.KeyUsageDigitalSignature, UnknownExtKeyUsage: []asn1.ObjectIdentifier{c2paEKU}}
	if edit != nil {
		edit(tmpl)
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, key.Public(), ca.key)
	require.NoError(t, err)
	c, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	return c
}

func sign(t testing.TB, alg cose.Algorithm, key crypto.Signer, chain any, payload []byte) []byte {
	protected := map[any]any{}
	if chain != nil {
		protected[cose.HeaderLabelX5Chain] = chain
	}
	return signWith(t, alg, key, protected, nil, payload)
}

// signWith makes a tagged COSE_Sign1 with these headers (alg is added)
// and a detached payload.
func signWith(t testing.TB, alg cose.Algorithm, key crypto.Signer, protected, unprotected map[any]any, payload []byte) []byte {
	s, err := cose.NewSigner(alg, key)
	require.NoError(t, err)
	msg := cose.NewSign1Message()
	maps.Copy(msg.Headers.Protected, protected)
	maps.Copy(msg.Headers.Unprotected, unprotected)
	msg.Headers.Protected.SetAlgorithm(alg)
	msg.Payload = payload
	require.NoError(t, msg.Sign(rand.Reader, nil, s))
	msg.Payload = nil
	b, err := msg.MarshalCBOR()
	require.NoError(t, err)
	return b
}

func codesOf(r Result) []status.Code {
	var out []status.Code
	for _, f := range r.Findings {
		out = append(out, f.Code)
	}
	return out
}

func TestEveryAllowedAlgorithmVerifies(t *testing.T) {
	ca := newCA(t)
	ec256, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ec384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	ec521, _ := ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	_, edKey, _ := ed25519.GenerateKey(rand.Reader)
	for alg, key := range map[cose.Algorithm]crypto.Signer{
		cose.AlgorithmES256: ec256, cose.AlgorithmES384: ec384, cose.AlgorithmES512: ec521,
		cose.AlgorithmPS256: rsaKey, cose.AlgorithmPS384: rsaKey, cose.AlgorithmPS512: rsaKey, cose.AlgorithmEdDSA: edKey,
	} {
		cert := ca.issue(t, key, nil)
		r := Verify(sign(t, alg, key, cert.Raw, claim), claim, nil, signedNow, nil)
		assert.False(t, r.Failed(), "%v: %v", alg, r.Findings)
		assert.Contains(t, codesOf(r), status.ClaimSignatureValidated, alg)
		assert.Equal(t, alg.String(), r.Alg)
		assert.Contains(t, r.Subject, "Signer")
	}
}

func TestTrust(t *testing.T) {
	ca := newCA(t)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	cert := ca.issue(t, key, nil)
	sig := sign(t, cose.AlgorithmES256, key, []any{cert.Raw}, claim)

	r := Verify(sig, claim, trust.Default(), signedNow, nil)
	assert.Contains(t, codesOf(r), status.SigningCredentialUntrusted)
	assert.Empty(t, r.TrustList)
	assert.False(t, r.Failed(), "an unknown signer is not a failure")

	anchors, err := trust.Default().WithAnchors(pemOf(ca.cert))
	require.NoError(t, err)
	r = Verify(sig, claim, anchors, signedNow, nil)
	assert.Contains(t, codesOf(r), status.SigningCredentialTrusted)
	assert.Equal(t, trust.UserAnchorsName, r.TrustList)
}

func TestTamperedPayloadAndSignature(t *testing.T) {
	ca := newCA(t)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	sig := sign(t, cose.AlgorithmES256, key, ca.issue(t, key, nil).Raw, claim)

	r := Verify(sig, append(slices.Clone(claim), 0), nil, signedNow, nil)
	assert.Contains(t, codesOf(r), status.ClaimSignatureMismatch)

	bad := slices.Clone(sig)
	bad[len(bad)-1] ^= 1
	r = Verify(bad, claim, nil, signedNow, nil)
	assert.Contains(t, codesOf(r), status.ClaimSignatureMismatch)
	assert.NotContains(t, codesOf(r), status.ClaimSignatureValidated)
}

func TestCertificateProfile(t *testing.T) {
	ca := newCA(t)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	for name, edit := range map[string]func(*x509.Certificate){
		"no digitalSignature": func(c *x509.Certificate) { c.KeyUsage = x509.KeyUsageKeyEncipherment },
		"no EKU":              func(c *x509.Certificate) { c.UnknownExtKeyUsage = nil },
		"anyEKU":              func(c *x509.Certificate) { c.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageAny} },
		"server auth only": func(c *x509.Certificate) {
			c.UnknownExtKeyUsage, c.ExtKeyUsage = nil, []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
		},
		"CA": func(c *x509.Certificate) { c.IsCA, c.BasicConstraintsValid = true, true },
	} {
		r := Verify(sign(t, cose.AlgorithmES256, key, ca.issue(t, key, edit).Raw, claim), claim, nil, signedNow, nil)
		assert.Contains(t, codesOf(r), status.SigningCredentialInvalid, name)
		assert.True(t, r.Failed(), name)
	}
	cert := ca.issue(t, key, nil)
	r := Verify(sign(t, cose.AlgorithmES256, key, cert.Raw, claim), claim, nil, t0.AddDate(2, 0, 0), nil)
	assert.Equal(t, []status.Code{status.SigningCredentialExpired, status.SigningCredentialUntrusted, status.SigningCredentialOCSPSkipped, status.ClaimSignatureValidated}, codesOf(r))
}

func TestUnsupportedAndMalformed(t *testing.T) {
	ca := newCA(t)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	cert := ca.issue(t, key, nil)
	// ES256K (-47) is a COSE algorithm C2PA does not allow.
	msg := cose.NewSign1Message()
	msg.Headers.Protected[cose.HeaderLabelAlgorithm] = int64(-47)
	msg.Headers.Protected[cose.HeaderLabelX5Chain] = cert.Raw
	msg.Signature = []byte{1}
	raw, err := msg.MarshalCBOR()
	require.NoError(t, err)
	assert.Equal(t, []status.Code{status.AlgorithmUnsupported}, codesOf(Verify(raw, claim, nil, signedNow, nil)))

	assert.Equal(t, []status.Code{status.ClaimSignatureMissing}, codesOf(Verify(nil, claim, nil, signedNow, nil)))
	assert.Equal(t, []status.Code{status.ClaimSignatureMismatch}, codesOf(Verify([]byte{0xd2, 0x84}, claim, nil, signedNow, nil)))
	assert.Equal(t, []status.Code{status.SigningCredentialInvalid}, codesOf(Verify(sign(t, cose.AlgorithmES256, key, nil, claim), claim, nil, signedNow, nil)), "no x5chain")

	// An absurdly long chain is refused before anything is parsed.
	long := make([]any, maxChainCerts+1)
	for i := range long {
		long[i] = cert.Raw
	}
	assert.Equal(t, []status.Code{status.SigningCredentialInvalid}, codesOf(Verify(sign(t, cose.AlgorithmES256, key, long, claim), claim, nil, signedNow, nil)))
}

// The C2PA 1.x text label "x5chain" and an untagged COSE_Sign1 are read too.
func TestLegacyHeaderAndUntagged(t *testing.T) {
	ca := newCA(t)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tagged := signWith(t, cose.AlgorithmES256, key, nil, map[any]any{"x5chain": ca.issue(t, key, nil).Raw}, claim)
	require.Equal(t, byte(0xd2), tagged[0])
	r := Verify(tagged[1:], claim, nil, signedNow, nil)
	assert.Contains(t, codesOf(r), status.ClaimSignatureValidated, "%v", r.Findings)
}

func TestHostileTimeStampHeaderIsInformational(t *testing.T) {
	ca := newCA(t)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	cert := ca.issue(t, key, nil)
	for _, hdr := range []any{
		"not a map",
		map[string]any{"tstTokens": []any{map[string]any{"val": []byte("garbage")}}},
		map[string]any{"tstTokens": []any{map[string]any{"val": make([]byte, maxTokenBytes+1)}}},
	} {
		raw := signWith(t, cose.AlgorithmES256, key, map[any]any{cose.HeaderLabelX5Chain: cert.Raw}, map[any]any{"sigTst2": hdr}, claim)
		r := Verify(raw, claim, nil, signedNow, nil)
		assert.Contains(t, codesOf(r), status.TimeStampMalformed)
		assert.False(t, r.Failed(), "a bad time-stamp alone does not fail the claim: %v", r.Findings)
		assert.True(t, r.TimeStamp.IsZero())
	}
}

// FuzzVerify feeds hostile COSE, certificate and time-stamp bytes to the
// verifier. Invariants: a result always says something; a signature is
// never both validated and mismatched; "validated" needs a readable signer;
// "trusted" needs a trust list; nothing is trusted with no anchors.
func FuzzVerify(f *testing.F) {
	ca := newCA(f)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	cert := ca.issue(f, key, nil)
	f.Add(sign(f, cose.AlgorithmES256, key, cert.Raw, claim), claim)
	f.Add(sign(f, cose.AlgorithmES256, key, []any{cert.Raw, ca.cert.Raw}, claim), claim)
	f.Add([]byte{0xd2, 0x84, 0x40, 0xa0, 0xf6, 0x40}, claim)
	enc, _ := cbor.Marshal([]any{[]byte{0xa1, 0x01, 0x26}, map[any]any{"sigTst": map[any]any{"tstTokens": []any{map[any]any{"val": []byte{0x30, 0x03, 0x02, 0x01, 0x00}}}}}, nil, []byte{1, 2}})
	f.Add(enc, claim)
	f.Fuzz(func(t *testing.T, sig, payload []byte) {
		r := Verify(sig, payload, nil, signedNow, nil)
		codes := codesOf(r)
		if len(codes) == 0 {
			t.Fatal("no status code")
		}
		if slices.Contains(codes, status.ClaimSignatureValidated) {
			if slices.Contains(codes, status.ClaimSignatureMismatch) {
				t.Fatalf("validated and mismatched: %v", codes)
			}
			if r.Subject == "" && r.Issuer == "" {
				t.Fatal("validated without a signer")
			}
		}
		if slices.Contains(codes, status.SigningCredentialTrusted) || r.TrustList != "" {
			t.Fatalf("trusted with no anchors: %v", codes)
		}
	})
}

func pemOf(c *x509.Certificate) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
}

// A signature seen before is not verified again: same result, and no
// second verification (measured by the benchmarks below).
func TestCachedResultIsTheSame(t *testing.T) {
	ca := newCA(t)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	sig := sign(t, cose.AlgorithmES256, key, ca.issue(t, key, nil).Raw, claim)
	first := Verify(sig, claim, nil, signedNow, nil)
	again := Verify(sig, claim, nil, signedNow, nil)
	assert.Equal(t, first, again)
	again.Findings[0].Code = "changed"
	assert.NotEqual(t, "changed", Verify(sig, claim, nil, signedNow, nil).Findings[0].Code, "callers get their own copy")
	other := Verify(sig, append(slices.Clone(claim), 1), nil, signedNow, nil)
	assert.Contains(t, codesOf(other), status.ClaimSignatureMismatch, "another claim is another key")
}

func BenchmarkVerifyES256(b *testing.B) {
	ca := newCA(b)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	sig := sign(b, cose.AlgorithmES256, key, []any{ca.issue(b, key, nil).Raw}, claim)
	anchors, err := trust.Default().WithAnchors(pemOf(ca.cert))
	require.NoError(b, err)
	b.Run("first-sight", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			verify(sig, claim, anchors, signedNow, nil)
		}
	})
	b.Run("cached", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			Verify(sig, claim, anchors, signedNow, nil)
		}
	})
}

// Files are validated by several workers at once; under -race this shows
// that verification, time-stamp parsing included, shares no unguarded state.
func TestConcurrentVerification(t *testing.T) {
	ca := newCA(t)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	cert := ca.issue(t, key, nil)
	// A BER time-stamp token (indefinite lengths) takes the parser's BER path.
	ber := []byte{0x30, 0x80, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02, 0xa0, 0x80, 0x30, 0x80, 0x02, 0x01, 0x01, 0, 0, 0, 0, 0, 0}
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			payload := append(slices.Clone(claim), byte(i)) // distinct: no cache hit
			raw := signWith(t, cose.AlgorithmES256, key, map[any]any{cose.HeaderLabelX5Chain: cert.Raw},
				map[any]any{"sigTst": map[any]any{"tstTokens": []any{map[any]any{"val": ber}}}}, payload)
			r := Verify(raw, payload, nil, signedNow, nil)
			assert.Contains(t, codesOf(r), status.TimeStampMalformed)
			assert.Contains(t, codesOf(r), status.ClaimSignatureValidated)
		}()
	}
	wg.Wait()
}

// An OCSP response signed by the issuer itself (no delegated responder)
// and stapled in rVals decides the signer's revocation; without x5chain's
// issuer it cannot be checked.
func TestStapledOCSPSignedByIssuer(t *testing.T) {
	ca := newCA(t)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	cert := ca.issue(t, key, nil)
	der, err := ocsp.CreateResponse(ca.cert, ca.cert, ocsp.Response{Status: ocsp.Revoked, SerialNumber: cert.SerialNumber,
		RevokedAt: t0, ThisUpdate: t0, NextUpdate: signedNow.Add(time.Hour)}, ca.key)
	require.NoError(t, err)
	rVals := map[any]any{"rVals": map[any]any{"ocspVals": []any{der}}}

	r := Verify(signWith(t, cose.AlgorithmES256, key, map[any]any{cose.HeaderLabelX5Chain: []any{cert.Raw, ca.cert.Raw}}, rVals, claim), claim, nil, signedNow, nil)
	assert.Equal(t, status.SigningCredentialRevoked, r.Revocation)
	assert.True(t, r.Failed(), "%v", r.Findings)

	r = Verify(signWith(t, cose.AlgorithmES256, key, map[any]any{cose.HeaderLabelX5Chain: cert.Raw}, rVals, claim), claim, nil, signedNow, nil)
	assert.Equal(t, status.SigningCredentialOCSPInaccessible, r.Revocation)
	assert.False(t, r.Failed(), "%v", r.Findings)
}

// Time-stamps come as a whole TimeStampResp (what the reference stores) or
// as the bare token: both read, whichever parser isResponse tries first.
func TestTimeStampResponseOrToken(t *testing.T) {
	ca := newCA(t)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tsa := ca.issue(t, key, func(c *x509.Certificate) {
		c.UnknownExtKeyUsage, c.ExtKeyUsage = nil, []x509.ExtKeyUsage{x509.ExtKeyUsageTimeStamping}
	})
	sum := make([]byte, 32)
	ts := timestamp.Timestamp{HashAlgorithm: crypto.SHA256, HashedMessage: sum, Time: signedNow, Policy: asn1.ObjectIdentifier{1, 2, 3}, AddTSACertificate: true}
	resp, err := ts.CreateResponseWithOpts(tsa, key, crypto.SHA256)
	require.NoError(t, err)
	var outer asn1.RawValue
	_, err = asn1.Unmarshal(resp, &outer)
	require.NoError(t, err)
	var pkiStatus asn1.RawValue
	token, err := asn1.Unmarshal(outer.Bytes, &pkiStatus) // what follows the status is the token
	require.NoError(t, err)

	assert.True(t, isResponse(resp))
	assert.False(t, isResponse(token))
	for name, b := range map[string][]byte{"response": resp, "token": token} {
		got, err := parseToken(b)
		require.NoError(t, err, name)
		assert.True(t, got.Time.Equal(signedNow), name)
	}
	for _, junk := range [][]byte{nil, {0x30}, {0x30, 0x02, 0x30, 0x00}, []byte("garbage")} {
		_, err := parseToken(junk)
		assert.Error(t, err, "%x", junk)
	}
}
