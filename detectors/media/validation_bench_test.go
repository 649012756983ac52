package media

import (
	"testing"

	"github.com/aiaudit/aiaudit/cmd/mktestdata/build"
	fixtures "github.com/aiaudit/aiaudit/detectors/testfixtures"
)

// BenchmarkSignedJPEG is the cost of reading and validating one signed
// manifest (EdDSA, test CA) in a small JPEG, binding included.
func BenchmarkSignedJPEG(b *testing.B) {
	jpg, err := build.JPEG(64, 48, 1)
	if err != nil {
		b.Fatal(err)
	}
	file, err := build.SignedJPEG(jpg, aiManifest())
	if err != nil {
		b.Fatal(err)
	}
	benchFile(b, file)
}

// BenchmarkReferenceCACA is the same for a reference-implementation file:
// four manifests (active and ingredients), PS256 with certificate chains,
// time-stamps.
func BenchmarkReferenceCACA(b *testing.B) {
	benchFile(b, fixtures.Read(b, "c2pa-rs", "sdk/tests/fixtures/CACA.jpg"))
}

func benchFile(b *testing.B, file []byte) {
	b.ReportAllocs()
	b.SetBytes(int64(len(file)))
	for b.Loop() {
		if _, err := FromBytes(file, Limits{}); err != nil {
			b.Fatal(err)
		}
	}
}
