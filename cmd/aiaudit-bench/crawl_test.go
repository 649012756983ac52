package main

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The generated site is a tree of pages with a sitemap index whose
// sitemaps (50,000 pages at most each, as the protocol says) list every
// page once.
func TestSiteServer(t *testing.T) {
	base, stop, err := siteServer(20, 200)
	require.NoError(t, err)
	defer stop()
	get := func(p string) (int, string) { return fetch(t, base+p) }
	code, body := get("/p/2.html")
	assert.Equal(t, 200, code)
	for _, child := range []string{"/p/7.html", "/p/8.html", "/p/9.html"} {
		assert.Contains(t, body, child)
	}
	_, index := get("/sitemap.xml")
	assert.Equal(t, 1, strings.Count(index, "<sitemap>"))
	_, sm := get("/sitemaps/0.xml")
	assert.Equal(t, 20, strings.Count(sm, "<loc>"))
	assert.Contains(t, sm, base+"/p/19.html<")
	code, _ = get("/p/20.html")
	assert.Equal(t, 404, code)
	code, img := get("/img/4.jpg")
	assert.Equal(t, 200, code)
	assert.Contains(t, img, "trainedAlgorithmicMedia", "even images are AI-marked")
}

func TestSiteServerSplitsItsSitemap(t *testing.T) {
	base, stop, err := siteServer(120_001, 200)
	require.NoError(t, err)
	defer stop()
	get := func(p string) (int, string) { return fetch(t, base+p) }
	_, index := get("/sitemap.xml")
	assert.Equal(t, 3, strings.Count(index, "<sitemap>"))
	total := 0
	for part, want := range []int{50_000, 50_000, 20_001} {
		code, sm := get(fmt.Sprintf("/sitemaps/%d.xml", part))
		require.Equal(t, 200, code)
		assert.Equal(t, want, strings.Count(sm, "<loc>"))
		total += strings.Count(sm, "<loc>")
	}
	assert.Equal(t, 120_001, total)
	_, last := get("/sitemaps/2.xml")
	assert.Contains(t, last, base+"/p/120000.html<")
	code, _ := get("/sitemaps/3.xml")
	assert.Equal(t, 404, code)
}

func fetch(t *testing.T, u string) (int, string) {
	t.Helper()
	res, err := http.Get(u)
	require.NoError(t, err)
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// With more image URLs than pictures, each URL is its own item: page i
// shows images i and 7i+1, and every URL below the count is served.
func TestSiteServerImageURLs(t *testing.T) {
	base, stop, err := siteServer(20, 1000)
	require.NoError(t, err)
	defer stop()
	_, page := fetch(t, base+"/p/5.html")
	assert.Contains(t, page, `src="/img/5.jpg"`)
	assert.Contains(t, page, `src="/img/36.jpg"`)
	code, img := fetch(t, base+"/img/998.jpg")
	assert.Equal(t, 200, code)
	assert.Contains(t, img, "trainedAlgorithmicMedia", "998 is picture 198: AI-marked")
	code, _ = fetch(t, base+"/img/1000.jpg")
	assert.Equal(t, 404, code)
}
