package crawl

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/stretchr/testify/require"
)

// gzipWriters saves a fuzz run from allocating a compressor (about a MiB of
// state) per input.
var gzipWriters = sync.Pool{New: func() any { return gzip.NewWriter(nil) }}

func gzipped(b []byte) []byte {
	var buf bytes.Buffer
	zw := gzipWriters.Get().(*gzip.Writer)
	defer gzipWriters.Put(zw)
	zw.Reset(&buf)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

// FuzzParseSitemap feeds hostile sitemaps, plain and (when gz is set)
// gzip-compressed by the test, so the gzip path sees arbitrary content too.
func FuzzParseSitemap(f *testing.F) {
	urlset := `<?xml version="1.0" encoding="UTF-8"?>` + "\n" +
		`<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">` +
		`<url><loc>https://a.kz/</loc><lastmod>2024-05-01</lastmod><priority>1.0</priority></url>` +
		`<url><loc>https://a.kz/news?id=1&amp;lang=kk</loc></url></urlset>`
	seeds := []string{
		"",
		urlset,
		`<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>https://a.kz/s1.xml.gz</loc></sitemap><sitemap><loc>https://a.kz/s2.xml</loc></sitemap></sitemapindex>`,
		"\xEF\xBB\xBF" + strings.ReplaceAll(urlset, "><", ">\r\n<"), // BOM, CRLF
		`<urlset><url><loc><![CDATA[https://a.kz/x?a=1&b=2]]></loc></url><url><loc>  https://a.kz/&#1179;  </loc></url><url/></urlset>`,
		`<urlset><url><loc>https://a.kz/` + strings.Repeat("x", 64<<10) + `</loc></url></urlset>`, // a huge value
		`<urlset><url><loc>https://a.kz/1</loc><loc>https://a.kz/2</loc></url>`,                   // unclosed
		`<?xml version="1.0" encoding="ISO-8859-1"?><urlset><url><loc>https://a.kz/</loc></url></urlset>`,
	}
	for _, s := range seeds {
		f.Add([]byte(s), false)
		f.Add([]byte(s), true)
	}
	f.Add(gzipped(gzipped([]byte(urlset))), false) // gzip inside gzip
	f.Add([]byte{0x1f, 0x8b}, false)               // a gzip magic and nothing else

	f.Fuzz(func(t *testing.T, b []byte, gz bool) {
		in := b
		if gz {
			in = gzipped(b)
		}
		pages, children, err := ParseSitemap(in)

		// Deterministic: the same bytes give the same answer.
		p2, c2, err2 := ParseSitemap(in)
		require.Equal(t, pages, p2)
		require.Equal(t, children, c2)
		require.Equal(t, err == nil, err2 == nil)
		if err != nil {
			// A sitemap that cannot be read yields nothing, not half a list.
			require.Empty(t, pages)
			require.Empty(t, children)
			return
		}

		// The documented caps: the protocol's 50,000 URLs per sitemap and
		// per index.
		require.LessOrEqual(t, len(pages), maxSitemapURLs)
		require.LessOrEqual(t, len(children), maxSitemapURLs)

		xmlBytes := in
		if len(in) >= 2 && in[0] == 0x1f && in[1] == 0x8b {
			// ParseSitemap accepted the gzip stream, so it decompressed
			// within the cap; gzip is only transport: the decompressed
			// bytes read as a plain sitemap say the same.
			plain, err := io.ReadAll(io.LimitReader(mustGunzip(t, in), maxSitemap+1))
			require.NoError(t, err)
			require.LessOrEqual(t, len(plain), maxSitemap, "accepted a sitemap beyond the decompression cap")
			pp, pc, perr := ParseSitemap(plain)
			require.NoError(t, perr)
			require.Equal(t, pages, pp)
			require.Equal(t, children, pc)
			xmlBytes = plain
		}

		// Nothing is invented: every <loc> is text of its own element,
		// and XML decoding (entities, CDATA, CRLF) only ever shrinks text,
		// so all URLs together are never longer than the XML they came from.
		total := 0
		for _, s := range append(append([]string{}, pages...), children...) {
			total += len(s)
		}
		require.LessOrEqual(t, total, len(xmlBytes))
	})
}

func mustGunzip(t *testing.T, b []byte) io.Reader {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	require.NoError(t, err)
	return zr
}

// mediaKinds are the Ref.Kind values MediaRefs documents.
var mediaKinds = map[string]bool{
	"img": true, "srcset": true, "video": true, "audio": true, "picture": true, "poster": true,
	"og:image": true, "twitter:image": true, "style": true, "pdf": true,
	"data-src": true, "data-original": true, "data-lazy-src": true, "data-srcset": true, "data-bg": true,
	"style-block": true, "stylesheet": true, "json-ld": true,
}

// FuzzRefs parses hostile HTML and checks what the crawler would fetch
// (MediaRefs) and follow (Links).
func FuzzRefs(f *testing.F) {
	const page = "https://a.kz/blog/post.html?p=1#top"
	seeds := []string{
		"",
		`<!doctype html><html><head><meta property="og:image" content="/og.jpg#x"><meta name="twitter:image" content="https://cdn.a.kz/t.png"></head>` +
			`<body><img src="a.jpg" srcset="a-1x.jpg 1x, a-2x.jpg 2x"><picture><source srcset="b.webp 480w, b-big.webp 1080w" type="image/webp"><img src="b.jpg" alt="AI-generated"></picture>` +
			`<video src="v.mp4" poster="p.jpg"><source src="v.webm"></video><audio><source src="s.mp3"></audio>` +
			`<div style="background:url('bg.png')">x</div><a href="doc.PDF?dl=1">pdf</a><a href="/next#frag">next</a><area href="map.html"></body></html>`,
		`<img srcset="https://res.cloudinary.com/demo/image/upload/w_300,h_200,c_crop/sample.jpg 300w, https://res.cloudinary.com/demo/image/upload/w_600/sample.jpg 600w">`,
		`<img srcset="data:image/png;base64,iVBORw0KGgo= 1x, x.png 2x" src="data:image/gif;base64,R0lGOD">`,
		`<img src="http:no-host.jpg"><img src="http:///three-slashes.jpg"><img src="//cdn.a.kz/p.jpg"><img src="javascript:alert(1)"><img src="mailto:a@b"><img src=" ">`,
		`<a href="mailto:x@a.kz">m</a><a href="javascript:void(0)">j</a><a href="http://[::1]:80/x">v6</a><a href="http://%zz">bad</a><a href="#only">f</a>`,
		"\xEF\xBB\xBF<html>\r\n<body>\r\n<img\r\nsrc=\"crlf.jpg\"\r\n></body>",
		`<video><div><source src="nested.mp4"></div></video><meta name="twitter:image" property="surprise" content="t.jpg">`,
		`<img src="` + strings.Repeat("a", 64<<10) + `.jpg">`,
		`<img srcset=",,, a.jpg 1x,,b.jpg, c.jpg (x, y) 2x ,">`,
		`<img data-src="l.jpg" data-srcset="l1.jpg 1x, l2.jpg 2x"><div data-bg="url('bg.jpg')"></div><div data-bg="bg2.jpg"></div><iframe data-src="/frame.html"></iframe>` +
			`<picture><source data-srcset="s.webp"><img data-original="o.jpg" data-lazy-src="z.jpg"></picture>`,
		`<style>.hero:hover::before{background:url(h.jpg)} .none{background:url(n.jpg)} @font-face{src:url(f.woff)} @import "x.css";</style><div class="hero"></div>` +
			`<script type="application/ld+json">{"@graph":[{"@type":"ImageObject","contentUrl":"c.jpg"},{"image":["i.jpg",{"url":"//:0:"}]}]}</script><script type="application/ld+json">{</script>`,
	}
	for _, s := range seeds {
		f.Add([]byte(s), page)
	}
	f.Add([]byte(seeds[1]), "http://[::1]:8080/")
	f.Add([]byte(seeds[1]), "https://user:pw@xn--80ak6aa92e.kz/a/b/")

	f.Fuzz(func(t *testing.T, html []byte, pageURL string) {
		// The crawler only parses pages it fetched over http(s).
		base, err := url.Parse(pageURL)
		if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
			t.Skip()
		}
		doc, err := goquery.NewDocumentFromReader(bytes.NewReader(html))
		require.NoError(t, err)

		refs, notes := MediaRefs(doc, base)
		// A note is per JSON-LD block that could not be read.
		require.LessOrEqual(t, len(notes), doc.Find("script").Length())
		seen := map[string]bool{}
		for _, r := range refs {
			// Each URL is one occurrence on the page.
			require.False(t, seen[r.URL], "listed twice: %s", r.URL)
			seen[r.URL] = true
			// The crawler re-parses a Ref's URL and fetches it: it must be
			// an absolute http(s) URL with a host (MediaRefs drops the rest)
			// and without a fragment (never sent to a server; #a and #b
			// would count one image twice).
			u, err := url.Parse(r.URL)
			require.NoError(t, err, r.URL)
			require.Contains(t, []string{"http", "https"}, u.Scheme, r.URL)
			require.NotEmpty(t, u.Host, r.URL)
			require.NotContains(t, r.URL, "#")
			// Kind ends up in the finding's message: one of the kinds
			// MediaRefs documents, never page text.
			require.True(t, mediaKinds[r.Kind], "kind %q", r.Kind)
			// The element is where the visible-label search starts.
			require.NotNil(t, r.El)
			require.Equal(t, 1, r.El.Length())
		}

		// Links resolves every a/area href against the page; which of them
		// to follow is the scope's call (enqueue: Scope.Allows, normalize).
		links := Links(doc, base)
		require.LessOrEqual(t, len(links), doc.Find("a[href], area[href]").Length())
		scope := NewScope([]*url.URL{base}, nil, true, nil, nil)
		for _, l := range links {
			require.True(t, l.IsAbs(), "a link resolved against an absolute page URL is absolute: %s", l)
			if scope.Allows(l) {
				require.Contains(t, []string{"http", "https"}, l.Scheme)
				require.NotEmpty(t, l.Host)
				require.NotContains(t, normalize(l), "#")
			}
		}

		// Deterministic: a second parse of the same bytes finds the same.
		doc2, err := goquery.NewDocumentFromReader(bytes.NewReader(html))
		require.NoError(t, err)
		refs2, _ := MediaRefs(doc2, base)
		require.Equal(t, len(refs), len(refs2))
		for i := range refs {
			require.Equal(t, refs[i].URL, refs2[i].URL)
			require.Equal(t, refs[i].Kind, refs2[i].Kind)
		}
		links2 := Links(doc2, base)
		require.Equal(t, len(links), len(links2))
		for i := range links {
			require.Equal(t, links[i].String(), links2[i].String())
		}
	})
}

// FuzzSrcset checks srcset against the HTML rule for image candidate
// strings: a URL is a run of non-whitespace, commas included, except
// trailing commas, which end the candidate; descriptors ("1x", "300w") run to
// the next comma and are never URLs.
func FuzzSrcset(f *testing.F) {
	for _, s := range []string{
		"",
		"a.jpg",
		"a.jpg 1x, b.jpg 2x",
		"a.jpg 480w,b.jpg 1080w",
		" \t\r\n a.jpg \r\n 1x ,\r\n b.jpg 2x ",
		"https://res.cloudinary.com/demo/image/upload/w_300,h_200,c_crop/sample.jpg 300w, https://res.cloudinary.com/demo/image/upload/w_600/sample.jpg 600w",
		"data:image/png;base64,iVBORw0KGgo= 1x, x.png 2x",
		"a.jpg,, b.jpg,c.jpg",
		",,,",
		"a.jpg (1x, 2x), b.jpg",
		"\xEF\xBB\xBFa.jpg 1x",
		strings.Repeat("a.jpg 1x, ", 1000),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		got := srcset(v)
		require.Equal(t, got, srcset(v), "deterministic")
		const ws = " \t\n\f\r"
		// token reports whether c sits in v at i as a whole candidate URL:
		// after the start, whitespace or a comma, and before the end,
		// whitespace, or commas that are trailing (followed by whitespace or
		// the end): a comma followed by more URL text is part of the URL.
		token := func(i int, c string) bool {
			if i > 0 && !strings.ContainsAny(v[i-1:i], ws+",") {
				return false
			}
			after := strings.TrimLeft(v[i+len(c):], ",")
			return after == "" || strings.ContainsAny(after[:1], ws)
		}
		pos := 0
		for _, c := range got {
			// A candidate URL is non-empty, holds no whitespace and neither
			// starts nor ends with a comma.
			require.NotEmpty(t, c)
			require.False(t, strings.ContainsAny(c, ws), "%q", c)
			require.False(t, strings.HasPrefix(c, ",") || strings.HasSuffix(c, ","), "%q", c)
			// Candidates are whole tokens of v, in order.
			found := false
			for i := pos; i <= len(v)-len(c); i++ {
				if strings.HasPrefix(v[i:], c) && token(i, c) {
					pos, found = i+len(c), true
					break
				}
			}
			require.True(t, found, "%q is not a whole candidate of %q after byte %d", c, v, pos)
		}
		// Each candidate but the last ends at a comma: there are never
		// more candidates than commas plus one.
		require.LessOrEqual(t, len(got), strings.Count(v, ",")+1)
	})
}
