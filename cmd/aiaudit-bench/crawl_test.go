package main

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The generated site is a tree of pages with a sitemap listing every page.
func TestSiteServer(t *testing.T) {
	base, stop, err := siteServer(20)
	require.NoError(t, err)
	defer stop()
	get := func(p string) (int, string) {
		res, err := http.Get(base + p)
		require.NoError(t, err)
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	code, body := get("/p/2.html")
	assert.Equal(t, 200, code)
	for _, child := range []string{"/p/7.html", "/p/8.html", "/p/9.html"} {
		assert.Contains(t, body, child)
	}
	_, sm := get("/sitemap.xml")
	assert.Equal(t, 20, strings.Count(sm, "<loc>"))
	code, _ = get("/p/20.html")
	assert.Equal(t, 404, code)
	code, img := get("/img/4.jpg")
	assert.Equal(t, 200, code)
	assert.Contains(t, img, "trainedAlgorithmicMedia", "even images are AI-marked")
}
