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
