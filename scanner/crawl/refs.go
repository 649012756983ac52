package crawl

import (
	"net/url"
	"regexp"
	"strings"

	"github.com/PuerkitoBio/goquery"

	"github.com/aiaudit/aiaudit/reports/model"
)

// Ref is one media reference on a page and the element it belongs to (for
// the visible-label search).
type Ref struct {
	URL  string
	Kind string // where it came from: img, srcset, video, audio, picture, poster, og:image, twitter:image, style, pdf
	El   *goquery.Selection
}

var styleURL = regexp.MustCompile(`url\(\s*['"]?([^'")]+)['"]?\s*\)`)

// MediaRefs lists the media a page references: img src and srcset,
// picture/source srcset, video/audio/source src, poster, og:image and
// twitter:image, inline style background images and linked PDFs.
func MediaRefs(doc *goquery.Document, base *url.URL) []Ref {
	var out []Ref
	add := func(raw, kind string, el *goquery.Selection) {
		if r, ok := NewRef(base, raw, kind, el); ok {
			out = append(out, r)
		}
	}
	doc.Find("img").Each(func(_ int, s *goquery.Selection) {
		add(s.AttrOr("src", ""), "img", s)
		for _, c := range srcset(s.AttrOr("srcset", "")) {
			add(c, "srcset", s)
		}
	})
	doc.Find("picture source, video source, audio source").Each(func(_ int, s *goquery.Selection) {
		// The label belongs to the picture/video element, not the <source>
		// (which need not be its direct child).
		media := s.Closest("picture, video, audio")
		owner := media
		if img := owner.Find("img").First(); img.Length() > 0 {
			owner = img
		}
		for _, c := range srcset(s.AttrOr("srcset", "")) {
			add(c, "srcset", owner)
		}
		add(s.AttrOr("src", ""), goquery.NodeName(media), owner)
	})
	doc.Find("video, audio").Each(func(_ int, s *goquery.Selection) {
		add(s.AttrOr("src", ""), goquery.NodeName(s), s)
		add(s.AttrOr("poster", ""), "poster", s)
	})
	doc.Find(`meta[property="og:image"], meta[name="twitter:image"], meta[property="twitter:image"]`).Each(func(_ int, s *goquery.Selection) {
		kind := "og:image"
		if s.AttrOr("property", "") != kind {
			kind = "twitter:image" // the selector's other two cases
		}
		add(s.AttrOr("content", ""), kind, s)
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

// NewRef makes a Ref of a URL written on a page (resolved against base),
// or reports that it names no fetchable media (empty, data:, no server).
func NewRef(base *url.URL, raw, kind string, el *goquery.Selection) (Ref, bool) {
	raw = strings.TrimSpace(raw)
	if raw == "" || strings.HasPrefix(raw, "data:") {
		return Ref{}, false
	}
	u, err := base.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return Ref{}, false // "http:x.jpg" and "http:///x.jpg" name no server
	}
	u.Fragment = ""
	return Ref{URL: model.StripUserinfo(u.String()), Kind: kind, El: el}, true
}

// srcset returns the URLs of a srcset attribute ("a.jpg 1x, b.jpg 2x") as
// HTML parses image candidate strings: a URL runs to the next whitespace and
// keeps its commas ("w_300,h_200/x.jpg", "data:image/png;base64,..."), except
// trailing ones, which end the candidate; descriptors run to the next comma
// outside parentheses.
func srcset(v string) []string {
	const ws = " \t\n\f\r" // ASCII whitespace
	var out []string
	for {
		v = strings.TrimLeft(v, ws+",")
		if v == "" {
			return out
		}
		end := strings.IndexAny(v, ws)
		if end < 0 {
			end = len(v)
		}
		u := strings.TrimRight(v[:end], ",")
		out = append(out, u)
		v = v[end:]
		if len(u) < end {
			continue // trailing commas: no descriptors
		}
		inParens := false
		i := 0
		for ; i < len(v) && (inParens || v[i] != ','); i++ {
			switch v[i] {
			case '(':
				inParens = true
			case ')':
				inParens = false
			}
		}
		v = v[i:]
	}
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
