package generators

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aiaudit/aiaudit/detectors/container"
	"github.com/aiaudit/aiaudit/detectors/exif"
	fixtures "github.com/aiaudit/aiaudit/detectors/testfixtures"
)

// Every row ships with samples that must and must not match: a row cannot be
// added without both.
func TestEveryRowHasPassingSamples(t *testing.T) {
	tab := Default()
	require.NotEmpty(t, tab.Listed)
	for _, r := range tab.Rows {
		require.NotEmpty(t, r.Samples.Match, "%s has no positive sample", r.ID)
		require.NotEmpty(t, r.Samples.NoMatch, "%s has no negative sample", r.ID)
		single := &Table{Rows: []Row{r}}
		for _, s := range r.Samples.Match {
			assert.Len(t, single.Detect(s), 1, "%s should match %v", r.ID, s)
		}
		for _, s := range r.Samples.NoMatch {
			assert.Empty(t, single.Detect(s), "%s should not match %v", r.ID, s)
		}
	}
}

func TestLoadRejectsBadTables(t *testing.T) {
	for name, js := range map[string]string{
		"bad json":   `{`,
		"no id":      `{"rows":[{"generator":"x","all":[{"source":"exif","key":"k","pattern":"."}]}]}`,
		"dup id":     `{"rows":[{"id":"a","generator":"x","all":[{"source":"exif","key":"k","pattern":"."}]},{"id":"a","generator":"y","all":[{"source":"exif","key":"k","pattern":"."}]}]}`,
		"bad regexp": `{"rows":[{"id":"a","generator":"x","all":[{"source":"exif","key":"k","pattern":"("}]}]}`,
		"no cond":    `{"rows":[{"id":"a","generator":"x","all":[]}]}`,
		"no name":    `{"rows":[{"id":"a","all":[{"source":"exif","key":"k","pattern":"."}]}]}`,
	} {
		_, err := Load([]byte(js))
		assert.Error(t, err, name)
	}
}

func TestSupersedes(t *testing.T) {
	got := Detect([]Field{
		{Source: "exif", Key: "Artist", Value: "ai"},
		{Source: "exif", Key: "Software", Value: "56c0ca36-7be1-4bce-a593-949f3ae4322e"},
		{Source: "exif", Key: "UserComment", Value: "x\nSteps: 20, Sampler: Euler a, Seed: 5"},
	})
	require.Len(t, got, 1)
	assert.Equal(t, "Civitai (A1111-style infotext)", got[0].Generator)
	assert.Equal(t, "civitai", got[0].Rule)
}

func TestKeysAreCaseInsensitive(t *testing.T) {
	got := Detect([]Field{{Source: "png-text", Key: "Parameters", Value: "x\nSteps: 20, Sampler: Euler a"}})
	require.Len(t, got, 1)
	assert.Contains(t, got[0].Detail, `png-text "Parameters"`)
}

// fieldsOf extracts what the media analysis feeds the matcher.
func fieldsOf(t *testing.T, name string) []Field {
	b := fixtures.Read(t, "media", name)
	bl, err := container.Read(bytes.NewReader(b), int64(len(b)), container.Limits{})
	require.NoError(t, err)
	var out []Field
	for _, e := range bl.Text {
		out = append(out, Field{Source: "png-text", Key: e.Key, Value: e.Value})
	}
	for _, blk := range bl.EXIF {
		f, _ := exif.Parse(blk.Data)
		for k, v := range map[string]string{"Software": f.Software, "Artist": f.Artist, "Make": f.Make, "ImageDescription": f.ImageDescription, "UserComment": f.UserComment} {
			if v != "" {
				out = append(out, Field{Source: "exif", Key: k, Value: v})
			}
		}
	}
	return out
}

func TestSharedFixtures(t *testing.T) {
	for name, want := range map[string]string{
		"sd_a1111_parameters.png":        "AUTOMATIC1111 Stable Diffusion web UI",
		"sd_a1111_usercomment.jpg":       "AUTOMATIC1111 Stable Diffusion web UI",
		"sd_a1111_usercomment.webp":      "AUTOMATIC1111 Stable Diffusion web UI",
		"sd_civitai.jpg":                 "Civitai (A1111-style infotext)",
		"sd_comfyui_prompt_workflow.png": "ComfyUI",
		"sd_comfyui_exif.webp":           "ComfyUI (save-image-extended node)",
		"sd_invokeai_metadata.png":       "InvokeAI",
		"sd_invokeai_legacy_sdmeta.png":  "InvokeAI (legacy 2.x)",
		"sd_novelai.png":                 "NovelAI",
		"sd_fooocus.png":                 "Fooocus",
	} {
		got := Detect(fieldsOf(t, name))
		require.NotEmpty(t, got, name)
		for _, m := range got {
			assert.Equal(t, want, m.Generator, "%s: %s", name, m.Rule)
		}
	}
	for _, name := range []string{"sd_resaved_gimp_stripped.webp", "plain_photo_exif.jpg", "plain_camera_tiny.jpg", "c2pa_firefly_photoshop.jpg"} {
		assert.Empty(t, Detect(fieldsOf(t, name)), name)
	}
}

func TestHugeValueIsBounded(t *testing.T) {
	v := strings.Repeat("x", 4<<20) + "Steps: 20, Sampler: a"
	assert.Empty(t, Detect([]Field{{Source: "png-text", Key: "parameters", Value: v}}), "only the first 256 KiB are scanned")
}
