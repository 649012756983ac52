// Package trust holds the certificates a C2PA signer or time-stamp authority
// must chain to for aiaudit to call a manifest "trusted": a dated copy of the
// C2PA Conformance Program's trust list and TSA trust list, shipped in the
// binary, plus the anchors and pinned signers a user adds. It makes no
// network request.
package trust

import (
	"crypto/sha256"
	"crypto/x509"
	_ "embed"
	"encoding/pem"
	"fmt"
	"slices"
	"sync"
	"time"
)

// The shipped lists: github.com/c2pa-org/conformance-public, folder
// trust-list/, commit 7dbff513b66e36184619286fe734beea32f2e6db, issued
// 2026-08-05 (ListIssueDateTime), next update due 2027-08-05.
var (
	//go:embed lists/C2PA-TRUST-LIST.pem
	c2paList []byte
	//go:embed lists/C2PA-TSA-TRUST-LIST.pem
	tsaList []byte
)

// Names of the anchor sources, as reports show them.
const (
	C2PAListName     = "C2PA trust list 2026-08-05"
	TSAListName      = "C2PA TSA trust list 2026-08-05"
	UserAnchorsName  = "--trust-anchors"
	AllowedListName  = "--allowed-signers"
	maxPEMBytes      = 4 << 20
	maxPEMCerts      = 2000
	maxChainVerifies = 8 // intermediates offered per signature (caps path building)
)

// Store is a set of trust anchors. The zero value trusts nothing; Default
// holds the shipped lists.
type Store struct {
	sources, tsas []source
	allowed       map[[32]byte]bool
}

type source struct {
	name string
	pool *x509.CertPool
}

// Default returns the shipped C2PA and TSA trust lists.
var Default = sync.OnceValue(func() *Store {
	signers, err := ParsePEM(c2paList)
	if err != nil {
		panic(err) // embedded data: a test proves it parses
	}
	tsas, err := ParsePEM(tsaList)
	if err != nil {
		panic(err)
	}
	return &Store{sources: []source{{C2PAListName, poolOf(signers)}}, tsas: []source{{TSAListName, poolOf(tsas)}}}
})

func poolOf(certs []*x509.Certificate) *x509.CertPool {
	p := x509.NewCertPool()
	for _, c := range certs {
		p.AddCert(c)
	}
	return p
}

// ParsePEM reads every CERTIFICATE block of a PEM file (text between blocks,
// such as the trust list's "Subject" lines, is skipped).
func ParsePEM(b []byte) ([]*x509.Certificate, error) {
	if len(b) > maxPEMBytes {
		return nil, fmt.Errorf("PEM file larger than %d bytes", maxPEMBytes)
	}
	var out []*x509.Certificate
	for {
		var blk *pem.Block
		blk, b = pem.Decode(b)
		if blk == nil {
			break
		}
		if blk.Type != "CERTIFICATE" {
			continue
		}
		if len(out) == maxPEMCerts {
			return nil, fmt.Errorf("more than %d certificates", maxPEMCerts)
		}
		c, err := x509.ParseCertificate(blk.Bytes)
		if err != nil {
			return nil, fmt.Errorf("certificate %d: %w", len(out)+1, err)
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no PEM certificate found")
	}
	return out, nil
}

// WithAnchors returns a copy of s that also trusts signers and time-stamp
// authorities chaining to the certificates in pemBytes (a company's own CA,
// a test CA), as the reference's trust anchors serve both.
func (s *Store) WithAnchors(pemBytes []byte) (*Store, error) {
	certs, err := ParsePEM(pemBytes)
	if err != nil {
		return nil, err
	}
	out := s.clone()
	src := source{UserAnchorsName, poolOf(certs)}
	out.sources = append(out.sources, src)
	out.tsas = append(out.tsas, src)
	return out, nil
}

// WithAllowedSigners returns a copy of s that trusts exactly these end-entity
// certificates, whatever issued them.
func (s *Store) WithAllowedSigners(pemBytes []byte) (*Store, error) {
	certs, err := ParsePEM(pemBytes)
	if err != nil {
		return nil, err
	}
	out := s.clone()
	out.allowed = map[[32]byte]bool{}
	for k := range s.allowed {
		out.allowed[k] = true
	}
	for _, c := range certs {
		out.allowed[sha256.Sum256(c.Raw)] = true
	}
	return out, nil
}

func (s *Store) clone() *Store {
	if s == nil {
		return &Store{}
	}
	c := *s
	c.sources = slices.Clone(s.sources)
	c.tsas = slices.Clone(s.tsas)
	return &c
}

// Signer says which anchor source, if any, vouches for the end-entity
// certificate ee, given the intermediates the signature carries, at time at.
func (s *Store) Signer(ee *x509.Certificate, intermediates []*x509.Certificate, at time.Time) (string, bool) {
	if s == nil {
		return "", false
	}
	if s.allowed[sha256.Sum256(ee.Raw)] {
		return AllowedListName, true
	}
	return firstChain(s.sources, ee, intermediates, at)
}

// TSA says which anchor source, if any, vouches for a time-stamp
// authority's certificate: the TSA trust list or the user's anchors.
func (s *Store) TSA(cert *x509.Certificate, intermediates []*x509.Certificate, at time.Time) (string, bool) {
	if s == nil {
		return "", false
	}
	return firstChain(s.tsas, cert, intermediates, at)
}

func firstChain(sources []source, ee *x509.Certificate, intermediates []*x509.Certificate, at time.Time) (string, bool) {
	for _, src := range sources {
		if chains(ee, intermediates, src.pool, at) {
			return src.name, true
		}
	}
	return "", false
}

func chains(ee *x509.Certificate, intermediates []*x509.Certificate, roots *x509.CertPool, at time.Time) bool {
	inter := x509.NewCertPool()
	for i, c := range intermediates {
		if i == maxChainVerifies {
			break
		}
		inter.AddCert(c)
	}
	// Key usages are the profile check's job (C2PA allows EKUs Go's
	// verifier does not know); here only the chain and its validity count.
	_, err := ee.Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, CurrentTime: at, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}})
	return err == nil
}
