// Package browser finds the Chromium that renders pages (crawl --render),
// prints the PDF report and, in tests, converts images: one search for
// every use.
package browser

import (
	"errors"
	"fmt"
	"os/exec"
)

// Names are the names a Chromium is found by on PATH.
var Names = []string{"chromium", "chromium-browser", "google-chrome"}

// ErrNotFound is wrapped by the error of a machine without Chromium.
var ErrNotFound = errors.New("no Chromium browser found: install Debian's chromium package (apt-get install chromium) or give its path with --browser")

// Find returns the Chromium binary: path when given, else the first of
// Names on PATH.
func Find(path string) (string, error) {
	if path != "" {
		p, err := exec.LookPath(path)
		if err != nil {
			return "", fmt.Errorf("--browser %s: %w", path, err)
		}
		return p, nil
	}
	for _, name := range Names {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", ErrNotFound
}
