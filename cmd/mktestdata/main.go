// Command mktestdata writes the project's own small fixtures into testdata/
// (media samples, the crawl test site's images). They are generated, not copied from anywhere, so every byte
// is known:
//
//	go run ./cmd/mktestdata            # rewrite testdata/
//	go run ./cmd/mktestdata -check     # fail if testdata/ is stale
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/aiaudit/aiaudit/cmd/mktestdata/build"
)

func main() {
	dir := flag.String("dir", "testdata", "output folder")
	check := flag.Bool("check", false, "compare instead of writing; exit 1 when a file differs")
	flag.Parse()
	files, err := build.Tree()
	if err != nil {
		fmt.Fprintln(os.Stderr, "mktestdata:", err)
		os.Exit(2)
	}
	stale := 0
	for _, f := range files {
		p := filepath.Join(*dir, f.Name)
		if *check {
			old, err := os.ReadFile(p)
			if err != nil || !bytes.Equal(old, f.Data) {
				fmt.Fprintln(os.Stderr, "stale:", p)
				stale++
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			fmt.Fprintln(os.Stderr, "mktestdata:", err)
			os.Exit(2)
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "mktestdata:", err)
			os.Exit(2)
		}
	}
	if stale > 0 {
		os.Exit(1)
	}
}
