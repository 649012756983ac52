// Package revocation judges whether the certificate that signed a C2PA claim
// had been revoked when the claim was signed (C2PA 2.2 sections 10.3.2.6
// and 15.9): from the OCSP responses stapled in the COSE_Sign1's
// unprotected header (rVals: {ocspVals: [DER OCSPResponse]}), or, when the
// run allows it (--online), from a response its Fetcher gets from the
// certificate's OCSP responder. golang.org/x/crypto/ocsp parses the DER and
// checks the responder's signature; the C2PA rules around it are here. The
// package makes no network request itself.
package revocation

import (
	"bytes"
	"crypto/x509"
	"errors"
	"fmt"
	"slices"
	"time"

	"golang.org/x/crypto/ocsp"

	"github.com/aiaudit/aiaudit/detectors/c2pa/status"
)

// Caps on what one signature's stapled responses may make aiaudit parse.
const (
	MaxResponseBytes = 64 << 10
	MaxResponses     = 4
)

// Fetcher gets a DER OCSPResponse about ee from its issuer's responder. Only
// a run with --online has one; it keeps its own timeouts and caps.
type Fetcher interface {
	FetchOCSP(ee, issuer *x509.Certificate) ([]byte, error)
}

// Verdict is the revocation status code for one signature and what was seen.
type Verdict struct {
	Code   status.Code
	Detail string
}

// Check judges the revocation of chain[0], the signing certificate, at the
// time of signing at: the time-stamp's time when stamped, else the time of
// the scan. Stapled responses come from the unprotected header; online,
// when not nil, is asked only when none of them can be used. The first
// usable response decides, as in the reference implementation.
func Check(unprotected map[any]any, chain []*x509.Certificate, at time.Time, stamped bool, online Fetcher) Verdict {
	stapled, problem := Stapled(unprotected)
	if len(stapled) == 0 && problem == "" && online == nil {
		return Verdict{status.SigningCredentialOCSPSkipped, "no OCSP response is stapled in the manifest, and no online lookup was made (--online asks the signer's OCSP responder)"}
	}
	ee, issuer := chain[0], issuerOf(chain)
	if issuer == nil {
		code := status.SigningCredentialOCSPInaccessible
		if len(stapled) == 0 && problem == "" {
			code = status.SigningCredentialOCSPSkipped // nothing was asked
		}
		return Verdict{code, "the signature carries no certificate of the signer's issuer, which an OCSP request and response need"}
	}
	var unusable error
	if problem != "" {
		unusable = errors.New(problem)
	}
	for _, der := range stapled {
		v, err := judge(der, ee, issuer, at, stamped)
		if err == nil {
			v.Detail += " (stapled in the manifest)"
			return v
		}
		if unusable == nil {
			unusable = err
		}
	}
	if online == nil {
		return Verdict{status.SigningCredentialOCSPInaccessible, "the stapled OCSP response cannot be used: " + unusable.Error()}
	}
	if len(ee.OCSPServer) == 0 {
		return Verdict{status.SigningCredentialOCSPSkipped, orStapled(unusable, "the signing certificate names no OCSP responder to ask")}
	}
	der, err := online.FetchOCSP(ee, issuer)
	if err != nil {
		return Verdict{status.SigningCredentialOCSPInaccessible, orStapled(unusable, fmt.Sprintf("the OCSP lookup at %s failed: %v", ee.OCSPServer[0], err))}
	}
	v, err := judge(der, ee, issuer, at, stamped)
	if err != nil {
		return Verdict{status.SigningCredentialOCSPInaccessible, orStapled(unusable, fmt.Sprintf("the answer of %s cannot be used: %v", ee.OCSPServer[0], err))}
	}
	v.Detail = orStapled(unusable, v.Detail+" (asked "+ee.OCSPServer[0]+")")
	return v
}

// orStapled puts why a stapled response was not used before what the online
// lookup found.
func orStapled(unusable error, s string) string {
	if unusable == nil {
		return s
	}
	return "the stapled OCSP response cannot be used (" + unusable.Error() + "); " + s
}

// Stapled reads the DER OCSP responses of rVals.ocspVals, at most
// MaxResponses of at most MaxResponseBytes each; problem says what in the
// header could not be read ("" when nothing).
func Stapled(unprotected map[any]any) (ders [][]byte, problem string) {
	rv, ok := unprotected["rVals"]
	if !ok {
		return nil, ""
	}
	m, ok := rv.(map[any]any)
	if !ok {
		return nil, "the rVals header is not a map"
	}
	v, ok := m["ocspVals"]
	if !ok {
		return nil, "" // CRLs or other revocation values: not read
	}
	vals, ok := v.([]any)
	if !ok {
		return nil, "ocspVals is not an array"
	}
	for i, e := range vals {
		b, ok := e.([]byte)
		switch {
		case len(ders) == MaxResponses:
			return ders, fmt.Sprintf("more than %d OCSP responses: the rest are not read", MaxResponses)
		case !ok || len(b) == 0:
			problem = fmt.Sprintf("OCSP response %d is not a byte string", i+1)
		case len(b) > MaxResponseBytes:
			problem = fmt.Sprintf("OCSP response %d is larger than %d bytes", i+1, MaxResponseBytes)
		default:
			ders = append(ders, b)
		}
	}
	return ders, problem
}

// issuerOf finds the certificate in the chain that issued the signer's.
func issuerOf(chain []*x509.Certificate) *x509.Certificate {
	for _, c := range chain[1:] {
		if bytes.Equal(c.RawSubject, chain[0].RawIssuer) && chain[0].CheckSignatureFrom(c) == nil {
			return c
		}
	}
	return nil
}

// judge reads one response about ee and says what it proves at the time of
// signing; an error means it proves nothing (unreadable, signed by someone
// the issuer did not authorise, about another certificate, or not current
// at that time).
func judge(der []byte, ee, issuer *x509.Certificate, at time.Time, stamped bool) (Verdict, error) {
	resp, err := parse(der, ee, issuer)
	if err != nil {
		return Verdict{}, err
	}
	// x/crypto/ocsp checks that the issuer signed a delegated responder's
	// certificate, not that the issuer delegated OCSP signing to it: any
	// certificate of the same CA (another C2PA signer's) would do.
	if r := resp.Certificate; r != nil && !bytes.Equal(r.Raw, issuer.Raw) {
		if !slices.Contains(r.ExtKeyUsage, x509.ExtKeyUsageOCSPSigning) {
			return Verdict{}, fmt.Errorf("it is signed by %s, whose certificate is not for signing OCSP responses", r.Subject)
		}
		if resp.ProducedAt.Before(r.NotBefore) || resp.ProducedAt.After(r.NotAfter) {
			return Verdict{}, fmt.Errorf("its responder's certificate was not valid when it was produced (%s)", day(resp.ProducedAt))
		}
	}
	good := func() (Verdict, error) {
		// A response says nothing about a time after its next update; one
		// produced after the signing is evidence about the signing time, as
		// the reference reads it. Without a time-stamp the signing time is
		// unknown, and the response is read as of now.
		next := resp.NextUpdate
		if next.IsZero() {
			next = resp.ProducedAt.Add(24 * time.Hour)
		}
		switch {
		case stamped && at.After(next):
			return Verdict{}, fmt.Errorf("it was current until %s, before the claim was time-stamped at %s", day(next), day(at))
		case !stamped && at.Before(resp.ThisUpdate):
			return Verdict{}, fmt.Errorf("it is dated %s, after now", day(resp.ThisUpdate))
		}
		return Verdict{status.SigningCredentialNotRevoked, fmt.Sprintf("the issuer's OCSP responder says the signing certificate (serial %s) was not revoked, as of %s", resp.SerialNumber, day(resp.ThisUpdate))}, nil
	}
	switch resp.Status {
	case ocsp.Good:
		return good()
	case ocsp.Revoked:
		if resp.RevocationReason == ocsp.RemoveFromCRL {
			return good() // a hold that was lifted
		}
		if stamped && resp.RevokedAt.After(at) {
			return Verdict{status.SigningCredentialNotRevoked, fmt.Sprintf("the signing certificate was revoked on %s, after the claim was time-stamped at %s", day(resp.RevokedAt), day(at))}, nil
		}
		return Verdict{status.SigningCredentialRevoked, fmt.Sprintf("the issuer revoked the signing certificate (serial %s) on %s%s", resp.SerialNumber, day(resp.RevokedAt), signedWhen(stamped, at))}, nil
	default:
		return Verdict{status.SigningCredentialOCSPUnknown, fmt.Sprintf("the issuer's OCSP responder does not know the signing certificate (serial %s)", resp.SerialNumber)}, nil
	}
}

func signedWhen(stamped bool, at time.Time) string {
	if stamped {
		return ", before the claim was time-stamped at " + day(at)
	}
	return " (the claim has no time-stamp proving it was signed earlier)"
}

func day(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// parse reads a response about ee signed by issuer or a responder it
// certified. x/crypto/ocsp's ASN.1 code is guarded: a panic on hostile
// bytes becomes an error.
func parse(der []byte, ee, issuer *x509.Certificate) (resp *ocsp.Response, err error) {
	defer func() {
		if p := recover(); p != nil {
			resp, err = nil, errors.New("unreadable")
		}
	}()
	resp, err = ocsp.ParseResponseForCert(der, ee, issuer)
	if err != nil {
		return nil, fmt.Errorf("unreadable or not signed by the issuer: %v", err)
	}
	return resp, nil
}
