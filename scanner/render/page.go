package render

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aiaudit/aiaudit/detectors/notes"

	"github.com/PuerkitoBio/goquery"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"golang.org/x/net/html"

	"github.com/aiaudit/aiaudit/detectors/labels"
	"github.com/aiaudit/aiaudit/scanner/crawl"
)

//go:embed collect.js
var collectJS string

// scrollJS scrolls one screen down and says whether the page's end is in view.
const scrollJS = `(function () {
  window.scrollBy(0, window.innerHeight);
  const end = Math.max(document.documentElement.scrollHeight, document.body ? document.body.scrollHeight : 0);
  return window.scrollY + window.innerHeight >= end - 2;
})()`

// maxExamples is how many unanswered URLs a page's notes name per reason.
const maxExamples = 5

// collected is what collect.js returns.
type collected struct {
	HTML      string                `json:"html"`
	Boxes     map[string]labels.Box `json:"boxes"`
	Media     []shown               `json:"media"`
	Truncated bool                  `json:"truncated"`
}

type shown struct {
	ID   string `json:"id"`
	URL  string `json:"url"`
	Kind string `json:"kind"`
}

// pageLoad is one page in one tab: it answers the tab's requests and
// records what they asked for.
type pageLoad struct {
	r         *Renderer
	fetched   crawl.Fetched
	sub       crawl.Subresources
	tab       context.Context // CDP calls (the tab lives until Load returns)
	budget    context.Context // fetches; ends with the page's time budget
	mainFrame cdp.FrameID

	mu         sync.Mutex
	inflight   int
	last       time.Time
	requests   int
	served     bool
	media      []string // image and media URLs requested, in order
	links      []*url.URL
	unanswered map[string][]string // reason: URLs
	dialogs    int
}

func (r *Renderer) load(ctx context.Context, browser context.Context, fetched crawl.Fetched, sub crawl.Subresources) (*crawl.Page, error) {
	tab, closeTab := chromedp.NewContext(browser)
	// Closing the tab ends everything in it: the crawl's Ctrl-C does too.
	defer closeTab()
	defer context.AfterFunc(ctx, closeTab)()
	if err := chromedp.Do(tab); err != nil {
		return nil, fmt.Errorf("opening a tab: %w", err)
	}
	budget, cancel := context.WithTimeout(tab, r.opt.Budget)
	defer cancel()
	l := &pageLoad{r: r, fetched: fetched, sub: sub, tab: tab, budget: budget, last: time.Now(), unanswered: map[string][]string{},
		mainFrame: cdp.FrameID(chromedp.FromContext(tab).Target.TargetID)}
	if err := chromedp.Listen(tab, l.event); err != nil {
		return nil, err
	}
	if _, err := chromedp.Call(tab, fetch.Enable, fetch.EnableParams{Patterns: []*fetch.RequestPattern{{URLPattern: "*"}}}); err != nil {
		return nil, fmt.Errorf("intercepting requests: %w", err)
	}
	var unsettled []string
	if err := l.settle(budget); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		unsettled = append(unsettled, fmt.Sprintf(notes.RenderUnsettled, r.opt.Budget, err))
	}
	cancel() // what is still loading stops; the page is read as it is
	// Reading the page gets half the budget again: a page whose script
	// loops forever cannot be read at all.
	read, stop := context.WithTimeout(tab, max(r.opt.Budget/2, time.Second))
	defer stop()
	// The page is read from a world of its own: the page's scripts share
	// its DOM but not its functions, so a page cannot replace
	// getComputedStyle to make a hidden label look visible.
	world, err := chromedp.Call(read, page.CreateIsolatedWorld, page.CreateIsolatedWorldParams{FrameID: l.mainFrame, WorldName: "aiaudit"})
	var res collected
	if err == nil {
		res, err = chromedp.Run(read, chromedp.Evaluate[collected](collectJS+"("+strconv.Itoa(r.opt.MaxElements)+")",
			func(p *runtime.EvaluateParams) { p.ContextID = world.ExecutionContextID }))
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("reading the rendered page: %w", err)
	}
	p, err := l.read(res)
	if err != nil {
		return nil, err
	}
	p.Notes = append(unsettled, p.Notes...)
	return p, nil
}

// settle navigates, waits for the network to go quiet, and scrolls screen
// by screen (lazy loading, infinite scroll up to MaxScrolls).
func (l *pageLoad) settle(ctx context.Context) error {
	nav, err := chromedp.Call(ctx, page.Navigate, page.NavigateParams{URL: l.fetched.URL.String()})
	if err != nil {
		return err
	}
	if nav.ErrorText != "" {
		return errors.New(nav.ErrorText)
	}
	if err := l.idle(ctx); err != nil {
		return err
	}
	for i := 0; i < l.r.opt.MaxScrolls; i++ {
		end, err := chromedp.Run(ctx, chromedp.Evaluate[bool](scrollJS))
		if err != nil {
			return err
		}
		if err := l.idle(ctx); err != nil {
			return err
		}
		if end {
			return nil
		}
	}
	return nil
}

// idle waits until no request has been in flight for Quiet, counted from
// now at the earliest: what a scroll sets off (an observer's callback) comes
// a frame later.
func (l *pageLoad) idle(ctx context.Context) error {
	tick := time.NewTicker(l.r.opt.Quiet / 5)
	defer tick.Stop()
	start := time.Now()
	for {
		l.mu.Lock()
		quiet := l.inflight == 0 && time.Since(l.last) >= l.r.opt.Quiet && time.Since(start) >= l.r.opt.Quiet
		l.mu.Unlock()
		if quiet {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}

// event runs on the tab's reading goroutine: it must not block.
func (l *pageLoad) event(ev any) {
	switch e := ev.(type) {
	case *fetch.EventRequestPaused:
		l.mu.Lock()
		l.inflight++
		l.last = time.Now()
		l.mu.Unlock()
		go l.answer(e)
	case *page.EventJavascriptDialogOpening:
		l.mu.Lock()
		l.dialogs++
		l.mu.Unlock()
		go chromedp.Call(l.tab, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
	}
}

// answer fulfills one request with what the crawl fetched, or fails it.
func (l *pageLoad) answer(e *fetch.EventRequestPaused) {
	defer func() {
		l.mu.Lock()
		l.inflight--
		l.last = time.Now()
		l.mu.Unlock()
	}()
	fail := func(reason network.ErrorReason) {
		chromedp.Call(l.tab, fetch.FailRequest, fetch.FailRequestParams{RequestID: e.RequestID, ErrorReason: reason})
	}
	u, err := url.Parse(e.Request.URL)
	if err != nil || l.budget.Err() != nil {
		fail(network.ErrorReasonAborted)
		return
	}
	l.mu.Lock()
	l.requests++
	over := l.requests > l.r.opt.MaxRequests
	first := !l.served && e.ResourceType == network.ResourceTypeDocument && e.FrameID == l.mainFrame
	if first {
		l.served = true
	}
	if e.ResourceType == network.ResourceTypeImage || e.ResourceType == network.ResourceTypeMedia {
		l.media = append(l.media, u.String())
	}
	l.mu.Unlock()
	switch {
	case first:
		// The page itself: the bytes the crawl fetched (no second request;
		// colly gave them as UTF-8).
		h := l.fetched.Header.Clone()
		h.Set("Content-Type", "text/html; charset=utf-8")
		fulfill(l.tab, e.RequestID, max(l.fetched.Status, 200), h, l.fetched.Body)
		return
	case e.ResourceType == network.ResourceTypeDocument && e.FrameID == l.mainFrame:
		// A script navigating away: a link for the crawl, not this page.
		l.mu.Lock()
		l.links = append(l.links, u)
		l.mu.Unlock()
		fail(network.ErrorReasonAborted)
		return
	case e.Request.Method != http.MethodGet:
		l.refuse(notes.RequestNotGET, u)
	case e.ResourceType == network.ResourceTypeMedia:
		// Video and audio are read by the crawl, by range; the page
		// needs no bytes of them to lay out.
	case over:
		l.refuse(fmt.Sprintf(notes.RequestOverCap, l.r.opt.MaxRequests), u)
	default:
		var header []string
		if accept, _ := e.Request.Headers["Accept"].(string); accept != "" {
			header = []string{"Accept", accept}
		}
		resp, err := l.sub.Fetch(l.budget, u, l.r.opt.MaxBody, header...)
		switch {
		case errors.Is(err, crawl.ErrOutOfScope):
			l.refuse(notes.RequestOutside, u)
		case errors.Is(err, crawl.ErrRobots):
			l.refuse(notes.RequestRobots, u)
		case err != nil:
			if l.budget.Err() == nil { // past the budget, every fetch in flight ends so
				l.note(notes.RequestFailed, u.Redacted()+" ("+err.Error()+")")
			}
			fail(network.ErrorReasonFailed)
			return
		case resp.Truncated:
			l.refuse(fmt.Sprintf(notes.RequestTooLarge, l.r.opt.MaxBody), u)
		default:
			fulfill(l.tab, e.RequestID, resp.Status, resp.Header, resp.Body)
			return
		}
	}
	fail(network.ErrorReasonBlockedByClient)
}

// fulfill answers a request. The body is given decoded: the headers that
// described the bytes on the wire go.
func fulfill(tab context.Context, id fetch.RequestID, status int, h http.Header, body []byte) {
	var headers []*fetch.HeaderEntry
	for name, values := range h {
		switch http.CanonicalHeaderKey(name) {
		case "Content-Encoding", "Content-Length", "Transfer-Encoding", "Connection":
			continue
		}
		for _, v := range values {
			headers = append(headers, &fetch.HeaderEntry{Name: name, Value: v})
		}
	}
	chromedp.Call(tab, fetch.FulfillRequest, fetch.FulfillRequestParams{RequestID: id, ResponseCode: int64(status), ResponseHeaders: headers, Body: body})
}

func (l *pageLoad) refuse(reason string, u *url.URL) { l.note(reason, u.Redacted()) }

// note records a request not answered with the site's bytes, by reason.
func (l *pageLoad) note(reason, what string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.unanswered[reason] = append(l.unanswered[reason], what)
}

// read reads what collect.js returned: the rendered DOM, which of its texts
// a visitor can see, its media and links.
func (l *pageLoad) read(res collected) (*crawl.Page, error) {
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(res.HTML))
	if err != nil {
		return nil, fmt.Errorf("rendered HTML: %w", err)
	}
	base := l.fetched.URL
	byID := map[string]*html.Node{}
	doc.Find("[data-aiaudit-id]").Each(func(_ int, s *goquery.Selection) {
		byID[s.AttrOr("data-aiaudit-id", "")] = s.Nodes[0]
	})
	unseen := map[*html.Node]string{}
	for id, b := range res.Boxes {
		if n := byID[id]; n != nil {
			unseen[n] = labels.Unseen(b)
		}
	}
	media, unread := crawl.MediaRefs(doc, base)
	p := &crawl.Page{Doc: doc, Unseen: unseen, Media: media, Links: crawl.Links(doc, base), Notes: unread}
	have := map[string]bool{}
	for _, r := range p.Media {
		have[r.URL] = true
	}
	add := func(raw, kind string, el *goquery.Selection) {
		if r, ok := crawl.NewRef(base, raw, kind, el); ok && !have[r.URL] {
			have[r.URL] = true
			p.Media = append(p.Media, r)
		}
	}
	for _, m := range res.Media {
		if n := byID[m.ID]; n != nil {
			add(m.URL, m.Kind, doc.FindNodes(n))
		}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	// Requested but in no element any more (a slideshow's earlier slide, a
	// stylesheet's image for another screen size): the page as a whole.
	for _, m := range l.media {
		add(m, "requested", doc.Find("body"))
	}
	p.Links = append(p.Links, l.links...)
	if res.Truncated {
		p.Notes = append(p.Notes, fmt.Sprintf(notes.RenderTooMany, l.r.opt.MaxElements))
	}
	if l.dialogs > 0 {
		p.Notes = append(p.Notes, fmt.Sprintf(notes.RenderDialogs, l.dialogs))
	}
	for _, reason := range slices.Sorted(maps.Keys(l.unanswered)) {
		us := l.unanswered[reason]
		note := fmt.Sprintf(notes.RenderUnanswered, len(us), reason, strings.Join(us[:min(len(us), maxExamples)], ", "))
		if len(us) > maxExamples {
			note += ", ..."
		}
		p.Notes = append(p.Notes, note)
	}
	return p, nil
}
