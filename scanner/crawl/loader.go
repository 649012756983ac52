package crawl

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"

	"github.com/aiaudit/aiaudit/scanner/urls"
)

// Page is what the crawl reads from one page: its DOM, the media and links
// in it, and, for a page a browser showed, what a visitor could not see.
type Page struct {
	Doc   *goquery.Document
	Media []Ref
	Links []*url.URL
	// Unseen is nil for a page read as served (every text counts as a
	// label). For a rendered page it holds, for every element with text of
	// its own that was checked, why a visitor cannot see it ("" when they
	// can): see labels.Rendered.
	Unseen map[*html.Node]string
	// Notes are added to the page's resource (requests the browser was
	// refused, a page that did not settle in time).
	Notes []string
}

// Fetched is a page as the crawl fetched it.
type Fetched struct {
	URL    *url.URL
	Status int
	Header http.Header
	Body   []byte
}

// PageLoader makes a Page of a fetched page. The crawl's own loader reads
// the markup as served; a browser (scanner/render) runs the page, asking sub
// for everything it loads, so the crawl's rules hold for those fetches too.
type PageLoader interface {
	Load(ctx context.Context, page Fetched, sub Subresources) (*Page, error)
}

// Subresources fetches what a page loads (scripts, stylesheets, images,
// data), under the crawl's rules: scope, robots.txt, the run's guarded and
// polite fetcher (address policy, per-host delay, --timeout, credentials).
type Subresources interface {
	// Fetch GETs u for a page. It returns an error wrapping
	// ErrOutOfScope or ErrRobots, without a request, for what the crawl
	// may not fetch; redirects are followed only where the crawl may go.
	Fetch(ctx context.Context, u *url.URL, maxBody int64, header ...string) (*urls.Response, error)
}

// The refusals of Subresources.Fetch.
var (
	ErrOutOfScope = errors.New("leaves the crawl scope")
	ErrRobots     = errors.New("disallowed by robots.txt")
)

// static reads a page as served.
type static struct{}

func (static) Load(_ context.Context, page Fetched, _ Subresources) (*Page, error) {
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(page.Body))
	if err != nil {
		return nil, fmt.Errorf("HTML: %w", err)
	}
	media, notes := MediaRefs(doc, page.URL)
	return &Page{Doc: doc, Media: media, Links: Links(doc, page.URL), Notes: notes}, nil
}

// Fetch is the crawl's Subresources.
func (cr *crawler) Fetch(ctx context.Context, u *url.URL, maxBody int64, header ...string) (*urls.Response, error) {
	if err := cr.mayFetch(u); err != nil {
		return nil, err
	}
	ctx = urls.WithRedirectCheck(ctx, cr.mayFetch)
	return cr.vet.Fetcher().Get(ctx, u.Host, u.String(), maxBody, header...)
}

// mayFetch is the check of every fetch a page makes and of its redirects.
func (cr *crawler) mayFetch(u *url.URL) error {
	if !cr.scope.Allows(u) {
		return fmt.Errorf("%s: %w", u.Redacted(), ErrOutOfScope)
	}
	if !cr.allowedByRobots(u) {
		return fmt.Errorf("%s: %w", u.Redacted(), ErrRobots)
	}
	return nil
}
