package main

import (
	"fmt"
	"os"
	"testing"
)

// TestMain keeps the commands' history and config inside a temporary
// directory: tests never read or write the user's real ones.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "aiaudit-test-home-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	os.Setenv("XDG_DATA_HOME", dir+"/data")
	os.Setenv("XDG_CONFIG_HOME", dir+"/config")
	os.Unsetenv("AIAUDIT_CONFIG")
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}
