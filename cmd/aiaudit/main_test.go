package main

import (
	"fmt"
	"os"
	"testing"

	"github.com/aiaudit/aiaudit/reports/i18n"
)

// TestMain keeps the commands' history and config inside a temporary
// directory (tests never read or write the user's real ones) and the
// locale fixed.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "aiaudit-test-home-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	os.Setenv("XDG_DATA_HOME", dir+"/data")
	os.Setenv("XDG_CONFIG_HOME", dir+"/config")
	os.Unsetenv("AIAUDIT_CONFIG")
	// The reports' language comes from the locale: tests read English
	// unless they ask for another with --lang.
	os.Unsetenv("LC_ALL")
	os.Unsetenv("LC_MESSAGES")
	os.Setenv("LANG", "C.UTF-8")
	code := m.Run()
	// Every text the commands asked to have translated, on stderr or in a
	// report, has a catalogue entry: a line added in English only fails.
	if missing := i18n.Misses(); code == 0 && len(missing) > 0 {
		fmt.Fprintf(os.Stderr, "texts no catalogue holds (add them to reports/i18n/locales/*.json): %q\n", missing)
		code = 1
	}
	os.RemoveAll(dir)
	os.Exit(code)
}
