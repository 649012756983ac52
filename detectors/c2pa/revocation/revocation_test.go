package revocation

import (
	"bytes"
	"crypto/x509"
	"errors"
	"math/big"
	"slices"
	"testing"
	"time"

	"github.com/fxamacker/cbor/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/ocsp"

	"github.com/aiaudit/aiaudit/cmd/mktestdata/build"
	"github.com/aiaudit/aiaudit/detectors/c2pa/status"
)

var signedAt = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// testCA is a CA, a signer it issued with an OCSP responder URL, and a
// responder it delegated OCSP signing to.
type testCA struct {
	pki       *build.PKI
	responder *build.OCSPResponder
	chain     []*x509.Certificate
}

func newTestCA(t testing.TB, name string, seed byte) testCA {
	pki, r, err := build.NewOCSPPKI(name, seed, "http://ocsp.example.test/")
	require.NoError(t, err)
	return testCA{pki, r, []*x509.Certificate{pki.Signer, pki.Root}}
}

// response is a DER response of r about the CA's signer.
func (ca testCA) response(t testing.TB, r *build.OCSPResponder, tmpl ocsp.Response) []byte {
	if r == nil {
		r = ca.responder
	}
	der, err := r.Respond(ca.pki.Signer, tmpl)
	require.NoError(t, err)
	return der
}

func stapled(ders ...[]byte) map[any]any {
	vals := make([]any, len(ders))
	for i, d := range ders {
		vals[i] = d
	}
	return map[any]any{"rVals": map[any]any{"ocspVals": vals}}
}

var (
	current = ocsp.Response{Status: ocsp.Good, ThisUpdate: signedAt.Add(-time.Hour), NextUpdate: signedAt.Add(7 * 24 * time.Hour)}
	stale   = ocsp.Response{Status: ocsp.Good, ThisUpdate: signedAt.Add(-8 * 24 * time.Hour), NextUpdate: signedAt.Add(-time.Hour)}
)

func revokedAt(at time.Time) ocsp.Response {
	return ocsp.Response{Status: ocsp.Revoked, RevokedAt: at, RevocationReason: ocsp.KeyCompromise, ThisUpdate: signedAt.Add(48 * time.Hour), NextUpdate: signedAt.Add(9 * 24 * time.Hour)}
}

// A stapled response is judged at the time-stamped time of signing.
func TestStapledResponses(t *testing.T) {
	ca := newTestCA(t, "Revocation", 9)
	stranger := newTestCA(t, "Stranger", 10)
	notDelegated, err := ca.pki.NewOCSPResponder(func(c *x509.Certificate) { c.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageEmailProtection} })
	require.NoError(t, err)
	for _, tc := range []struct {
		name    string
		der     []byte
		stamped bool
		want    status.Code
		detail  string
	}{
		{"good at signing", ca.response(t, nil, current), true, status.SigningCredentialNotRevoked, "was not revoked"},
		{"revoked before signing", ca.response(t, nil, revokedAt(signedAt.Add(-24*time.Hour))), true, status.SigningCredentialRevoked, "revoked the signing certificate"},
		{"revoked after the stamped signing", ca.response(t, nil, revokedAt(signedAt.Add(24*time.Hour))), true, status.SigningCredentialNotRevoked, "after the claim was time-stamped"},
		{"revoked after, but no time-stamp proves when it was signed", ca.response(t, nil, revokedAt(signedAt.Add(24*time.Hour))), false, status.SigningCredentialRevoked, "no time-stamp"},
		{"unknown to its issuer", ca.response(t, nil, ocsp.Response{Status: ocsp.Unknown, ThisUpdate: signedAt}), true, status.SigningCredentialOCSPUnknown, "does not know"},
		{"expired before signing", ca.response(t, nil, stale), true, status.SigningCredentialOCSPInaccessible, "before the claim was time-stamped"},
		{"signed by another CA's responder", stranger.response(t, nil, current), true, status.SigningCredentialOCSPInaccessible, "not signed by the issuer"},
		{"signed by a certificate not delegated OCSP signing", ca.response(t, notDelegated, current), true, status.SigningCredentialOCSPInaccessible, "not for signing OCSP responses"},
		{"a responder's error", ocsp.TryLaterErrorResponse, true, status.SigningCredentialOCSPInaccessible, "cannot be used"},
		{"garbage", []byte("not DER"), true, status.SigningCredentialOCSPInaccessible, "unreadable"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := Check(stapled(tc.der), ca.chain, signedAt, tc.stamped, nil)
			assert.Equal(t, tc.want, v.Code, v.Detail)
			assert.Contains(t, v.Detail, tc.detail)
		})
	}
}

// A response about another certificate of the same CA says nothing about
// this signer.
func TestResponseAboutAnotherCertificate(t *testing.T) {
	ca := newTestCA(t, "Revocation", 9)
	other, err := ca.pki.Reissue(func(c *x509.Certificate) { c.SerialNumber = big.NewInt(77) })
	require.NoError(t, err)
	der, err := ca.responder.Respond(other.Signer, revokedAt(signedAt.Add(-time.Hour)))
	require.NoError(t, err)
	v := Check(stapled(der), ca.chain, signedAt, true, nil)
	assert.Equal(t, status.SigningCredentialOCSPInaccessible, v.Code, v.Detail)
}

// The first usable response decides; a bad one before it is passed over.
func TestFirstUsableResponseDecides(t *testing.T) {
	ca := newTestCA(t, "Revocation", 9)
	v := Check(stapled([]byte("junk"), ca.response(t, nil, revokedAt(signedAt.Add(-time.Hour))), ca.response(t, nil, current)), ca.chain, signedAt, true, nil)
	assert.Equal(t, status.SigningCredentialRevoked, v.Code, v.Detail)
}

type fakeFetcher struct {
	der   []byte
	err   error
	calls int
}

func (f *fakeFetcher) FetchOCSP(ee, issuer *x509.Certificate) ([]byte, error) {
	f.calls++
	return f.der, f.err
}

// Without a stapled response, revocation is "not checked" unless the run
// has a fetcher; the fetcher is asked only when nothing stapled is usable.
func TestOnlineLookup(t *testing.T) {
	ca := newTestCA(t, "Revocation", 9)
	v := Check(map[any]any{}, ca.chain, signedAt, true, nil)
	assert.Equal(t, status.SigningCredentialOCSPSkipped, v.Code)
	assert.Contains(t, v.Detail, "--online")

	f := &fakeFetcher{der: ca.response(t, nil, revokedAt(signedAt.Add(-time.Hour)))}
	v = Check(map[any]any{}, ca.chain, signedAt, true, f)
	assert.Equal(t, status.SigningCredentialRevoked, v.Code, v.Detail)
	assert.Contains(t, v.Detail, "asked http://ocsp.example.test/")
	assert.Equal(t, 1, f.calls)

	v = Check(stapled(ca.response(t, nil, current)), ca.chain, signedAt, true, f)
	assert.Equal(t, status.SigningCredentialNotRevoked, v.Code, "the stapled response decides")
	assert.Equal(t, 1, f.calls, "no lookup when a stapled response is usable")

	v = Check(stapled(ca.response(t, nil, stale)), ca.chain, signedAt, true, f)
	assert.Equal(t, status.SigningCredentialRevoked, v.Code, "an unusable staple falls back to the lookup")
	assert.Contains(t, v.Detail, "stapled OCSP response cannot be used")

	v = Check(map[any]any{}, ca.chain, signedAt, true, &fakeFetcher{err: errors.New("connection refused")})
	assert.Equal(t, status.SigningCredentialOCSPInaccessible, v.Code)
	assert.Contains(t, v.Detail, "connection refused")

	v = Check(map[any]any{}, ca.chain, signedAt, true, &fakeFetcher{der: []byte("<html>")})
	assert.Equal(t, status.SigningCredentialOCSPInaccessible, v.Code)

	noURL := ca.chain[0]
	plain, err := ca.pki.Reissue(func(c *x509.Certificate) { c.OCSPServer = nil })
	require.NoError(t, err)
	f.calls = 0
	v = Check(map[any]any{}, []*x509.Certificate{plain.Signer, plain.Root}, signedAt, true, f)
	assert.Equal(t, status.SigningCredentialOCSPSkipped, v.Code)
	assert.Contains(t, v.Detail, "names no OCSP responder")
	assert.Zero(t, f.calls)

	// Without the issuer's certificate no response can be checked: nothing
	// is asked.
	v = Check(stapled(ca.response(t, nil, current)), []*x509.Certificate{noURL}, signedAt, true, f)
	assert.Equal(t, status.SigningCredentialOCSPInaccessible, v.Code)
	assert.Contains(t, v.Detail, "issuer")
	assert.Zero(t, f.calls)
}

func TestStapledCaps(t *testing.T) {
	many := make([][]byte, MaxResponses+3)
	for i := range many {
		many[i] = []byte{byte(i + 1)}
	}
	ders, problem := Stapled(stapled(many...))
	assert.Len(t, ders, MaxResponses)
	assert.Contains(t, problem, "more than")

	ders, problem = Stapled(stapled(make([]byte, MaxResponseBytes+1), []byte{1}))
	assert.Equal(t, [][]byte{{1}}, ders)
	assert.Contains(t, problem, "larger than")

	for _, h := range []map[any]any{{"rVals": "x"}, {"rVals": map[any]any{"ocspVals": 7}}, {"rVals": map[any]any{"ocspVals": []any{"text"}}}} {
		ders, problem = Stapled(h)
		assert.Empty(t, ders)
		assert.NotEmpty(t, problem, "%v", h)
	}
	ders, problem = Stapled(map[any]any{"rVals": map[any]any{"crlVals": []any{[]byte{1}}}})
	assert.Empty(t, ders)
	assert.Empty(t, problem, "revocation values other than OCSP are not an error")
}

var ocspCodes = []status.Code{status.SigningCredentialNotRevoked, status.SigningCredentialRevoked, status.SigningCredentialOCSPUnknown,
	status.SigningCredentialOCSPSkipped, status.SigningCredentialOCSPInaccessible}

// FuzzStapled feeds hostile unprotected headers (CBOR, as go-cose decodes
// them) to the extraction and the judgement. Invariants: at most
// MaxResponses responses, each a non-empty byte string of the input no
// larger than MaxResponseBytes; the verdict is one OCSP code with words;
// with nothing stapled and no fetcher it is never a revocation verdict.
func FuzzStapled(f *testing.F) {
	ca := newTestCA(f, "Revocation", 9)
	for _, h := range []map[any]any{
		stapled(ca.response(f, nil, current)), stapled(ca.response(f, nil, revokedAt(signedAt))), stapled([]byte("x"), []byte{}),
		{"rVals": map[any]any{"ocspVals": "x"}}, {"sigTst2": 1},
	} {
		b, err := cbor.Marshal(h)
		require.NoError(f, err)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var h map[any]any
		if cbor.Unmarshal(data, &h) != nil {
			return
		}
		ders, _ := Stapled(h)
		if len(ders) > MaxResponses {
			t.Fatalf("%d responses", len(ders))
		}
		for _, d := range ders {
			if len(d) == 0 || len(d) > MaxResponseBytes || !bytes.Contains(data, d) {
				t.Fatalf("response of %d bytes not taken from the input", len(d))
			}
		}
		v := Check(h, ca.chain, signedAt, true, nil)
		if !slices.Contains(ocspCodes, v.Code) || v.Detail == "" {
			t.Fatalf("verdict %+v", v)
		}
		if len(ders) == 0 && v.Code != status.SigningCredentialOCSPSkipped && v.Code != status.SigningCredentialOCSPInaccessible {
			t.Fatalf("%s with nothing stapled", v.Code)
		}
	})
}
