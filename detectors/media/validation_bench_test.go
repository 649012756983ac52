package media

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aiaudit/aiaudit/cmd/mktestdata/build"
	"github.com/aiaudit/aiaudit/detectors"
	"github.com/aiaudit/aiaudit/detectors/c2pa/trust"
	fixtures "github.com/aiaudit/aiaudit/detectors/testfixtures"
)

// BenchmarkSignedJPEG is the cost of reading and validating one signed
// manifest (EdDSA, test CA) in a small JPEG, binding included, seen before:
// its signature's verdict is remembered.
func BenchmarkSignedJPEG(b *testing.B) {
	jpg, err := build.JPEG(64, 48, 1)
	if err != nil {
		b.Fatal(err)
	}
	file, err := build.SignedJPEG(jpg, aiManifest())
	if err != nil {
		b.Fatal(err)
	}
	benchFile(b, file, Limits{})
}

// BenchmarkSignedJPEGFirstSight is a file never seen before from a known
// signer, as in a folder of one tool's images: a time-stamped signature
// whose signer and TSA chain to a --trust-anchors root. The signature and
// the time-stamp token are verified for each file; the two chains were
// built for the first file and are remembered. Compare BenchmarkSignedJPEG
// for the same file seen again.
func BenchmarkSignedJPEGFirstSight(b *testing.B) {
	pki, err := build.TestPKI()
	require.NoError(b, err)
	tsa, err := pki.NewTSA(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	require.NoError(b, err)
	anchors, err := trust.Default().WithAnchors(pki.RootPEM())
	require.NoError(b, err)
	m := aiManifest()
	m.TimeStamp = tsa
	files := make([][]byte, b.N+1)
	for i := range files {
		jpg, err := build.JPEG(64, 48, i) // its own pixels: its own claim and signature
		require.NoError(b, err)
		files[i], err = build.SignedJPEG(jpg, m)
		require.NoError(b, err)
	}
	lim := Limits{Trust: anchors}
	res, err := FromBytes(files[b.N], lim) // the signer seen once
	require.NoError(b, err)
	require.Equal(b, detectors.ValidationTrusted, res.Provenance.Validation.State, "%+v", res.Provenance.Validation.Codes)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if _, err := FromBytes(files[i], lim); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReferenceCACA is the same for a reference-implementation file:
// four manifests (active and ingredients), PS256 with certificate chains,
// time-stamps.
func BenchmarkReferenceCACA(b *testing.B) {
	benchFile(b, fixtures.Read(b, "c2pa-rs", "sdk/tests/fixtures/CACA.jpg"), Limits{})
}

func benchFile(b *testing.B, file []byte, lim Limits) {
	b.ReportAllocs()
	b.SetBytes(int64(len(file)))
	for b.Loop() {
		if _, err := FromBytes(file, lim); err != nil {
			b.Fatal(err)
		}
	}
}

// Remembered verdicts are about signatures and chains, never about a file:
// a manifest validated once and then moved onto other pixels is a binding
// mismatch, and a file after it from the same signer is judged on its own.
func TestRememberedVerdictsDoNotCarryOver(t *testing.T) {
	signed := signedJPEG(t, aiManifest())
	other, err := build.JPEG(24, 16, 10)
	require.NoError(t, err)
	assert.Equal(t, detectors.ValidationValid, analyzeWith(t, signed, Limits{}).Provenance.Validation.State)

	moved := analyzeWith(t, build.Transplant(signed, other), Limits{})
	assert.Equal(t, detectors.BindingMismatch, moved.Provenance.Binding, "the signature is remembered, the binding is checked again")
	assert.Contains(t, codes(moved.Provenance.Validation), "assertion.dataHash.mismatch")
	assert.Equal(t, detectors.ValidationInvalid, moved.Provenance.Validation.State)

	edited := replaceOnce(t, signed, "trainedAlgorithmicMedia", "algorithmicallyEnhanced")
	v := analyzeWith(t, edited, Limits{}).Provenance.Validation
	assert.Equal(t, detectors.ValidationInvalid, v.State, "an edited assertion in an otherwise known manifest")
	assert.Contains(t, codes(v), "assertion.hashedURI.mismatch")
}
