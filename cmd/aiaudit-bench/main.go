// Command aiaudit-bench measures aiaudit against the tools its users would
// otherwise run, in the same run on the same inputs, and prints the ratios.
//
//	go run ./cmd/aiaudit-bench files --items 20000,100000
//	go run ./cmd/aiaudit-bench crawl --items 10000,100000,1000000
//
// "files" builds mixed media corpora (JPEG, PNG, MP4 with and without AI
// metadata, plain files, and large sparse videos), then runs `aiaudit files`
// and `exiftool` (reading the same tags) over them. "urls" vets a URL list
// spread over loopback hosts, beside a Python robotparser script; "crawl"
// crawls a generated loopback site, beside wget. Given several sizes, each
// prints how aiaudit's peak memory grows per item.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/aiaudit/aiaudit/reports/model"
)

func main() {
	if len(os.Args) < 2 || (os.Args[1] != "files" && os.Args[1] != "urls" && os.Args[1] != "crawl" && os.Args[1] != "workers") {
		fmt.Fprintln(os.Stderr, "usage: aiaudit-bench files [--items 20000,100000] [--dir DIR] [--aiaudit BIN] [--exiftool BIN] [--compare-upto N]\n       aiaudit-bench urls [--hosts 300] [--items 100000] [--dir DIR] [--aiaudit BIN] [--compare-upto N]\n       aiaudit-bench crawl [--items 10000] [--dir DIR] [--aiaudit BIN] [--wget BIN] [--compare-upto N]\n       aiaudit-bench workers [--hosts 300] [--urls 30000] [--workers 1,2,3] [--delay 0] [--dir DIR] [--aiaudit BIN]")
		os.Exit(2)
	}
	run := runFiles
	switch os.Args[1] {
	case "urls":
		run = runURLsBench
	case "crawl":
		run = runCrawlBench
	case "workers":
		run = runWorkersBench
	}
	if err := run(os.Args[2:]); err != nil {
		fmt.Fprintln(os.Stderr, "aiaudit-bench:", err)
		os.Exit(1)
	}
}

// exiftoolTags are the tags a user would ask exiftool for to answer the same
// questions: AI digital source type, generator parameters, opt-outs, C2PA.
var exiftoolTags = []string{
	"-XMP-iptcExt:DigitalSourceType", "-XMP-xmp:CreatorTool", "-XMP-plus:DataMining", "-XMP-dcterms:Provenance",
	"-ExifIFD:UserComment", "-IFD0:Software", "-IFD0:Artist",
	"-PNG:Parameters", "-PNG:Prompt", "-PNG:Workflow", "-JUMBF:All",
}

func runFiles(args []string) error {
	fs := flag.NewFlagSet("files", flag.ContinueOnError)
	sf := addSizeFlags(fs, "sizes", "20000,100000")
	dir := fs.String("dir", filepath.Join(os.TempDir(), "aiaudit-bench"), "where corpora are built (reused between runs)")
	bin := fs.String("aiaudit", "", "aiaudit binary (default: build ./cmd/aiaudit)")
	exiftool := fs.String("exiftool", "exiftool", "exiftool binary (Debian: libimage-exiftool-perl)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	sizes, err := sf.sizes()
	if err != nil {
		return err
	}
	if _, err := exec.LookPath(*exiftool); err != nil {
		return fmt.Errorf("exiftool not found (apt-get install libimage-exiftool-perl): %w", err)
	}
	if err := workspace(*dir, bin); err != nil {
		return err
	}
	ver, _ := exec.Command(*exiftool, "-ver").Output()
	fmt.Printf("exiftool %s", ver)

	fmt.Printf("%-8s %-22s %10s %12s %12s\n", "files", "tool", "seconds", "files/s", "peak RSS")
	g := growth{unit: "files"}
	for _, n := range sizes {
		corpusDir := filepath.Join(*dir, fmt.Sprintf("corpus-%d", n))
		wantAI, err := corpus(corpusDir, n, 1)
		if err != nil {
			return fmt.Errorf("build corpus: %w", err)
		}
		report := filepath.Join(*dir, fmt.Sprintf("aiaudit-%d.json", n))
		// One unmeasured pass first, so every measured run (exiftool's
		// too) finds the corpus in the page cache alike.
		if _, err := measure("warm-up", n, io.Discard, *bin, "files", corpusDir, "-f", "json", "-o", report, "--progress", "never", "--fail-on", "none", "--no-history"); err != nil {
			return err
		}
		// With history (what a user gets by default, into a scratch
		// database) and without it, to show what recording costs.
		a, err := measure("aiaudit", n, io.Discard, *bin, "files", corpusDir, "-f", "json", "-o", report, "--progress", "never", "--fail-on", "none", "--db", filepath.Join(*dir, "history.db"))
		if err != nil {
			return err
		}
		printRow(a)
		g.add(a)
		bare, err := measure("  same, --no-history", n, io.Discard, *bin, "files", corpusDir, "-f", "json", "-o", report, "--progress", "never", "--fail-on", "none", "--no-history")
		if err != nil {
			return err
		}
		printRow(bare)
		g.add(bare)
		if err := check(report, n, wantAI); err != nil {
			return err
		}
		if !sf.compare(n) {
			continue
		}
		out, err := os.Create(filepath.Join(*dir, fmt.Sprintf("exiftool-%d.json", n)))
		if err != nil {
			return err
		}
		eargs := append([]string{"-r", "-j", "-q", "-q", "-fast", "-G1"}, exiftoolTags...)
		e, err := measure("exiftool", n, out, *exiftool, append(eargs, corpusDir)...)
		out.Close()
		if err != nil {
			return err
		}
		printRow(e)
		g.add(e)
		fmt.Printf("%-8d ratio      aiaudit is %.1fx exiftool's files/s\n", n, a.filesPerSecond()/e.filesPerSecond())
	}
	return nil
}

// check is a sanity line: every file reported, and the AI-made ones found.
func check(path string, n, wantAI int) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	var rep struct {
		Summary model.Summary `json:"summary"`
	}
	if err := json.NewDecoder(f).Decode(&rep); err != nil {
		return fmt.Errorf("aiaudit report: %w", err)
	}
	fmt.Printf("%-8d check      %d resources, %d AI-made found of %d generated, %d errors\n", n, rep.Summary.Resources, rep.Summary.AIGenerated, wantAI, rep.Summary.Errors)
	if rep.Summary.Resources != n {
		return errors.New("aiaudit did not report every file")
	}
	return nil
}
