// Command aiaudit-bench measures aiaudit against the tools its users would
// otherwise run, in the same run on the same inputs, and prints the ratios.
//
//	go run ./cmd/aiaudit-bench files --items 20000,100000
//	go run ./cmd/aiaudit-bench crawl --items 10000,100000,1000000
//
// "files" builds mixed media corpora (JPEG, PNG, MP4 with and without AI
// metadata, plain files, and large sparse videos), then runs `aiaudit files`
// and `exiftool` (reading the same tags) over them; "files --corpus mixed"
// adds the shared media and C2PA fixtures and signed images, so that C2PA
// validation is part of what is measured. "urls" vets a URL list
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
		fmt.Fprintln(os.Stderr, "usage: aiaudit-bench files [--items 20000,100000] [--corpus generated|mixed] [--fixtures DIR] [--dir DIR] [--aiaudit BIN] [--exiftool BIN] [--compare-upto N]\n       aiaudit-bench urls [--hosts 300] [--items 100000] [--dir DIR] [--aiaudit BIN] [--compare-upto N]\n       aiaudit-bench crawl [--items 10000] [--dir DIR] [--aiaudit BIN] [--wget BIN] [--compare-upto N]\n       aiaudit-bench workers [--hosts 300] [--urls 30000] [--workers 1,2,3] [--delay 0] [--dir DIR] [--aiaudit BIN]")
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
// questions: AI digital source type, generator parameters, opt-outs, C2PA
// (the JUMBF boxes and the CBOR of the assertions and claim, which exiftool
// decodes but does not validate).
var exiftoolTags = []string{
	"-XMP-iptcExt:DigitalSourceType", "-XMP-xmp:CreatorTool", "-XMP-plus:DataMining", "-XMP-dcterms:Provenance",
	"-ExifIFD:UserComment", "-IFD0:Software", "-IFD0:Artist",
	"-PNG:Parameters", "-PNG:Prompt", "-PNG:Workflow", "-JUMBF:All", "-CBOR:All",
}

func runFiles(args []string) error {
	fs := flag.NewFlagSet("files", flag.ContinueOnError)
	sf := addSizeFlags(fs, "sizes", "20000,100000")
	dir := fs.String("dir", filepath.Join(os.TempDir(), "aiaudit-bench"), "where corpora are built (reused between runs)")
	kind := fs.String("corpus", "generated", "generated: the project's generators alone; mixed: the shared media and C2PA fixtures plus generated files, a fifth of them signed by a few tools (test CAs, passed as --trust-anchors)")
	fixtures := fs.String("fixtures", filepath.Join("..", "shared", "fixtures"), "the shared fixtures folder (--corpus mixed)")
	bin := fs.String("aiaudit", "", "aiaudit binary (default: build ./cmd/aiaudit)")
	exiftool := fs.String("exiftool", "exiftool", "exiftool binary (Debian: libimage-exiftool-perl)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *kind != "generated" && *kind != "mixed" {
		return fmt.Errorf("--corpus %q: want generated or mixed", *kind)
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

	fmt.Printf("%-8s %-22s %10s %12s %12s %12s\n", "files", "tool", "seconds", "files/s", "peak RSS", "CPU seconds")
	g := growth{unit: "files"}
	for _, n := range sizes {
		corpusDir := filepath.Join(*dir, fmt.Sprintf("corpus-%d", n))
		var extra []string
		var wantAI int
		if *kind == "mixed" {
			corpusDir = filepath.Join(*dir, fmt.Sprintf("corpus-mixed-%d", n))
			anchors := corpusDir + ".anchors.pem" // beside the corpus, not in it
			wantAI, err = mixedCorpus(corpusDir, *fixtures, anchors, n, 1)
			extra = []string{"--trust-anchors", anchors}
		} else {
			wantAI, err = corpus(corpusDir, n, 1)
		}
		if err != nil {
			return fmt.Errorf("build corpus: %w", err)
		}
		report := filepath.Join(*dir, fmt.Sprintf("aiaudit-%d.json", n))
		scan := func(more ...string) []string {
			return append(append([]string{"files", corpusDir, "-f", "json", "-o", report, "--progress", "never", "--fail-on", "none"}, extra...), more...)
		}
		// One unmeasured pass first, so every measured run (exiftool's
		// too) finds the corpus in the page cache alike.
		if _, err := measure("warm-up", n, io.Discard, *bin, scan("--no-history")...); err != nil {
			return err
		}
		// With history (what a user gets by default, into a scratch
		// database) and without it, to show what recording costs.
		a, err := measure("aiaudit", n, io.Discard, *bin, scan("--db", filepath.Join(*dir, "history.db"))...)
		if err != nil {
			return err
		}
		printRow(a)
		g.add(a)
		bare, err := measure("  same, --no-history", n, io.Discard, *bin, scan("--no-history")...)
		if err != nil {
			return err
		}
		printRow(bare)
		g.add(bare)
		if err := check(report, n, wantAI, *kind == "mixed"); err != nil {
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
		fmt.Printf("%-8d ratio      aiaudit is %.1fx exiftool's files/s (%.1fx with --no-history); per CPU second %.1fx (%.1fx)\n", n,
			a.filesPerSecond()/e.filesPerSecond(), bare.filesPerSecond()/e.filesPerSecond(),
			e.cpu.Seconds()/a.cpu.Seconds(), e.cpu.Seconds()/bare.cpu.Seconds())
	}
	return nil
}

// check is a sanity line: every file reported, and the AI-made ones found
// (with fixtures, theirs on top of the generated ones).
func check(path string, n, wantAI int, fixtures bool) error {
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
	plus := ""
	if fixtures {
		plus = " plus the fixtures' own"
	}
	fmt.Printf("%-8d check      %d resources, %d AI-made found of %d generated%s, %d errors\n", n, rep.Summary.Resources, rep.Summary.AIGenerated, wantAI, plus, rep.Summary.Errors)
	if rep.Summary.Resources != n {
		return errors.New("aiaudit did not report every file")
	}
	return nil
}
