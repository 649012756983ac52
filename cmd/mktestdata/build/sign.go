package build

import (
	"bytes"
	"crypto/ed25519"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"math/big"
	"sync"
	"time"

	"github.com/veraison/go-cose"
)

// PKI is a test certificate authority and a C2PA claim signer it issued.
// Keys are Ed25519 made from a seed, so the certificates and signatures
// are the same bytes on every run (testdata/ stays stable).
type PKI struct {
	Root, Signer *x509.Certificate
	key          ed25519.PrivateKey
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
// named after name, with keys derived from seed.
func NewPKI(name string, seed byte, notBefore, notAfter time.Time) (*PKI, error) {
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
	rootDER, err := x509.CreateCertificate(nil, rootTmpl, rootTmpl, rootKey.Public(), rootKey)
	if err != nil {
		return nil, err
	}
	root, err := x509.ParseCertificate(rootDER)
	if err != nil {
		return nil, err
	}
	signTmpl := &x509.Certificate{
		SerialNumber:       big.NewInt(int64(seed) + 1000),
		Subject:            pkix.Name{CommonName: name + " C2PA Signer", Organization: []string{name}},
		NotBefore:          notBefore,
		NotAfter:           notAfter,
		KeyUsage:           x509.KeyUsageDigitalSignature,
		UnknownExtKeyUsage: []asn1.ObjectIdentifier{oidC2PASigning},
	}
	signDER, err := x509.CreateCertificate(nil, signTmpl, root, signKey.Public(), rootKey)
	if err != nil {
		return nil, err
	}
	signer, err := x509.ParseCertificate(signDER)
	if err != nil {
		return nil, err
	}
	return &PKI{Root: root, Signer: signer, key: signKey}, nil
}

// TestPKI is the signer of the generated fixtures: valid 2025 to 2045, on
// no trust list.
var TestPKI = sync.OnceValues(func() (*PKI, error) {
	return NewPKI("aiaudit Test", 1, time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2045, 1, 1, 0, 0, 0, 0, time.UTC))
})

// sign makes the c2pa.signature box's COSE_Sign1 over claim: EdDSA, the
// signer's certificate in x5chain, the claim as detached payload.
func (p *PKI) sign(claim []byte) ([]byte, error) {
	signer, err := cose.NewSigner(cose.AlgorithmEdDSA, p.key)
	if err != nil {
		return nil, err
	}
	msg := cose.NewSign1Message()
	msg.Headers.Protected.SetAlgorithm(cose.AlgorithmEdDSA)
	msg.Headers.Protected[cose.HeaderLabelX5Chain] = p.Signer.Raw
	msg.Payload = claim
	if err := msg.Sign(nil, nil, signer); err != nil {
		return nil, err
	}
	msg.Payload = nil
	return msg.MarshalCBOR()
}
