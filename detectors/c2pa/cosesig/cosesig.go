// Package cosesig validates the signature of a C2PA claim: the COSE_Sign1
// structure in the c2pa.signature box, whose detached payload is the claim's
// CBOR (C2PA 2.2 section 14 and 15.7). It checks the algorithm, the signing
// certificate's profile (section 14.5), an RFC 3161 time-stamp over the
// signature if there is one (section 10.3.2.5) with its authority's
// certificate profile, the chain to a trust anchor, the signer's revocation
// (package revocation), and the signature itself. Every result is a status
// code; bad input gives a code, never a panic. go-cose does the COSE and
// digitorus/timestamp the RFC 3161 parsing; the C2PA rules around them are
// here.
package cosesig

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/digitorus/timestamp"
	"github.com/fxamacker/cbor/v2"
	"github.com/veraison/go-cose"

	"github.com/aiaudit/aiaudit/detectors/c2pa/revocation"
	"github.com/aiaudit/aiaudit/detectors/c2pa/status"
	"github.com/aiaudit/aiaudit/detectors/c2pa/trust"
)

// Caps on what one signature may make aiaudit parse.
const (
	MaxSignatureBytes = 1 << 20
	maxChainCerts     = 10
	maxCertBytes      = 64 << 10
	maxTokenBytes     = 64 << 10
)

// Finding is one status code with what exactly was seen.
type Finding struct {
	Code   status.Code
	Detail string
}

// Result is what the validation of one claim signature found.
type Result struct {
	Findings []Finding
	// Subject and Issuer of the signing certificate (empty when unreadable).
	Subject, Issuer string
	// TrustList names the anchor source the signer chains to ("" if none).
	TrustList string
	// TimeStamp is the verified RFC 3161 time of signing (zero if none).
	TimeStamp time.Time
	// TSA names the time-stamp authority.
	TSA string
	// Alg is the COSE algorithm ("ES256").
	Alg string
	// Revocation is the OCSP code for the signer ("" when the signature
	// was refused before the question arose).
	Revocation status.Code
}

func (r *Result) add(c status.Code, format string, args ...any) {
	r.Findings = append(r.Findings, Finding{Code: c, Detail: fmt.Sprintf(format, args...)})
}

// Failed says whether any finding fails the claim.
func (r *Result) Failed() bool {
	return slices.ContainsFunc(r.Findings, func(f Finding) bool { return f.Code.Failure() })
}

// Algorithms C2PA allows for claim signatures (section 13.2).
var allowed = map[cose.Algorithm]bool{
	cose.AlgorithmES256: true, cose.AlgorithmES384: true, cose.AlgorithmES512: true,
	cose.AlgorithmPS256: true, cose.AlgorithmPS384: true, cose.AlgorithmPS512: true,
	cose.AlgorithmEdDSA: true,
}

// Verify validates sig, the payload of a c2pa.signature box, over claim, the
// claim box's CBOR bytes. now is the time used when no time-stamp says when
// the claim was signed; anchors decides trust (nil trusts nobody); online,
// when not nil, is asked for the signer's OCSP status when the manifest
// staples none (--online).
//
// A manifest often comes back (the same ingredient behind many files, one
// file in several places), so results are kept: the same signature over
// the same claim with the same anchors within the same hour of now is
// verified once. now's hour is the only imprecision: a certificate that
// expires within the hour may be judged at the hour's first scan.
func Verify(sig, claim []byte, anchors *trust.Store, now time.Time, online revocation.Fetcher) Result {
	k := cacheKey{sha256.Sum256(sig), sha256.Sum256(claim), anchors, online, now.Unix() / 3600}
	cache.Lock()
	r, ok := cache.m[k]
	cache.Unlock()
	if !ok {
		r = verify(sig, claim, anchors, now, online)
		cache.Lock()
		if len(cache.m) >= maxCached {
			clear(cache.m)
		}
		cache.m[k] = r
		cache.Unlock()
	}
	r.Findings = slices.Clone(r.Findings)
	return r
}

type cacheKey struct {
	sig, claim [32]byte
	anchors    *trust.Store
	online     revocation.Fetcher
	hour       int64
}

const maxCached = 4096

var cache = struct {
	sync.Mutex
	m map[cacheKey]Result
}{m: map[cacheKey]Result{}}

func verify(sig, claim []byte, anchors *trust.Store, now time.Time, online revocation.Fetcher) Result {
	var r Result
	if len(sig) == 0 {
		r.add(status.ClaimSignatureMissing, "the signature box is empty")
		return r
	}
	if len(sig) > MaxSignatureBytes {
		r.add(status.ClaimSignatureMismatch, "the signature box is larger than %d bytes", MaxSignatureBytes)
		return r
	}
	msg, err := parse(sig)
	if err != nil {
		r.add(status.ClaimSignatureMismatch, "COSE_Sign1 unreadable: %v", err)
		return r
	}
	alg, err := msg.Headers.Protected.Algorithm()
	if err != nil || !allowed[alg] {
		r.add(status.AlgorithmUnsupported, "signature algorithm %v is not one C2PA allows", msg.Headers.Protected[cose.HeaderLabelAlgorithm])
		return r
	}
	r.Alg = alg.String()
	certs, err := chain(msg.Headers)
	if err != nil {
		r.add(status.SigningCredentialInvalid, "%v", err)
		return r
	}
	ee := certs[0]
	r.Subject, r.Issuer = ee.Subject.String(), ee.Issuer.String()

	// A verified time-stamp dates the signature for the certificate's
	// validity, as in the reference. Trust needs more: anyone holding the
	// key could stamp an old time with a TSA of their own, so the chain to
	// an anchor is judged at the stamped time only when the TSA is trusted.
	at, trustAt, trustStamped := now, now, false
	if t, tsaTrusted, ok := r.timeStamp(msg, claim, anchors); ok {
		at = t
		if tsaTrusted {
			trustAt, trustStamped = t, true
		}
	}
	r.profile(ee, alg, at)
	if name, ok := anchors.Signer(ee, certs[1:], trustAt); ok {
		r.TrustList = name
		r.add(status.SigningCredentialTrusted, "the signer chains to %s", name)
	} else {
		r.add(status.SigningCredentialUntrusted, "the signer (%s, issued by %s) chains to no known trust anchor valid at %s",
			r.Subject, r.Issuer, trustAt.UTC().Format(time.RFC3339))
	}
	// Revocation is judged at the time of signing only when a trusted TSA
	// proves it: a thief of a since-revoked key could stamp an old time
	// with a TSA of their own.
	rv := revocation.Check(msg.Headers.Unprotected, certs, trustAt, trustStamped, online)
	r.add(rv.Code, "%s", rv.Detail)
	r.Revocation = rv.Code

	verifier, err := cose.NewVerifier(alg, publicKey(ee))
	if err != nil {
		r.add(status.SigningCredentialInvalid, "the certificate's key does not fit %v: %v", alg, err)
		return r
	}
	msg.Payload = claim
	if err := msg.Verify(nil, verifier); err != nil {
		r.add(status.ClaimSignatureMismatch, "the signature does not verify over the claim: %v", err)
		return r
	}
	r.add(status.ClaimSignatureValidated, "signed by %s", r.Subject)
	return r
}

// parse reads a tagged or untagged COSE_Sign1.
func parse(sig []byte) (*cose.Sign1Message, error) {
	if sig[0] == 0xd2 { // tag 18
		var m cose.Sign1Message
		err := m.UnmarshalCBOR(sig)
		return &m, err
	}
	var m cose.UntaggedSign1Message
	err := m.UnmarshalCBOR(sig)
	return (*cose.Sign1Message)(&m), err
}

// chain reads the x5chain header (label 33; the text label "x5chain" of
// C2PA 1.x signers), protected first, as the reference does.
func chain(h cose.Headers) ([]*x509.Certificate, error) {
	var v any
	for _, m := range []map[any]any{h.Protected, h.Unprotected} {
		for _, label := range []any{cose.HeaderLabelX5Chain, "x5chain"} {
			if x, ok := m[label]; ok && v == nil {
				v = x
			}
		}
	}
	var ders [][]byte
	switch t := v.(type) {
	case nil:
		return nil, fmt.Errorf("the signature carries no certificate (x5chain)")
	case []byte:
		ders = [][]byte{t}
	case []any:
		for _, e := range t {
			b, ok := e.([]byte)
			if !ok {
				return nil, fmt.Errorf("x5chain entry is not a byte string")
			}
			ders = append(ders, b)
		}
	default:
		return nil, fmt.Errorf("x5chain is neither a byte string nor an array")
	}
	if len(ders) == 0 || len(ders) > maxChainCerts {
		return nil, fmt.Errorf("x5chain holds %d certificates (1 to %d allowed)", len(ders), maxChainCerts)
	}
	certs := make([]*x509.Certificate, 0, len(ders))
	for i, d := range ders {
		if len(d) > maxCertBytes {
			return nil, fmt.Errorf("certificate %d is larger than %d bytes", i+1, maxCertBytes)
		}
		c, err := x509.ParseCertificate(d)
		if err != nil {
			return nil, fmt.Errorf("certificate %d unreadable: %v", i+1, err)
		}
		certs = append(certs, c)
	}
	return certs, nil
}

// EKUs C2PA accepts for claim signers (section 14.5.2, and the reference's
// list): emailProtection, documentSigning, timeStamping, OCSPSigning, and
// the C2PA and Microsoft C2PA signing purposes.
var allowedEKUs = []asn1.ObjectIdentifier{
	{1, 3, 6, 1, 4, 1, 62558, 2, 1},
	{1, 3, 6, 1, 4, 1, 311, 76, 59, 1, 9},
	{1, 3, 6, 1, 5, 5, 7, 3, 36},
}

// profile applies the signing-certificate profile of section 14.5: a v3
// end-entity certificate, valid at the time of signing, with the
// digitalSignature key usage, an allowed EKU, an allowed key.
func (r *Result) profile(c *x509.Certificate, alg cose.Algorithm, at time.Time) {
	bad := func(format string, args ...any) {
		r.add(status.SigningCredentialInvalid, "signing certificate: "+format, args...)
	}
	if at.Before(c.NotBefore) || at.After(c.NotAfter) {
		r.add(status.SigningCredentialExpired, "the signing certificate is valid %s to %s, the claim was signed (or checked) at %s",
			c.NotBefore.UTC().Format(time.DateOnly), c.NotAfter.UTC().Format(time.DateOnly), at.UTC().Format(time.RFC3339))
	}
	switch {
	case c.Version != 3:
		bad("version %d, C2PA requires v3", c.Version)
	case c.IsCA:
		bad("it is a CA certificate")
	case c.KeyUsage&x509.KeyUsageDigitalSignature == 0:
		bad("no digitalSignature key usage")
	case c.KeyUsage&x509.KeyUsageCertSign != 0:
		bad("keyCertSign key usage on an end-entity certificate")
	case len(c.ExtKeyUsage)+len(c.UnknownExtKeyUsage) == 0:
		bad("no extended key usage")
	case slices.Contains(c.ExtKeyUsage, x509.ExtKeyUsageAny):
		bad("anyExtendedKeyUsage is not allowed")
	case !ekuAllowed(c):
		bad("no extended key usage C2PA allows for signing")
	case !keyFits(publicKey(c), alg):
		bad("its key does not suit %v", alg)
	}
}

func ekuAllowed(c *x509.Certificate) bool {
	for _, u := range c.ExtKeyUsage {
		switch u {
		case x509.ExtKeyUsageEmailProtection, x509.ExtKeyUsageTimeStamping, x509.ExtKeyUsageOCSPSigning:
			return true
		}
	}
	for _, o := range c.UnknownExtKeyUsage {
		if slices.ContainsFunc(allowedEKUs, o.Equal) {
			return true
		}
	}
	return false
}

var oidRSAPSS = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 10}

// publicKey is the certificate's key. Go's x509 leaves RSASSA-PSS keys
// (id-RSASSA-PSS in the SubjectPublicKeyInfo, which C2PA PS256 signers
// commonly use) unparsed; their key bits are a plain PKCS #1 RSA key.
func publicKey(c *x509.Certificate) any {
	if c.PublicKey != nil {
		return c.PublicKey
	}
	var spki struct {
		Alg struct {
			Algorithm  asn1.ObjectIdentifier
			Parameters asn1.RawValue `asn1:"optional"`
		}
		Key asn1.BitString
	}
	if rest, err := asn1.Unmarshal(c.RawSubjectPublicKeyInfo, &spki); err != nil || len(rest) > 0 || !spki.Alg.Algorithm.Equal(oidRSAPSS) {
		return nil
	}
	k, err := x509.ParsePKCS1PublicKey(spki.Key.Bytes)
	if err != nil {
		return nil
	}
	return k
}

// keyFits checks the key type and size against the algorithm: EC keys on
// P-256/384/521, RSA keys of at least 2048 bits, Ed25519.
func keyFits(k any, alg cose.Algorithm) bool {
	switch t := k.(type) {
	case *ecdsa.PublicKey:
		ec := alg == cose.AlgorithmES256 || alg == cose.AlgorithmES384 || alg == cose.AlgorithmES512
		return ec && (t.Curve == elliptic.P256() || t.Curve == elliptic.P384() || t.Curve == elliptic.P521())
	case *rsa.PublicKey:
		return (alg == cose.AlgorithmPS256 || alg == cose.AlgorithmPS384 || alg == cose.AlgorithmPS512) && t.N.BitLen() >= 2048
	case ed25519.PublicKey:
		return alg == cose.AlgorithmEdDSA
	}
	return false
}

// TimeStamp verifies the RFC 3161 time-stamp in msg's sigTst2 or sigTst
// header over payload, as for a claim signature: CAWG identity credentials
// carry theirs the same way. ok is false when there is none or it does not
// verify; findings say what was seen.
func TimeStamp(msg *cose.Sign1Message, payload []byte, anchors *trust.Store) (at time.Time, findings []Finding, ok bool) {
	var r Result
	at, _, ok = r.timeStamp(msg, payload, anchors)
	return at, r.Findings, ok
}

// timeStamp reads the sigTst2 (C2PA 2.x, over the signature) or sigTst
// (1.x, over the claim) header and returns the time it proves, and whether
// its authority is trusted. Problems with it are informational, as in the
// reference: the claim is then judged at now.
func (r *Result) timeStamp(msg *cose.Sign1Message, claim []byte, anchors *trust.Store) (at time.Time, trusted, ok bool) {
	var v any
	payload := claim
	if x, ok := msg.Headers.Unprotected["sigTst2"]; ok {
		v = x
		enc, err := cbor.Marshal(msg.Signature)
		if err != nil {
			return time.Time{}, false, false
		}
		payload = enc
	} else if x, ok := msg.Headers.Unprotected["sigTst"]; ok {
		v = x
	} else {
		return time.Time{}, false, false
	}
	token := tokenOf(v)
	if token == nil {
		r.add(status.TimeStampMalformed, "the time-stamp header holds no token")
		return time.Time{}, false, false
	}
	if len(token) > maxTokenBytes {
		r.add(status.TimeStampMalformed, "the time-stamp token is larger than %d bytes", maxTokenBytes)
		return time.Time{}, false, false
	}
	ts, err := parseToken(token)
	if err != nil {
		r.add(status.TimeStampMalformed, "the time-stamp token is unreadable: %v", err)
		return time.Time{}, false, false
	}
	if len(ts.Certificates) == 0 {
		r.add(status.TimeStampMalformed, "the time-stamp token carries no certificate to verify it with")
		return time.Time{}, false, false
	}
	tsa := ts.Certificates[0]
	r.TSA = tsa.Subject.String()
	// The imprint covers a COSE countersignature structure over the claim
	// (sigTst) or over the signature bytes (sigTst2).
	// RawProtected is the header's encoded byte string, as signed.
	tbs, err := cbor.Marshal([]any{"CounterSignature", cbor.RawMessage(msg.Headers.RawProtected), []byte{}, payload})
	if err != nil || !ts.HashAlgorithm.Available() {
		r.add(status.TimeStampMalformed, "the time-stamp's hash algorithm is not supported")
		return time.Time{}, false, false
	}
	h := ts.HashAlgorithm.New()
	h.Write(tbs)
	if !bytes.Equal(h.Sum(nil), ts.HashedMessage) {
		r.add(status.TimeStampMismatch, "the time-stamp by %s does not cover this signature", r.TSA)
		return time.Time{}, false, false
	}
	if ts.Time.Before(tsa.NotBefore) || ts.Time.After(tsa.NotAfter) {
		r.add(status.TimeStampOutsideValidity, "the time-stamp authority's certificate was not valid at %s", ts.Time.UTC().Format(time.RFC3339))
		return time.Time{}, false, false
	}
	name, trusted := "", false
	if why := tsaUnfit(tsa); why != "" {
		r.add(status.TimeStampUntrusted, "time-stamped by %s, whose certificate is not a time-stamping one: %s", r.TSA, why)
	} else if name, trusted = anchors.TSA(tsa, ts.Certificates[1:], ts.Time); trusted {
		r.add(status.TimeStampTrusted, "time-stamped by %s (%s)", r.TSA, name)
	} else {
		r.add(status.TimeStampUntrusted, "time-stamped by %s, which no TSA trust anchor vouches for", r.TSA)
	}
	r.add(status.TimeStampValidated, "signed at %s", ts.Time.UTC().Format(time.RFC3339))
	r.TimeStamp = ts.Time
	return ts.Time, trusted, true
}

var oidExtKeyUsage = asn1.ObjectIdentifier{2, 5, 29, 37}

// tsaUnfit says why a time-stamp authority's certificate does not meet the
// TSA profile (RFC 3161 section 2.3, which C2PA section 10.3.2.5 refers
// to): an end-entity certificate whose only extended key usage is
// id-kp-timeStamping, in a critical extension, with a key usage (when it
// has one) that allows signing. "" when it does. Its validity at the
// stamped time is checked by the caller.
func tsaUnfit(c *x509.Certificate) string {
	switch {
	case c.IsCA:
		return "it is a CA certificate"
	case len(c.ExtKeyUsage) != 1 || c.ExtKeyUsage[0] != x509.ExtKeyUsageTimeStamping || len(c.UnknownExtKeyUsage) > 0:
		return "its extended key usage must be id-kp-timeStamping alone"
	case !slices.ContainsFunc(c.Extensions, func(e pkix.Extension) bool { return e.Id.Equal(oidExtKeyUsage) && e.Critical }):
		return "its extended key usage extension is not critical"
	case c.KeyUsage != 0 && c.KeyUsage&(x509.KeyUsageDigitalSignature|x509.KeyUsageContentCommitment) == 0:
		return "its key usage allows no signing"
	case c.KeyUsage&x509.KeyUsageCertSign != 0:
		return "its key usage allows signing certificates"
	}
	return ""
}

// parseToken parses an RFC 3161 TimeStampToken, or the whole TimeStampResp
// that the reference implementation stores; the library verifies the
// token's own signature when it carries certificates. Its ASN.1 code is
// guarded: a panic on hostile bytes becomes an error. Parses run
// concurrently, unlocked: digitorus/pkcs7 is pinned at a version whose
// BER-to-DER conversion keeps no package state (older ones counted their
// depth in a package variable, which concurrent parses raced on).
func parseToken(b []byte) (ts *timestamp.Timestamp, err error) {
	defer func() {
		if p := recover(); p != nil {
			ts, err = nil, fmt.Errorf("unparseable token")
		}
	}()
	// The likelier reading first: a failed parse costs about as much as
	// a good one.
	var terr, rerr error
	if isResponse(b) {
		if ts, rerr = timestamp.ParseResponse(b); rerr == nil {
			return ts, nil
		}
		if ts, terr = timestamp.Parse(b); terr == nil {
			return ts, nil
		}
	} else {
		if ts, terr = timestamp.Parse(b); terr == nil {
			return ts, nil
		}
		if ts, rerr = timestamp.ParseResponse(b); rerr == nil {
			return ts, nil
		}
	}
	if relaxed, ok := relaxPrintableStrings(b); ok {
		if ts, err := parseToken(relaxed); err == nil {
			return ts, nil
		}
	}
	return nil, fmt.Errorf("%v; as a response: %v", terr, rerr)
}

// isResponse says whether b looks like a whole TimeStampResp: a SEQUENCE
// whose first element is the PKIStatusInfo SEQUENCE, where a token (a CMS
// ContentInfo) starts with its content type's OID. It only orders the
// attempts: both parsers are tried whatever it says.
func isResponse(b []byte) bool {
	var outer, first asn1.RawValue
	if _, err := asn1.Unmarshal(b, &outer); err != nil || outer.Tag != asn1.TagSequence {
		return false
	}
	_, err := asn1.Unmarshal(outer.Bytes, &first)
	return err == nil && first.Tag == asn1.TagSequence
}

// tokenOf reads {"tstTokens": [{"val": bstr}]}; only the first token counts,
// as in the reference.
func tokenOf(v any) []byte {
	m, ok := v.(map[any]any)
	if !ok {
		return nil
	}
	toks, _ := m["tstTokens"].([]any)
	if len(toks) == 0 {
		return nil
	}
	t, _ := toks[0].(map[any]any)
	b, _ := t["val"].([]byte)
	return b
}
