package crawl

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/PuerkitoBio/goquery"
	"github.com/andybalholm/cascadia"

	"github.com/aiaudit/aiaudit/detectors/notes"
	"github.com/aiaudit/aiaudit/reports/model"
)

// Ref is one media reference on a page and the element it belongs to (for
// the visible-label search).
type Ref struct {
	URL string
	// Kind is where it came from: img, srcset, video, audio, picture,
	// poster, og:image, twitter:image, style (a style attribute), pdf,
	// a lazy-load attribute (data-src, data-original, data-lazy-src,
	// data-srcset, data-bg), style-block, stylesheet or json-ld.
	Kind string
	El   *goquery.Selection
}

// lazyAttrs are the attributes lazy-loading scripts read an image from;
// data-srcset and data-bg are read as srcset and as CSS.
var lazyAttrs = []string{"data-src", "data-original", "data-lazy-src"}

// resolveRef makes a reference absolute against base; it is false for what
// names no fetchable file: data: URIs, other schemes, "http:x.jpg" and
// "http:///x.jpg" (no server), a host that does not parse back. The fragment is dropped (never sent; #a and
// #b are one file) and so are credentials.
func resolveRef(base *url.URL, raw string) (string, bool) {
	raw = strings.TrimSpace(raw)
	if raw == "" || strings.HasPrefix(raw, "data:") {
		return "", false
	}
	u, err := base.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", false
	}
	u.Fragment, u.RawFragment = "", ""
	out := model.StripUserinfo(u.String())
	// The fetcher parses it again: "//:0:" resolves to a URL that does not.
	if again, err := url.Parse(out); err != nil || again.Hostname() == "" {
		return "", false
	}
	return out, true
}

// MediaRefs lists the media a page references in its HTML: img src and
// srcset, picture/source srcset, video/audio/source src, poster, og:image
// and twitter:image, lazy-load attributes, CSS url() in style attributes and
// <style> blocks, JSON-LD images and linked PDFs; each URL once, with the
// first element it was found on. Linked stylesheets are fetched by the
// crawler (Stylesheets). unread names what could not be read (a JSON-LD block
// that is not JSON): the images it names are unknown.
func MediaRefs(doc *goquery.Document, base *url.URL) (refs []Ref, unread []string) {
	seen := map[string]bool{}
	add := func(raw, kind string, el *goquery.Selection) {
		if r, ok := NewRef(base, raw, kind, el); ok && !seen[r.URL] {
			seen[r.URL] = true
			refs = append(refs, r)
		}
	}
	addCSS := func(css, kind string, el *goquery.Selection) {
		for _, r := range CSSRefs(css, base) {
			if r.Import {
				continue // a stylesheet, fetched by the crawler
			}
			if shown := elementFor(doc, r.Selector, el); shown != nil {
				add(r.URL, kind, shown)
			}
		}
	}
	doc.Find("img").Each(func(_ int, s *goquery.Selection) {
		add(s.AttrOr("src", ""), "img", s)
		for _, c := range srcset(s.AttrOr("srcset", "")) {
			add(c, "srcset", s)
		}
	})
	doc.Find("picture source, video source, audio source").Each(func(_ int, s *goquery.Selection) {
		media := s.Closest("picture, video, audio")
		owner := labelOwner(s)
		for _, c := range srcset(s.AttrOr("srcset", "")) {
			add(c, "srcset", owner)
		}
		add(s.AttrOr("src", ""), goquery.NodeName(media), owner)
	})
	doc.Find("video, audio").Each(func(_ int, s *goquery.Selection) {
		add(s.AttrOr("src", ""), goquery.NodeName(s), s)
		add(s.AttrOr("poster", ""), "poster", s)
	})
	// Lazy loading: the real image is in an attribute a script copies into
	// src (or into a background) once the element scrolls into view.
	// Frames and scripts load documents, not media.
	doc.Find("[data-src], [data-original], [data-lazy-src], [data-srcset], [data-bg]").Not("iframe, script, frame, embed, object").Each(func(_ int, s *goquery.Selection) {
		owner := labelOwner(s)
		for _, a := range lazyAttrs {
			add(s.AttrOr(a, ""), a, owner)
		}
		for _, c := range srcset(s.AttrOr("data-srcset", "")) {
			add(c, "data-srcset", owner)
		}
		if bg := s.AttrOr("data-bg", ""); strings.Contains(strings.ToLower(bg), "url(") {
			addCSS(bg, "data-bg", owner)
		} else {
			add(bg, "data-bg", owner)
		}
	})
	doc.Find(`meta[property="og:image"], meta[name="twitter:image"], meta[property="twitter:image"]`).Each(func(_ int, s *goquery.Selection) {
		kind := "og:image"
		if s.AttrOr("property", "") != kind {
			kind = "twitter:image" // the selector's other two cases
		}
		add(s.AttrOr("content", ""), kind, s)
	})
	doc.Find("[style]").Each(func(_ int, s *goquery.Selection) {
		addCSS(s.AttrOr("style", ""), "style", s)
	})
	doc.Find("style").Each(func(_ int, s *goquery.Selection) {
		addCSS(s.Text(), "style-block", s)
	})
	doc.Find(`script[type="application/ld+json" i]`).Each(func(i int, s *goquery.Selection) {
		images, err := JSONLDImages([]byte(s.Text()), base)
		if err != nil {
			unread = append(unread, fmt.Sprintf(notes.JSONLDUnread, i+1, err))
		}
		for _, img := range images {
			add(img, "json-ld", s)
		}
	})
	doc.Find("a[href]").Each(func(_ int, s *goquery.Selection) {
		href := s.AttrOr("href", "")
		if strings.HasSuffix(strings.ToLower(strings.SplitN(href, "?", 2)[0]), ".pdf") {
			add(href, "pdf", s)
		}
	})
	return refs, unread
}

// labelOwner is the element whose label covers a media element: a
// <source>'s label belongs to its picture/video (not necessarily its
// parent), and a picture's to its <img>.
func labelOwner(s *goquery.Selection) *goquery.Selection {
	if goquery.NodeName(s) != "source" {
		return s
	}
	owner := s.Closest("picture, video, audio")
	if owner.Length() == 0 {
		return s
	}
	if img := owner.Find("img").First(); img.Length() > 0 {
		owner = img
	}
	return owner
}

// userState matches the pseudo-classes of a visitor's action.
var userState = regexp.MustCompile(`(?i)(^|[^:]):(hover|focus-within|focus-visible|focus|active|visited|target)\b`)

// elementFor is the first element a CSS rule's selector matches on the
// page (where its background is shown, for the label search), or fallback
// when the rule has no selector cascadia reads. It is nil when the selector
// matches nothing: the rule shows no image on this page (a site-wide
// stylesheet styles many pages, each its own).
func elementFor(doc *goquery.Document, selector string, fallback *goquery.Selection) *goquery.Selection {
	if selector == "" || strings.HasPrefix(selector, "@") {
		return fallback
	}
	// A background shown on hover or focus is shown to a visitor: the rule
	// is matched without the state (cascadia never matches one).
	group, err := cascadia.ParseGroupWithPseudoElements(userState.ReplaceAllString(selector, "$1"))
	if err != nil {
		return fallback
	}
	if el := doc.FindMatcher(cascadia.Selector(group.Match)).First(); el.Length() > 0 {
		return el
	}
	return nil
}

// SheetLink is a stylesheet a page uses and the element that names it.
type SheetLink struct {
	URL string
	El  *goquery.Selection
}

// Stylesheets lists the stylesheets a page links (<link rel=stylesheet>) and
// its <style> blocks @import, resolved against base, each once.
func Stylesheets(doc *goquery.Document, base *url.URL) []SheetLink {
	var out []SheetLink
	seen := map[string]bool{}
	add := func(u string, el *goquery.Selection) {
		if !seen[u] {
			seen[u] = true
			out = append(out, SheetLink{URL: u, El: el})
		}
	}
	doc.Find("link[href]").Each(func(_ int, s *goquery.Selection) {
		for _, rel := range strings.Fields(strings.ToLower(s.AttrOr("rel", ""))) {
			if rel != "stylesheet" {
				continue
			}
			if u, ok := resolveRef(base, s.AttrOr("href", "")); ok {
				add(u, s)
			}
		}
	})
	doc.Find("style").Each(func(_ int, s *goquery.Selection) {
		for _, r := range CSSRefs(s.Text(), base) {
			if r.Import {
				add(r.URL, s)
			}
		}
	})
	return out
}

// NewRef makes a Ref of a URL written on a page (resolved against base),
// or reports that it names no fetchable media (empty, data:, no server).
func NewRef(base *url.URL, raw, kind string, el *goquery.Selection) (Ref, bool) {
	u, ok := resolveRef(base, raw)
	return Ref{URL: u, Kind: kind, El: el}, ok
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
