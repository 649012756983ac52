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
	"encoding/binary"
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
	name  string
	pool  *x509.CertPool
	roots []*x509.Certificate
	// verified remembers what chaining to pool gave before: the same
	// signer and TSA certificates come back in file after file.
	verified *chainCache
}

func newSource(name string, roots []*x509.Certificate) source {
	return source{name: name, pool: poolOf(roots), roots: roots, verified: &chainCache{m: map[chainKey]*verdicts{}}}
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
	return &Store{sources: []source{newSource(C2PAListName, signers)}, tsas: []source{newSource(TSAListName, tsas)}}
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
	src := newSource(UserAnchorsName, certs)
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
	intermediates = intermediates[:min(len(intermediates), maxChainVerifies)]
	k := keyOf(ee, intermediates)
	for _, src := range sources {
		if src.chains(k, ee, intermediates, at) {
			return src.name, true
		}
	}
	return "", false
}

// chainCache holds, per end-entity certificate and intermediates offered,
// the spans of time over which chaining to a source's anchors was found to
// succeed or fail, so that a signer's many files, each time-stamped at its
// own second, cost one path building and its signature checks.
//
// Time changes a verification only through which certificates are valid
// (the signatures checked are the same at any time). A chain found vouches
// for any time inside all its certificates' validity. No chain at t stays
// no chain at any time when no certificate that was invalid at t (end
// entity, intermediates, anchors) is valid: fewer valid certificates
// cannot make a path appear. (A search cut short by Go's cap on signature
// checks is also remembered as no chain: only for the certificates
// offered, which are the key, so one file's chain cannot spoil another's.)
type chainCache struct {
	sync.Mutex
	m map[chainKey]*verdicts
}

// chainKey is the SHA-256 of the end-entity certificate and the
// intermediates, each preceded by its length.
type chainKey [32]byte

type verdicts struct{ chains, none []span }

// span is a closed interval of time.
type span struct{ from, to time.Time }

func (s span) holds(t time.Time) bool { return !t.Before(s.from) && !t.After(s.to) }

// Caps on what the cache holds: entries (beyond, it starts over) and spans
// remembered per entry.
const (
	maxCachedChains = 4096
	maxSpans        = 16
)

// forever bounds a span that no certificate's validity closes.
var forever = span{time.Time{}, time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)}

func keyOf(ee *x509.Certificate, intermediates []*x509.Certificate) chainKey {
	h := sha256.New()
	var n [4]byte
	for _, c := range append([]*x509.Certificate{ee}, intermediates...) {
		binary.BigEndian.PutUint32(n[:], uint32(len(c.Raw)))
		h.Write(n[:])
		h.Write(c.Raw)
	}
	return chainKey(h.Sum(nil))
}

// chains says whether ee chains to src's anchors at at, from what is
// remembered when it can.
func (src source) chains(k chainKey, ee *x509.Certificate, intermediates []*x509.Certificate, at time.Time) bool {
	c := src.verified
	c.Lock()
	if v := c.m[k]; v != nil {
		if slices.ContainsFunc(v.chains, func(s span) bool { return s.holds(at) }) {
			c.Unlock()
			return true
		}
		if slices.ContainsFunc(v.none, func(s span) bool { return s.holds(at) }) {
			c.Unlock()
			return false
		}
	}
	c.Unlock()

	found := verify(ee, intermediates, src.pool, at)
	var learnt []span
	for _, chain := range found {
		learnt = append(learnt, validity(forever, chain))
	}
	if len(found) == 0 {
		learnt = []span{unchanged(at, slices.Concat([]*x509.Certificate{ee}, intermediates, src.roots))}
	}

	c.Lock()
	defer c.Unlock()
	if len(c.m) >= maxCachedChains {
		clear(c.m)
	}
	v := c.m[k]
	if v == nil {
		v = &verdicts{}
		c.m[k] = v
	}
	into := &v.chains
	if len(found) == 0 {
		into = &v.none
	}
	for _, s := range learnt {
		if len(*into) < maxSpans && !slices.Contains(*into, s) {
			*into = append(*into, s)
		}
	}
	return len(found) > 0
}

// validity narrows s to the time every certificate of chain is valid.
func validity(s span, chain []*x509.Certificate) span {
	for _, c := range chain {
		if c.NotBefore.After(s.from) {
			s.from = c.NotBefore
		}
		if c.NotAfter.Before(s.to) {
			s.to = c.NotAfter
		}
	}
	return s
}

// unchanged is the span around at in which none of certs that is invalid
// at at becomes valid.
func unchanged(at time.Time, certs []*x509.Certificate) span {
	s := forever
	for _, c := range certs {
		switch {
		case at.After(c.NotAfter) && !c.NotAfter.Before(s.from):
			s.from = c.NotAfter.Add(time.Nanosecond)
		case at.Before(c.NotBefore) && !c.NotBefore.After(s.to):
			s.to = c.NotBefore.Add(-time.Nanosecond)
		}
	}
	return s
}

// verify builds the chains from ee to roots valid at at.
func verify(ee *x509.Certificate, intermediates []*x509.Certificate, roots *x509.CertPool, at time.Time) [][]*x509.Certificate {
	inter := x509.NewCertPool()
	for _, c := range intermediates {
		inter.AddCert(c)
	}
	// Key usages are the profile check's job (C2PA allows EKUs Go's
	// verifier does not know); here only the chain and its validity count.
	found, err := ee.Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, CurrentTime: at, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}})
	if err != nil {
		return nil
	}
	return found
}
