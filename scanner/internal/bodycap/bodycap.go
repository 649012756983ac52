// Package bodycap makes compressed HTTP bodies safe to read under a cap.
// colly gunzips a body whose Content-Type says gzip (or whose path ends in
// .gz) after its size limit, so its MaxBodySize bounds the compressed bytes
// and a 200 KB gzip bomb becomes gigabytes. Transport decodes such bodies
// itself, as a stream, before any limit is applied, and stops a body whose
// decoded size runs away from its compressed size.
package bodycap

import (
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// MaxRatio is the largest decoded-to-compressed ratio read; past it (and
// past the first MiB) a body is a decompression bomb. Real HTML compresses
// about 5-10:1, a repetitive page under 100:1.
const MaxRatio = 200

// ErrBomb is returned by a body whose decoded size passes MaxRatio.
var ErrBomb = errors.New("decompression bomb")

// Transport decodes gzip bodies that colly would decode after its limit.
type Transport struct {
	Base http.RoundTripper
}

func (t Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	res, err := t.Base.RoundTrip(req)
	if err == nil {
		Decode(res, true)
	}
	return res, err
}

// Decode replaces a gzip body with its decoded stream, in place, when the
// response is gzip-encoded, or, with byTypeOrPath, when its Content-Type or
// a .gz path says gzip (what colly decodes itself, after its limit). The
// headers then describe the decoded body. It is the one place a fetch
// decides to decode.
func Decode(res *http.Response, byTypeOrPath bool) {
	if res.Uncompressed {
		return
	}
	ce := strings.ToLower(res.Header.Get("Content-Encoding"))
	gz := strings.Contains(ce, "gzip")
	if byTypeOrPath && !gz {
		ct := strings.ToLower(res.Header.Get("Content-Type"))
		gz = (ce == "" && strings.Contains(ct, "gzip")) || (res.Request != nil && strings.HasSuffix(strings.ToLower(res.Request.URL.Path), ".gz"))
	}
	if !gz {
		return
	}
	res.Body = Gunzip(res.Body)
	res.Header.Del("Content-Encoding")
	res.Header.Del("Content-Length")
	res.ContentLength = -1
	res.Uncompressed = true // decoded: colly must not decode it again
}

// Gunzip decodes a gzip body as it is read, stopping it past MaxRatio.
func Gunzip(body io.ReadCloser) io.ReadCloser {
	return &gunzip{raw: body, in: &counter{r: body}}
}

// counter counts the compressed bytes read.
type counter struct {
	r io.Reader
	n int64
}

func (c *counter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// gunzip decodes lazily (the header is read on the first Read, not in
// RoundTrip) and enforces MaxRatio.
type gunzip struct {
	raw io.Closer
	in  *counter
	z   *gzip.Reader
	out int64
}

func (g *gunzip) Read(p []byte) (int, error) {
	if g.z == nil {
		z, err := gzip.NewReader(g.in)
		if err != nil {
			return 0, fmt.Errorf("gzip body: %w", err)
		}
		g.z = z
	}
	n, err := g.z.Read(p)
	g.out += int64(n)
	if g.out > 1<<20 && g.out > MaxRatio*max(g.in.n, 1) {
		return n, fmt.Errorf("%w: %d bytes decoded from %d (over %d:1)", ErrBomb, g.out, g.in.n, MaxRatio)
	}
	return n, err
}

func (g *gunzip) Close() error {
	if g.z != nil {
		g.z.Close()
	}
	return g.raw.Close()
}
