// Package browsertest gives tests the Chromium they need.
package browsertest

import (
	"os"
	"testing"

	"github.com/aiaudit/aiaudit/scanner/browser"
)

// Path returns the Chromium binary. Without one the test is skipped, except
// under CI=true, where .ci/run installs Debian's chromium and a missing
// browser fails the test.
func Path(t testing.TB) string {
	t.Helper()
	p, err := browser.Find("")
	if err == nil {
		return p
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("no chromium on the machine: .ci/run installs it (apt-get install chromium)")
	}
	t.Skip("no chromium: install Debian's chromium to run the browser tests")
	return ""
}
