package media

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aiaudit/aiaudit/cmd/mktestdata/build"
	"github.com/aiaudit/aiaudit/detectors"
)

// FuzzAnalyze drives every media detector at once through hostile bytes: no
// panic, and verdicts always come with their evidence.
func FuzzAnalyze(f *testing.F) {
	files, err := build.All()
	if err != nil {
		f.Fatal(err)
	}
	for _, file := range files {
		f.Add(file.Data)
	}
	// Small shared fixtures make good seeds when they are present.
	if dir := os.Getenv("AIAUDIT_FIXTURES"); dir != "" {
		matches, _ := filepath.Glob(filepath.Join(dir, "media", "sd_*"))
		for _, m := range matches {
			if b, err := os.ReadFile(m); err == nil && len(b) < 64<<10 {
				f.Add(b)
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := FromBytes(data, Limits{})
		if err != nil {
			return
		}
		if res.AIGenerated != (len(res.AIEvidence) > 0) {
			t.Fatalf("ai_generated=%v with %d evidence", res.AIGenerated, len(res.AIEvidence))
		}
		reliable := 0
		for _, e := range res.LabelEvidence {
			if e.Strength != detectors.SignedInvalid {
				reliable++
			}
		}
		if res.MachineReadable != (reliable > 0) {
			t.Fatalf("machine_readable=%v with %d reliable label evidence", res.MachineReadable, reliable)
		}
		// A manifest that fails validation never lends its claims strength.
		if v := res.Provenance.Validation; v != nil && v.State == detectors.ValidationInvalid {
			for _, e := range res.AIEvidence {
				if e.Detector == "c2pa" && e.Strength != detectors.SignedInvalid && strings.Contains(e.Detail, "active manifest") {
					t.Fatalf("active-manifest evidence %q rated %s in an invalid store", e.Detail, e.Strength)
				}
			}
		}
		if res.MediaType == "" || res.Kind == "" {
			t.Fatalf("empty media type or kind")
		}
	})
}
