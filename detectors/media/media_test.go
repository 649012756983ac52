package media

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"image"
	"image/png"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aiaudit/aiaudit/cmd/mktestdata/build"
	"github.com/aiaudit/aiaudit/detectors"
	fixtures "github.com/aiaudit/aiaudit/detectors/testfixtures"
)

func src(name string, b []byte) Source {
	return Source{Name: name, R: bytes.NewReader(b), Size: int64(len(b))}
}

// A sidecar manifest binds to the asset beside it: its evidence counts for
// the asset, and its data hash is checked against the asset's bytes.
func TestSidecarBindsToItsAsset(t *testing.T) {
	asset, err := build.JPEG(32, 32, 5)
	require.NoError(t, err)
	sum := sha256.Sum256(asset)
	m := build.Manifest{Generator: "sidecar maker", Action: "c2pa.created",
		DigitalSourceType: "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia", SoftwareAgent: "Gen"}
	sidecar, err := m.Store(sum[:], 0, 0)
	require.NoError(t, err)

	res, err := Analyze(src("photo.jpg", asset), []Source{src("photo.c2pa", sidecar)}, Limits{})
	require.NoError(t, err)
	assert.True(t, res.AIGenerated)
	assert.True(t, res.MachineReadable)
	assert.EqualValues(t, "present", res.Provenance.C2PA)
	assert.EqualValues(t, "match", res.Provenance.Binding, res.Provenance.BindingDetail)
	assert.Equal(t, "image/jpeg", res.MediaType)

	other, err := build.JPEG(32, 32, 6)
	require.NoError(t, err)
	res, err = Analyze(src("other.jpg", other), []Source{src("other.c2pa", sidecar)}, Limits{})
	require.NoError(t, err)
	assert.EqualValues(t, "mismatch", res.Provenance.Binding)

	alone, err := FromBytes(sidecar, Limits{})
	require.NoError(t, err)
	assert.EqualValues(t, "not_checked", alone.Provenance.Binding)
	assert.Contains(t, alone.Provenance.BindingDetail, "without its asset")
	assert.True(t, alone.AIGenerated)
}

func TestXMPSidecar(t *testing.T) {
	asset, err := build.PNG(8, 8, false)
	require.NoError(t, err)
	x := build.XMPPacket("http://cv.iptc.org/newscodes/digitalsourcetype/compositeSynthetic", "http://ns.useplus.org/ldf/vocab/DMI-PROHIBITED-GENAIMLTRAINING", "")
	res, err := Analyze(src("a.png", asset), []Source{src("a.xmp", []byte(x))}, Limits{})
	require.NoError(t, err)
	assert.True(t, res.AIGenerated)
	assert.True(t, res.TrainingOptOut)
	require.Len(t, res.OptOuts, 1)
	assert.Equal(t, detectors.Reserved, res.OptOuts[0].Verdict)
	assert.Equal(t, "generative AI/ML training", res.OptOuts[0].Agent)
}

func TestDataMiningVerdicts(t *testing.T) {
	for v, want := range map[string]detectors.Verdict{
		"http://ns.useplus.org/ldf/vocab/DMI-PROHIBITED":                 detectors.Reserved,
		"http://ns.useplus.org/ldf/vocab/DMI-PROHIBITED-AIMLTRAINING":    detectors.Reserved,
		"http://ns.useplus.org/ldf/vocab/DMI-PROHIBITED-GENAIMLTRAINING": detectors.Reserved,
		"http://ns.useplus.org/ldf/vocab/DMI-ALLOWED":                    detectors.NotReserved,
		"http://ns.useplus.org/ldf/vocab/DMI-UNSPECIFIED":                detectors.Unset,
	} {
		assert.Equal(t, want, dataMiningVerdict(v).Verdict, v)
	}
}

func TestNoMetadataIsNotProofOfHumanOrigin(t *testing.T) {
	jpg, err := build.JPEG(8, 8, 1)
	require.NoError(t, err)
	res, err := FromBytes(jpg, Limits{})
	require.NoError(t, err)
	assert.False(t, res.AIGenerated)
	assert.EqualValues(t, "none", res.Provenance.Metadata)
	assert.Contains(t, res.Notes[0], "stripped")
}

// The opt-out media fixtures: a PNG whose C2PA manifest says notAllowed for
// every AI use, and an XMP packet with PLUS DataMining prohibiting
// generative-AI training.
func TestOptOutMediaFixtures(t *testing.T) {
	png := fixtures.Read(t, "optout/media", "datadiligence.sample_c2pa.training-mining-notAllowed.png")
	res, err := FromBytes(png, Limits{})
	require.NoError(t, err)
	assert.True(t, res.TrainingOptOut)
	keys := map[string]detectors.Verdict{}
	for _, o := range res.OptOuts {
		keys[o.Agent] = o.Verdict
		assert.Equal(t, "c2pa.training-mining", o.Signal)
	}
	for _, k := range []string{"c2pa.ai_training", "c2pa.ai_inference", "c2pa.ai_generative_training", "c2pa.data_mining"} {
		assert.Equal(t, detectors.Reserved, keys[k], k)
	}

	xmp := fixtures.Read(t, "optout/media", "iptc-photometadata-ref-2024.1.DMI-PROHIBITED-GENAIMLTRAINING.xmp")
	res, err = FromBytes(xmp, Limits{})
	require.NoError(t, err)
	assert.Equal(t, "application/rdf+xml", res.MediaType)
	assert.True(t, res.TrainingOptOut)
	require.Len(t, res.OptOuts, 1)
	assert.Equal(t, "generative AI/ML training", res.OptOuts[0].Agent)
}

// The CAWG spec's own training-mining example (CBOR diagnostic notation) is
// read, put in a manifest and judged: allowed, notAllowed, and constrained,
// which reserves when nothing else is known. The example is malformed (the
// "{" after "entries": is missing, as SOURCES.md says): it is read
// tolerantly, with that brace restored, and the defect is asserted so a
// fixed example is noticed.
func TestCAWGSpecExample(t *testing.T) {
	edn := fixtures.Read(t, "optout/media", "cawg-1.1.training-mining.example.cbordiag")
	require.False(t, json.Valid(edn), "the spec example is still malformed")
	repaired := strings.Replace(string(edn), `"entries":`, `"entries": {`, 1) + "}"
	var assertion map[string]any
	require.NoError(t, json.Unmarshal([]byte(repaired), &assertion), "diagnostic notation of maps and text strings is JSON")

	jpg, err := build.JPEG(16, 16, 1)
	require.NoError(t, err)
	signed, err := build.SignedJPEG(jpg, build.Manifest{Generator: "camera", Action: "c2pa.created",
		DigitalSourceType: "http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture",
		Extra:             map[string]any{"cawg.training-mining": assertion}})
	require.NoError(t, err)
	res, err := FromBytes(signed, Limits{})
	require.NoError(t, err)
	got := map[string]detectors.Verdict{}
	for _, o := range res.OptOuts {
		assert.Equal(t, "cawg.training-mining", o.Signal)
		got[o.Agent] = o.Verdict
	}
	assert.Equal(t, map[string]detectors.Verdict{
		"cawg.ai_training":            detectors.NotReserved,
		"cawg.ai_generative_training": detectors.Reserved,
		"cawg.data_mining":            detectors.Reserved, // constrained
	}, got)
	assert.True(t, res.TrainingOptOut)
}

// The digest is the content's identity across scans: the same bytes give the
// same digest, other pixels or the same head with another length do not.
func TestDigestIdentifiesContent(t *testing.T) {
	a, err := build.JPEG(16, 16, 1)
	require.NoError(t, err)
	b, err := build.JPEG(16, 16, 2)
	require.NoError(t, err)
	ra, err := FromBytes(a, Limits{})
	require.NoError(t, err)
	again, err := FromBytes(append([]byte(nil), a...), Limits{})
	require.NoError(t, err)
	rb, err := FromBytes(b, Limits{})
	require.NoError(t, err)
	assert.Regexp(t, `^xxh3-head:[0-9a-f]{32}$`, ra.Digest)
	assert.Equal(t, ra.Digest, again.Digest)
	assert.NotEqual(t, ra.Digest, rb.Digest)
	longer, err := FromBytes(append(append([]byte(nil), a...), 0), Limits{})
	require.NoError(t, err)
	assert.NotEqual(t, ra.Digest, longer.Digest, "the size is part of it")
}

// The BMFF hard binding is checked end to end: the real HEIC and MP4 match,
// the fragmented init segment (a Merkle hash over fragments) is not checked,
// and a file over the hashing cap is not read whole.
func TestBMFFBindingVerdicts(t *testing.T) {
	for name, want := range map[string]string{
		"c2pa_heic_notrain.heic": "match",
		"c2pa_video.mp4":         "match",
		"c2pa_fmp4_init.mp4":     "not_checked",
	} {
		b := fixtures.Read(t, "media", name)
		r, err := FromBytes(b, Limits{})
		require.NoError(t, err, name)
		assert.EqualValues(t, want, r.Provenance.Binding, "%s: %s", name, r.Provenance.BindingDetail)
	}
	b := fixtures.Read(t, "media", "c2pa_heic_notrain.heic")
	r, err := FromBytes(b, Limits{MaxHashBytes: 1000})
	require.NoError(t, err)
	assert.EqualValues(t, "not_checked", r.Provenance.Binding)
	assert.Contains(t, r.Provenance.BindingDetail, "larger than the 1000 bytes")
}

// A1111 stealth metadata in the RGB low bits of a PNG without alpha is found
// (the first rows give the signature away; then the image is decoded).
func TestStealthRGBWithoutAlpha(t *testing.T) {
	params := "a castle, Steps: 20, Sampler: Euler a, Model: sd_xl_base_1.0"
	data := append([]byte("stealth_rgbinfo"), byte(len(params)*8>>24), byte(len(params)*8>>16), byte(len(params)*8>>8), byte(len(params)*8))
	data = append(data, params...)
	img := image.NewRGBA(image.Rect(0, 0, 40, 30))
	for i := range img.Pix {
		img.Pix[i] = 0xFF // opaque: png.Encode writes an RGB image, no alpha channel
	}
	bit := 0
	for x := 0; x < 40 && bit < len(data)*8; x++ {
		for y := 0; y < 30 && bit < len(data)*8; y++ {
			for c := 0; c < 3 && bit < len(data)*8; c++ {
				i := img.PixOffset(x, y) + c
				img.Pix[i] = img.Pix[i]&^1 | data[bit/8]>>(7-bit%8)&1
				bit++
			}
		}
	}
	var buf bytes.Buffer
	require.NoError(t, png.Encode(&buf, img))
	require.Equal(t, byte(2), buf.Bytes()[25], "color type RGB: no alpha")
	r, err := FromBytes(buf.Bytes(), Limits{})
	require.NoError(t, err)
	assert.True(t, r.AIGenerated)
	require.NotEmpty(t, r.AIEvidence)
	assert.Contains(t, r.AIEvidence[0].Detail, "stealth_rgbinfo")
	assert.Contains(t, r.AIEvidence[0].Detail, "Euler a")
}
