// Package refreader runs the C2PA reference reader (c2pa-rs compiled to
// WebAssembly, npm package @contentauth/c2pa-wasm) over files, as the oracle
// of differential tests. ../shared/tools/c2pa-reference holds its pinned
// package.json and read.mjs; .ci/run copies them to a temporary folder and
// installs them from the npm registry before the tests run.
package refreader

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// Reader is an installed reference reader.
type Reader struct{ dir string }

// EnvDir names the folder where the reference reader is installed: a copy of
// ../shared/tools/c2pa-reference after `npm install`. `go test` reaches no
// network (DESIGN.md: the suite is hermetic), so the install is done before
// the tests, by .ci/run or by hand (README), as for the SARIF schema.
const EnvDir = "AIAUDIT_C2PA_REFERENCE"

// Install returns the reference reader installed in $AIAUDIT_C2PA_REFERENCE.
// Without it, or without node, the test is skipped, except under CI=true,
// where .ci/run installs both and their absence fails the test (as the
// browser tests do without Chromium).
func Install(t testing.TB) *Reader {
	t.Helper()
	if _, err := exec.LookPath("node"); err != nil {
		unavailable(t, "no node on the machine: install Debian's nodejs to run the differential test")
	}
	dir := os.Getenv(EnvDir)
	if dir == "" {
		unavailable(t, "%s is not set: install the reference reader as the README says (a differential test, under C2PA validation) and point it there", EnvDir)
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "@contentauth", "c2pa-wasm")); err != nil {
		t.Fatalf("%s=%s holds no installed reference reader (run npm install there): %v", EnvDir, dir, err)
	}
	return &Reader{dir: dir}
}

func unavailable(t testing.TB, format string, args ...any) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf(format+" (CI=true: .ci/run installs nodejs and the reader)", args...)
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
