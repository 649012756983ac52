package main

import (
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/aiaudit/aiaudit/cmd/mktestdata/build"
)

// sitemapURLs is the protocol's limit of URLs per sitemap: a larger site
// has a sitemap index, as a real one would.
const sitemapURLs = 50_000

// siteServer serves a generated site of n pages: page i links to its three
// children (3i+1..3i+3, a tree about log3(n) deep) and back home, and shows
// two of nImages image URLs (i and 7i+1 modulo nImages; the bytes are 200
// pictures, half AI-made); a sitemap index lists sitemaps of up to 50,000
// pages that together list every page.
func siteServer(n, nImages int) (string, func(), error) {
	images := make([][]byte, 200)
	for i := range images {
		jpg, err := build.JPEG(48, 32, i)
		if err != nil {
			return "", nil, err
		}
		if i%2 == 0 {
			if jpg, err = build.WithXMP(jpg, build.XMPPacket(dstAI, "", "Bench Model")); err != nil {
				return "", nil, err
			}
		}
		images[i] = jpg
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	base := "http://" + ln.Addr().String()
	mux := http.NewServeMux()
	mux.HandleFunc("/robots.txt", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "User-agent: *\nDisallow: /private/\nSitemap: %s/sitemap.xml\n", base)
	})
	mux.HandleFunc("/sitemap.xml", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">`)
		for i := 0; i < n; i += sitemapURLs {
			fmt.Fprintf(w, "<sitemap><loc>%s/sitemaps/%d.xml</loc></sitemap>", base, i/sitemapURLs)
		}
		fmt.Fprint(w, "</sitemapindex>")
	})
	mux.HandleFunc("/sitemaps/", func(w http.ResponseWriter, r *http.Request) {
		part, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/sitemaps/"), ".xml"))
		if err != nil || part < 0 || part*sitemapURLs >= n {
			http.NotFound(w, r)
			return
		}
		fmt.Fprint(w, `<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">`)
		for i := part * sitemapURLs; i < min(n, (part+1)*sitemapURLs); i++ {
			fmt.Fprintf(w, "<url><loc>%s/p/%d.html</loc></url>", base, i)
		}
		fmt.Fprint(w, "</urlset>")
	})
	mux.HandleFunc("/img/", func(w http.ResponseWriter, r *http.Request) {
		i, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/img/"), ".jpg"))
		if err != nil || i < 0 || i >= nImages {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "image/jpeg")
		w.Write(images[i%len(images)])
	})
	page := func(w http.ResponseWriter, i int) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><html><head><title>Page %d</title></head><body><nav><a href="/">home</a></nav><main>`, i)
		for c := 3*i + 1; c <= 3*i+3 && c < n; c++ {
			fmt.Fprintf(w, `<a href="/p/%d.html">page %d</a> `, c, c)
		}
		fmt.Fprintf(w, `<figure><img src="/img/%d.jpg"><figcaption>Figure</figcaption></figure><div><img src="/img/%d.jpg" alt="AI-generated illustration"></div>`, i%nImages, (i*7+1)%nImages)
		fmt.Fprint(w, `<p>`+strings.Repeat("Some article text. ", 40)+`</p></main></body></html>`)
	}
	mux.HandleFunc("/p/", func(w http.ResponseWriter, r *http.Request) {
		i, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/p/"), ".html"))
		if err != nil || i < 0 || i >= n {
			http.NotFound(w, r)
			return
		}
		page(w, i)
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		page(w, 0)
	})
	srv := &http.Server{Handler: mux}
	go srv.Serve(ln)
	return base, func() { srv.Close() }, nil
}

func runCrawlBench(args []string) error {
	fs := flag.NewFlagSet("crawl", flag.ContinueOnError)
	sf := addSizeFlags(fs, "pages", "10000")
	dir := fs.String("dir", filepath.Join(os.TempDir(), "aiaudit-bench"), "work folder")
	bin := fs.String("aiaudit", "", "aiaudit binary (default: build ./cmd/aiaudit)")
	wget := fs.String("wget", "wget", "wget binary")
	nImages := fs.Int("images", 200, "distinct image URLs on the site (0: two per page, so every page's media are new)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	sizes, err := sf.sizes()
	if err != nil {
		return err
	}
	if _, err := exec.LookPath(*wget); err != nil {
		return fmt.Errorf("wget not found (apt-get install wget): %w", err)
	}
	if err := workspace(*dir, bin); err != nil {
		return err
	}
	g := growth{unit: "pages"}
	for _, pages := range sizes {
		images := *nImages
		if images <= 0 {
			images = 2 * pages
		}
		if err := crawlOnce(pages, images, *dir, *bin, *wget, sf.compare(pages), &g); err != nil {
			return err
		}
	}
	return nil
}

// crawlOnce crawls a generated site of n pages with aiaudit and, when
// compare is set, with wget.
func crawlOnce(pages, images int, dir, bin, wget string, compare bool, g *growth) error {
	base, stop, err := siteServer(pages, images)
	if err != nil {
		return err
	}
	defer stop()
	fmt.Printf("%d-page site with %d image URLs on %s\n%-8s %-22s %10s %12s %12s %12s\n", pages, images, base, "pages", "tool", "seconds", "pages/s", "peak RSS", "CPU seconds")
	report := filepath.Join(dir, "crawl.json")
	a, err := measure("aiaudit crawl", pages, io.Discard, bin, "crawl", base+"/", "--max-pages", strconv.Itoa(pages+10), "--depth", "50",
		"--delay", "0", "--concurrency", "8", "--host-concurrency", "8", "-f", "json", "-o", report, "--progress", "never", "--fail-on", "none", "--db", filepath.Join(dir, "history.db"))
	if err != nil {
		return err
	}
	printRow(a)
	g.add(a)
	if !compare {
		return nil
	}
	spider := filepath.Join(dir, "wget-spider")
	os.RemoveAll(spider)
	w, err := measure("wget --recursive --spider", pages, io.Discard, wget, "--recursive", "--spider", "--level=inf", "--no-verbose", "-e", "robots=on", "-P", spider, base+"/")
	if err != nil {
		return err
	}
	printRow(w)
	g.add(w)
	fmt.Printf("%-8d ratio      aiaudit is %.1fx wget's pages/s (and inspects %d images; wget fetches none)\n", pages, a.filesPerSecond()/w.filesPerSecond(), min(images, 2*pages))
	return nil
}
