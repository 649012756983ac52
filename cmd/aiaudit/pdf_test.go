package main

import (
	"bytes"
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

// poppler returns a poppler-utils tool, skipping without it except under
// CI=true, where .ci/run installs it.
func poppler(t *testing.T, name string) string {
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("no %s: .ci/run installs poppler-utils", name)
	}
	t.Skipf("no %s: install Debian's poppler-utils to run the PDF test", name)
	return ""
}

// The PDF report opens, holds the exposure figures and every violation as
// text, numbers its A4 pages, repeats the findings table's header on the
// next page, and its first page shows the charts.
func TestPDFReport(t *testing.T) {
	browsertest.Path(t)
	pdftotext, pdftoppm := poppler(t, "pdftotext"), poppler(t, "pdftoppm")
	ai, err := build.PNG(24, 24, false, build.TextChunk("tEXt", "parameters", "x\nSteps: 20, Sampler: Euler a, Seed: 1"))
	require.NoError(t, err)
	const images = 40 // enough rows for the table to break across pages
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/" {
			w.Header().Set("Content-Type", "text/html")
			var b strings.Builder
			for i := range images {
				fmt.Fprintf(&b, `<div><img src="/ai%d.png" alt="hero %d"></div>`, i, i)
			}
			fmt.Fprintf(w, "<html><body>%s</body></html>", b.String())
			return
		}
		if strings.HasPrefix(r.URL.Path, "/ai") {
			w.Write(append(append([]byte{}, ai...), []byte(r.URL.Path)...)) // distinct bytes per image
			return
		}
		http.NotFound(w, r)
	}))
	defer srv.Close()
	out := filepath.Join(t.TempDir(), "report.pdf")
	code, _, stderr := runIn(t, "", "crawl", srv.URL+"/", "--delay", "0", "-f", "pdf", "-o", out, "--lang", "ru", "--company-size", "medium", "--no-history")
	require.Equal(t, exitFindings, code, stderr)
	b, err := os.ReadFile(out)
	require.NoError(t, err)
	require.True(t, bytes.HasPrefix(b, []byte("%PDF-")), "a PDF file")

	text, err := exec.Command(pdftotext, "-layout", out, "-").Output()
	require.NoError(t, err, "the PDF opens")
	txt := strings.ReplaceAll(string(text), "\u00a0", " ")
	assert.Contains(t, txt, "Отчёт aiaudit crawl")
	assert.Contains(t, txt, "8 650 000 ₸", "the Kazakh maximum: 40 items × 50 MRP × 4,325 KZT")
	assert.Contains(t, txt, "Как исправить")
	raw, err := exec.Command(pdftotext, "-raw", out, "-").Output()
	require.NoError(t, err)
	compact := strings.Join(strings.Fields(string(raw)), "") // table cells wrap long URLs
	for i := range images {
		assert.Contains(t, compact, fmt.Sprintf("/ai%d.pngon", i), "every violation is in the text")
	}
	pages := strings.Count(txt, "\f")
	require.GreaterOrEqual(t, pages, 2, "the findings table breaks across pages")
	assert.Contains(t, txt, fmt.Sprintf("1 / %d", pages), "pages are numbered")
	second, err := exec.Command(pdftotext, "-f", "2", "-l", "2", "-layout", out, "-").Output()
	require.NoError(t, err)
	assert.Contains(t, string(second), "уровень", "the table header repeats on the next page")

	prefix := filepath.Join(t.TempDir(), "page")
	require.NoError(t, exec.Command(pdftoppm, "-png", "-r", "40", "-f", "1", "-l", "1", out, prefix).Run())
	shots, _ := filepath.Glob(prefix + "*.png")
	require.Len(t, shots, 1)
	f, err := os.Open(shots[0])
	require.NoError(t, err)
	defer f.Close()
	img, err := png.Decode(f)
	require.NoError(t, err)
	bounds := img.Bounds()
	assert.InDelta(t, 8.27/11.69, float64(bounds.Dx())/float64(bounds.Dy()), 0.01, "A4 portrait")
	bars := 0
	for y := bounds.Min.Y; y < bounds.Max.Y; y++ {
		for x := bounds.Min.X; x < bounds.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if r>>8 < 0x50 && g>>8 > 0x5a && g>>8 < 0x80 && bl>>8 > 0xc8 {
				bars++
			}
		}
	}
	assert.Greater(t, bars, 20, "the chart bars are painted on the first page")
}

// The PDF in English and Kazakh too (Russian: TestPDFReport): its title,
// the Kazakh maximum in the language's money format, the fix heading.
func TestPDFReportInEnglishAndKazakh(t *testing.T) {
	browsertest.Path(t)
	pdftotext := poppler(t, "pdftotext")
	site := aiSite(t)
	for lang, want := range map[string][]string{
		"en": {"aiaudit crawl report", "129,750 KZT", "How to fix"},
		"kk": {"aiaudit crawl есебі", "129 750 ₸", "Қалай түзету керек"},
	} {
		out := filepath.Join(t.TempDir(), "report."+lang+".pdf")
		code, _, stderr := runIn(t, "", "crawl", site.URL+"/", "--delay", "0", "-f", "pdf", "-o", out, "--lang", lang, "--no-history")
		require.Equal(t, exitFindings, code, stderr)
		text, err := exec.Command(pdftotext, "-layout", out, "-").Output()
		require.NoError(t, err, "%s: the PDF opens", lang)
		txt := strings.ReplaceAll(string(text), "\u00a0", " ")
		for _, w := range want {
			assert.Contains(t, txt, w, lang)
		}
	}
}

// Without -o a PDF would go to the terminal: refused with the reason.
func TestPDFNeedsAnOutputFile(t *testing.T) {
	code, _, stderr := runIn(t, "", "files", t.TempDir(), "-f", "pdf")
	assert.Equal(t, exitError, code)
	assert.Contains(t, stderr, "--format pdf writes a binary file: give -o FILE")
}
