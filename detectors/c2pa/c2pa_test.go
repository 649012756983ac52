package c2pa

import (
	"bytes"
	"strings"
	"testing"

	"github.com/fxamacker/cbor/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aiaudit/aiaudit/cmd/mktestdata/build"
	"github.com/aiaudit/aiaudit/detectors/container"
	fixtures "github.com/aiaudit/aiaudit/detectors/testfixtures"
)

const dst = "http://cv.iptc.org/newscodes/digitalsourcetype/"

// storeOf locates the store with the container package, as the scanner does.
func storeOf(t *testing.T, name string) ([]byte, []byte) {
	t.Helper()
	b := fixtures.Read(t, "media", name)
	bl, err := container.Read(bytes.NewReader(b), int64(len(b)), container.Limits{})
	require.NoError(t, err)
	require.NotEmpty(t, bl.JUMBF, name)
	return b, bl.JUMBF[0].Data
}

func inspect(t *testing.T, name string) *Store {
	t.Helper()
	_, data := storeOf(t, name)
	kind, st, err := Inspect(data)
	require.NoError(t, err, name)
	require.Equal(t, KindC2PA, kind)
	return st
}

func TestPhotoshopActiveAndIngredient(t *testing.T) {
	st := inspect(t, "c2pa_firefly_photoshop.jpg")
	require.Len(t, st.Manifests, 2)
	act := st.Active()
	require.NotNil(t, act)
	assert.Equal(t, "Adobe_Photoshop/26.9.0 adobe_c2pa/0.14.2 c2pa-rs/0.43.0", act.ClaimGenerator)
	assert.Equal(t, dst+"compositeWithTrainedAlgorithmicMedia", aiDST(act))
	ing := st.Manifests[0]
	assert.False(t, ing.Active)
	assert.Equal(t, dst+"trainedAlgorithmicMedia", aiDST(&ing))
	assert.Equal(t, "Adobe Firefly", ing.Actions[0].SoftwareAgent)
}

func aiDST(m *Manifest) string {
	for _, a := range m.Actions {
		if IsAIType(a.DigitalSourceType) {
			return a.DigitalSourceType
		}
	}
	return ""
}

func TestGeminiAIOnlyInIngredient(t *testing.T) {
	st := inspect(t, "sidecar_google_gemini_extracted.c2pa")
	require.Len(t, st.Manifests, 2)
	assert.Empty(t, aiDST(st.Active()), "the active manifest says only composite")
	assert.Equal(t, dst+"trainedAlgorithmicMedia", aiDST(&st.Manifests[0]))
	assert.Equal(t, "Created by Google Generative AI.", st.Manifests[0].Actions[0].Description)
	assert.True(t, strings.HasPrefix(st.Active().ClaimGenerator, "Google C2PA Core Generator Library"))
}

func TestOpenAIV2ClaimAndMapAgent(t *testing.T) {
	st := inspect(t, "sidecar_openai_gpt-image_extracted.c2pa")
	act := st.Active()
	assert.Equal(t, 2, act.ClaimVersion)
	assert.True(t, strings.HasPrefix(act.ClaimGenerator, "OpenAI Media Service API"))
	require.NotEmpty(t, act.Actions)
	assert.Equal(t, "gpt-image 2.0", act.Actions[0].SoftwareAgent)
	assert.True(t, act.Watermarked)
}

func TestTrainingMining(t *testing.T) {
	cawg := inspect(t, "c2pa_capture_cawg_notrain.jpg").Active()
	uses := map[string]string{}
	for _, e := range cawg.TrainingMining {
		uses[e.Key] = e.Use
	}
	assert.Equal(t, "notAllowed", uses["cawg.ai_generative_training"])
	assert.Equal(t, "notAllowed", uses["cawg.ai_inference"])
	assert.Equal(t, dst+"digitalCapture", cawg.Actions[0].DigitalSourceType, "the leading space is trimmed")

	heic := inspect(t, "c2pa_heic_notrain.heic").Active()
	require.NotEmpty(t, heic.TrainingMining)
	for _, e := range heic.TrainingMining {
		assert.Equal(t, "notAllowed", e.Use, e.Key)
	}
	aca := inspect(t, "c2pa_adobe_aca_watermarked.png").Active()
	require.NotEmpty(t, aca.TrainingMining)
	for _, e := range aca.TrainingMining {
		assert.Equal(t, "allowed", e.Use)
	}
	assert.True(t, aca.Watermarked)
}

func TestLegacyAndMalformed(t *testing.T) {
	_, data := storeOf(t, "legacy_cai_prestandard.jpg")
	kind, _, _ := Inspect(data)
	assert.Equal(t, KindLegacyCAI, kind)

	for _, name := range []string{"malformed_c2pa_missing_app11_segment.jpg", "malformed_c2pa_truncated.jpg"} {
		_, data := storeOf(t, name)
		kind, _, err := Inspect(data)
		assert.Equal(t, KindC2PA, kind, name)
		assert.Error(t, err, name)
	}
	kind, _, err := Inspect([]byte("plain text, no boxes"))
	assert.Equal(t, KindNone, kind)
	assert.Error(t, err)
}

func TestDataHashOnRealFile(t *testing.T) {
	for _, name := range []string{"c2pa_edit_ingredient_CA.jpg", "c2pa_testimage_algorithmic.jpg", "c2pa_capture_cawg_notrain.jpg"} {
		file, data := storeOf(t, name)
		_, st, err := Inspect(data)
		require.NoError(t, err)
		dh := st.Active().DataHash
		require.NotNil(t, dh, name)
		ok, err := CheckDataHash(bytes.NewReader(file), int64(len(file)), *dh)
		require.NoError(t, err)
		assert.True(t, ok, "%s: the binding matches its own bytes", name)

		altered := append([]byte{}, file...)
		altered[len(altered)-10] ^= 0xFF // inside the scan data, outside the exclusion
		ok, err = CheckDataHash(bytes.NewReader(altered), int64(len(altered)), *dh)
		require.NoError(t, err)
		assert.False(t, ok, "%s: one changed pixel byte breaks the binding", name)
	}
}

func TestDataHashBadExclusions(t *testing.T) {
	dh := DataHash{Alg: "sha256", Hash: make([]byte, 32), Exclusions: []Exclusion{{Start: 5, Length: 1 << 40}}}
	_, err := CheckDataHash(bytes.NewReader(make([]byte, 100)), 100, dh)
	assert.ErrorContains(t, err, "outside")
	dh.Alg = "md5"
	_, err = CheckDataHash(bytes.NewReader(make([]byte, 100)), 100, dh)
	assert.ErrorContains(t, err, "not supported")
}

func TestGeneratedManifestRoundTrip(t *testing.T) {
	jpg, err := build.JPEG(16, 16, 1)
	require.NoError(t, err)
	m := build.Manifest{Generator: "gen", Action: "c2pa.created", DigitalSourceType: " " + dst + "compositeSynthetic ", SoftwareAgent: "Agent", TrainingUse: "constrained"}
	signed, err := build.SignedJPEG(jpg, m)
	require.NoError(t, err)
	bl, err := container.Read(bytes.NewReader(signed), int64(len(signed)), container.Limits{})
	require.NoError(t, err)
	_, st, err := Inspect(bl.JUMBF[0].Data)
	require.NoError(t, err)
	act := st.Active()
	assert.Equal(t, "gen 0.1", act.ClaimGenerator, "v2 claim: claim_generator_info")
	assert.True(t, IsAIType(act.Actions[0].DigitalSourceType))
	assert.Equal(t, "Agent 1.0", act.Actions[0].SoftwareAgent)
	assert.Equal(t, "constrained", act.TrainingMining[0].Use)
	ok, err := CheckDataHash(bytes.NewReader(signed), int64(len(signed)), *act.DataHash)
	require.NoError(t, err)
	assert.True(t, ok)
}

func TestIsAIType(t *testing.T) {
	for v, want := range map[string]bool{
		dst + "trainedAlgorithmicMedia":                                      true,
		"https://cv.iptc.org/newscodes/digitalsourcetype/compositeSynthetic": true,
		"  " + dst + "compositeWithTrainedAlgorithmicMedia\n":                true,
		"http://c2pa.org/digitalsourcetype/trainedAlgorithmicData":           true,
		dst + "algorithmicMedia":                                             false,
		dst + "composite":                                                    false,
		dst + "softwareImage":                                                false,
		dst + "digitalCapture":                                               false,
		"http://example.com/trainedAlgorithmicMedia":                         false,
		"": false,
	} {
		assert.Equal(t, want, IsAIType(v), v)
	}
}

func TestHostileCBOR(t *testing.T) {
	// An array header claiming 2^32 elements in a few bytes.
	for _, payload := range [][]byte{{0x9b, 0, 0, 0, 1, 0, 0, 0, 0}, {0x5b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, bytes.Repeat([]byte{0x81}, 1000)} {
		var v any
		err := decMode.Unmarshal(payload, &v)
		assert.Error(t, err)
	}
	_, err := cbor.Marshal(1) // the library is the one the decoder uses
	require.NoError(t, err)
}

func FuzzInspect(f *testing.F) {
	jpg, _ := build.JPEG(8, 8, 1)
	signed, _ := build.SignedJPEG(jpg, build.Manifest{Generator: "g", Action: "c2pa.created", DigitalSourceType: dst + "trainedAlgorithmicMedia", SoftwareAgent: "a", TrainingUse: "notAllowed"})
	if bl, err := container.Read(bytes.NewReader(signed), int64(len(signed)), container.Limits{}); err == nil && len(bl.JUMBF) > 0 {
		f.Add(bl.JUMBF[0].Data)
	}
	f.Add([]byte("\x00\x00\x00\x10jumb\x00\x00\x00\x08jumd"))
	f.Fuzz(func(t *testing.T, b []byte) {
		_, st, _ := Inspect(b)
		if st != nil && len(st.Manifests) > 0 && st.Active() == nil {
			t.Fatal("manifests without an active one")
		}
	})
}
