package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
)

// robotsVariants are the robots.txt bodies the benchmark hosts serve in turn.
var robotsVariants = []string{
	"User-agent: GPTBot\nDisallow: /\n\nUser-agent: *\nDisallow: /private/\n",
	"User-agent: *\nDisallow: /admin/\nAllow: /admin/public/\n",
	"User-agent: CCBot\nUser-agent: GPTBot\nDisallow: /\n",
	"User-agent: *\nContent-Usage: train-ai=n\nDisallow: /tmp/\n",
	"", // an empty file: everything allowed
}

// hosts starts n HTTP servers on 127.0.0.2, 127.0.0.3, ... (every 127/8
// address is loopback on Linux), each its own host to aiaudit.
func hosts(n int) ([]string, func(), error) {
	var origins []string
	var servers []*http.Server
	for i := range n {
		ip := fmt.Sprintf("127.0.%d.%d", 1+(i+2)/250, 2+(i+2)%250)
		ln, err := net.Listen("tcp", ip+":0")
		if err != nil {
			return nil, nil, fmt.Errorf("listen on %s (is 127.0.0.0/8 routed to lo?): %w", ip, err)
		}
		variant := i % len(robotsVariants)
		mux := http.NewServeMux()
		mux.HandleFunc("/robots.txt", func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, robotsVariants[variant])
		})
		mux.HandleFunc("/.well-known/tdmrep.json", func(w http.ResponseWriter, r *http.Request) {
			if variant == 1 {
				io.WriteString(w, `[{"location":"/books/","tdm-reservation":1}]`)
				return
			}
			http.NotFound(w, r)
		})
		mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			if variant == 2 {
				w.Header().Set("X-Robots-Tag", "noai")
			}
			io.WriteString(w, `<!doctype html><html><head><title>page</title><meta name="robots" content="index"></head><body>text</body></html>`)
		})
		srv := &http.Server{Handler: mux}
		go srv.Serve(ln)
		servers = append(servers, srv)
		origins = append(origins, "http://"+ln.Addr().String())
	}
	return origins, func() {
		for _, s := range servers {
			s.Close()
		}
	}, nil
}

// urlList writes n URLs spread over the origins.
func urlList(path string, origins []string, n int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	rng := rand.New(rand.NewPCG(2, 3))
	dirs := []string{"/", "/private/", "/admin/", "/admin/public/", "/books/", "/tmp/", "/blog/"}
	for i := range n {
		fmt.Fprintf(w, "%s%sp%d.html\n", origins[rng.IntN(len(origins))], dirs[rng.IntN(len(dirs))], i)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return f.Close()
}

// pythonVetter is what a data engineer would write with the standard
// library: one RobotFileParser per host, can_fetch per URL.
const pythonVetter = `import sys, urllib.robotparser, urllib.parse
agent = sys.argv[2]
parsers = {}
reserved = 0
total = 0
with open(sys.argv[1]) as f:
    for line in f:
        url = line.strip()
        if not url:
            continue
        u = urllib.parse.urlsplit(url)
        origin = u.scheme + "://" + u.netloc
        rp = parsers.get(origin)
        if rp is None:
            rp = urllib.robotparser.RobotFileParser(origin + "/robots.txt")
            try:
                rp.read()
            except Exception:
                pass
            parsers[origin] = rp
        total += 1
        if not rp.can_fetch(agent, url):
            reserved += 1
print(total, reserved)
`

func runURLsBench(args []string) error {
	fs := flag.NewFlagSet("urls", flag.ContinueOnError)
	nHosts := fs.Int("hosts", 300, "loopback hosts")
	sf := addSizeFlags(fs, "sizes", "100000")
	dir := fs.String("dir", filepath.Join(os.TempDir(), "aiaudit-bench"), "work folder")
	bin := fs.String("aiaudit", "", "aiaudit binary (default: build ./cmd/aiaudit)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	sizes, err := sf.sizes()
	if err != nil {
		return err
	}
	if err := workspace(*dir, bin); err != nil {
		return err
	}
	origins, stop, err := hosts(*nHosts)
	if err != nil {
		return err
	}
	defer stop()
	script := filepath.Join(*dir, "vet.py")
	if err := os.WriteFile(script, []byte(pythonVetter), 0o644); err != nil {
		return err
	}
	fmt.Printf("%d loopback hosts\n%-8s %-22s %10s %12s %12s %12s\n", *nHosts, "urls", "tool", "seconds", "urls/s", "peak RSS", "CPU seconds")
	g := growth{unit: "URLs"}
	for _, n := range sizes {
		list := filepath.Join(*dir, fmt.Sprintf("urls-%d.txt", n))
		if err := urlList(list, origins, n); err != nil {
			return err
		}
		// With history (the default a nightly user gets, into a scratch
		// database) and without it, to show what recording costs.
		var policy result
		for _, run := range []struct{ label, mode, history string }{
			{"aiaudit --check policy", "policy", "--db=" + filepath.Join(*dir, "history.db")},
			{"  same, --no-history", "policy", "--no-history"},
			{"aiaudit --check headers", "headers", "--db=" + filepath.Join(*dir, "history.db")},
		} {
			r, err := measure(run.label, n, io.Discard, *bin, "urls", list, "--check", run.mode, "--agent", "GPTBot",
				"--delay", "0", "--concurrency", "256", "--host-concurrency", "8", "--progress", "never", run.history)
			if err != nil {
				return err
			}
			printRow(r)
			g.add(r)
			if run.label == "aiaudit --check policy" {
				policy = r
			}
		}
		if !sf.compare(n) {
			continue
		}
		py, err := measure("python urllib.robotparser", n, io.Discard, "python3", script, list, "GPTBot")
		if err != nil {
			return err
		}
		printRow(py)
		g.add(py)
		fmt.Printf("%-8d ratio      aiaudit --check policy is %.1fx the Python script's URLs/s (and reads tdmrep.json and ai.txt too)\n", n, policy.filesPerSecond()/py.filesPerSecond())
	}
	return nil
}

func printRow(r result) {
	fmt.Printf("%-8d %-22s %10.2f %12.0f %9.1f MB %12.2f\n", r.files, r.tool, r.elapsed.Seconds(), r.filesPerSecond(), float64(r.peakRSS)/(1<<20), r.cpu.Seconds())
}

// workspace makes the work folder and builds aiaudit into it unless a binary
// was given.
func workspace(dir string, bin *string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if *bin != "" {
		return nil
	}
	var err error
	*bin, err = buildAiaudit(dir)
	return err
}

func buildAiaudit(dir string) (string, error) {
	bin := filepath.Join(dir, "aiaudit")
	build := exec.Command("go", "build", "-o", bin, "./cmd/aiaudit")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		return "", fmt.Errorf("build aiaudit: %w", err)
	}
	return bin, nil
}
