package media

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/aiaudit/aiaudit/cmd/mktestdata/build"
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
		if res.MachineReadable != (len(res.LabelEvidence) > 0) {
			t.Fatalf("machine_readable=%v with %d evidence", res.MachineReadable, len(res.LabelEvidence))
		}
		if res.MediaType == "" || res.Kind == "" {
			t.Fatalf("empty media type or kind")
		}
	})
}
