// Package refreader runs the C2PA reference reader (c2pa-rs compiled to
// WebAssembly, npm package @contentauth/c2pa-wasm) over files, as the oracle
// of differential tests. ../shared/tools/c2pa-reference holds its pinned
// package.json and read.mjs; they are copied to a temporary folder and
// installed from the npm registry once per Install.
package refreader

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	fixtures "github.com/aiaudit/aiaudit/detectors/testfixtures"
)

// Reader is an installed reference reader.
type Reader struct{ dir string }

// installTimeout bounds npm install: a registry that does not answer must
// not hang the test run.
const installTimeout = 5 * time.Minute

// Install copies the reference reader into a temporary folder of t and
// installs it with npm. Without node or npm, or when npm cannot install it
// (no registry), the test is skipped, except under CI=true, where .ci/run
// installs Node.js and npm and the failure fails the test (as the browser
// tests do without Chromium).
func Install(t testing.TB) *Reader {
	t.Helper()
	src := fixtures.ToolDir(t, "c2pa-reference")
	for _, tool := range []string{"node", "npm"} {
		if _, err := exec.LookPath(tool); err != nil {
			unavailable(t, "no %s on the machine: install Debian's nodejs and npm to run the differential test", tool)
		}
	}
	dir := t.TempDir()
	for _, name := range []string{"package.json", "read.mjs"} {
		b, err := os.ReadFile(filepath.Join(src, name))
		if err != nil {
			t.Fatalf("reference reader: %v", err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), installTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "npm", "install", "--no-audit", "--no-fund")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		unavailable(t, "npm install of the C2PA reference reader failed (is the npm registry reachable?): %v\n%s", err, out)
	}
	return &Reader{dir: dir}
}

func unavailable(t testing.TB, format string, args ...any) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf(format+" (CI=true: .ci/run installs nodejs and npm)", args...)
	}
	t.Skipf(format, args...)
}

// Report is what the reference says of one file.
type Report struct {
	OK    bool   `json:"ok"`
	Error string `json:"error"`
	Store struct {
		ActiveManifest string              `json:"active_manifest"`
		Manifests      map[string]Manifest `json:"manifests"`
		// State is Valid, Invalid or Trusted.
		State   string `json:"validation_state"`
		Results struct {
			ActiveManifest   Statuses `json:"activeManifest"`
			IngredientDeltas []struct {
				Deltas Statuses `json:"validationDeltas"`
			} `json:"ingredientDeltas"`
		} `json:"validation_results"`
	} `json:"json"`
}

// Manifest is one manifest of the reference's report, with the assertions
// a differential test compares.
type Manifest struct {
	Assertions []struct {
		Label string          `json:"label"`
		Data  json.RawMessage `json:"data"`
	} `json:"assertions"`
}

// Statuses are the status codes of one manifest, by kind.
type Statuses struct {
	Failure []Status `json:"failure"`
}

// Status is one validation status code.
type Status struct {
	Code        string `json:"code"`
	URL         string `json:"url"`
	Explanation string `json:"explanation"`
}

// Read runs the reference over every file under dir and returns its report
// per file, keyed by the path relative to dir (slash-separated).
func (r *Reader) Read(t testing.TB, dir string) map[string]Report {
	t.Helper()
	cmd := exec.Command("node", "read.mjs", dir)
	cmd.Dir = r.dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("reference reader over %s: %v\n%s", dir, err, stderr.Bytes())
	}
	var byPath map[string]Report
	if err := json.Unmarshal(out, &byPath); err != nil {
		t.Fatalf("reference reader output: %v", err)
	}
	rel := make(map[string]Report, len(byPath))
	for p, rep := range byPath {
		name, err := filepath.Rel(dir, p)
		if err != nil {
			t.Fatal(err)
		}
		rel[filepath.ToSlash(name)] = rep
	}
	return rel
}
