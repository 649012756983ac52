package crawl

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCSSRefs(t *testing.T) {
	base, _ := url.Parse("https://a.kz/css/site.css")
	css := `@charset "utf-8";
@import url("reset.css");
@IMPORT 'https://a.kz/print.css' print;
/* .old { background: url(old.png) } */
.hero, .banner::before { background: #000 URL( ../img/hero.jpg ) no-repeat }
@media (min-width: 600px) { .card:hover { background-image: url('card.webp#x') } }
@font-face { font-family: F; src: url(/f.woff2) format("woff2") }
.esc { background: url(a\)b.png) }
.q { background: url("q\"uote.png") }
.set { background-image: -webkit-image-set("1x.png" 1x, url(2x.png) 2x); content: "not-a-url.png" }
.svg { filter: url(#blur); mask: url(data:image/svg+xml;base64,AAAA) }
.other { background: url(ftp://a.kz/x.png), url(//cdn.a.kz/p.png) }`
	var got []CSSRef
	got = CSSRefs(css, base)
	assert.Equal(t, []CSSRef{
		{URL: "https://a.kz/css/reset.css", Import: true},
		{URL: "https://a.kz/print.css", Import: true},
		{URL: "https://a.kz/img/hero.jpg", Selector: ".hero, .banner::before"},
		{URL: "https://a.kz/css/card.webp", Selector: ".card:hover"},
		{URL: "https://a.kz/css/a)b.png", Selector: ".esc"},
		{URL: `https://a.kz/css/q%22uote.png`, Selector: ".q"},
		{URL: "https://a.kz/css/1x.png", Selector: ".set"},
		{URL: "https://a.kz/css/2x.png", Selector: ".set"},
		{URL: "https://cdn.a.kz/p.png", Selector: ".other"},
	}, got)
	assert.Empty(t, CSSRefs("/* url(a.png)", base), "an unclosed comment hides the rest")
	assert.Len(t, CSSRefs(strings.Repeat(".x{background:url(a.png)}", 2*maxCSSRefs), base), maxCSSRefs)
}

func TestJSONLDImages(t *testing.T) {
	base, _ := url.Parse("https://a.kz/blog/post")
	for block, want := range map[string][]string{
		`{"@type":"Article","image":"hero.jpg"}`:                                       {"https://a.kz/blog/hero.jpg"},
		`{"image":["a.jpg","https://cdn.a.kz/b.jpg#f", 3, null]}`:                      {"https://a.kz/blog/a.jpg", "https://cdn.a.kz/b.jpg"},
		`{"image":{"@type":"ImageObject","url":"/u.jpg","contentUrl":"/c.jpg"}}`:       {"https://a.kz/c.jpg", "https://a.kz/u.jpg"},
		`{"schema:image":{"url":"/plain-object.jpg"}}`:                                 {"https://a.kz/plain-object.jpg"},
		`[{"@graph":[{"@type":["Thing","ImageObject"],"contentUrl":"/g.jpg"}]}]`:       {"https://a.kz/g.jpg"},
		`{"logo":{"@type":"ImageObject","url":"/logo.png"},"image":"/logo.png"}`:       {"https://a.kz/logo.png"},
		`{"image":{"@id":"https://a.kz/#primaryimage"},"name":"data:x","url":"/page"}`: nil,
		`{"image":"data:image/png;base64,AAAA"}`:                                       nil,
		`"just a string"`:                                                              nil,
	} {
		got, err := JSONLDImages([]byte(block), base)
		require.NoError(t, err, block)
		assert.Equal(t, want, got, block)
	}
	_, err := JSONLDImages([]byte(`{"image":`), base)
	assert.ErrorContains(t, err, "not valid JSON")
	_, err = JSONLDImages([]byte(`"`+strings.Repeat("x", maxJSONLD)+`"`), base)
	assert.ErrorContains(t, err, "larger than")
}

func TestScriptRendered(t *testing.T) {
	text := strings.Repeat("A shop for handmade carpets in Astana. ", 10)
	for html, want := range map[string]bool{
		`<body><div id="root"></div><script src="/main.js"></script></body>`:                              true,
		`<body><div id="__next"><div>Loading…</div></div></body>`:                                         true,
		`<body><app-root></app-root></body>`:                                                              true,
		`<body><h1>Shop</h1>` + strings.Repeat(`<script src="/x.js"></script>`, manyScripts) + `</body>`:  true,
		`<body><noscript>Please enable JavaScript.</noscript></body>`:                                     true,
		`<body><div id="__next"><main>` + text + `</main></div><script></script></body>`:                  false, // rendered on the server
		`<body><h1>Hello</h1><p>A small page.</p></body>`:                                                 false,
		`<body><div id="app">` + text + strings.Repeat(`<script>var x = "long script text";</script>`, 9): false,
	} {
		doc, err := goquery.NewDocumentFromReader(strings.NewReader(html))
		require.NoError(t, err)
		why, got := ScriptRendered(doc)
		assert.Equal(t, want, got, "%s: %s", html, why)
	}
	doc, _ := goquery.NewDocumentFromReader(strings.NewReader(`<body><h1>Shop</h1><div id="root"></div><script>render(":)")</script></body>`))
	why, _ := ScriptRendered(doc)
	assert.Equal(t, `4 characters of visible text; a script mount point <div id="root">`, why, "script text is not visible text")
}

// FuzzCSSRefs feeds hostile stylesheets to the url() extractor.
func FuzzCSSRefs(f *testing.F) {
	for _, s := range []string{
		"",
		`.a{background:url(a.png)} @import "b.css"; @media x{.c:hover{background:url('c.jpg')}}`,
		`@font-face{src:url(f.woff)} .x{filter:url(#f)} .y{background:url(data:image/png;base64,AA)}`,
		`.s{background:image-set("1x.png" 1x, url(2x.png) 2x)}`,
		`url(` + strings.Repeat("(", 100), `url("unterminated`, `"\`, `\`, `/*`, `}}}}{{{{`,
		`.e{background:url(a\)b.png)} .f{background:url(http://[::1]:8080/x.png)}`,
		strings.Repeat(`.x{background:url(a.png)}`, 1200),
	} {
		f.Add(s)
	}
	base, _ := url.Parse("https://a.kz/css/site.css")
	f.Fuzz(func(t *testing.T, css string) {
		refs := CSSRefs(css, base)
		require.Equal(t, refs, CSSRefs(css, base), "deterministic")
		require.LessOrEqual(t, len(refs), maxCSSRefs)
		// Every reference comes from a url( token or a string.
		lower := strings.ToLower(css)
		require.LessOrEqual(t, len(refs), strings.Count(lower, "url(")+strings.Count(css, `"`)+strings.Count(css, `'`))
		for _, r := range refs {
			u, err := url.Parse(r.URL)
			require.NoError(t, err, r.URL)
			require.Contains(t, []string{"http", "https"}, u.Scheme, r.URL)
			require.NotEmpty(t, u.Host, r.URL)
			require.NotContains(t, r.URL, "#")
			require.LessOrEqual(t, len(r.Selector), maxSelector)
		}
		// A stylesheet commented out names nothing.
		if !strings.Contains(css, "*/") {
			require.Empty(t, CSSRefs("/*"+css+"*/", base))
		}
	})
}

// FuzzJSONLDImages feeds hostile JSON-LD blocks to the image extractor.
func FuzzJSONLDImages(f *testing.F) {
	for _, s := range []string{
		"", "null", `{"image":"a.jpg"}`, `{"image":["a.jpg",{"url":"b.jpg"},{"@type":"ImageObject","contentUrl":"c.jpg"}]}`,
		`{"@graph":[{"@type":"ImageObject","url":["d.jpg","e.jpg"]}]}`, `{"image":` + strings.Repeat("[", 200) + strings.Repeat("]", 200) + `}`,
		`{"image":"http://[::1]:80/x.png#f","http://schema.org/image":"y.png"}`, `{"image":`,
	} {
		f.Add([]byte(s))
	}
	base, _ := url.Parse("https://a.kz/p")
	f.Fuzz(func(t *testing.T, block []byte) {
		images, err := JSONLDImages(block, base)
		again, err2 := JSONLDImages(block, base)
		require.Equal(t, images, again, "deterministic")
		require.Equal(t, err == nil, err2 == nil)
		if err != nil {
			require.Empty(t, images, "an unreadable block names nothing")
			return
		}
		require.True(t, json.Valid(block), "an invalid block is an error")
		require.LessOrEqual(t, len(images), maxJSONLDImages)
		// Every image is a string of the block: never more than its quotes allow.
		require.LessOrEqual(t, len(images), strings.Count(string(block), `"`)/2)
		seen := map[string]bool{}
		for _, img := range images {
			u, err := url.Parse(img)
			require.NoError(t, err, img)
			require.Contains(t, []string{"http", "https"}, u.Scheme, img)
			require.NotEmpty(t, u.Host, img)
			require.NotContains(t, img, "#")
			require.False(t, seen[img], "listed twice: %s", img)
			seen[img] = true
		}
		// The same data written differently names the same images.
		var v any
		require.NoError(t, json.Unmarshal(block, &v))
		re, err := json.Marshal(v)
		require.NoError(t, err)
		if len(re) <= maxJSONLD {
			fromRe, err := JSONLDImages(re, base)
			require.NoError(t, err)
			require.Equal(t, images, fromRe)
		}
	})
}
