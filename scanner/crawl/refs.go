package crawl

import (
	"net/url"
	"regexp"
	"strings"

	"github.com/PuerkitoBio/goquery"
)

// Ref is one media reference on a page and the element it belongs to (for
// the visible-label search).
type Ref struct {
	URL  string
	Kind string // where it came from: img, srcset, video, audio, poster, og:image, style, pdf
	El   *goquery.Selection
}

var styleURL = regexp.MustCompile(`url\(\s*['"]?([^'")]+)['"]?\s*\)`)

// MediaRefs lists the media a page references: img src and srcset,
// picture/source srcset, video/audio/source src, poster, og:image and
// twitter:image, inline style background images and linked PDFs.
func MediaRefs(doc *goquery.Document, base *url.URL) []Ref {
	var out []Ref
	add := func(raw, kind string, el *goquery.Selection) {
		raw = strings.TrimSpace(raw)
		if raw == "" || strings.HasPrefix(raw, "data:") {
			return
		}
		u, err := base.Parse(raw)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
			return
		}
		u.Fragment = ""
		out = append(out, Ref{URL: u.String(), Kind: kind, El: el})
	}
	doc.Find("img").Each(func(_ int, s *goquery.Selection) {
		add(s.AttrOr("src", ""), "img", s)
		for _, c := range srcset(s.AttrOr("srcset", "")) {
			add(c, "srcset", s)
		}
	})
	doc.Find("picture source, video source, audio source").Each(func(_ int, s *goquery.Selection) {
		// The label belongs to the picture/video element, not the <source>.
		owner := s.Parent()
		if img := owner.Find("img").First(); img.Length() > 0 {
			owner = img
		}
		for _, c := range srcset(s.AttrOr("srcset", "")) {
			add(c, "srcset", owner)
		}
		add(s.AttrOr("src", ""), goquery.NodeName(s.Parent()), owner)
	})
	doc.Find("video, audio").Each(func(_ int, s *goquery.Selection) {
		add(s.AttrOr("src", ""), goquery.NodeName(s), s)
		add(s.AttrOr("poster", ""), "poster", s)
	})
	doc.Find(`meta[property="og:image"], meta[name="twitter:image"], meta[property="twitter:image"]`).Each(func(_ int, s *goquery.Selection) {
		add(s.AttrOr("content", ""), s.AttrOr("property", s.AttrOr("name", "")), s)
	})
	doc.Find("[style]").Each(func(_ int, s *goquery.Selection) {
		for _, m := range styleURL.FindAllStringSubmatch(s.AttrOr("style", ""), -1) {
			add(m[1], "style", s)
		}
	})
	doc.Find("a[href]").Each(func(_ int, s *goquery.Selection) {
		href := s.AttrOr("href", "")
		if strings.HasSuffix(strings.ToLower(strings.SplitN(href, "?", 2)[0]), ".pdf") {
			add(href, "pdf", s)
		}
	})
	return out
}

// srcset returns the URLs of a srcset attribute ("a.jpg 1x, b.jpg 2x").
func srcset(v string) []string {
	var out []string
	for _, part := range strings.Split(v, ",") {
		f := strings.Fields(part)
		if len(f) > 0 {
			out = append(out, f[0])
		}
	}
	return out
}

// Links lists the page links to follow.
func Links(doc *goquery.Document, base *url.URL) []*url.URL {
	var out []*url.URL
	doc.Find("a[href], area[href]").Each(func(_ int, s *goquery.Selection) {
		if u, err := base.Parse(strings.TrimSpace(s.AttrOr("href", ""))); err == nil {
			out = append(out, u)
		}
	})
	return out
}
