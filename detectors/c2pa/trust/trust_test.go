package trust

import (
	"crypto/ed25519"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The shipped lists parse whole: 30 claim-signer anchors, 22 TSA anchors
// (SOURCES.md of ../shared/research/c2pa-trust-list).
func TestShippedListsParse(t *testing.T) {
	signers, err := ParsePEM(c2paList)
	require.NoError(t, err)
	assert.Len(t, signers, 30)
	tsas, err := ParsePEM(tsaList)
	require.NoError(t, err)
	assert.Len(t, tsas, 22)
	require.NotNil(t, Default())
}

func selfSigned(t *testing.T, seed byte, ca bool) (*x509.Certificate, []byte) {
	k := ed25519.NewKeyFromSeed([]byte(strings.Repeat(string(rune('a'+seed)), ed25519.SeedSize)))
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(int64(seed) + 1), Subject: pkix.Name{CommonName: "c" + string(rune('a'+seed))},
		NotBefore: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC),
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, IsCA: ca, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(nil, tmpl, tmpl, k.Public(), k)
	require.NoError(t, err)
	c, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	return c, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

func TestUserAnchorsAndPins(t *testing.T) {
	root, rootPEM := selfSigned(t, 1, true)
	leaf, leafPEM := selfSigned(t, 2, false)
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

	_, ok := Default().Signer(root, nil, at)
	assert.False(t, ok, "an unknown root is not trusted")

	withRoot, err := Default().WithAnchors(rootPEM)
	require.NoError(t, err)
	name, ok := withRoot.Signer(root, nil, at)
	assert.True(t, ok)
	assert.Equal(t, UserAnchorsName, name)
	_, ok = withRoot.Signer(root, nil, at.AddDate(10, 0, 0))
	assert.False(t, ok, "outside the anchor's validity")
	_, ok = Default().Signer(root, nil, at)
	assert.False(t, ok, "WithAnchors does not change the store it copies")
	name, ok = withRoot.TSA(root, nil, at)
	assert.True(t, ok, "user anchors vouch for time-stamp authorities too")
	assert.Equal(t, UserAnchorsName, name)
	_, ok = Default().TSA(root, nil, at)
	assert.False(t, ok)

	pinned, err := Default().WithAllowedSigners(leafPEM)
	require.NoError(t, err)
	name, ok = pinned.Signer(leaf, nil, at)
	assert.True(t, ok)
	assert.Equal(t, AllowedListName, name)
	_, ok = pinned.Signer(root, nil, at)
	assert.False(t, ok)

	var none *Store
	_, ok = none.Signer(leaf, nil, at)
	assert.False(t, ok, "no store trusts nobody")
}

func TestParsePEMRejects(t *testing.T) {
	for name, in := range map[string][]byte{
		"empty":      nil,
		"no PEM":     []byte("hello"),
		"bad DER":    pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte{1, 2, 3}}),
		"too large":  make([]byte, maxPEMBytes+1),
		"only a key": pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte{1}}),
	} {
		_, err := ParsePEM(in)
		assert.Error(t, err, name)
	}
}

// ca is a test certificate and its key.
type ca struct {
	cert *x509.Certificate
	key  ed25519.PrivateKey
}

// issue makes a certificate for seed's key, signed by parent (nil: self).
func issue(t testing.TB, seed byte, parent *ca, isCA bool, from, to time.Time) *ca {
	k := ed25519.NewKeyFromSeed([]byte(strings.Repeat(string(rune('A'+seed)), ed25519.SeedSize)))
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(int64(seed) + 100), Subject: pkix.Name{CommonName: "n" + string(rune('A'+seed))},
		NotBefore: from, NotAfter: to, KeyUsage: x509.KeyUsageDigitalSignature, IsCA: isCA, BasicConstraintsValid: true}
	if isCA {
		tmpl.KeyUsage |= x509.KeyUsageCertSign
	}
	signer, signerKey := tmpl, k
	if parent != nil {
		signer, signerKey = parent.cert, parent.key
	}
	der, err := x509.CreateCertificate(nil, tmpl, signer, k.Public(), signerKey)
	require.NoError(t, err)
	c, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	return &ca{c, k}
}

func day(y, m int) time.Time { return time.Date(y, time.Month(m), 1, 0, 0, 0, 0, time.UTC) }

// A chain found once answers later times inside the validity of all its
// certificates, and only those: the cached answer is the one a fresh
// verification gives, for every time and certificate asked about.
func TestChainVerdictsAreRemembered(t *testing.T) {
	root := issue(t, 1, nil, true, day(2020, 1), day(2040, 1))
	inter := issue(t, 2, root, true, day(2021, 1), day(2030, 1)) // expires before the leaf
	leaf := issue(t, 3, inter, false, day(2022, 1), day(2035, 1))
	stranger := issue(t, 4, issue(t, 5, nil, true, day(2020, 1), day(2040, 1)), false, day(2022, 1), day(2035, 1))
	rootPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: root.cert.Raw})
	store, err := Default().WithAnchors(rootPEM)
	require.NoError(t, err)
	inters := []*x509.Certificate{inter.cert}

	for _, c := range []struct {
		at   time.Time
		ee   *x509.Certificate
		want bool
	}{
		{day(2021, 6), leaf.cert, false},     // before the leaf: no chain, until 2022
		{day(2026, 1), leaf.cert, true},      // the leaf has become valid
		{day(2027, 6), leaf.cert, true},      // inside the window found at 2026
		{day(2031, 1), leaf.cert, false},     // the intermediate has expired, the leaf has not
		{day(2026, 1), stranger.cert, false}, // another issuer, same time: its own verdict
		{day(2027, 6), leaf.cert, true},
		{day(2032, 1), leaf.cert, false}, // remembered as no chain from 2030 on
		{day(2021, 9), leaf.cert, false}, // remembered as no chain before 2022
	} {
		_, got := store.Signer(c.ee, inters, c.at)
		assert.Equal(t, c.want, got, "%s at %s", c.ee.Subject.CommonName, c.at.Format(time.DateOnly))
		fresh := verify(c.ee, inters, store.sources[len(store.sources)-1].pool, c.at) != nil
		assert.Equal(t, fresh, got, "the remembered verdict is a fresh verification's")
	}
	_, ok := store.Signer(leaf.cert, nil, day(2026, 1))
	assert.False(t, ok, "without its intermediate the leaf chains to nothing: the intermediates are part of the key")
	_, ok = Default().Signer(leaf.cert, inters, day(2026, 1))
	assert.False(t, ok, "a store without the anchor does not see another store's verdicts")
}

// BenchmarkSignerChain is a signer with an intermediate, checked again at a
// new time-stamped second (remembered), against a fresh verification.
func BenchmarkSignerChain(b *testing.B) {
	root := issue(b, 1, nil, true, day(2020, 1), day(2040, 1))
	inter := issue(b, 2, root, true, day(2021, 1), day(2039, 1))
	leaf := issue(b, 3, inter, false, day(2022, 1), day(2035, 1))
	store, err := Default().WithAnchors(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: root.cert.Raw}))
	require.NoError(b, err)
	inters := []*x509.Certificate{inter.cert}
	b.Run("remembered", func(b *testing.B) {
		b.ReportAllocs()
		at := day(2026, 1)
		for b.Loop() {
			at = at.Add(time.Second)
			if _, ok := store.Signer(leaf.cert, inters, at); !ok {
				b.Fatal("no chain")
			}
		}
	})
	b.Run("first-sight", func(b *testing.B) {
		b.ReportAllocs()
		pool := store.sources[len(store.sources)-1].pool
		for b.Loop() {
			if verify(leaf.cert, inters, pool, day(2026, 1)) == nil {
				b.Fatal("no chain")
			}
		}
	})
}
