package build

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"io"
	"math/big"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/digitorus/timestamp"
	"github.com/fxamacker/cbor/v2"
	"github.com/veraison/go-cose"
	"golang.org/x/crypto/ocsp"
)

// PKI is a test certificate authority and a C2PA claim signer it issued.
// Keys are Ed25519 made from a seed, so the certificates and signatures
// are the same bytes on every run (testdata/ stays stable).
type PKI struct {
	Root, Signer *x509.Certificate
	key, rootKey ed25519.PrivateKey
}

// RootPEM is the CA certificate as a --trust-anchors file holds it.
func (p *PKI) RootPEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: p.Root.Raw})
}

// SignerPEM is the signer's certificate as an --allowed-signers file holds it.
func (p *PKI) SignerPEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: p.Signer.Raw})
}

// oidC2PASigning is the C2PA claim-signing extended key usage.
var oidC2PASigning = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 62558, 2, 1}

// NewPKI makes a CA and a signer valid from notBefore to notAfter, both
// named after name, with keys derived from seed. The signer's extended key
// usage is the C2PA claim-signing purpose.
func NewPKI(name string, seed byte, notBefore, notAfter time.Time) (*PKI, error) {
	return NewPKIWithEKU(name, seed, notBefore, notAfter, oidC2PASigning)
}

// NewPKIWithEKU is NewPKI with the signer's extended key usages given.
func NewPKIWithEKU(name string, seed byte, notBefore, notAfter time.Time, ekus ...asn1.ObjectIdentifier) (*PKI, error) {
	rootKey := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, ed25519.SeedSize))
	signKey := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed ^ 0xff}, ed25519.SeedSize))
	rootTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(int64(seed) + 1),
		Subject:               pkix.Name{CommonName: name + " Root CA", Organization: []string{name}},
		NotBefore:             notBefore,
		NotAfter:              notAfter,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	root, err := issue(rootTmpl, rootTmpl, rootKey.Public(), rootKey)
	if err != nil {
		return nil, err
	}
	signTmpl := &x509.Certificate{
		SerialNumber:       big.NewInt(int64(seed) + 1000),
		Subject:            pkix.Name{CommonName: name + " C2PA Signer", Organization: []string{name}},
		NotBefore:          notBefore,
		NotAfter:           notAfter,
		KeyUsage:           x509.KeyUsageDigitalSignature,
		UnknownExtKeyUsage: ekus,
	}
	signer, err := issue(signTmpl, root, signKey.Public(), rootKey)
	if err != nil {
		return nil, err
	}
	return &PKI{Root: root, Signer: signer, key: signKey, rootKey: rootKey}, nil
}

// TestPKI is the signer of the generated fixtures: valid 2025 to 2045, on
// no trust list.
var TestPKI = sync.OnceValues(func() (*PKI, error) {
	return NewPKI("aiaudit Test", 1, time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2045, 1, 1, 0, 0, 0, 0, time.UTC))
})

// TSA is a test RFC 3161 time-stamping authority, issued by a PKI's root,
// that certifies every signature as made At. Its ECDSA signatures are not
// reproducible: tests use it, the generated testdata does not.
type TSA struct {
	Cert *x509.Certificate
	key  crypto.Signer
	At   time.Time
}

// NewTSA issues a time-stamping certificate from p's root, valid from a
// year before at to ten years from now (the token's signing-time attribute
// is the real time); edits change its template (a TSA profile test).
func (p *PKI) NewTSA(at time.Time, edits ...func(*x509.Certificate)) (*TSA, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(4242),
		Subject:      pkix.Name{CommonName: p.Root.Subject.Organization[0] + " TSA", Organization: p.Root.Subject.Organization},
		NotBefore:    at.AddDate(-1, 0, 0),
		NotAfter:     time.Now().AddDate(10, 0, 0),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageTimeStamping},
		// RFC 3161 section 2.3 wants the EKU extension critical, which Go
		// does not make it: this one replaces it.
		ExtraExtensions: []pkix.Extension{{Id: asn1.ObjectIdentifier{2, 5, 29, 37}, Critical: true, Value: timeStampingEKU}},
	}
	for _, edit := range edits {
		edit(tmpl)
	}
	cert, err := issue(tmpl, p.Root, key.Public(), p.rootKey)
	return &TSA{Cert: cert, key: key, At: at}, err
}

// Reissue returns p with its signer's certificate issued again, same key,
// changed by edit (an OCSP responder URL, another serial).
func (p *PKI) Reissue(edit func(*x509.Certificate)) (*PKI, error) {
	tmpl := *p.Signer
	tmpl.SerialNumber = new(big.Int).Set(p.Signer.SerialNumber) // edit may change it in place
	edit(&tmpl)
	signer, err := issue(&tmpl, p.Root, p.key.Public(), p.rootKey)
	if err != nil {
		return nil, err
	}
	out := *p
	out.Signer = signer
	return &out, nil
}

// NewOCSPPKI makes a PKI valid 2025 to 2035 whose signer names ocspURL
// as its OCSP responder (none when empty), and the responder its root
// delegated OCSP signing to.
func NewOCSPPKI(name string, seed byte, ocspURL string) (*PKI, *OCSPResponder, error) {
	p, err := NewPKI(name, seed, time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2035, 1, 1, 0, 0, 0, 0, time.UTC))
	if err == nil && ocspURL != "" {
		p, err = p.Reissue(func(c *x509.Certificate) { c.OCSPServer = []string{ocspURL} })
	}
	if err != nil {
		return nil, nil, err
	}
	r, err := p.NewOCSPResponder(nil)
	return p, r, err
}

// OCSPResponder is a test OCSP responder to which p's root delegated
// OCSP signing (ECDSA: x/crypto/ocsp signs with RSA or ECDSA keys only).
type OCSPResponder struct {
	Cert   *x509.Certificate
	issuer *x509.Certificate
	key    crypto.Signer
}

// NewOCSPResponder issues a responder certificate from p's root with the
// OCSPSigning extended key usage; edit, when set, changes its template.
func (p *PKI) NewOCSPResponder(edit func(*x509.Certificate)) (*OCSPResponder, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(4343),
		Subject:      pkix.Name{CommonName: p.Root.Subject.Organization[0] + " OCSP Responder", Organization: p.Root.Subject.Organization},
		NotBefore:    p.Root.NotBefore,
		NotAfter:     p.Root.NotAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageOCSPSigning},
	}
	if edit != nil {
		edit(tmpl)
	}
	cert, err := issue(tmpl, p.Root, key.Public(), p.rootKey)
	return &OCSPResponder{Cert: cert, issuer: p.Root, key: key}, err
}

// Respond makes a DER OCSP response about cert, with the status and times
// of tmpl, signed by the responder with its certificate embedded.
func (r *OCSPResponder) Respond(cert *x509.Certificate, tmpl ocsp.Response) ([]byte, error) {
	return r.respond(cert.SerialNumber, tmpl)
}

func (r *OCSPResponder) respond(serial *big.Int, tmpl ocsp.Response) ([]byte, error) {
	tmpl.SerialNumber, tmpl.Certificate = serial, r.Cert
	return ocsp.CreateResponse(r.issuer, r.Cert, tmpl, r.key)
}

// Handler serves RFC 6960 POST requests (for an httptest server on
// loopback): every certificate asked about gets tmpl's answer; requests
// are counted in asked. A request that is not an OCSP POST gets the
// malformedRequest answer.
func (r *OCSPResponder) Handler(tmpl ocsp.Response, asked *atomic.Int32) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		asked.Add(1)
		body, err := io.ReadAll(io.LimitReader(req.Body, 1<<16))
		q, qerr := ocsp.ParseRequest(body)
		if err != nil || qerr != nil || req.Method != http.MethodPost || req.Header.Get("Content-Type") != "application/ocsp-request" {
			w.Write(ocsp.MalformedRequestErrorResponse)
			return
		}
		der, err := r.respond(q.SerialNumber, tmpl)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/ocsp-response")
		w.Write(der)
	})
}

// timeStampingEKU is the ExtKeyUsageSyntax value {id-kp-timeStamping}.
var timeStampingEKU = func() []byte {
	b, err := asn1.Marshal([]asn1.ObjectIdentifier{{1, 3, 6, 1, 5, 5, 7, 3, 8}})
	if err != nil {
		panic(err) // a constant value: cannot fail
	}
	return b
}()

// issue signs a certificate (Ed25519 issuers need no randomness).
func issue(tmpl, parent *x509.Certificate, pub any, issuerKey crypto.Signer) (*x509.Certificate, error) {
	der, err := x509.CreateCertificate(nil, tmpl, parent, pub, issuerKey)
	if err != nil {
		return nil, err
	}
	return x509.ParseCertificate(der)
}

// stamp makes the sigTst2 header value for a signature: a time-stamp
// response whose imprint is the SHA-256 of the COSE countersignature
// structure over the signature bytes (C2PA 2.x v2 time-stamps).
func (t *TSA) stamp(protected, signature []byte) (any, error) {
	payload, err := cbor.Marshal(signature)
	if err != nil {
		return nil, err
	}
	tbs, err := cbor.Marshal([]any{"CounterSignature", cbor.RawMessage(protected), []byte{}, payload})
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(tbs)
	ts := timestamp.Timestamp{HashAlgorithm: crypto.SHA256, HashedMessage: sum[:], Time: t.At, Policy: asn1.ObjectIdentifier{1, 2, 3, 4}, AddTSACertificate: true}
	resp, err := ts.CreateResponseWithOpts(t.Cert, t.key, crypto.SHA256)
	if err != nil {
		return nil, err
	}
	return map[string]any{"tstTokens": []any{map[string]any{"val": resp}}}, nil
}

// sign makes the c2pa.signature box's COSE_Sign1 over claim: EdDSA, the
// signer's certificate in x5chain (and its issuer's, when m asks), the
// claim as detached payload, a time-stamp when m has a TSA, and m's OCSP
// responses stapled in rVals.
func (p *PKI) sign(claim []byte, m *Manifest) ([]byte, error) {
	signer, err := cose.NewSigner(cose.AlgorithmEdDSA, p.key)
	if err != nil {
		return nil, err
	}
	msg := cose.NewSign1Message()
	msg.Headers.Protected.SetAlgorithm(cose.AlgorithmEdDSA)
	msg.Headers.Protected[cose.HeaderLabelX5Chain] = p.Signer.Raw
	if m.IssuerInChain {
		msg.Headers.Protected[cose.HeaderLabelX5Chain] = []any{p.Signer.Raw, p.Root.Raw}
	}
	msg.Payload = claim
	if err := msg.Sign(nil, nil, signer); err != nil {
		return nil, err
	}
	msg.Payload = nil
	if m.TimeStamp != nil {
		prot, err := msg.Headers.MarshalProtected() // a byte string, as the message carries it
		if err != nil {
			return nil, err
		}
		if msg.Headers.Unprotected["sigTst2"], err = m.TimeStamp.stamp(prot, msg.Signature); err != nil {
			return nil, err
		}
	}
	if len(m.OCSP) > 0 {
		vals := make([]any, len(m.OCSP))
		for i, der := range m.OCSP {
			vals[i] = der
		}
		msg.Headers.Unprotected["rVals"] = map[string]any{"ocspVals": vals}
	}
	return msg.MarshalCBOR()
}
