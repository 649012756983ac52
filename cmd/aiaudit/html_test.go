package main

import (
	"fmt"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aiaudit/aiaudit/scanner/browser/browsertest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aiaudit/aiaudit/cmd/mktestdata/build"
)

func headless(t *testing.T, bin string, args ...string) string {
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + t.TempDir(), "--virtual-time-budget=2000"}
	out, err := exec.Command(bin, append(base, args...)...).Output()
	require.NoError(t, err)
	return string(out)
}

// The HTML report in a real browser: cards and charts render, the findings
// table filters, and a scanned page's hostile alt, title and URL are shown as
// text and never run.
func TestHTMLReportInBrowser(t *testing.T) {
	bin := browsertest.Path(t)
	ai, err := build.PNG(24, 24, false, build.TextChunk("tEXt", "parameters", "x\nSteps: 20, Sampler: Euler a, Seed: 1"))
	require.NoError(t, err)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/":
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, `<html><body><a href="/p.html?q=<script>document.title='pwned-url'</script>">x</a>
			<div><img src="/ai.png" alt="AI-generated"></div></body></html>`)
		case "/p.html":
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, `<html><body><div><img src="/ai2.png" alt="<img src=x onerror=document.title='pwned-alt'>" title="<script>document.title='pwned-title'</script>"></div></body></html>`)
		case "/ai.png", "/ai2.png":
			w.Write(ai)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	// Hostile strings stay inert in every language the report speaks.
	var report string
	for _, l := range [][2]string{{"ru", "Отчёт aiaudit crawl"}, {"kk", "aiaudit crawl есебі"}, {"en", "aiaudit crawl report"}} {
		lang, title := l[0], l[1]
		report = filepath.Join(t.TempDir(), "report."+lang+".html")
		code, _, stderr := runIn(t, "", "crawl", srv.URL+"/", "--delay", "0", "-f", "html", "-o", report, "--company-size", "medium", "--lang", lang, "--no-history")
		require.Equal(t, exitFindings, code, stderr)
		html, err := os.ReadFile(report)
		require.NoError(t, err)
		assert.NotContains(t, string(html), "<script>document.title", "payloads are escaped in the file")
		for _, external := range []string{`src="http`, `href="http`, "<link", "<script src", "@import", "url(http"} {
			assert.NotContains(t, string(html), external, "self-contained: nothing is loaded from outside")
		}

		dom := headless(t, bin, "--dump-dom", "file://"+report)
		assert.Contains(t, dom, `<html lang="`+lang+`">`)
		assert.Contains(t, dom, "<title>"+title+"</title>", "%s: no payload changed the title", lang)
		assert.NotContains(t, dom, "pwned-alt</title>")
		assert.Contains(t, dom, `&lt;img src=x onerror=document.title='pwned-alt'&gt;`, "the alt payload is shown as text")
		assert.Contains(t, dom, `&lt;script&gt;document.title='pwned-title'&lt;/script&gt;`, "the title payload is shown as text")
		assert.Contains(t, dom, `id="card-unlabelled">1<`, "the cards rendered")
		assert.Contains(t, dom, `<rect class="bar"`, "the charts rendered")
		assert.Contains(t, dom, `<img class="thumb"`, "the offending image's thumbnail is embedded")
	}

	// The filter from the URL hides the rows that do not match.
	filtered := headless(t, bin, "--dump-dom", "file://"+report+"#q=pwned-alt")
	visible := strings.Count(filtered, `<tr data-severity="violation">`) + strings.Count(filtered, `<tr data-severity="info">`) + strings.Count(filtered, `<tr data-severity="warning">`)
	hidden := strings.Count(filtered, `style="display: none;"`)
	assert.Equal(t, 1, visible, "exactly one row matches the filter")
	assert.Greater(t, hidden, 0, "the other rows are hidden")

	shot := filepath.Join(t.TempDir(), "shot.png")
	headless(t, bin, "--screenshot="+shot, "--window-size=1280,1400", "file://"+report)
	f, err := os.Open(shot)
	require.NoError(t, err)
	defer f.Close()
	img, err := png.Decode(f)
	require.NoError(t, err)
	bars := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 2 {
		for x := b.Min.X; x < b.Max.X; x += 2 {
			r, g, bl, _ := img.At(x, y).RGBA()
			if r>>8 == 0x3b && g>>8 == 0x6f && bl>>8 == 0xd6 {
				bars++
			}
		}
	}
	assert.Greater(t, bars, 20, "the chart bars are painted in the screenshot")
}
