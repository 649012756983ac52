package render

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aiaudit/aiaudit/scanner/browser"
	"github.com/aiaudit/aiaudit/scanner/browser/browsertest"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aiaudit/aiaudit/reports/model"
	"github.com/aiaudit/aiaudit/scanner/crawl"
	"github.com/aiaudit/aiaudit/scanner/urls"
)

// site is a loopback website built the way marketing sites are, with a
// known answer for every image.
type site struct {
	srv, offsite *httptest.Server
	mu           sync.Mutex
	hits         map[string]int
	offsiteHits  int
	// fromBrowser counts requests made by the browser's own network stack
	// (it sends Sec-Fetch-Mode; the crawl's fetcher never does).
	fromBrowser int
}

func (s *site) hit(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[path]
}

func (s *site) hitsWithPrefix(prefix string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for p, c := range s.hits {
		if strings.HasPrefix(p, prefix) {
			n += c
		}
	}
	return n
}

// hiddenCaptions are the ways CSS hides a label, each on its own AI image.
var hiddenCaptions = map[string]struct{ style, why string }{
	"h-none":     {"display:none", "not displayed"},
	"h-visible":  {"visibility:hidden", "visibility:hidden"},
	"h-zero":     {"position:absolute;width:1px;height:1px;overflow:hidden", "zero-sized"},
	"h-off":      {"position:absolute;left:-9999px", "off-screen"},
	"h-tiny":     {"font-size:1px", "font too small"},
	"h-contrast": {"color:#fefefe;background:#fff", "low contrast"},
}

const css = `.banner { height: 200px; background-image: url("/img/banner.jpg"); }
figure { margin: 20px; }`

const appJS = `
fetch('/data.json').then(r => r.json()).then(d => {
  const app = document.getElementById('app');
  for (const item of d.items) {
    const img = document.createElement('img');
    img.src = item.src;
    app.appendChild(img);
  }
  const a = document.createElement('a');
  a.href = d.next;
  a.textContent = 'More';
  document.querySelector('nav').appendChild(a);
  document.querySelector('#scripted figcaption').textContent = 'AI-generated image';
  new IntersectionObserver((entries, obs) => {
    for (const e of entries) if (e.isIntersecting) { e.target.src = e.target.dataset.src; obs.unobserve(e.target); }
  }).observe(document.querySelector('img.io'));
});`

func newSite(t *testing.T) *site {
	t.Helper()
	ai, err := os.ReadFile("../../testdata/sites/basic/img/ai-unlabelled.jpg")
	require.NoError(t, err)
	s := &site{hits: map[string]int{}}
	s.offsite = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.offsiteHits++
		s.mu.Unlock()
		w.Write(ai)
	}))
	t.Cleanup(s.offsite.Close)
	html := func(w http.ResponseWriter, body string) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, body)
	}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.hits[r.URL.Path]++
		if r.Header.Get("Sec-Fetch-Mode") != "" {
			s.fromBrowser++
		}
		s.mu.Unlock()
		switch p := r.URL.Path; {
		case p == "/robots.txt":
			fmt.Fprint(w, "User-agent: *\nDisallow: /private/\n")
		case p == "/":
			var figs strings.Builder
			for name, c := range hiddenCaptions {
				fmt.Fprintf(&figs, `<figure><img src="/img/%s.jpg"><figcaption style="%s">AI-generated image</figcaption></figure>`, name, c.style)
			}
			html(w, `<html><head><link rel="stylesheet" href="/site.css"></head><body>
<nav><a href="/about.html">About</a></nav>
<div id="app"></div>
<div class="banner">Spring sale</div>
<figure><img src="/img/shown.jpg"><figcaption>AI-generated image</figcaption></figure>
<figure id="scripted"><img src="/img/js-caption.jpg"><figcaption></figcaption></figure>
`+figs.String()+`
<img src="`+s.offsite.URL+`/elsewhere.jpg"> <img src="/private/secret.jpg">
<div style="height:4000px"></div>
<img loading="lazy" src="/img/lazy.jpg" width="100" height="100">
<img class="io" data-src="/img/io.jpg" width="100" height="100">
<script src="/app.js"></script>
<script>new Worker('/worker.js'); navigator.sendBeacon('/beacon', 'x');</script>
</body></html>`)
		case p == "/worker.js":
			w.Header().Set("Content-Type", "text/javascript")
			fmt.Fprintf(w, "fetch('/from-worker'); fetch('%s/from-worker');", s.offsite.URL)
		case p == "/site.css":
			w.Header().Set("Content-Type", "text/css")
			fmt.Fprint(w, css)
		case p == "/app.js":
			w.Header().Set("Content-Type", "text/javascript")
			fmt.Fprint(w, appJS)
		case p == "/data.json":
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"items": [{"src": "/img/js-built.jpg"}], "next": "/spa-page.html"}`)
		case p == "/spa-page.html" || p == "/about.html":
			html(w, `<html><body><p>Nothing here</p></body></html>`)
		case p == "/liar.html": // a page whose scripts lie about layout
			html(w, `<html><body><figure><img src="/img/liar.jpg"><figcaption style="display:none">AI-generated image</figcaption></figure>
<script>
const fake = { display: 'block', visibility: 'visible', opacity: '1', fontSize: '16px', fontWeight: '400', color: 'rgb(0, 0, 0)',
  backgroundColor: 'rgb(255, 255, 255)', backgroundImage: 'none', overflow: 'visible' };
window.getComputedStyle = () => fake;
Element.prototype.getClientRects = () => [{ left: 0, top: 0, right: 100, bottom: 20 }];
Range.prototype.getClientRects = () => [{ left: 0, top: 0, right: 100, bottom: 20 }];
</script></body></html>`)
		case p == "/hang.html":
			html(w, `<html><body><a href="/after-hang.html">next</a><script>while (true) {}</script></body></html>`)
		case p == "/dialogs.html":
			html(w, `<html><body><script>for (let i = 0; i < 30; i++) { alert(i); confirm(i); }
document.body.insertAdjacentHTML('beforeend', '<img src="/img/after-dialogs.jpg">');</script></body></html>`)
		case p == "/storm.html":
			html(w, `<html><body><script>for (let i = 0; i < 500; i++) { window.open('/popup/' + i); }
document.body.insertAdjacentHTML('beforeend', '<img src="/img/after-storm.jpg">');</script></body></html>`)
		case p == "/forever.html": // a request that never answers keeps the network busy
			html(w, `<html><body><img src="/img/forever.jpg"><img src="/img/ok.jpg"></body></html>`)
		case p == "/img/forever.jpg":
			select {
			case <-r.Context().Done():
			case <-time.After(time.Minute):
			}
		case strings.HasPrefix(p, "/img/"), strings.HasPrefix(p, "/private/"):
			w.Header().Set("Content-Type", "image/jpeg")
			w.Write(ai)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(s.srv.Close)
	return s
}

type result struct {
	resources map[string]model.Resource
	findings  map[string]string // location: detail of unlabelled findings
	stats     *crawl.Stats
}

func crawlWith(t *testing.T, loader crawl.PageLoader, start string, maxPages int) result {
	t.Helper()
	var mu sync.Mutex
	res := result{resources: map[string]model.Resource{}, findings: map[string]string{}}
	stats, err := crawl.Run(context.Background(), crawl.Options{
		Starts: []string{start}, MaxPages: maxPages, MaxDepth: 3, Concurrency: 3, Loader: loader,
		Vet: urls.Options{Fetch: urls.FetchOptions{Timeout: 5 * time.Second}},
		Emit: func(r *model.Resource, fs []model.Observation) error {
			mu.Lock()
			defer mu.Unlock()
			if r != nil {
				res.resources[r.Location] = *r
			}
			for _, f := range fs {
				if f.Fact == model.FactUnlabelled {
					res.findings[f.Location] = f.Detail
				}
			}
			return nil
		},
	})
	require.NoError(t, err)
	res.stats = stats
	return res
}

func newRenderer(t *testing.T, opt Options) *Renderer {
	t.Helper()
	opt.Browser = browsertest.Path(t)
	r, err := New(opt)
	require.NoError(t, err)
	t.Cleanup(r.Close)
	return r
}

// The rendered crawl sees what a visitor sees; the static crawl of the same
// site does not.
func TestRenderedCrawlSeesWhatAVisitorSees(t *testing.T) {
	s := newSite(t)
	r := newRenderer(t, Options{Budget: 15 * time.Second})
	got := crawlWith(t, r, s.srv.URL+"/", 10)
	base := s.srv.URL
	on := func(img string) string { return base + "/img/" + img + " on " + base + "/" }

	for _, img := range []string{"js-built.jpg", "lazy.jpg", "io.jpg", "banner.jpg"} {
		assert.Contains(t, got.findings, on(img), "%s: loaded by script, on scroll or from a stylesheet, unlabelled", img)
	}
	for name, c := range hiddenCaptions {
		d, ok := got.findings[on(name+".jpg")]
		if assert.True(t, ok, "%s: a caption CSS hides (%s) does not count", name, c.style) {
			assert.Contains(t, d, "label present but not visible", name)
			assert.Contains(t, d, c.why, name)
		}
	}
	assert.NotContains(t, got.findings, on("shown.jpg"), "a visible caption counts")
	assert.NotContains(t, got.findings, on("js-caption.jpg"), "a caption added by script counts")
	assert.Contains(t, got.resources, base+"/spa-page.html", "a link built by script is crawled")
	assert.Equal(t, 1, s.hit("/spa-page.html"))
	assert.Equal(t, 1, s.hit("/"), "the page is fetched once: the browser gets the crawl's copy")

	assert.Zero(t, s.offsiteHits, "the browser's out-of-scope request is refused")
	assert.Zero(t, s.fromBrowser, "every request reaching the site is the crawl's: the browser reaches nothing by itself")
	assert.Equal(t, 1, s.hit("/worker.js"))
	assert.Zero(t, s.hit("/beacon"), "a POST is refused")
	assert.Zero(t, s.hit("/private/secret.jpg"), "the browser's robots-disallowed request is refused")
	page := got.resources[base+"/"]
	notes := strings.Join(page.Notes, "\n")
	assert.Contains(t, notes, "outside the crawl scope: "+s.offsite.URL+"/elsewhere.jpg")
	assert.Contains(t, notes, "disallowed by robots.txt: "+base+"/private/secret.jpg")
	assert.Empty(t, page.Error)

	liar := crawlWith(t, r, base+"/liar.html", 1)
	assert.Contains(t, liar.findings[base+"/img/liar.jpg on "+base+"/liar.html"], "not displayed",
		"the page's own scripts cannot fake a hidden label's layout")

	static := crawlWith(t, nil, s.srv.URL+"/", 10)
	assert.NotContains(t, static.findings, on("js-built.jpg"), "the static crawl cannot see script-built images")
	assert.NotContains(t, static.resources, base+"/spa-page.html")
	assert.NotContains(t, static.findings, on("h-none.jpg"), "the static crawl counts the hidden caption")
}

// Pages that hang, loop, open dialogs or windows are cut off by the budget
// and the crawl goes on; no tab is left open.
func TestHostilePages(t *testing.T) {
	s := newSite(t)
	r := newRenderer(t, Options{Budget: 3 * time.Second})
	base := s.srv.URL

	start := time.Now()
	hang := crawlWith(t, r, base+"/hang.html", 2)
	assert.Less(t, time.Since(start), 20*time.Second, "the endless script is cut off")
	assert.Contains(t, hang.resources[base+"/hang.html"].Error, "not rendered", "a page that cannot be read is unknown, never clean")
	assert.Contains(t, hang.resources, base+"/after-hang.html", "its links are still followed (read as served)")

	d := crawlWith(t, r, base+"/dialogs.html", 1)
	assert.Contains(t, d.findings, base+"/img/after-dialogs.jpg on "+base+"/dialogs.html", "dialogs are dismissed and the page runs on")
	assert.Contains(t, strings.Join(d.resources[base+"/dialogs.html"].Notes, "\n"), "dialogs opened by the page were dismissed")

	st := crawlWith(t, r, base+"/storm.html", 1)
	assert.Contains(t, st.findings, base+"/img/after-storm.jpg on "+base+"/storm.html")
	assert.Zero(t, s.hitsWithPrefix("/popup/"), "window.open makes no window")

	start = time.Now()
	f := crawlWith(t, r, base+"/forever.html", 1)
	assert.Less(t, time.Since(start), 20*time.Second)
	assert.Contains(t, f.findings, base+"/img/ok.jpg on "+base+"/forever.html", "what loaded within the budget is read")
	assert.Contains(t, strings.Join(f.resources[base+"/forever.html"].Notes, "\n"), "did not settle")

	// Every tab was closed: the browser holds only its first blank page.
	tabs, err := chromedpTargets(r)
	require.NoError(t, err)
	assert.LessOrEqual(t, tabs, 1, "tabs left open")
}

// A browser that dies is started again and the page rendered.
func TestBrowserRestartsAfterDying(t *testing.T) {
	s := newSite(t)
	r := newRenderer(t, Options{Budget: 10 * time.Second})
	first := r.process()
	require.NotNil(t, first)
	require.NoError(t, first.Kill())
	got := crawlWith(t, r, s.srv.URL+"/", 1)
	assert.Contains(t, got.findings, s.srv.URL+"/img/js-built.jpg on "+s.srv.URL+"/", "rendered by a new browser")
	assert.NotEqual(t, first.Pid, r.process().Pid)
}

func TestMissingBrowserNamesThePackage(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	_, err := New(Options{})
	require.ErrorIs(t, err, browser.ErrNotFound)
	assert.Contains(t, err.Error(), "chromium package")
	_, err = New(Options{Browser: "/no/such/chromium"})
	assert.Error(t, err)
}

// process is the running browser's main process.
func (r *Renderer) process() *os.Process {
	r.mu.Lock()
	defer r.mu.Unlock()
	return chromedp.FromContext(r.browser).Browser.Process()
}

// chromedpTargets counts the browser's open tabs.
func chromedpTargets(r *Renderer) (int, error) {
	r.mu.Lock()
	b := r.browser
	r.mu.Unlock()
	ts, err := chromedp.Targets(b)
	n := 0
	for _, t := range ts {
		if t.Type == "page" {
			n++
		}
	}
	return n, err
}

// --concurrency pages render at once, each in its own tab.
func TestPagesRenderInParallel(t *testing.T) {
	r := newRenderer(t, Options{Budget: 10 * time.Second})
	var mu sync.Mutex
	active, most := 0, 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		switch {
		case req.URL.Path == "/robots.txt":
			http.NotFound(w, req)
		case strings.HasPrefix(req.URL.Path, "/beacon/"):
			// Each page's script calls here; the call waits until three
			// pages are in, or a few seconds.
			mu.Lock()
			active++
			most = max(most, active)
			mu.Unlock()
			for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
				mu.Lock()
				n := most
				mu.Unlock()
				if n >= 3 {
					break
				}
			}
			mu.Lock()
			active--
			mu.Unlock()
			fmt.Fprint(w, "{}")
		default:
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprintf(w, `<html><body><script>fetch('/beacon%s')</script></body></html>`, req.URL.Path)
		}
	}))
	defer srv.Close()
	_, err := crawl.Run(context.Background(), crawl.Options{
		Starts: []string{srv.URL + "/a", srv.URL + "/b", srv.URL + "/c"}, MaxPages: 3, MaxDepth: 1, Concurrency: 3, Loader: r,
		Vet: urls.Options{Fetch: urls.FetchOptions{Timeout: 5 * time.Second, HostConcurrency: 4}},
	})
	require.NoError(t, err)
	assert.Equal(t, 3, most, "three tabs load at once")
}
