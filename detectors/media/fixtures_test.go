package media

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	fixtures "github.com/aiaudit/aiaudit/detectors/testfixtures"
)

// expectation is one entry of ../shared/fixtures/media/expected.json.
type expectation struct {
	C2PA              bool     `json:"c2pa"`
	AIGenerated       bool     `json:"ai_generated"`
	DigitalSourceType string   `json:"digital_source_type"`
	Generator         string   `json:"generator"`
	TrainingOptOut    bool     `json:"training_opt_out"`
	C2PAStatus        string   `json:"c2pa_status"`
	ClaimGenerator    string   `json:"claim_generator"`
	AllDSTs           []string `json:"all_digital_source_types"`
}

// TestSharedMediaFixtures runs every real file made by other tools through the
// full media analysis and compares with the answers in expected.json.
func TestSharedMediaFixtures(t *testing.T) {
	dir := fixtures.Dir(t, "media")
	raw, err := os.ReadFile(filepath.Join(dir, "expected.json"))
	require.NoError(t, err)
	var want map[string]expectation
	require.NoError(t, json.Unmarshal(raw, &want))
	require.Len(t, want, 37)

	for name, exp := range want {
		t.Run(name, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join(dir, name))
			require.NoError(t, err)
			res, err := FromBytes(b, Limits{})
			require.NoError(t, err)
			p := res.Provenance

			assert.Equal(t, exp.AIGenerated, res.AIGenerated, "ai_generated; evidence=%v notes=%v", res.AIEvidence, res.Notes)
			assert.Equal(t, exp.TrainingOptOut, res.TrainingOptOut, "training_opt_out; %v", res.OptOuts)
			status := exp.C2PAStatus
			if status == "" {
				status = map[bool]string{true: "present", false: "absent"}[exp.C2PA]
			}
			assert.EqualValues(t, status, p.C2PA, "c2pa status; notes=%v", res.Notes)
			assert.Equal(t, exp.DigitalSourceType, strings.TrimSpace(p.DigitalSourceType), "digital_source_type")
			if exp.AllDSTs != nil {
				assert.ElementsMatch(t, exp.AllDSTs, trimAll(p.DigitalSourceTypes), "all digital source types")
			}
			if exp.ClaimGenerator != "" {
				assert.True(t, sameTool(exp.ClaimGenerator, p.ClaimGenerator), "claim generator: want %q got %q", exp.ClaimGenerator, p.ClaimGenerator)
			}
			if exp.AIGenerated {
				assert.True(t, anyGeneratorMatches(exp.Generator, res), "generator: want %q, evidence %+v", exp.Generator, res.AIEvidence)
			} else {
				assert.Empty(t, res.AIEvidence)
			}
			// A machine-readable label is an AI digital source type in XMP or
			// C2PA; a generator's own parameters are not a label.
			if exp.AIGenerated {
				wantLabel := exp.C2PA || exp.DigitalSourceType != ""
				assert.Equal(t, wantLabel, res.MachineReadable, "machine-readable label")
			}
		})
	}
}

func trimAll(in []string) []string {
	out := make([]string, len(in))
	for i, s := range in {
		out[i] = strings.TrimSpace(s)
	}
	return out
}

// sameTool compares tool names the way the fixture notes spell them: the
// claim generator's product token (before a version or a library suffix),
// ignoring case and underscores.
func sameTool(want, got string) bool {
	norm := func(s string) string {
		return strings.ToLower(strings.NewReplacer("_", " ", "/", " ").Replace(s))
	}
	w, g := norm(want), norm(got)
	if w == g || strings.Contains(g, w) || strings.Contains(w, g) && g != "" {
		return true
	}
	head := strings.Fields(w)
	return len(head) > 0 && strings.HasPrefix(g, head[0])
}

// anyGeneratorMatches accepts a generator named in the evidence that shares a
// distinctive word with the expected name ("gpt-image 2.0" for "gpt-image 2.0
// (OpenAI)", "Created by Google Generative AI." for "Google generative AI").
func anyGeneratorMatches(want string, res *Result) bool {
	words := strings.FieldsFunc(strings.ToLower(want), func(r rune) bool {
		return r == ' ' || r == '(' || r == ')' || r == '/' || r == ','
	})
	for _, e := range res.AIEvidence {
		g := strings.ToLower(e.Generator)
		if g == "" {
			continue
		}
		if strings.EqualFold(e.Generator, want) {
			return true
		}
		for _, w := range words {
			if len(w) >= 4 && w != "image" && strings.Contains(g, w) {
				return true
			}
		}
	}
	return false
}
