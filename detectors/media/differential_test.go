package media

import (
	"bytes"
	"encoding/asn1"
	"encoding/binary"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aiaudit/aiaudit/cmd/mktestdata/build"
	"github.com/aiaudit/aiaudit/detectors"
	"github.com/aiaudit/aiaudit/detectors/c2pa/refreader"
	"github.com/aiaudit/aiaudit/detectors/c2pa/trust"
)

// diffFile is one generated file of the differential test and how aiaudit
// reads it.
type diffFile struct {
	data []byte
	lim  Limits
	// anchored: aiaudit is given the signer's root as a trust anchor, so it
	// says trusted where the reference, which knows no anchors, says Valid.
	anchored bool
}

// knownDisagreement is a difference between aiaudit and the reference on
// one generated file, with the reason it is not an aiaudit bug.
type knownDisagreement struct {
	why   string
	diffs []string // exactly what disagreements reports
}

// Where aiaudit and the reference disagree on a generated file. Each entry
// must still disagree exactly so: a fixed one is removed from here.
var referenceDisagreements = map[string]knownDisagreement{
	"intact.otf": {"the reference's WebAssembly build reads no fonts: it is no oracle for them",
		[]string{`presence (reference error C2pa(UnsupportedType)): reference false, aiaudit "present"`}},
	// aiaudit allows c2pa-kp-claimSigning, the EKU of the C2PA trust list
	// (README); the reference, given no trust list, accepts only standard
	// EKUs (emailProtection yes; documentSigning, tried here, no).
	"claim-signing-eku.jpg": {"the reference without a trust list rejects the C2PA claim-signing EKU", []string{
		`state: reference "Invalid", aiaudit "valid"`,
		`active manifest's failure codes: reference ["signingCredential.invalid","signingCredential.untrusted"], aiaudit ["signingCredential.untrusted"]`}},
	// aiaudit dates the signature with a verified time-stamp even from a
	// TSA nobody vouches for (README); the reference then judges the
	// certificate now. Its TSA trust is wider than aiaudit's shipped TSA
	// list, though (it trusts the DigiCert responder of c2pa-rs's ocsp.jpg
	// as "legacy"), so taking its rule alone would turn that file invalid.
	"certificate-expired-time-stamped.jpg": {"an untrusted TSA's time dates the signature for aiaudit, not for the reference", []string{
		`state: reference "Invalid", aiaudit "valid"`,
		`active manifest's failure codes: reference ["signingCredential.expired","signingCredential.untrusted"], aiaudit ["signingCredential.untrusted"]`}},
	// The renamed ingredient manifest stays in the store, referred to by
	// nothing: aiaudit validates every manifest of the store, the
	// reference only the active one and its ingredients.
	"ingredient-missing.jpg": {"aiaudit also validates a manifest nothing refers to", []string{
		`ingredients' failure codes: reference ["ingredient.manifest.missing"], aiaudit ["ingredient.manifest.missing","signingCredential.untrusted"]`}},
}

var oidEmailProtection = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 4}

// TestDifferentialAgainstReferenceReader runs the C2PA reference reader
// next to aiaudit over files signed here (every format the builders sign,
// and each tampering one at a time) and over the reference's own test
// files, and requires the two to agree on each.
func TestDifferentialAgainstReferenceReader(t *testing.T) {
	ref := refreader.Install(t)
	t.Run("c2pa-rs fixtures", func(t *testing.T) {
		dir, all := referenceVerdicts(t)
		reports := ref.Read(t, dir)
		for name, want := range all {
			got, ok := reports[name]
			if !ok && strings.HasPrefix(name, "cli/") {
				continue // the c2patool fixtures were not copied into ../shared
			}
			require.True(t, ok, "%s: not read by the reference", name)
			assert.Empty(t, oracleDrift(want, got), name)
		}
	})
	t.Run("generated", func(t *testing.T) {
		dir := t.TempDir()
		files := differentialFiles(t)
		for name, f := range files {
			require.NoError(t, os.WriteFile(filepath.Join(dir, name), f.data, 0o644))
		}
		reports := ref.Read(t, dir)
		require.Len(t, reports, len(files))
		for name, f := range files {
			t.Run(name, func(t *testing.T) {
				res, err := FromBytes(f.data, f.lim)
				require.NoError(t, err)
				diffs := disagreements(reports[name], res, f.anchored)
				if known, ok := referenceDisagreements[name]; ok {
					assert.Equal(t, known.diffs, diffs, "listed as differing from the reference (%s): update referenceDisagreements", known.why)
					return
				}
				for _, d := range diffs {
					t.Error(d)
				}
			})
		}
	})
}

// differentialFiles signs the test set: each format intact and with its
// asset bytes altered, and on JPEG each other tampering one at a time. The
// signer is a CA made here, its end-entity certificate with the
// emailProtection EKU, which the reference accepts without a trust list.
func differentialFiles(t *testing.T) map[string]diffFile {
	t.Helper()
	pki, err := build.NewPKIWithEKU("Differential", 21, time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2045, 1, 1, 0, 0, 0, 0, time.UTC), oidEmailProtection)
	require.NoError(t, err)
	m := aiManifest()
	m.Signer = pki
	files := map[string]diffFile{}
	must := func(b []byte, err error) []byte {
		t.Helper()
		require.NoError(t, err)
		return b
	}
	add := func(name string, b []byte) { files[name] = diffFile{data: b} }

	// Every format, intact and with one asset byte changed (outside the
	// manifest store).
	flip := func(b []byte, at int) []byte {
		b = bytes.Clone(b)
		b[at] ^= 0x40
		return b
	}
	jpg, err := build.JPEG(24, 16, 9)
	require.NoError(t, err)
	png, err := build.PNG(16, 12, false)
	require.NoError(t, err)
	formats := map[string]struct {
		sign func() ([]byte, error)
		at   func(b []byte) int // an asset byte
	}{
		"jpg":       {func() ([]byte, error) { return build.SignedJPEG(jpg, m) }, func(b []byte) int { return len(b) - 10 }},
		"png":       {func() ([]byte, error) { return build.SignedPNG(png, m) }, func(b []byte) int { return bytes.Index(b, []byte("IDAT")) + 6 }},
		"webp":      {func() ([]byte, error) { return build.SignedWebP(m) }, func(b []byte) int { return bytes.Index(b, []byte("VP8L")) + 14 }},
		"wav":       {func() ([]byte, error) { return build.SignedWAV(m, 32, 7) }, func(b []byte) int { return bytes.Index(b, []byte("data")) + 8 + 62 }},
		"svg":       {func() ([]byte, error) { return build.SignedSVG(m) }, func(b []byte) int { return bytes.Index(b, []byte("#3a7bd5")) + 1 }},
		"mp3":       {func() ([]byte, error) { return build.SignedMP3(m, build.MP3Frames(2, 7)) }, func(b []byte) int { return len(b) - 1 }},
		"flac":      {func() ([]byte, error) { return build.SignedFLAC(m, build.FLACStream(7)) }, func(b []byte) int { return len(b) - 1 }},
		"jxl":       {func() ([]byte, error) { return build.SignedJXL(m, []byte{0xFF, 0x0A, 0x07}) }, func(b []byte) int { return len(b) - 1 }},
		"boxes.jxl": {func() ([]byte, error) { return build.SignedJXLBoxes(m, []byte{0xFF, 0x0A, 0x07}) }, func(b []byte) int { return len(b) - 1 }},
	}
	for ext, f := range formats {
		b, err := f.sign()
		require.NoError(t, err, ext)
		files["intact."+ext] = diffFile{data: b}
		files["asset-altered."+ext] = diffFile{data: flip(b, f.at(b))}
		if ext != "svg" { // the store is base64 there
			files["signature-altered."+ext] = diffFile{data: flip(b, storeEnd(t, b)-10)}
		}
	}

	add("intact.otf", must(build.SignedFont(m, "font name 7")))

	intact := files["intact.jpg"].data
	add("assertion-edited.jpg", replaceOnce(t, intact, "trainedAlgorithmicMedia", "algorithmicallyEnhanced"))
	add("claim-edited.jpg", replaceOnce(t, intact, "signer test", "signer TEST"))

	// Ingredients: intact, its claim edited, its manifest gone, its
	// AI-origin statement edited.
	ing := aiManifest()
	ing.Signer, ing.Label, ing.Generator = pki, "urn:c2pa:00000000-0000-4000-8000-0000000000aa", "ingredient maker"
	withIngredient := build.Manifest{Signer: pki, Generator: "editor", Action: "c2pa.opened",
		DigitalSourceType: "http://cv.iptc.org/newscodes/digitalsourcetype/compositeWithTrainedAlgorithmicMedia", SoftwareAgent: "Editor", Ingredient: &ing}
	b := must(build.SignedJPEG(jpg, withIngredient))
	add("ingredient.jpg", b)
	add("ingredient-claim-edited.jpg", replaceOnce(t, b, "ingredient maker", "ingredient MAKER"))
	add("ingredient-missing.jpg", replaceOnce(t, b, ing.Label+"\x00", "urn:c2pa:00000000-0000-4000-8000-0000000000bb\x00"))
	add("ingredient-assertion-edited.jpg", replaceOnce(t, b, "trainedAlgorithmicMedia", "algorithmicallyEnhanced"))

	// Actions that must name an ingredient: c2pa.opened naming none, and
	// c2pa.placed naming a parentOf one (placing takes a componentOf).
	opened := m
	opened.Action = "c2pa.opened"
	add("opened-without-ingredient.jpg", must(build.SignedJPEG(jpg, opened)))
	placed := withIngredient
	placed.Action = "c2pa.placed"
	add("placed-parent-ingredient.jpg", must(build.SignedJPEG(jpg, placed)))

	// The certificate's validity: expired when signed, and expired since a
	// time-stamped signature.
	expired, err := build.NewPKIWithEKU("Expired", 22, time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC), oidEmailProtection)
	require.NoError(t, err)
	em := m
	em.Signer = expired
	add("certificate-expired.jpg", must(build.SignedJPEG(jpg, em)))
	em.TimeStamp, err = expired.NewTSA(time.Date(2020, 6, 1, 12, 0, 0, 0, time.UTC))
	require.NoError(t, err)
	add("certificate-expired-time-stamped.jpg", must(build.SignedJPEG(jpg, em)))

	// The C2PA claim-signing EKU alone (the generated testdata's signer).
	cm := m
	cm.Signer = nil
	add("claim-signing-eku.jpg", must(build.SignedJPEG(jpg, cm)))

	// Trust: the signer's root as anchor, and another CA's root.
	anchors, err := trust.Default().WithAnchors(pki.RootPEM())
	require.NoError(t, err)
	files["anchored.jpg"] = diffFile{data: intact, lim: Limits{Trust: anchors}, anchored: true}
	other, err := build.NewPKI("Other", 23, time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2045, 1, 1, 0, 0, 0, 0, time.UTC))
	require.NoError(t, err)
	otherAnchors, err := trust.Default().WithAnchors(other.RootPEM())
	require.NoError(t, err)
	files["other-anchor.jpg"] = diffFile{data: intact, lim: Limits{Trust: otherAnchors}}

	// Other digital source types and training-mining entries, CAWG's too.
	tm := m
	tm.DigitalSourceType, tm.TrainingUse = "http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture", "allowed"
	tm.Extra = map[string]any{"cawg.training-mining": map[string]any{"entries": map[string]any{
		"cawg.ai_inference":           map[string]any{"use": "constrained", "constraint_info": "ask first"},
		"cawg.data_mining":            map[string]any{"use": "notAllowed"},
		"cawg.ai_generative_training": map[string]any{"use": "allowed"},
	}}}
	add("capture-training-allowed.jpg", must(build.SignedJPEG(jpg, tm)))
	return files
}

// storeEnd is where the manifest store of b ends: the first jumb superbox
// is the store, and its last bytes are the active manifest's signature.
func storeEnd(t *testing.T, b []byte) int {
	t.Helper()
	i := bytes.Index(b, []byte("jumb")) - 4
	require.GreaterOrEqual(t, i, 0)
	return i + int(binary.BigEndian.Uint32(b[i:]))
}

// disagreements lists where aiaudit's reading of a file differs from the
// reference's report: presence, the validation state, the failure codes
// of the active manifest and of its ingredients, the digital source types
// and the training-mining entries.
func disagreements(ref refreader.Report, res *Result, anchored bool) []string {
	var out []string
	differ := func(what string, want, got any) {
		out = append(out, what+": reference "+jsonOf(want)+", aiaudit "+jsonOf(got))
	}
	p := res.Provenance
	refPresent := ref.OK && len(ref.Store.Manifests) > 0
	if !refPresent || p.C2PA != detectors.C2PAPresent {
		differ("presence (reference error "+ref.Error+")", refPresent, p.C2PA)
		return out
	}
	v := p.Validation
	if v == nil {
		return append(out, "aiaudit has no validation for a present manifest")
	}
	wantState := map[string]detectors.ValidationState{"Valid": detectors.ValidationValid, "Trusted": detectors.ValidationTrusted}[ref.Store.State]
	if wantState == "" {
		wantState = detectors.ValidationInvalid
	}
	if anchored && wantState == detectors.ValidationValid {
		wantState = detectors.ValidationTrusted
	}
	if v.State != wantState {
		differ("state", ref.Store.State, v.State)
	}
	// The reference knows no test CA: it calls every signer here
	// untrusted; so does aiaudit, unless it was given the root.
	refActive := referenceCodes(ref.Store.Results.ActiveManifest)
	var refIngredients []string
	for _, d := range ref.Store.Results.IngredientDeltas {
		refIngredients = append(refIngredients, referenceCodes(d.Deltas)...)
	}
	if anchored {
		untrusted := func(c string) bool { return c == "signingCredential.untrusted" }
		refActive, refIngredients = slices.DeleteFunc(refActive, untrusted), slices.DeleteFunc(refIngredients, untrusted)
	}
	gotActive, gotIngredients := placedAsReference(v)
	if !sameSet(refActive, gotActive) {
		differ("active manifest's failure codes", refActive, gotActive)
	}
	if !sameSet(refIngredients, gotIngredients) {
		differ("ingredients' failure codes", uniqueSorted(refIngredients), uniqueSorted(gotIngredients))
	}
	refDST, refTM := referenceStatements(ref)
	var gotDST []string
	for _, d := range p.DigitalSourceTypes {
		gotDST = append(gotDST, shortDST(d))
	}
	if !sameSet(refDST, gotDST) {
		differ("digital source types", uniqueSorted(refDST), uniqueSorted(gotDST))
	}
	if gotTM := trainingEntries(res); !sameSet(refTM, gotTM) {
		differ("training-mining entries", uniqueSorted(refTM), uniqueSorted(gotTM))
	}
	return out
}

// oracleDrift lists where the reference reader no longer reports what
// expected.json says it did: presence (or the error it rejects the file
// with), and for a manifest its count, the validation state, the active
// manifest's failure codes (trust left out: expected.json has none), the
// digital source types and the training-mining entries.
func oracleDrift(want referenceVerdict, got refreader.Report) []string {
	var out []string
	differ := func(what string, want, got any) {
		out = append(out, what+": expected.json "+jsonOf(want)+", reference now "+jsonOf(got))
	}
	if want.PeerRejects != "" {
		if got.Error != want.PeerRejects {
			differ("rejection", want.PeerRejects, got.Error)
		}
		return out
	}
	presence := "absent"
	switch {
	case got.OK && len(got.Store.Manifests) > 0:
		presence = "embedded"
	case strings.HasPrefix(got.Error, "C2pa(RemoteManifestUrl("):
		presence = "remote"
	case strings.HasPrefix(got.Error, "C2pa(JumbfParseError("):
		presence = "embedded_malformed"
	}
	if presence != want.C2PA {
		differ("presence (error "+got.Error+")", want.C2PA, presence)
	}
	if presence != "embedded" {
		return out
	}
	if n := len(got.Store.Manifests); n != want.ManifestCount {
		differ("manifests", want.ManifestCount, n)
	}
	if got.Store.State != want.State {
		differ("state", want.State, got.Store.State)
	}
	failures := slices.DeleteFunc(referenceCodes(got.Store.Results.ActiveManifest), func(c string) bool { return strings.HasSuffix(c, ".untrusted") })
	if !sameSet(want.Failures, failures) {
		differ("failure codes", want.Failures, failures)
	}
	dsts, training := referenceStatements(got)
	if !sameSet(want.DSTAll, dsts) {
		differ("digital source types", want.DSTAll, uniqueSorted(dsts))
	}
	var wantTM []string
	for _, e := range want.TrainingMining {
		wantTM = append(wantTM, e.Assertion+" "+e.Key+" "+e.Use)
	}
	if !sameSet(wantTM, training) {
		differ("training-mining entries", uniqueSorted(wantTM), uniqueSorted(training))
	}
	return out
}

// referenceStatements are the digital source types (shortened) and the
// training-mining entries ("assertion key use") of every manifest in the
// reference's report.
func referenceStatements(ref refreader.Report) (dsts, training []string) {
	for _, m := range ref.Store.Manifests {
		for _, a := range m.Assertions {
			switch {
			case strings.HasPrefix(a.Label, "c2pa.actions"):
				var actions struct {
					Actions []struct {
						DST string `json:"digitalSourceType"`
					} `json:"actions"`
				}
				if json.Unmarshal(a.Data, &actions) == nil {
					for _, act := range actions.Actions {
						if act.DST != "" {
							dsts = append(dsts, shortDST(act.DST))
						}
					}
				}
			case strings.HasSuffix(a.Label, "training-mining"):
				var tm struct {
					Entries map[string]struct {
						Use string `json:"use"`
					} `json:"entries"`
				}
				if json.Unmarshal(a.Data, &tm) == nil {
					for key, e := range tm.Entries {
						training = append(training, a.Label+" "+key+" "+e.Use)
					}
				}
			}
		}
	}
	return dsts, training
}

// placedAsReference splits aiaudit's failure codes (and its
// signingCredential.untrusted, a failure code for the reference) as the
// reference places them: an ingredient's own codes, and the
// ingredient.manifest codes, go to the delta of the ingredient assertion
// (a missing ingredient manifest also to the active manifest); the rest
// to the active manifest. aiaudit gives the ingredient.manifest codes to
// the active manifest, whose assertion refers to the ingredient.
func placedAsReference(v *detectors.Validation) (active, ingredients []string) {
	for _, c := range v.Codes {
		if !c.Failure && c.Code != "signingCredential.untrusted" {
			continue
		}
		switch {
		case c.Manifest != v.ActiveManifest || c.Code == "ingredient.manifest.mismatch":
			ingredients = append(ingredients, c.Code)
		case c.Code == "ingredient.manifest.missing":
			active, ingredients = append(active, c.Code), append(ingredients, c.Code)
		default:
			active = append(active, c.Code)
		}
	}
	return active, ingredients
}

// referenceCodes are the failure codes of one manifest in the reference's
// report, each once.
func referenceCodes(s refreader.Statuses) []string {
	var out []string
	for _, f := range s.Failure {
		out = append(out, f.Code)
	}
	return uniqueSorted(out)
}

func sameSet(a, b []string) bool {
	return slices.Equal(uniqueSorted(slices.Clone(a)), uniqueSorted(slices.Clone(b)))
}

func jsonOf(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
