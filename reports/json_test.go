package reports

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aiaudit/aiaudit/detectors"
	"github.com/aiaudit/aiaudit/reports/model"
	"github.com/aiaudit/aiaudit/reports/rules"
)

func yes() *bool { b := true; return &b }

func render(t *testing.T, format string, rs []model.Resource) string {
	t.Helper()
	var buf bytes.Buffer
	w, err := NewWriter(format, &buf, Options{})
	require.NoError(t, err)
	rep := &model.Report{Schema: model.Schema, Tool: model.Tool{Name: "aiaudit", Version: "test"}, Scan: model.Scan{Command: "files", Targets: []string{"x"}, Started: time.Unix(0, 0).UTC()}}
	require.NoError(t, w.Begin(rep))
	for _, r := range rs {
		fs := rules.Set{}.Resource(r)
		rep.Summary.Count(r, fs)
		require.NoError(t, w.Resource(r, fs))
	}
	rep.Scan.Complete = true
	require.NoError(t, w.End(rep))
	return buf.String()
}

func sample() []model.Resource {
	return []model.Resource{
		{Location: "a.png", Kind: "image", MediaType: "image/png", AIGenerated: true,
			AIEvidence:     []detectors.Evidence{{Detector: "generator", Generator: "ComfyUI"}},
			TrainingOptOut: new(bool), Provenance: &detectors.Provenance{C2PA: "absent", Metadata: "present"}},
		{Location: "b.jpg", Kind: "image", MediaType: "image/jpeg", AIGenerated: true,
			AIEvidence:     []detectors.Evidence{{Detector: "c2pa", Generator: "Firefly"}},
			Labelled:       model.Labelled{MachineReadable: true, Evidence: []detectors.Evidence{{Detector: "c2pa"}}},
			TrainingOptOut: yes(), OptOutEvidence: []detectors.OptOut{{Signal: "c2pa.training-mining", Verdict: detectors.Reserved, Agent: "c2pa.ai_training"}},
			Provenance: &detectors.Provenance{C2PA: "present", Binding: "mismatch", Metadata: "present"}},
		{Location: "c.bin", Kind: "other", MediaType: "application/octet-stream", Error: "permission denied"},
	}
}

func TestJSONStreamIsOneDocument(t *testing.T) {
	out := render(t, "json", sample())
	var rep model.Report
	require.NoError(t, json.Unmarshal([]byte(out), &rep), out)
	assert.Equal(t, model.Schema, rep.Schema)
	require.Len(t, rep.Resources, 3)
	assert.Equal(t, "b.jpg", rep.Resources[1].Location)
	assert.Nil(t, rep.Resources[2].TrainingOptOut, "an error is unknown, never allowed")
	got := []string{}
	for _, f := range rep.Findings {
		got = append(got, f.Rule)
	}
	assert.Equal(t, []string{rules.AIUnmarked, rules.AIMarked, rules.BindingMismatch, rules.TrainingReserved}, got)
	assert.Equal(t, 3, rep.Summary.Resources)
	assert.Equal(t, 1, rep.Summary.Errors)
	assert.Equal(t, 1, rep.Summary.AIUnmarked)
	assert.Equal(t, model.SeverityWarning, rep.Summary.Highest())
	assert.True(t, rep.Scan.Complete)
	assert.NotNil(t, rep.Sites)
	assert.NotNil(t, rep.Exposure)
}

func TestJSONEmptyScan(t *testing.T) {
	var rep map[string]any
	require.NoError(t, json.Unmarshal([]byte(render(t, "json", nil)), &rep))
	assert.Equal(t, []any{}, rep["resources"])
	assert.Equal(t, []any{}, rep["findings"])
}

func TestTable(t *testing.T) {
	out := render(t, "table", sample())
	assert.Contains(t, out, "ComfyUI")
	assert.Contains(t, out, "error: permission denied")
	assert.Contains(t, out, "AI-made: 2 (without machine-readable marking: 1)")
	assert.Contains(t, out, "warning 2")
	assert.Contains(t, out, "MISMATCH", "a manifest that does not match its bytes stands out")
}

func TestUnknownFormat(t *testing.T) {
	_, err := NewWriter("xml", &bytes.Buffer{}, Options{})
	assert.ErrorContains(t, err, "accepted")
}

func TestSeverityRank(t *testing.T) {
	assert.Greater(t, model.SeverityViolation.Rank(), model.SeverityWarning.Rank())
	assert.Greater(t, model.SeverityWarning.Rank(), model.SeverityInfo.Rank())
	assert.Equal(t, 0, model.Severity("bogus").Rank())
}

// The JSON writer streams resources and findings and writes the rest of
// the report by hand; every field of the report must reach the document.
// A field added to model.Report without a line in the writer fails here.
func TestJSONStreamKeepsEveryReportField(t *testing.T) {
	rs := sample()
	fs := rules.Set{}.Resource(rs[1])
	rep := &model.Report{Schema: model.Schema, Tool: model.Tool{Name: "aiaudit", Version: "test"},
		Scan:      model.Scan{Command: "files", Targets: []string{"x"}, Started: time.Unix(0, 0).UTC(), Complete: true},
		Resources: rs[1:2], Findings: fs, Sites: []model.Site{{Origin: "https://a.kz"}},
		Exposure: []model.Exposure{{Jurisdiction: "KZ", Article: "456.2"}}, Changes: &model.Changes{Scan: 2, New: 1},
		Baseline: &model.BaselineUse{File: "b.yaml"}, Disclaimer: "not legal advice", Profile: &model.CompanyProfile{Jurisdiction: "kz"},
		Basis: &model.ExposureBasis{Year: 2026}, Lang: "ru"}
	rep.Summary.Count(rs[1], fs)
	v := reflect.ValueOf(*rep)
	for i := range v.NumField() {
		require.False(t, v.Field(i).IsZero(), "set model.Report.%s in this test", v.Type().Field(i).Name)
	}
	var buf bytes.Buffer
	w, err := NewWriter("json", &buf, Options{})
	require.NoError(t, err)
	require.NoError(t, w.Begin(rep))
	require.NoError(t, w.Resource(rs[1], fs))
	require.NoError(t, w.End(rep))
	var streamed, whole map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(buf.Bytes(), &streamed), buf.String())
	b, err := json.Marshal(rep)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &whole))
	for k, want := range whole {
		assert.JSONEq(t, string(want), string(streamed[k]), k)
	}
	assert.Len(t, streamed, len(whole))
}

// withThumbnail is a resource whose thumbnail and other strings are given,
// with every other field filled, so the mark has neighbours on both sides.
func withThumbnail(location, thumbnail, note string) model.Resource {
	r := sample()[1]
	r.Location, r.Thumbnail, r.Notes = location, thumbnail, []string{note}
	return r
}

// The resource is written as json.MarshalIndent writes it, byte for byte,
// whatever its thumbnail and its other strings hold: the mark's text in a
// location or note, characters JSON escapes, no thumbnail at all.
func TestIndentResourceIsMarshalIndent(t *testing.T) {
	for _, r := range []model.Resource{
		withThumbnail("a.jpg", "data:image/jpeg;base64,/9j/4AAQSkZJRg+/==", "stripped"),
		withThumbnail("a.jpg", "", "no thumbnail"),
		withThumbnail("x\n      \"thumbnail\": \"\\u0000thumbnail\"", "data:<&>\"\u2028é\x00thumbnail", thumbnailMark),
		withThumbnail(thumbnailMark, thumbnailMark, "\n      \"thumbnail\": \"\\u0000thumbnail\""),
		{Location: "bare.png", Thumbnail: "data:image/jpeg;base64,AAAA"},
	} {
		want, err := json.MarshalIndent(r, "    ", "  ")
		require.NoError(t, err)
		got, err := indentResource(r)
		require.NoError(t, err)
		assert.Equal(t, string(want), string(got))
	}
}

func FuzzIndentResource(f *testing.F) {
	f.Add("a.jpg", "data:image/jpeg;base64,/9j/", "note")
	f.Add(thumbnailMark, thumbnailMark, thumbnailKey)
	f.Fuzz(func(t *testing.T, location, thumbnail, note string) {
		r := withThumbnail(location, thumbnail, note)
		want, err := json.MarshalIndent(r, "    ", "  ")
		require.NoError(t, err)
		got, err := indentResource(r)
		require.NoError(t, err)
		if !bytes.Equal(want, got) {
			t.Fatalf("differs from MarshalIndent:\n%s\n%s", want, got)
		}
	})
}

// BenchmarkIndentResource is one AI-made image's resource with its
// thumbnail (3 KB of base64), as the JSON report writes each.
func BenchmarkIndentResource(b *testing.B) {
	r := withThumbnail("corpus/d000/f000001.jpg", "data:image/jpeg;base64,"+strings.Repeat("/9j/4AAQSkZJRgABAQAAAQABAAD", 110), "")
	b.Run("splice", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := indentResource(r); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("MarshalIndent", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := json.MarshalIndent(r, "    ", "  "); err != nil {
				b.Fatal(err)
			}
		}
	})
}
