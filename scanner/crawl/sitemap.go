package crawl

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"

	"github.com/aiaudit/aiaudit/scanner/internal/bodycap"
)

// maxSitemap caps a sitemap, plain or after decompression (the protocol's
// limit is 50 MB uncompressed).
const maxSitemap = 50 << 20

// maxSitemapURLs caps the page URLs of a sitemap and the child sitemaps of an
// index at the protocol's limit of 50,000 each; entries beyond it are
// ignored.
const maxSitemapURLs = 50_000

// sitemap is either a urlset or a sitemapindex.
type sitemap struct {
	URLs     []loc `xml:"url"`
	Sitemaps []loc `xml:"sitemap"`
}

type loc struct {
	Loc string `xml:"loc"`
}

// ParseSitemap reads a sitemap or sitemap index, gzip-compressed or not, and
// returns its page URLs and the child sitemaps it lists, at most
// maxSitemapURLs of each. A sitemap larger than maxSitemap, plain or
// decompressed, is an error.
func ParseSitemap(b []byte) (pages, children []string, err error) {
	if len(b) > maxSitemap {
		return nil, nil, fmt.Errorf("sitemap larger than %d bytes", maxSitemap)
	}
	if len(b) >= 2 && b[0] == 0x1f && b[1] == 0x8b {
		// Decoded through the same reader as every body: capped, and
		// stopped when it runs away from its compressed size.
		zr := bodycap.Gunzip(io.NopCloser(bytes.NewReader(b)))
		defer zr.Close()
		var err error
		b, err = io.ReadAll(io.LimitReader(zr, maxSitemap+1))
		if err != nil {
			return nil, nil, fmt.Errorf("sitemap gzip: %w", err)
		}
		if len(b) > maxSitemap {
			return nil, nil, fmt.Errorf("sitemap decompresses beyond %d bytes", maxSitemap)
		}
	}
	var sm sitemap
	if err := xml.Unmarshal(b, &sm); err != nil {
		return nil, nil, fmt.Errorf("sitemap XML: %w", err)
	}
	for _, u := range sm.URLs[:min(len(sm.URLs), maxSitemapURLs)] {
		pages = append(pages, u.Loc)
	}
	for _, s := range sm.Sitemaps[:min(len(sm.Sitemaps), maxSitemapURLs)] {
		children = append(children, s.Loc)
	}
	return pages, children, nil
}
