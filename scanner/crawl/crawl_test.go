package crawl

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aiaudit/aiaudit/cmd/mktestdata/build"
	"github.com/aiaudit/aiaudit/reports"
	"github.com/aiaudit/aiaudit/scanner/urls"
)

// testSite is a website whose every page and image has a known answer.
type testSite struct {
	srv, offsite *httptest.Server
	mu           sync.Mutex
	requested    map[string]int
	offsiteHits  int
}

func (s *testSite) hits(p string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requested[p]
}

func newTestSite(t *testing.T) *testSite {
	t.Helper()
	plain, err := build.JPEG(32, 24, 3)
	require.NoError(t, err)
	aiXMP := func(seed int) []byte { // AI-made and machine-marked (IPTC digital source type)
		j, err := build.JPEG(32, 24, seed)
		require.NoError(t, err)
		b, err := build.WithXMP(j, build.XMPPacket("http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia", "", "Test Model"))
		require.NoError(t, err)
		return b
	}
	aiPNG := func(seed int) []byte { // AI-made, generator parameters only
		b, err := build.PNG(16+seed, 16, false, build.TextChunk("tEXt", "parameters", "x\nSteps: 20, Sampler: Euler a, Seed: "+strconv.Itoa(seed)))
		require.NoError(t, err)
		return b
	}
	images := map[string][]byte{
		"/img/ai-alt.jpg": aiXMP(1), "/img/ai-fig.png": aiPNG(1), "/img/ai-unlabelled.jpg": aiXMP(2), "/img/photo.jpg": plain,
		"/img/ai-aria-ru.png": aiPNG(2), "/img/ai-container-ru.jpg": aiXMP(3), "/img/ai-srcset-2x.png": aiPNG(3), "/img/ai-srcset-1x.jpg": plain,
		"/img/ai-desc-kk.png": aiPNG(4), "/img/ai-page-kk.jpg": aiXMP(4),
		"/img/ai-title-de.png": aiPNG(5), "/img/ai-picture-de.jpg": aiXMP(5), "/img/ai-poster.png": aiPNG(6),
		"/img/ai-shared.png": aiPNG(7), "/img/ai-sitemap.jpg": aiXMP(6), "/img/ai-og.png": aiPNG(8),
	}
	s := &testSite{requested: map[string]int{}}
	s.offsite = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.offsiteHits++
		s.mu.Unlock()
	}))
	t.Cleanup(s.offsite.Close)
	pages := map[string]string{
		"/": `<html><head><meta property="og:image" content="/img/ai-og.png"></head><body>
			<a href="/labels-en.html">en</a> <a href="/labels-ru.html">ru</a> <a href="/labels-kk.html">kk</a>
			<a href="/labels-de.html">de</a> <a href="/photos.html">photos</a> <a href="/forbidden/secret.html">secret</a>
			<a href="` + s.offsite.URL + `/elsewhere.html">elsewhere</a> <a href="/go">redirect</a>
			<a href="/calendar?m=1">calendar</a> <a href="/broken.html">broken</a> <a href="/slow.html">slow</a></body></html>`,
		"/labels-en.html": `<html><body>
			<img src="/img/ai-alt.jpg" alt="AI-generated illustration">
			<figure><img src="/img/ai-fig.png"><figcaption>Image made with AI</figcaption></figure>
			<div><img src="/img/ai-unlabelled.jpg" alt="Our office"></div>
			<div><img src="/img/photo.jpg" alt="Team photo"></div>
			<div><img src="/img/ai-shared.png" alt="AI-generated chart"></div></body></html>`,
		"/labels-ru.html": `<html><body>
			<img src="/img/ai-aria-ru.png" aria-label="Изображение сгенерировано ИИ">
			<div class="card"><img src="/img/ai-container-ru.jpg"><span>Создано с помощью нейросети</span></div>
			<div><img srcset="/img/ai-srcset-1x.jpg 1x, /img/ai-srcset-2x.png 2x" alt="Пейзаж"></div>
			<div><img src="/img/ai-shared.png" alt="График"></div></body></html>`,
		"/labels-kk.html": `<html><body><p>Бұл беттегі барлық суреттер жасанды интеллект арқылы жасалған.</p>
			<div><img src="/img/ai-page-kk.jpg"></div>
			<div><img src="/img/ai-desc-kk.png" aria-describedby="d"></div><p id="d">ЖИ көмегімен жасалған</p></body></html>`,
		"/labels-de.html": `<html><body><img src="/img/ai-title-de.png" title="KI-generiert">
			<div><picture><source srcset="/img/ai-picture-de.jpg"><img src="/img/photo.jpg"></picture><small>Mit KI erstellt</small></div>
			<div><video poster="/img/ai-poster.png" src="/video.mp4"></video></div></body></html>`,
		"/photos.html":       `<html><body><div><img src="/img/photo.jpg" alt="Sunset"></div></body></html>`,
		"/sitemap-only.html": `<html><body><div><img src="/img/ai-sitemap.jpg"></div></body></html>`,
		"/broken.html":       `<html><body><div><p>unclosed <img src="/img/photo.jpg" alt="x"`,
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		path := r.URL.Path
		switch {
		case path == "/robots.txt":
			fmt.Fprintf(w, "User-agent: *\nDisallow: /forbidden/\nSitemap: %s/sitemap.xml\n", s.srv.URL)
		case path == "/sitemap.xml":
			fmt.Fprintf(w, `<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>%s/sitemap-only.html</loc></url></urlset>`, s.srv.URL)
		case path == "/go":
			http.Redirect(w, r, "/photos.html", http.StatusMovedPermanently)
		case path == "/calendar": // a crawler trap: every month links to the next
			m, _ := strconv.Atoi(r.URL.Query().Get("m"))
			fmt.Fprintf(w, `<html><body><a href="/calendar?m=%d">next</a></body></html>`, m+1)
		case path == "/slow.html":
			time.Sleep(300 * time.Millisecond)
			fmt.Fprint(w, "<html><body>slow</body></html>")
		case path == "/video.mp4":
			http.NotFound(w, r)
		case images[path] != nil:
			w.Write(images[path])
		case pages[path] != "":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, pages[path])
		default:
			http.NotFound(w, r)
		}
	})
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.requested[r.URL.Path]++
		s.mu.Unlock()
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func TestCrawlFindsEveryUnlabelledAIItem(t *testing.T) {
	site := newTestSite(t)
	var mu sync.Mutex
	var resources []reports.Resource
	var findings []reports.Finding
	stats, err := Run(context.Background(), Options{
		Starts: []string{site.srv.URL + "/"}, MaxPages: 40, MaxDepth: 30, Concurrency: 3,
		Vet: urls.Options{Fetch: urls.FetchOptions{Timeout: 2 * time.Second}},
		Emit: func(r *reports.Resource, fs []reports.Finding) error {
			mu.Lock()
			defer mu.Unlock()
			if r != nil {
				resources = append(resources, *r)
			}
			findings = append(findings, fs...)
			return nil
		},
	})
	require.NoError(t, err)

	base := site.srv.URL
	want := map[string]bool{
		base + "/img/ai-unlabelled.jpg on " + base + "/labels-en.html": true,
		base + "/img/ai-srcset-2x.png on " + base + "/labels-ru.html":  true,
		base + "/img/ai-shared.png on " + base + "/labels-ru.html":     true,
		base + "/img/ai-poster.png on " + base + "/labels-de.html":     true,
		base + "/img/ai-sitemap.jpg on " + base + "/sitemap-only.html": true,
		base + "/img/ai-og.png on " + base + "/":                       true,
	}
	got := map[string]bool{}
	for _, f := range findings {
		if f.Rule == "kz.aap.456.2" {
			got[f.Location] = true
			assert.Contains(t, f.Message, "looked in:")
		}
	}
	tp := 0
	for k := range got {
		if want[k] {
			tp++
		}
	}
	precision := float64(tp) / float64(max(len(got), 1))
	recall := float64(tp) / float64(len(want))
	assert.Equal(t, 1.0, precision, "false findings: %v", diff(got, want))
	assert.Equal(t, 1.0, recall, "missed: %v", diff(want, got))

	assert.Zero(t, site.hits("/forbidden/secret.html"), "robots.txt forbids it: never requested")
	assert.Zero(t, site.offsiteHits, "the off-site link is never requested")
	assert.Equal(t, 1, site.hits("/img/ai-shared.png"), "media is fetched once")
	assert.Equal(t, 1, site.hits("/sitemap-only.html"), "found through the sitemap")
	assert.LessOrEqual(t, stats.Pages, 40, "the calendar trap is cut by --max-pages")
	assert.Contains(t, stats.SkippedByRobots, base+"/forbidden/secret.html")
	require.Len(t, stats.Sites, 1)

	byLoc := map[string]reports.Resource{}
	for _, r := range resources {
		byLoc[r.Location] = r
	}
	assert.False(t, byLoc[base+"/img/photo.jpg"].AIGenerated)
	assert.True(t, byLoc[base+"/img/ai-alt.jpg"].Labelled.MachineReadable)
	assert.Contains(t, byLoc[base+"/broken.html"].MediaType, "html", "broken HTML is still a page")
	assert.Contains(t, byLoc[base+"/video.mp4"].Error, "404")
	assert.Equal(t, "page", byLoc[base+"/photos.html"].Kind)
}

func diff(a, b map[string]bool) []string {
	var out []string
	for k := range a {
		if !b[k] {
			out = append(out, k)
		}
	}
	return out
}

func TestScope(t *testing.T) {
	start, _, _ := urls.Origin("https://example.kz/")
	s := NewScope([]*url.URL{start}, []string{"cdn.example.com"}, true, nil, []*regexp.Regexp{regexp.MustCompile(`^/admin/`)})
	for raw, want := range map[string]bool{
		"https://example.kz/a": true, "https://shop.example.kz/a": true, "https://cdn.example.com/i.jpg": true,
		"https://evil.com/": false, "https://example.kz.evil.com/": false, "https://example.kz/admin/x": false,
		"mailto:x@example.kz": false,
	} {
		u, err := url.Parse(raw)
		require.NoError(t, err)
		assert.Equal(t, want, s.Allows(u), raw)
	}
	assert.True(t, strings.HasPrefix(normalize(start), "https://example.kz/"))
}

func TestDeclaredContent(t *testing.T) {
	plain, err := build.JPEG(8, 8, 9)
	require.NoError(t, err)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/robots.txt":
			w.WriteHeader(404)
		case "/news.html":
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, `<html><body>
			<article class="gen">Markets rose today.</article>
			<article class="gen">Rain tomorrow. <em>This text was generated with AI.</em></article>
			<div><img src="/chart.jpg" alt="Chart"></div></body></html>`)
		case "/whole.html":
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, `<html><body><p>Written by a model.</p></body></html>`)
		case "/chart.jpg":
			w.Write(plain)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	csv := "url,selector\n" + srv.URL + "/news.html,article.gen\n" + srv.URL + "/chart.jpg\n" + srv.URL + "/whole.html\n"
	decl, err := ReadDeclared(strings.NewReader(csv))
	require.NoError(t, err)
	var locs []string
	_, err = Run(context.Background(), Options{
		Starts: []string{srv.URL + "/news.html", srv.URL + "/whole.html"}, Declared: decl,
		Vet: urls.Options{Fetch: urls.FetchOptions{Timeout: time.Second}},
		Emit: func(r *reports.Resource, fs []reports.Finding) error {
			for _, f := range fs {
				if f.Rule == "kz.aap.456.2" {
					locs = append(locs, f.Location)
				}
			}
			return nil
		},
	})
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{
		srv.URL + "/news.html [article.gen #1]",
		srv.URL + "/chart.jpg on " + srv.URL + "/news.html",
		srv.URL + "/whole.html",
	}, locs, "the labelled article is not a finding")
}

func TestReadDeclaredErrors(t *testing.T) {
	_, err := ReadDeclared(strings.NewReader("https://a.example/x,div[\n"))
	assert.ErrorContains(t, err, "line 1")
	_, err = ReadDeclared(strings.NewReader("url\nnot-a-url\n"))
	assert.ErrorContains(t, err, "line 2")
	d, err := ReadDeclared(strings.NewReader("# exported from the CMS\nhttps://a.example/x#top\n"))
	require.NoError(t, err)
	assert.Contains(t, d, "https://a.example/x")
}

// A windows-1251 page whose label is in Russian, served gzip-compressed: the
// label is found only if the charset is decoded.
func TestCharsetAndCompression(t *testing.T) {
	ai, err := build.PNG(8, 8, false, build.TextChunk("tEXt", "parameters", "x\nSteps: 20, Sampler: Euler a, Seed: 1"))
	require.NoError(t, err)
	// "Создано с помощью ИИ" in windows-1251.
	label := []byte{0xD1, 0xEE, 0xE7, 0xE4, 0xE0, 0xED, 0xEE, 0x20, 0xF1, 0x20, 0xEF, 0xEE, 0xEC, 0xEE, 0xF9, 0xFC, 0xFE, 0x20, 0xC8, 0xC8}
	page := append([]byte(`<html><head><meta charset="windows-1251"></head><body><div><img src="/ai.png"><span>`), label...)
	page = append(page, []byte(`</span></div><div><img src="/ai2.png"></div></body></html>`)...)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/":
			w.Header().Set("Content-Type", "text/html; charset=windows-1251")
			w.Header().Set("Content-Encoding", "gzip")
			zw := gzip.NewWriter(w)
			zw.Write(page)
			zw.Close()
		case "/ai.png", "/ai2.png":
			w.Write(ai)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	var locs []string
	_, err = Run(context.Background(), Options{Starts: []string{srv.URL + "/"}, Vet: urls.Options{Fetch: urls.FetchOptions{Timeout: time.Second}},
		Emit: func(r *reports.Resource, fs []reports.Finding) error {
			for _, f := range fs {
				if f.Rule == "kz.aap.456.2" {
					locs = append(locs, f.Location)
				}
			}
			return nil
		}})
	require.NoError(t, err)
	assert.Equal(t, []string{srv.URL + "/ai2.png on " + srv.URL + "/"}, locs, "the windows-1251 label is read; only the unlabelled image is a finding")
}

// virtualFile is a large file that exists only as its header: the rest reads
// as zeros, so a test can serve gigabytes without allocating them.
type virtualFile struct {
	head []byte
	size int64
	off  int64
}

func (v *virtualFile) Read(p []byte) (int, error) {
	if v.off >= v.size {
		return 0, io.EOF
	}
	n := int(min(int64(len(p)), v.size-v.off))
	for i := range n {
		at := v.off + int64(i)
		if at < int64(len(v.head)) {
			p[i] = v.head[at]
		} else {
			p[i] = 0
		}
	}
	v.off += int64(n)
	return n, nil
}

func (v *virtualFile) Seek(off int64, whence int) (int64, error) {
	switch whence {
	case io.SeekStart:
		v.off = off
	case io.SeekCurrent:
		v.off += off
	case io.SeekEnd:
		v.off = v.size + off
	}
	return v.off, nil
}

type countingWriter struct {
	http.ResponseWriter
	n *atomic.Int64
}

func (c countingWriter) Write(p []byte) (int, error) {
	c.n.Add(int64(len(p)))
	return c.ResponseWriter.Write(p)
}

// A 2 GiB video is inspected through Range requests: its XMP box is read,
// its media data is not.
func TestLargeVideoIsReadByRange(t *testing.T) {
	box := func(typ string, payload []byte) []byte {
		b := binary.BigEndian.AppendUint32(nil, uint32(8+len(payload)))
		return append(append(b, typ...), payload...)
	}
	xmpUUID := []byte{0xBE, 0x7A, 0xCF, 0xCB, 0x97, 0xA9, 0x42, 0xE8, 0x9C, 0x71, 0x99, 0x94, 0x91, 0xE3, 0xAF, 0xAC}
	head := box("ftyp", []byte("isom\x00\x00\x02\x00isom"))
	head = append(head, box("uuid", append(append([]byte{}, xmpUUID...), build.XMPPacket("http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia", "", "")...))...)
	const size = 2 << 30
	head = append(head, binary.BigEndian.AppendUint32(nil, uint32(size-len(head)))...)
	head = append(head, "mdat"...)
	var served atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/":
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, `<html><body><div><video src="/big.mp4"></video></div></body></html>`)
		case "/big.mp4":
			w.Header().Set("Content-Type", "video/mp4")
			http.ServeContent(countingWriter{w, &served}, r, "big.mp4", time.Time{}, &virtualFile{head: head, size: size})
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	var video *reports.Resource
	var rules []string
	_, err := Run(context.Background(), Options{Starts: []string{srv.URL + "/"}, Vet: urls.Options{Fetch: urls.FetchOptions{Timeout: 5 * time.Second}},
		Emit: func(r *reports.Resource, fs []reports.Finding) error {
			if r != nil && strings.HasSuffix(r.Location, "big.mp4") {
				video = r
			}
			for _, f := range fs {
				rules = append(rules, f.Rule)
			}
			return nil
		}})
	require.NoError(t, err)
	require.NotNil(t, video)
	assert.Empty(t, video.Error)
	assert.True(t, video.AIGenerated)
	assert.Equal(t, "video/mp4", video.MediaType)
	assert.Equal(t, int64(size), video.Size)
	assert.Contains(t, rules, "kz.aap.456.2")
	assert.Less(t, served.Load(), int64(1<<20), "a 2 GiB video costs well under 1 MiB")
}

func TestParseSitemap(t *testing.T) {
	index := `<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>https://a.kz/s1.xml.gz</loc></sitemap></sitemapindex>`
	pages, children, err := ParseSitemap([]byte(index))
	require.NoError(t, err)
	assert.Empty(t, pages)
	assert.Equal(t, []string{"https://a.kz/s1.xml.gz"}, children)

	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(`<urlset><url><loc>https://a.kz/x</loc></url><url><loc>https://a.kz/y</loc></url></urlset>`))
	zw.Close()
	pages, _, err = ParseSitemap(gz.Bytes())
	require.NoError(t, err)
	assert.Equal(t, []string{"https://a.kz/x", "https://a.kz/y"}, pages)

	_, _, err = ParseSitemap([]byte("<urlset><url>"))
	assert.Error(t, err)
	var bomb bytes.Buffer
	zw = gzip.NewWriter(&bomb)
	zw.Write(bytes.Repeat([]byte(" "), maxSitemap+10))
	zw.Close()
	_, _, err = ParseSitemap(bomb.Bytes())
	assert.ErrorContains(t, err, "decompresses beyond")
}
