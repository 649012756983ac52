package crawl

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aiaudit/aiaudit/detectors/notes"

	"github.com/PuerkitoBio/goquery"
	"github.com/gocolly/colly/v2"
	"github.com/gocolly/colly/v2/queue"
	"github.com/zeebo/xxh3"

	"github.com/aiaudit/aiaudit/detectors"
	"github.com/aiaudit/aiaudit/detectors/c2pa/revocation"
	"github.com/aiaudit/aiaudit/detectors/c2pa/trust"
	"github.com/aiaudit/aiaudit/detectors/labels"
	"github.com/aiaudit/aiaudit/detectors/media"
	"github.com/aiaudit/aiaudit/detectors/optout"
	"github.com/aiaudit/aiaudit/detectors/robots"
	"github.com/aiaudit/aiaudit/detectors/robotsmeta"
	"github.com/aiaudit/aiaudit/detectors/text"
	"github.com/aiaudit/aiaudit/detectors/widgets"
	"github.com/aiaudit/aiaudit/reports/digestset"
	"github.com/aiaudit/aiaudit/reports/model"
	"github.com/aiaudit/aiaudit/reports/model/detail"
	"github.com/aiaudit/aiaudit/scanner/assets"
	"github.com/aiaudit/aiaudit/scanner/internal/bodycap"
	"github.com/aiaudit/aiaudit/scanner/internal/netguard"
	"github.com/aiaudit/aiaudit/scanner/internal/thumb"
	"github.com/aiaudit/aiaudit/scanner/urls"
)

// Options configures a crawl.
type Options struct {
	Starts           []string
	ExtraHosts       []string
	Subdomains       bool
	Include, Exclude []*regexp.Regexp
	MaxPages         int
	MaxDepth         int
	Concurrency      int
	Delay            time.Duration // per host
	UserAgent        string
	MaxPageBytes     int
	MaxMediaBytes    int64
	Labels           *labels.Table
	// Declared names content known to be AI-made (--declared).
	Declared Declared
	// Thumbnails adds a small picture of each AI-made image (for HTML).
	Thumbnails bool
	// Loader reads each fetched page: nil reads the markup as served; a
	// browser (scanner/render) runs it (--render).
	Loader PageLoader
	// Assets is the team's asset library (--assets): published copies of
	// its images inherit their evidence.
	Assets *assets.Library
	// Trust decides which C2PA signers of the media are trusted (nil: the
	// shipped C2PA trust lists).
	Trust *trust.Store
	// Revocation, when set (--online), looks up the OCSP status of C2PA
	// signers whose manifest staples none; nil makes no lookup.
	Revocation revocation.Fetcher
	// Vet configures the opt-out checks (agents, strictness, fetch limits).
	Vet urls.Options
	// Dial, when set, is given the run's guarded dialer before the crawl
	// starts: tests replace its resolver and connector so that no packet
	// leaves loopback.
	Dial func(*netguard.Guard)
	// Emit receives every page and media resource with what was observed
	// where it is shown (for the rules to judge), from one goroutine at a
	// time; a nil resource carries observations of an item already emitted
	// (the same image on another page).
	Emit func(*model.Resource, []model.Observation) error
}

func (o *Options) defaults() {
	if o.MaxPages <= 0 {
		o.MaxPages = 1000
	}
	if o.MaxDepth <= 0 {
		o.MaxDepth = 10
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 4
	}
	if o.UserAgent == "" {
		o.UserAgent = "aiaudit/0.1 (+https://github.com/aiaudit/aiaudit)"
	}
	if o.MaxPageBytes <= 0 {
		o.MaxPageBytes = 10 << 20
	}
	if o.MaxMediaBytes <= 0 {
		o.MaxMediaBytes = 32 << 20
	}
	if o.Labels == nil {
		o.Labels = labels.Default()
	}
	if o.Loader == nil {
		o.Loader = static{}
	}
}

// Stats summarises a crawl.
type Stats struct {
	Pages, Media int
	// ScriptRendered counts pages that look rendered by script (the static
	// crawl misses what scripts add); ScriptRenderedExample is the first.
	ScriptRendered        int
	ScriptRenderedExample string
	// Unreachable counts URLs not crawled because their site's robots.txt
	// could not be fetched: unknown, each reported as an error resource.
	Unreachable int
	// SkippedByRobots counts URLs robots.txt forbids to aiaudit itself;
	// SkippedExamples are the first of them (a crawl's memory does not
	// follow how many it skipped).
	SkippedByRobots   int
	SkippedExamples   []string
	SkippedOutOfScope int
	Sites             []model.Site
	// AllowedSpaces names the refused address spaces (loopback, private,
	// ...) this crawl may reach because its start hosts are in them.
	AllowedSpaces []string
}

// maxSkippedExamples is how many robots-skipped URLs are named.
const maxSkippedExamples = 100

// urlKey identifies a URL in the crawl's seen-sets by a 128-bit digest:
// a fixed 16 bytes per URL however long the URL.
type urlKey = digestset.Key

func keyOf(s string) urlKey { return xxh3.HashString128(s).Bytes() }

// seenInMemory URLs stay in memory; older ones go to disk behind a 1 MiB
// Bloom filter (about 2 % false positives, each checked on disk, at a
// million URLs), so a crawl's memory does not follow the size of the site.
// (Variables so that a test can make a small crawl spill.)
var (
	seenInMemory   = digestset.DefaultMemKeys
	seenBloomBytes = digestset.DefaultBloomBytes
)

type crawler struct {
	opt    Options
	scope  *Scope
	vet    *urls.Vetter
	ownTok string

	mu     sync.Mutex
	emitMu sync.Mutex
	seen   *digestset.Set
	pages  int
	// media holds the items being analysed or not yet emitted; settled
	// the rest.
	media   map[urlKey]*mediaItem
	settled *settledMedia
	sheets  map[urlKey]*sheet
	// rendered counts the pages of each origin that look script-rendered.
	rendered map[string]int
	next     map[string]time.Time
	stats    Stats
	emitErr  error
	stopped  atomic.Bool
	ctx      context.Context
	q        *queue.Queue
	thumbs   *thumb.Maker // nil without Options.Thumbnails
}

// mediaItem is one media URL's analysis, shared by every page showing it.
// Later occurrences need only what judges them, so the full resource is
// kept only until its first occurrence emits it; then the item is settled
// (on disk past a threshold).
type mediaItem struct {
	once sync.Once
	full *model.Resource
	ai   bool
	// digest and why (the evidence in brief) describe it in observations.
	digest, why string
}

func (m *mediaItem) analyze(r model.Resource) {
	m.full, m.ai, m.digest, m.why = &r, r.AIGenerated, r.Digest, detectors.WhyAI(r.AIEvidence, r.Provenance)
}

// take hands the full resource to the first occurrence, once.
func (m *mediaItem) take() model.Resource {
	r := *m.full
	m.full = nil
	return r
}

// Run crawls and reports. It returns ctx.Err() when interrupted; what was
// emitted is complete.
func Run(ctx context.Context, opt Options) (*Stats, error) {
	opt.defaults()
	vo := opt.Vet
	vo.Depth = urls.Policy
	vo.Fetch.UserAgent = opt.UserAgent
	vet := urls.NewVetter(vo)
	var starts []*url.URL
	for _, s := range opt.Starts {
		// The credentials of a start URL are the fetcher's, for its site;
		// the crawl itself never sees them.
		u, _, err := urls.Origin(vet.Fetcher().UseCredentials(s))
		if err != nil {
			return nil, err
		}
		starts = append(starts, u)
	}
	cr := &crawler{
		opt: opt, scope: NewScope(starts, opt.ExtraHosts, opt.Subdomains, opt.Include, opt.Exclude),
		vet: vet, ownTok: robots.Token(opt.UserAgent),
		seen: digestset.New(seenInMemory, seenBloomBytes), media: map[urlKey]*mediaItem{}, settled: newSettledMedia(), next: map[string]time.Time{},
		sheets: map[urlKey]*sheet{}, rendered: map[string]int{},
	}
	if opt.Thumbnails {
		cr.thumbs = thumb.NewMaker()
	}
	defer cr.seen.Close()
	defer cr.settled.close()
	// Every fetch of the crawl (site files, sitemaps, media) follows only
	// redirects that stay in scope; media also need robots.txt's leave.
	ctx = urls.WithRedirectCheck(ctx, cr.inScope)
	cr.ctx = ctx
	// The crawl's context reaches every page fetch: Ctrl-C ends fetches in
	// flight, not only the queue.
	c := colly.NewCollector(colly.UserAgent(opt.UserAgent), colly.StdlibContext(ctx))
	// Pages are fetched as everything else is: the fetcher's guarded
	// transport (no private or metadata addresses unless the user's start
	// hosts are there) and its --timeout, body included, and the
	// credentials it keeps (onRequest, redirect). gzip bodies are decoded
	// under the page cap, not after it.
	client := vet.Fetcher().Client()
	client.Transport = bodycap.Transport{Base: client.Transport}
	client.Jar, _ = cookiejar.New(nil) // as colly's own client
	c.SetClient(client)
	// robots.txt is fetched once, by the project's capped RFC 9309 fetch,
	// and applied before every request and redirect (onRequest, redirect);
	// colly's own handling would fetch it a second time, uncapped.
	c.IgnoreRobotsTxt = true
	var hosts []string
	for _, u := range starts {
		hosts = append(hosts, u.Hostname())
	}
	for _, h := range opt.ExtraHosts {
		hosts = append(hosts, strings.Split(h, ":")[0])
	}
	if opt.Dial != nil {
		opt.Dial(vet.Fetcher().Guard())
	}
	cr.stats.AllowedSpaces = vet.Fetcher().AllowTargets(ctx, hosts...)
	// The crawl keeps its own seen-set (16 bytes a URL, redirect targets
	// included); colly's visited set would be a second one.
	c.AllowURLRevisit = true
	c.MaxBodySize = opt.MaxPageBytes
	c.DetectCharset = true
	c.SetRedirectHandler(cr.redirect)
	c.OnRequest(cr.onRequest)
	c.OnResponse(cr.onResponse)
	c.OnError(cr.onError)

	// The frontier spills to disk past 10,000 requests: memory does not
	// follow the size of the site.
	storage := newSpillQueue(10_000, 10_000_000)
	defer storage.close()
	q, err := queue.New(opt.Concurrency, storage)
	if err != nil {
		return nil, err
	}
	cr.q = q
	for _, u := range starts {
		cr.enqueue(u, 0)
	}
	for _, u := range starts {
		cr.sitemaps(ctx, u)
	}
	// Stopping (Ctrl-C, a failed write) drains the queue by aborting every
	// request left: colly's Queue.Stop races with its run loop.
	err = q.Run(c)
	cr.siteSummaries(ctx, starts)
	if cr.emitErr != nil {
		return &cr.stats, cr.emitErr
	}
	if err != nil {
		return &cr.stats, err
	}
	return &cr.stats, ctx.Err()
}

// enqueue adds an in-scope URL not seen before, within depth and page caps.
func (cr *crawler) enqueue(u *url.URL, depth int) {
	if depth > cr.opt.MaxDepth || cr.stopped.Load() || cr.ctx.Err() != nil {
		return
	}
	if !cr.scope.Allows(u) {
		cr.mu.Lock()
		cr.stats.SkippedOutOfScope++
		cr.mu.Unlock()
		return
	}
	key := normalize(u)
	if !cr.markSeen(keyOf(key), cr.opt.MaxPages*4) {
		return
	}
	if cr.refusedByRobots(u) {
		return
	}
	nu, err := url.Parse(key)
	if err != nil {
		return
	}
	// The request carries its depth: the crawl keeps no per-URL depth.
	cr.q.AddRequest(&colly.Request{URL: nu, Method: "GET", Depth: depth})
}

// inScope is the redirect check of every fetch path: the crawl never
// leaves its scope.
func (cr *crawler) inScope(u *url.URL) error {
	if !cr.scope.Allows(u) {
		return fmt.Errorf("redirect to %s leaves the crawl scope", u.Redacted())
	}
	return nil
}

// sitePolicy is the cached policy of u's origin, fetched once per crawl
// (and cancelled with it).
func (cr *crawler) sitePolicy(u *url.URL) optout.Site {
	return cr.vet.SitePolicy(cr.ctx, u.Host, u.Scheme+"://"+u.Host)
}

// allowedByRobots applies robots.txt for the crawler's own token.
func (cr *crawler) allowedByRobots(u *url.URL) bool {
	return cr.sitePolicy(u).Robots.Evaluate(cr.ownTok, optout.Path(u)).Allowed
}

// refusedByRobots reports a URL robots.txt does not let aiaudit fetch: a
// URL it forbids is counted as skipped; a URL whose robots.txt could not be
// fetched is an error resource, since whether it may be crawled is unknown
// (a site that is down is never a clean scan).
func (cr *crawler) refusedByRobots(u *url.URL) bool {
	rb := cr.sitePolicy(u).Robots
	if rb.Evaluate(cr.ownTok, optout.Path(u)).Allowed {
		return false
	}
	if !rb.Unreachable() {
		cr.skippedByRobots(u.String())
		return true
	}
	why := fmt.Sprintf("HTTP %d", rb.Status)
	if rb.Status == 0 {
		why = strings.Join(rb.Notes, "; ")
	}
	cr.mu.Lock()
	cr.stats.Unreachable++
	cr.mu.Unlock()
	cr.emit(&model.Resource{Location: u.String(), Kind: "page", MediaType: "text/html",
		Error: fmt.Sprintf("not crawled: %s://%s/robots.txt could not be fetched (%s), so whether it may be crawled is unknown", u.Scheme, u.Host, why)}, nil)
	return true
}

// skippedByRobots counts a URL robots.txt forbids to aiaudit.
func (cr *crawler) skippedByRobots(u string) {
	cr.mu.Lock()
	defer cr.mu.Unlock()
	cr.stats.SkippedByRobots++
	if len(cr.stats.SkippedExamples) < maxSkippedExamples {
		cr.stats.SkippedExamples = append(cr.stats.SkippedExamples, u)
	}
}

func (cr *crawler) onRequest(r *colly.Request) {
	if cr.stopped.Load() || cr.ctx.Err() != nil {
		r.Abort()
		return
	}
	u := r.URL
	if !cr.scope.Allows(u) {
		r.Abort()
		return
	}
	if cr.refusedByRobots(u) {
		r.Abort()
		return
	}
	cr.mu.Lock()
	if cr.pages >= cr.opt.MaxPages {
		cr.mu.Unlock()
		r.Abort()
		return
	}
	cr.pages++
	// Per-host politeness: colly's LimitRule would share one delay across
	// every host matching its pattern.
	at := cr.next[u.Host]
	now := time.Now()
	if at.Before(now) {
		at = now
	}
	cr.next[u.Host] = at.Add(cr.opt.Delay)
	cr.mu.Unlock()
	cr.vet.Fetcher().Authorize(*r.Headers, u)
	select {
	case <-time.After(time.Until(at)):
	case <-cr.ctx.Done():
		r.Abort()
	}
}

func (cr *crawler) redirect(req *http.Request, via []*http.Request) error {
	cr.vet.Fetcher().Authorize(req.Header, req.URL)
	if len(via) >= 5 {
		return errors.New("more than 5 redirects")
	}
	if err := cr.inScope(req.URL); err != nil {
		return err
	}
	if cr.refusedByRobots(req.URL) {
		return fmt.Errorf("redirect to %s is not allowed by robots.txt", req.URL)
	}
	if !cr.markSeen(keyOf(normalize(req.URL)), 0) {
		// Crawled (or queued) already: this answer is not read again.
		return http.ErrUseLastResponse
	}
	return nil
}

// markSeen adds a URL to the seen-set and reports whether it was new; with
// limit > 0, a set that holds limit URLs takes no more. A seen-set that
// cannot be read (its disk failed) stops the crawl: no URL is then known
// new, so none is fetched twice.
func (cr *crawler) markSeen(k urlKey, limit int) bool {
	cr.mu.Lock()
	if limit > 0 && cr.seen.Len() >= limit {
		cr.mu.Unlock()
		return false
	}
	added, err := cr.seen.Add(k)
	cr.mu.Unlock()
	if err != nil {
		cr.fail(fmt.Errorf("crawl seen-set: %w", err))
		return false
	}
	return added
}

// fail stops the crawl with err, the first failure winning.
func (cr *crawler) fail(err error) {
	cr.emitMu.Lock()
	defer cr.emitMu.Unlock()
	if cr.emitErr == nil {
		cr.emitErr = err
	}
	cr.stopped.Store(true)
}

func (cr *crawler) emit(r *model.Resource, obs []model.Observation) {
	cr.emitMu.Lock()
	defer cr.emitMu.Unlock()
	if cr.emitErr != nil || cr.opt.Emit == nil {
		return
	}
	if err := cr.opt.Emit(r, obs); err != nil {
		cr.emitErr = err
		cr.stopped.Store(true)
	}
}

func (cr *crawler) onError(resp *colly.Response, err error) {
	if cr.redirectToSeen(resp) {
		return
	}
	r := model.Resource{Location: resp.Request.URL.String(), Kind: "page", MediaType: "text/html", Error: err.Error()}
	if errors.Is(err, context.DeadlineExceeded) && cr.ctx.Err() == nil {
		// The request's own deadline (--timeout), not the run's: say so.
		r.Error = "timeout (--timeout, body included): " + err.Error()
	}
	if resp.StatusCode != 0 {
		r.Error = fmt.Sprintf("HTTP %d: %v", resp.StatusCode, err)
	}
	cr.emit(&r, nil)
}

// redirectToSeen reports a redirect the crawl declined to follow because its
// target is crawled already: a duplicate, not an error.
func (cr *crawler) redirectToSeen(resp *colly.Response) bool {
	if resp.StatusCode < 300 || resp.StatusCode > 399 || resp.Headers == nil {
		return false
	}
	target, err := resp.Request.URL.Parse(resp.Headers.Get("Location"))
	if err != nil || resp.Headers.Get("Location") == "" {
		return false
	}
	cr.mu.Lock()
	seen, err := cr.seen.Has(keyOf(normalize(target)))
	cr.mu.Unlock()
	if err != nil {
		cr.fail(fmt.Errorf("crawl seen-set: %w", err))
	}
	return seen
}

func (cr *crawler) onResponse(resp *colly.Response) {
	ct := strings.ToLower(resp.Headers.Get("Content-Type"))
	if !strings.Contains(ct, "html") {
		return
	}
	cr.mu.Lock()
	cr.stats.Pages++
	depth := resp.Request.Depth
	cr.mu.Unlock()
	u := resp.Request.URL
	loaded, err := cr.opt.Loader.Load(cr.ctx, Fetched{URL: u, Status: resp.StatusCode, Header: *resp.Headers, Body: resp.Body}, cr)
	var loadErr string
	if _, isStatic := cr.opt.Loader.(static); err != nil && !isStatic && cr.ctx.Err() == nil {
		// The browser failed on this page: its markup as served is still
		// read (links, media), and the page says it was not rendered.
		loadErr = "not rendered: " + err.Error() + "; read as served, labels not checked for visibility"
		loaded, err = static{}.Load(cr.ctx, Fetched{URL: u, Body: resp.Body}, cr)
	}
	if err != nil {
		cr.emit(&model.Resource{Location: u.String(), Kind: "page", MediaType: "text/html", Error: err.Error()}, nil)
		return
	}
	doc := loaded.Doc
	finder := cr.opt.Labels.Markup(doc)
	if loaded.Unseen != nil {
		finder = cr.opt.Labels.Rendered(doc, loaded.Unseen)
	}
	page := cr.pageResource(resp)
	page.Notes = append(page.Notes, loaded.Notes...)
	if loadErr != "" {
		page.Error = loadErr
	}
	if len(resp.Body) >= cr.opt.MaxPageBytes {
		// colly cuts bodies at MaxBodySize without saying so.
		page.Notes = append(page.Notes, fmt.Sprintf(notes.PageTruncated, cr.opt.MaxPageBytes))
		page.Error = "page truncated at the size cap: not fully audited"
	}
	var sheetRefs []Ref
	if loaded.Unseen == nil {
		// Read as served: stylesheets are read by the crawl (a browser
		// resolves them itself), and a page that looks built by script
		// says --render would see more (unless the browser just failed on
		// it).
		var sheetNotes []string
		sheetRefs, sheetNotes = cr.stylesheetRefs(doc, u)
		page.Notes = append(page.Notes, sheetNotes...)
		if why, ok := ScriptRendered(doc); ok && loadErr == "" {
			page.Notes = append(page.Notes, fmt.Sprintf(notes.ScriptRendered, why, RenderHint))
			cr.scriptRendered(u)
		}
	}
	cr.emit(&page, append(cr.declared(doc, finder, u), cr.widgets(doc, page.Location)...))
	seen := map[string]bool{}
	for _, ref := range append(loaded.Media, sheetRefs...) {
		if !seen[ref.URL] { // an image in the HTML and a stylesheet: one occurrence
			seen[ref.URL] = true
			cr.mediaOccurrence(finder, u.String(), ref)
		}
	}
	for _, l := range loaded.Links {
		if strings.HasSuffix(strings.ToLower(l.Path), ".pdf") {
			continue // fetched as media
		}
		cr.enqueue(l, depth+1)
	}
}

// scriptRendered counts a page that looks rendered by script, for its
// site's note and the run's summary.
func (cr *crawler) scriptRendered(u *url.URL) {
	cr.mu.Lock()
	defer cr.mu.Unlock()
	cr.rendered[u.Scheme+"://"+u.Host]++
	if cr.stats.ScriptRendered == 0 {
		cr.stats.ScriptRenderedExample = u.String()
	}
	cr.stats.ScriptRendered++
}

// pageResource gives a page its opt-out verdict: site policy plus the
// page's own headers and meta tags, through the one opt-out decision.
func (cr *crawler) pageResource(resp *colly.Response) model.Resource {
	u := resp.Request.URL
	facts := cr.vet.Facts(u, cr.sitePolicy(u))
	head := robotsmeta.ParseHead(bytes.NewReader(resp.Body), 256<<10)
	facts.Response = &optout.Response{Header: *resp.Headers, Head: &head}
	d := optout.Decide(facts)
	return model.Resource{
		Location: u.String(), Kind: "page", MediaType: "text/html", Size: int64(len(resp.Body)),
		TrainingOptOut: d.Reserved, OptOutEvidence: d.Evidence,
	}
}

// mediaOccurrence analyses a media URL (once) and checks this occurrence for
// a visible label.
func (cr *crawler) mediaOccurrence(finder labels.Finder, pageURL string, ref Ref) {
	u, err := url.Parse(ref.URL)
	if err != nil {
		return
	}
	key := keyOf(ref.URL)
	cr.mu.Lock()
	item := cr.media[key]
	first := false
	if item == nil {
		var err error
		if item, _, err = cr.settled.get(key); err != nil {
			cr.mu.Unlock()
			cr.fail(fmt.Errorf("crawl media items: %w", err))
			return
		}
	}
	if item == nil {
		first, item = true, &mediaItem{}
		cr.media[key] = item
	}
	cr.mu.Unlock()
	item.once.Do(func() { item.analyze(cr.analyzeMedia(u)) })
	lab := finder.ForItem(ref.El)
	var obs []model.Observation
	if item.ai && !lab.Visible {
		// Quote what the reader sees, so a reviewer can judge the verdict.
		seen := ""
		for _, a := range []string{"alt", "title"} {
			if v, ok := ref.El.Attr(a); ok {
				seen += fmt.Sprintf("; %s=%q", a, text.Clip(v, 120))
			}
		}
		obs = append(obs, unlabelled(ref.URL+" on "+pageURL, pageURL, item.digest, ref.Kind, item.why+seen, lab))
	}
	if !first {
		if len(obs) > 0 {
			cr.emit(nil, obs) // a later occurrence: what was seen there only
		}
		return
	}
	res := item.take()
	visible := lab.Visible
	res.Labelled.Visible = &visible
	if lab.Hidden != nil {
		res.Notes = append(res.Notes, fmt.Sprintf(notes.OnPage, pageURL, hiddenLabel(lab.Hidden).Write(fmt.Sprintf)))
	}
	if lab.Visible {
		res.Labelled.Evidence = append(res.Labelled.Evidence, detectors.Evidence{Detector: "label", Detail: fmt.Sprintf("%s on %s: %q (%s)", lab.Label.Where, pageURL, lab.Label.Text, lab.Label.Lang)})
	}
	cr.mu.Lock()
	cr.stats.Media++
	cr.mu.Unlock()
	cr.emit(&res, obs)
	cr.mu.Lock()
	err = cr.settled.put(key, item)
	delete(cr.media, key)
	cr.mu.Unlock()
	if err != nil {
		cr.fail(fmt.Errorf("crawl media items: %w", err))
	}
}

// unlabelled observes an AI-made item shown without a visible label.
// content is the item's digest, so history recognises it wherever it moves.
func unlabelled(loc, page, content, what, why string, lab labels.Result) model.Observation {
	d := detail.Unlabelled{What: what, Why: why, Looked: lab.Looked}
	if lab.Hidden != nil {
		d.Hidden = hiddenLabel(lab.Hidden)
	}
	return model.Observation{Fact: model.FactUnlabelled, Location: loc, Page: page, Content: content, Detail: d.Write(fmt.Sprintf)}
}

// hiddenLabel is where a label a visitor cannot see is, and why.
func hiddenLabel(h *labels.Hidden) *detail.Hidden {
	return &detail.Hidden{Where: h.Where, Text: h.Text, Why: h.Why}
}

// declared checks the content declared AI-made on this page: a selector's
// elements, or the whole page when no selector was given.
func (cr *crawler) declared(doc *goquery.Document, finder labels.Finder, page *url.URL) []model.Observation {
	sels, ok := cr.opt.Declared[normalize(page)]
	if !ok {
		return nil
	}
	var obs []model.Observation
	for _, sel := range sels {
		if sel == "" {
			body := doc.Find("body")
			if _, _, labelled := cr.opt.Labels.Match(finder.Text(body)); !labelled {
				obs = append(obs, unlabelled(page.String(), page.String(), textDigest(body.Text()), "page", "declared", labels.Result{Looked: []string{"page text"}}))
			}
			continue
		}
		doc.Find(sel).Each(func(i int, el *goquery.Selection) {
			if r := finder.ForText(el); !r.Visible {
				obs = append(obs, unlabelled(fmt.Sprintf("%s [%s #%d]", page, sel, i+1), page.String(), textDigest(el.Text()), "text", "declared", r))
			}
		})
	}
	return obs
}

// widgets observes AI chat assistants embedded without telling visitors
// they talk to an AI (EU AI Act Art. 50(1)).
func (cr *crawler) widgets(doc *goquery.Document, page string) []model.Observation {
	var obs []model.Observation
	for _, w := range widgets.Default().Find(doc) {
		if w.Disclosed != "" {
			continue
		}
		obs = append(obs, model.Observation{Fact: model.FactUndisclosed, Location: page, Page: page,
			Detail: detail.Widget{Name: w.Name, URL: w.URL}.Write(fmt.Sprintf)})
	}
	return obs
}

// textDigest identifies declared AI text by its words, whitespace aside, so
// re-wrapped markup is the same text and an edited paragraph is new.
func textDigest(s string) string {
	sum := sha256.Sum256([]byte(strings.Join(strings.Fields(s), " ")))
	return "sha256-text:" + hex.EncodeToString(sum[:])
}

// fileCtx is the context of the fetches of a page's files (media,
// stylesheets): their redirects stay in scope and need robots.txt's leave.
func (cr *crawler) fileCtx() context.Context {
	return urls.WithRedirectCheck(cr.ctx, func(to *url.URL) error {
		if err := cr.inScope(to); err != nil {
			return err
		}
		if !cr.allowedByRobots(to) {
			return fmt.Errorf("redirect to %s is not allowed by robots.txt", to.Redacted())
		}
		return nil
	})
}

// analyzeMedia fetches a media file through the polite client and runs the
// media detectors; a file over the cap is unknown, never "not AI".
func (cr *crawler) analyzeMedia(u *url.URL) model.Resource {
	res := model.Resource{Location: u.String(), Kind: "other", MediaType: "application/octet-stream"}
	if !cr.scope.Allows(u) {
		// The crawl never leaves its scope, media included: a CDN host is
		// added with ExtraHosts (--extra-host).
		res.Error = fmt.Sprintf("not fetched: host %s is outside the crawl scope (add it with --extra-host)", u.Host)
		return res
	}
	if !cr.allowedByRobots(u) {
		res.Error = "not fetched: robots.txt disallows it for " + cr.opt.UserAgent
		return res
	}
	// Read on demand with Range requests: a video's metadata boxes cost a
	// few kilobytes, its media data is never fetched.
	remote, err := cr.vet.Fetcher().Open(cr.fileCtx(), u.Host, u.String(), cr.opt.MaxMediaBytes)
	if err != nil {
		res.Error = err.Error()
		return res
	}
	if remote.Status >= 400 {
		res.Error = fmt.Sprintf("HTTP %d", remote.Status)
		return res
	}
	res.Size = remote.Size()
	m, err := media.Analyze(media.Source{Name: u.String(), R: remote, Size: remote.Size()}, nil, media.Limits{Trust: cr.opt.Trust, Revocation: cr.opt.Revocation})
	if err != nil {
		res.Error = err.Error()
		return res
	}
	if !m.AIGenerated && errors.Is(m.Unread, urls.ErrOverCap) {
		// Metadata beyond the cap was not read: unknown, not "not AI".
		res.Error = "not fully analysed: " + m.Unread.Error()
	}
	prov := m.Provenance
	res.MediaType, res.Kind, res.Digest = m.MediaType, m.Kind, m.Digest
	res.AIGenerated, res.AIEvidence = m.AIGenerated, m.AIEvidence
	if _, declared := cr.opt.Declared[u.String()]; declared {
		res.AIGenerated = true
		res.AIEvidence = append(res.AIEvidence, detectors.Evidence{Detector: "declared", Detail: "listed as AI-made in the --declared file", Strength: detectors.Declared})
	}
	res.Labelled = model.Labelled{MachineReadable: m.MachineReadable, Evidence: m.LabelEvidence}
	res.Provenance = &prov
	res.Notes = m.Notes
	facts := cr.vet.Facts(u, cr.sitePolicy(u))
	facts.Response = &optout.Response{Header: remote.Header, Image: m.Kind == "image"}
	facts.Embedded = append(m.OptOuts, cr.fromLibrary(&res, remote)...)
	d := optout.Decide(facts)
	res.TrainingOptOut, res.OptOutEvidence = d.Reserved, d.Evidence
	cr.thumbs.Add(&res, remote, remote.Size(), m.Preview)
	return res
}

// fromLibrary traces an image to its asset-library original (--assets): the
// copy inherits the original's evidence, and its opt-outs are returned for
// the copy's opt-out decision. An image in no library is unchanged.
func (cr *crawler) fromLibrary(res *model.Resource, remote *urls.Remote) []detectors.OptOut {
	if cr.opt.Assets == nil || res.Kind != "image" {
		return nil
	}
	m, ok, err := cr.opt.Assets.Find(remote, remote.Size())
	if err != nil {
		res.Notes = append(res.Notes, fmt.Sprintf(notes.NotInLibrary, err))
		return nil
	}
	if !ok {
		return nil
	}
	return assets.Inherit(res, m)
}

// siteSummaries reports, per start origin, which AI agents robots.txt
// blocks and which other site-level signals exist.
func (cr *crawler) siteSummaries(ctx context.Context, starts []*url.URL) {
	seen := map[string]bool{}
	for _, u := range starts {
		origin := u.Scheme + "://" + u.Host
		if seen[origin] {
			continue
		}
		seen[origin] = true
		site := cr.vet.SitePolicy(ctx, u.Host, origin)
		rb, tdm, ai := site.Robots, site.TDM, site.AITxt
		var blocked, allowed []string
		for _, a := range cr.vet.Agents() {
			if rb.Evaluate(a, "/").Allowed {
				allowed = append(allowed, a)
			} else {
				blocked = append(blocked, a)
			}
		}
		oo := model.SiteOptOut{
			RobotsStatus: rb.Status, AIAgentsBlocked: blocked, AIAgentsAllowed: allowed,
			RobotsAIPreferences: prefsOf(rb), TDMRep: tdm != nil, AITxt: ai != nil,
			CrawlerSkippedByRobots: cr.stats.SkippedByRobots,
		}
		if tdm != nil {
			root := tdm.Evaluate("/").OptOut(false)
			oo.TDMRepRoot = &root
		}
		ms := model.Site{Origin: origin, OptOut: oo}
		if n := cr.rendered[origin]; n > 0 {
			ms.Notes = append(ms.Notes, fmt.Sprintf("%d pages look rendered by script (see their notes): %s", n, RenderHint))
		}
		cr.stats.Sites = append(cr.stats.Sites, ms)
	}
}

func prefsOf(rb *robots.File) []string {
	var out []string
	for _, g := range rb.Groups {
		for _, p := range g.Prefs {
			out = append(out, fmt.Sprintf("line %d: %s: %s", p.Line, p.Key, p.Value))
		}
	}
	return out
}

// sitemaps adds the pages of the site's sitemaps (robots.txt Sitemap: lines
// and /sitemap.xml, following sitemap indexes three levels deep).
func (cr *crawler) sitemaps(ctx context.Context, start *url.URL) {
	origin := start.Scheme + "://" + start.Host
	todo := append([]string{}, cr.vet.SitePolicy(ctx, start.Host, origin).Robots.Sitemaps...)
	todo = append(todo, origin+"/sitemap.xml")
	seen := map[string]bool{}
	for level := 0; level < 3 && len(todo) > 0; level++ {
		var next []string
		for _, sm := range todo {
			u, err := url.Parse(sm)
			if err != nil || seen[sm] || !cr.scope.Allows(u) {
				continue
			}
			seen[sm] = true
			resp, err := cr.vet.Fetcher().Get(ctx, u.Host, sm, maxSitemap)
			if err != nil || resp.Status != 200 {
				continue
			}
			pages, children, err := ParseSitemap(resp.Body)
			if err != nil {
				continue
			}
			for _, p := range pages {
				if pu, err := url.Parse(strings.TrimSpace(p)); err == nil {
					cr.enqueue(pu, 1)
				}
			}
			next = append(next, children...)
		}
		todo = next
	}
}
