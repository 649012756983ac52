package cosesig

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/asn1"
	"testing"

	"github.com/digitorus/timestamp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// tsaWithUnderscore is a time-stamp response whose authority's certificate
// names its organisation "Time_Stamps" as a PrintableString, which allows
// no "_": Go's x509 refuses the certificate, so the token does not parse.
// Go itself writes such a name as a UTF8String; retagging that string's
// tag byte makes the certificate a real authority's would be.
func tsaWithUnderscore(t *testing.T) []byte {
	ca := newCA(t)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tsa := ca.issue(t, key, func(c *x509.Certificate) {
		c.Subject.Organization = []string{"Time_Stamps"}
		c.UnknownExtKeyUsage, c.ExtKeyUsage = nil, []x509.ExtKeyUsage{x509.ExtKeyUsageTimeStamping}
	})
	ts := timestamp.Timestamp{HashAlgorithm: crypto.SHA256, HashedMessage: make([]byte, 32), Time: signedNow, Policy: asn1.ObjectIdentifier{1, 2, 3}, AddTSACertificate: true}
	resp, err := ts.CreateResponseWithOpts(tsa, key, crypto.SHA256)
	require.NoError(t, err)
	// The name is in the signed TSTInfo (an OCTET STRING, left alone) and,
	// after it, in the certificate.
	utf8 := append([]byte{0x0C, byte(len("Time_Stamps"))}, "Time_Stamps"...)
	require.Equal(t, 2, bytes.Count(resp, utf8))
	resp[bytes.LastIndex(resp, utf8)] = 0x13
	return resp
}

// A token whose authority's certificate has a name Go's x509 refuses is
// read anyway (its time dates the signature), but that certificate, changed
// to be read, can never chain: the authority is not trusted.
func TestTimeStampWithUnprintableName(t *testing.T) {
	resp := tsaWithUnderscore(t)
	_, err := timestamp.ParseResponse(resp)
	require.ErrorContains(t, err, "PrintableString", "the library's gap this works around")

	ts, err := parseToken(resp)
	require.NoError(t, err)
	assert.True(t, ts.Time.Equal(signedNow))
	require.NotEmpty(t, ts.Certificates)
	assert.Equal(t, []string{"Time_Stamps"}, ts.Certificates[0].Subject.Organization)
	assert.Error(t, ts.Certificates[0].CheckSignatureFrom(newCA(t).cert), "a retagged certificate verifies under no issuer")
}

func TestRelaxPrintableStrings(t *testing.T) {
	// SEQUENCE { PrintableString "a_b", PrintableString "ab", OCTET STRING { 13 01 5F } }
	in := []byte{0x30, 0x0E, 0x13, 0x03, 'a', '_', 'b', 0x13, 0x02, 'a', 'b', 0x04, 0x03, 0x13, 0x01, '_'}
	out, ok := relaxPrintableStrings(in)
	require.True(t, ok)
	assert.Equal(t, []byte{0x30, 0x0E, 0x0C, 0x03, 'a', '_', 'b', 0x13, 0x02, 'a', 'b', 0x04, 0x03, 0x13, 0x01, '_'}, out,
		"only the bad string is retagged; primitive contents are not walked")
	assert.Equal(t, byte(0x13), in[2], "the input is not changed")

	for name, der := range map[string][]byte{
		"nothing to retag": {0x30, 0x04, 0x13, 0x02, 'a', 'b'},
		"indefinite":       {0x30, 0x80, 0x13, 0x01, '_', 0x00, 0x00},
		"truncated":        {0x30, 0x05, 0x13, 0x03, 'a', '_'},
		"too deep":         bytes.Repeat([]byte{0x30, 0x80}, 2*maxDERDepth),
	} {
		_, ok := relaxPrintableStrings(der)
		assert.False(t, ok, name)
	}
}

// The retagging never changes a byte other than a PrintableString's tag,
// never changes the length, and leaves nothing to retag behind it.
func FuzzRelaxPrintableStrings(f *testing.F) {
	f.Add([]byte{0x30, 0x0E, 0x13, 0x03, 'a', '_', 'b', 0x13, 0x02, 'a', 'b', 0x04, 0x03, 0x13, 0x01, '_'})
	f.Add([]byte{0x31, 0x81, 0x03, 0x13, 0x01, '@'})
	f.Fuzz(func(t *testing.T, der []byte) {
		out, ok := relaxPrintableStrings(der)
		if !ok {
			require.Nil(t, out)
			return
		}
		require.Len(t, out, len(der))
		for i := range der {
			if out[i] != der[i] {
				require.Equal(t, byte(0x13), der[i], "offset %d", i)
				require.Equal(t, byte(0x0C), out[i], "offset %d", i)
			}
		}
		_, again := relaxPrintableStrings(out)
		require.False(t, again, "a second pass finds nothing left")
	})
}
