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
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aiaudit/aiaudit/cmd/mktestdata/build"
	"github.com/aiaudit/aiaudit/reports/model"
	"github.com/aiaudit/aiaudit/scanner/internal/bodycap"
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

// siteDir holds the crawl test site: hand-written pages, generated images.
const siteDir = "../../testdata/sites/basic"

func newTestSite(t *testing.T) *testSite {
	t.Helper()
	s := &testSite{requested: map[string]int{}}
	s.offsite = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.offsiteHits++
		s.mu.Unlock()
	}))
	t.Cleanup(s.offsite.Close)
	images := http.FileServer(http.Dir(siteDir))
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
		case strings.HasPrefix(path, "/img/"):
			images.ServeHTTP(w, r)
		default:
			name := strings.TrimPrefix(path, "/")
			if name == "" {
				name = "index.html"
			}
			b, err := os.ReadFile(filepath.Join(siteDir, "pages", filepath.FromSlash(name)))
			if err != nil || strings.Contains(name, "..") {
				http.NotFound(w, r)
				return
			}
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write([]byte(strings.ReplaceAll(string(b), "{{OFFSITE}}", s.offsite.URL)))
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

func TestCrawlFindsEveryUnlabelledAIItem(t *testing.T) { crawlFindsEveryUnlabelledAIItem(t) }

// The same crawl with the seen-set and the settled media items on disk past
// one or two entries, behind filters too small to say no, finds the same.
func TestCrawlFindsEveryUnlabelledAIItemFromDisk(t *testing.T) {
	defer func(a, b, c, d int) { seenInMemory, seenBloomBytes, mediaInMemory, mediaBloomBytes = a, b, c, d }(seenInMemory, seenBloomBytes, mediaInMemory, mediaBloomBytes)
	seenInMemory, seenBloomBytes, mediaInMemory, mediaBloomBytes = 2, 8, 1, 8
	crawlFindsEveryUnlabelledAIItem(t)
}

func crawlFindsEveryUnlabelledAIItem(t *testing.T) {
	site := newTestSite(t)
	resources, findings, stats, err := collect(Options{
		Starts: []string{site.srv.URL + "/"}, MaxPages: 40, MaxDepth: 30, Concurrency: 3,
		Vet: urls.Options{Fetch: urls.FetchOptions{Timeout: 2 * time.Second}},
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
		if f.Fact == model.FactUnlabelled {
			got[f.Location] = true
			assert.Contains(t, f.Detail, "looked in:")
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
	assert.Contains(t, stats.SkippedExamples, base+"/forbidden/secret.html")
	assert.Equal(t, len(stats.SkippedExamples), stats.SkippedByRobots)
	require.Len(t, stats.Sites, 1)

	byLoc := map[string]model.Resource{}
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
		Emit: func(r *model.Resource, fs []model.Observation) error {
			for _, f := range fs {
				if f.Fact == model.FactUnlabelled {
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
		Emit: func(r *model.Resource, fs []model.Observation) error {
			for _, f := range fs {
				if f.Fact == model.FactUnlabelled {
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
	var video *model.Resource
	var rules []string
	_, err := Run(context.Background(), Options{Starts: []string{srv.URL + "/"}, Vet: urls.Options{Fetch: urls.FetchOptions{Timeout: 5 * time.Second}},
		Emit: func(r *model.Resource, fs []model.Observation) error {
			if r != nil && strings.HasSuffix(r.Location, "big.mp4") {
				video = r
			}
			for _, f := range fs {
				rules = append(rules, string(f.Fact))
			}
			return nil
		}})
	require.NoError(t, err)
	require.NotNil(t, video)
	assert.Empty(t, video.Error)
	assert.True(t, video.AIGenerated)
	assert.Equal(t, "video/mp4", video.MediaType)
	assert.Equal(t, int64(size), video.Size)
	assert.Contains(t, rules, string(model.FactUnlabelled))
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
	assert.ErrorIs(t, err, bodycap.ErrBomb, "stopped by the ratio long before the 50 MiB cap")
}

func TestSitemapCaps(t *testing.T) {
	// The protocol's 50,000 entries per sitemap and per index: the rest is
	// ignored.
	// Entries are numbered, as real ones differ: a sitemap of one entry
	// repeated compresses past the decompression-bomb ratio.
	many := func(open, entry, close string) []byte {
		var b strings.Builder
		b.WriteString(open)
		for i := range maxSitemapURLs + 1 {
			fmt.Fprintf(&b, entry, i)
		}
		return []byte(b.String() + close)
	}
	pages, _, err := ParseSitemap(many("<urlset>", "<url><loc>https://a.kz/p%d</loc></url>", "</urlset>"))
	require.NoError(t, err)
	assert.Len(t, pages, maxSitemapURLs)
	_, children, err := ParseSitemap(gzipped(many("<sitemapindex>", "<sitemap><loc>https://a.kz/s%d.xml</loc></sitemap>", "</sitemapindex>")))
	require.NoError(t, err)
	assert.Len(t, children, maxSitemapURLs)
	// A plain sitemap beyond the byte cap is refused like a decompressed one.
	big := append([]byte("<urlset>"), bytes.Repeat([]byte(" "), maxSitemap)...)
	_, _, err = ParseSitemap(append(big, "</urlset>"...))
	assert.ErrorContains(t, err, "larger than")
}

func TestMediaRefsEdgeCases(t *testing.T) {
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(`
<img src="http:no-host.jpg"><img src="http:///no-host.jpg"><img src="ok.jpg#frag">
<video><div><source src="nested.mp4"></div></video>
<meta name="twitter:image" property="any page text" content="t.jpg">
<img srcset="https://res.cloudinary.com/d/image/upload/w_300,h_200,c_crop/s.jpg 300w, data:image/png;base64,iVBO,Rw0K 2x">`))
	require.NoError(t, err)
	base, _ := url.Parse("https://a.kz/dir/page.html")
	got := map[string]string{}
	refs, _ := MediaRefs(doc, base)
	for _, r := range refs {
		got[r.URL] = r.Kind
		if r.Kind == "video" {
			assert.Equal(t, "video", goquery.NodeName(r.El), "the label is looked for around the video, not the <div>")
		}
	}
	assert.Equal(t, map[string]string{
		"https://a.kz/dir/ok.jpg":     "img",
		"https://a.kz/dir/nested.mp4": "video",
		"https://a.kz/dir/t.jpg":      "twitter:image",
		"https://res.cloudinary.com/d/image/upload/w_300,h_200,c_crop/s.jpg": "srcset",
	}, got, "no URL without a host, no kind from page text, no srcset URL cut at its commas")
}

func TestSrcset(t *testing.T) {
	for in, want := range map[string][]string{
		"":                              nil,
		"a.jpg 1x, b.jpg 2x":            {"a.jpg", "b.jpg"},
		"a.jpg 480w,b.jpg 1080w":        {"a.jpg", "b.jpg"},
		"\n a.jpg\t1x ,\r\n b.jpg":      {"a.jpg", "b.jpg"},
		"w_300,h_200/x.jpg 300w":        {"w_300,h_200/x.jpg"},
		"data:image/png;base64,AAA= 1x": {"data:image/png;base64,AAA="},
		"a.jpg,, b.jpg,c.jpg":           {"a.jpg", "b.jpg,c.jpg"},
		"a.jpg (1x, 2x), b.jpg":         {"a.jpg", "b.jpg"},
		",,,":                           nil,
	} {
		assert.Equal(t, want, srcset(in), "%q", in)
	}
}

func TestHugePageIsMarkedTruncated(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, "<html><body>"+strings.Repeat("<p>filler</p>", 10000)+"</body></html>")
	}))
	defer srv.Close()
	var page *model.Resource
	_, err := Run(context.Background(), Options{Starts: []string{srv.URL + "/"}, MaxPageBytes: 4096, Vet: urls.Options{Fetch: urls.FetchOptions{Timeout: time.Second}},
		Emit: func(r *model.Resource, fs []model.Observation) error {
			if r != nil && r.Kind == "page" {
				page = r
			}
			return nil
		}})
	require.NoError(t, err)
	require.NotNil(t, page)
	assert.Contains(t, page.Error, "truncated", "a cut page is never reported as fully audited")
}

// An image whose metadata runs past the media byte cap is unknown (an
// error), never "not AI": the generator parameters after the cap were not
// read.
func TestMediaOverTheCapIsUnknown(t *testing.T) {
	var chunks []build.Chunk
	for i := 0; i < 20; i++ {
		chunks = append(chunks, build.TextChunk("tEXt", fmt.Sprintf("Comment%d", i), strings.Repeat("x", 8<<10)))
	}
	chunks = append(chunks, build.TextChunk("tEXt", "parameters", "a cat\nSteps: 20, Sampler: Euler a, CFG scale: 7, Seed: 1, Size: 8x8, Model: sd"))
	png, err := build.PNG(8, 8, false, chunks...)
	require.NoError(t, err)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/":
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, `<html><body><img src="/big.png" alt="x"></body></html>`)
		case "/big.png":
			http.ServeContent(w, r, "big.png", time.Time{}, bytes.NewReader(png))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	var img *model.Resource
	_, err = Run(context.Background(), Options{Starts: []string{srv.URL + "/"}, MaxMediaBytes: 64 << 10,
		Vet: urls.Options{Fetch: urls.FetchOptions{Timeout: 5 * time.Second}},
		Emit: func(r *model.Resource, fs []model.Observation) error {
			if r != nil && strings.HasSuffix(r.Location, "big.png") {
				img = r
			}
			return nil
		}})
	require.NoError(t, err)
	require.NotNil(t, img)
	assert.False(t, img.AIGenerated)
	assert.Contains(t, img.Error, "not fully analysed", "unknown, not clean")
	assert.Contains(t, img.Error, urls.ErrOverCap.Error())
}

// A page reached by several redirects, and a redirect loop, are read once:
// the crawl's own seen-set covers redirect targets.
func TestRedirectTargetsAreCrawledOnce(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/":
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, `<html><body><a href="/a">a</a> <a href="/b">b</a> <a href="/loop1">l</a></body></html>`)
		case "/a", "/b":
			http.Redirect(w, r, "/target", http.StatusFound)
		case "/loop1":
			http.Redirect(w, r, "/loop2", http.StatusFound)
		case "/loop2":
			http.Redirect(w, r, "/loop1", http.StatusFound)
		case "/target":
			hits.Add(1)
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, `<html><body><a href="/">home</a></body></html>`)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	var pages []string
	stats, err := Run(context.Background(), Options{Starts: []string{srv.URL + "/"}, Vet: urls.Options{Fetch: urls.FetchOptions{Timeout: time.Second}},
		Emit: func(r *model.Resource, _ []model.Observation) error {
			if r != nil {
				assert.Empty(t, r.Error, r.Location)
				pages = append(pages, r.Location)
			}
			return nil
		}})
	require.NoError(t, err)
	assert.Equal(t, int64(1), hits.Load(), "the target of two redirects is fetched once")
	assert.Equal(t, 2, stats.Pages, "home and the redirect target: %v", pages)
}

// The crawler's own robots.txt politeness matches the path with its query,
// an empty one included: "Disallow: /search?" keeps it off "/search?" but
// not "/search", and "Allow: /w/load.php?" outweighs "Disallow: /w/".
func TestOwnRobotsKeepsTheEmptyQuery(t *testing.T) {
	var mu sync.Mutex
	fetched := map[string]bool{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		fetched[r.RequestURI] = true
		mu.Unlock()
		if r.URL.Path == "/robots.txt" {
			fmt.Fprint(w, "User-agent: *\nDisallow: /search?\nAllow: /w/load.php?\nDisallow: /w/\n")
			return
		}
		w.Header().Set("Content-Type", "text/html")
		if r.URL.Path == "/" {
			fmt.Fprint(w, `<html><body><a href="/search?">s?</a> <a href="/search">s</a> <a href="/w/load.php?">l?</a> <a href="/w/load.php">l</a></body></html>`)
		}
	}))
	defer srv.Close()
	stats, err := Run(context.Background(), Options{Starts: []string{srv.URL + "/"}, Vet: urls.Options{Fetch: urls.FetchOptions{Timeout: time.Second}},
		Emit: func(*model.Resource, []model.Observation) error { return nil }})
	require.NoError(t, err)
	mu.Lock()
	defer mu.Unlock()
	assert.False(t, fetched["/search?"], "Disallow: /search? covers /search?: %v", fetched)
	assert.True(t, fetched["/search"], "but not /search: %v", fetched)
	assert.True(t, fetched["/w/load.php?"], "Allow: /w/load.php? outweighs Disallow: /w/: %v", fetched)
	assert.False(t, fetched["/w/load.php"], "Disallow: /w/ holds without the ?: %v", fetched)
	assert.Equal(t, 2, stats.SkippedByRobots)
}

// With a seen-set that keeps 8 URLs in memory and a filter too small to
// say no, a site whose pages link home, to their children and to pages seen
// long before is still crawled whole, each page fetched once.
func TestSeenSetOnDiskCrawlsEveryPageOnce(t *testing.T) {
	defer func(m, b int) { seenInMemory, seenBloomBytes = m, b }(seenInMemory, seenBloomBytes)
	seenInMemory, seenBloomBytes = 8, 8
	const pages = 400
	var mu sync.Mutex
	hits := map[int]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/p/"), ".html"))
		if err != nil || i < 0 || i >= pages {
			http.NotFound(w, r)
			return
		}
		mu.Lock()
		hits[i]++
		mu.Unlock()
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, `<html><body><a href="/p/0.html">home</a>`)
		for _, c := range []int{3*i + 1, 3*i + 2, 3*i + 3, i / 2, (i * 7) % pages} {
			if c < pages {
				fmt.Fprintf(w, `<a href="/p/%d.html">p</a>`, c)
			}
		}
		fmt.Fprint(w, `</body></html>`)
	}))
	defer srv.Close()
	stats, err := Run(context.Background(), Options{Starts: []string{srv.URL + "/p/0.html"}, MaxPages: 10 * pages, MaxDepth: 50, Concurrency: 4,
		Vet: urls.Options{Fetch: urls.FetchOptions{Timeout: 5 * time.Second}}})
	require.NoError(t, err)
	mu.Lock()
	defer mu.Unlock()
	assert.Len(t, hits, pages, "every page crawled")
	for i, n := range hits {
		assert.Equal(t, 1, n, "page %d fetched once", i)
	}
	assert.Equal(t, pages, stats.Pages)
}
