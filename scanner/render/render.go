// Package render loads crawled pages in headless Chromium (crawl --render),
// so the crawl sees what a visitor sees: content and links built by script,
// lazy images that load on scroll, stylesheet backgrounds, and which labels
// are actually visible. Every request the browser makes is intercepted and
// fetched by the crawl itself (crawl.Subresources: scope, robots.txt, the
// guarded and polite fetcher); the browser's own network stack reaches
// nothing, since its proxy is a closed port.
package render

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/aiaudit/aiaudit/scanner/browser"

	"github.com/chromedp/chromedp"

	"github.com/aiaudit/aiaudit/scanner/crawl"
)

// Options configures the browser.
type Options struct {
	// Browser is the Chromium binary; "" looks for chromium on PATH.
	Browser string
	// Budget is the time a page may take to settle, scrolling included;
	// what loaded by then is read (default 20s).
	Budget time.Duration
	// Quiet is how long the network must be idle for a page to have
	// settled (default 500ms).
	Quiet time.Duration
	// MaxScrolls bounds the screens scrolled (infinite scroll; default 20).
	MaxScrolls int
	// MaxRequests bounds the requests of one page (default 500).
	MaxRequests int
	// MaxBody bounds one fetched resource (default 16 MiB).
	MaxBody int64
	// MaxElements bounds the elements checked for visibility (default
	// 50,000); text beyond is not counted as a label.
	MaxElements int
	UserAgent   string
}

func (o *Options) defaults() {
	if o.Budget <= 0 {
		o.Budget = 20 * time.Second
	}
	if o.Quiet <= 0 {
		o.Quiet = 500 * time.Millisecond
	}
	if o.MaxScrolls <= 0 {
		o.MaxScrolls = 20
	}
	if o.MaxRequests <= 0 {
		o.MaxRequests = 500
	}
	if o.MaxBody <= 0 {
		o.MaxBody = 16 << 20
	}
	if o.MaxElements <= 0 {
		o.MaxElements = 50_000
	}
}

// Renderer is one browser shared by the crawl's workers, a tab per page.
// It implements crawl.PageLoader.
type Renderer struct {
	opt  Options
	path string

	mu      sync.Mutex
	browser context.Context // a chromedp context holding the running browser
	stop    context.CancelFunc
	closed  bool
}

var _ crawl.PageLoader = (*Renderer)(nil)

// New starts the browser. Close ends it and its processes.
func New(opt Options) (*Renderer, error) {
	opt.defaults()
	path, err := browser.Find(opt.Browser)
	if err != nil {
		return nil, err
	}
	r := &Renderer{opt: opt, path: path}
	if _, err := r.running(); err != nil {
		return nil, err
	}
	return r, nil
}

// running returns the browser's context, starting the browser when it is
// not running (the first time, or after it died).
func (r *Renderer) running() (context.Context, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return nil, errors.New("browser closed")
	}
	if r.browser != nil {
		select {
		case <-chromedp.FromContext(r.browser).Browser.LostConnection:
			r.stop() // it died: its leftovers go, a new one starts
		default:
			return r.browser, nil
		}
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(r.path),
		chromedp.WindowSize(1280, 800),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.Flag("mute-audio", true),
		// Pop-ups and window.open make no window at all.
		chromedp.Flag("disable-popup-blocking", false),
		chromedp.Flag("block-new-web-contents", true),
		// Cross-site frames stay in the page's process, so the page's
		// request interception sees their requests too.
		chromedp.Flag("disable-features", "Translate,BlinkGenPropertyTrees,IsolateOrigins,site-per-process"),
		// Every request is fulfilled by the crawl; anything that escapes
		// interception (a worker's fetch, a preconnect) meets a closed
		// proxy, loopback included, and goes nowhere.
		chromedp.ProxyServer("http://127.0.0.1:9"),
		chromedp.Flag("proxy-bypass-list", "<-loopback>"),
		chromedp.Flag("dns-prefetch-disable", true),
	)
	if r.opt.UserAgent != "" {
		opts = append(opts, chromedp.UserAgent(r.opt.UserAgent))
	}
	if os.Geteuid() == 0 {
		opts = append(opts, chromedp.NoSandbox) // Chromium's sandbox refuses root
	}
	alloc, stopAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	browser, stopBrowser := chromedp.NewContext(alloc)
	stop := func() { stopBrowser(); stopAlloc() }
	// The browser starts now, not on the first page, so a missing library
	// or a refused sandbox is said once, up front.
	if err := chromedp.Do(browser); err != nil {
		stop()
		return nil, fmt.Errorf("starting %s: %w", r.path, err)
	}
	r.browser, r.stop = browser, stop
	return browser, nil
}

// Close ends the browser: every tab, the process and its children.
func (r *Renderer) Close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closed = true
	if r.stop != nil {
		r.stop()
		r.browser, r.stop = nil, nil
	}
}

// Load renders one page in a new tab. A browser that died is started again
// and the page tried once more.
func (r *Renderer) Load(ctx context.Context, page crawl.Fetched, sub crawl.Subresources) (*crawl.Page, error) {
	for attempt := 0; ; attempt++ {
		browser, err := r.running()
		if err != nil {
			return nil, err
		}
		p, err := r.load(ctx, browser, page, sub)
		if err == nil || attempt > 0 || ctx.Err() != nil {
			return p, err
		}
		select {
		case <-chromedp.FromContext(browser).Browser.LostConnection:
			continue // the browser died under this page
		default:
			return nil, err
		}
	}
}
