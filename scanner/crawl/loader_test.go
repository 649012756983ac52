package crawl

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/html"

	"github.com/aiaudit/aiaudit/reports/model"
	"github.com/aiaudit/aiaudit/scanner/urls"
)

// hidingLoader stands in for a browser: it reads the markup, says the
// figcaption of ai-fig.png cannot be seen, fetches what the test asks
// through the crawl's Subresources and records the answers.
type hidingLoader struct {
	mu      sync.Mutex
	fetches map[string]error
	try     []string
	fail    string // a page path whose rendering fails
}

func (l *hidingLoader) Load(ctx context.Context, page Fetched, sub Subresources) (*Page, error) {
	if page.URL.Path == l.fail {
		return nil, errors.New("browser gone")
	}
	p, err := static{}.Load(ctx, page, sub)
	if err != nil {
		return nil, err
	}
	p.Unseen = map[*html.Node]string{}
	p.Doc.Find("*").Each(func(_ int, s *goquery.Selection) {
		why := ""
		if goquery.NodeName(s) == "figcaption" {
			why = "visibility:hidden"
		}
		p.Unseen[s.Nodes[0]] = why
	})
	for _, raw := range l.try {
		u, _ := page.URL.Parse(raw)
		_, err := sub.Fetch(ctx, u, 1<<20)
		l.mu.Lock()
		l.fetches[raw] = err
		l.mu.Unlock()
	}
	return p, nil
}

// collect crawls and keeps everything emitted.
func collect(opt Options) ([]model.Resource, []model.Observation, *Stats, error) {
	var mu sync.Mutex
	var resources []model.Resource
	var findings []model.Observation
	opt.Emit = func(r *model.Resource, fs []model.Observation) error {
		mu.Lock()
		defer mu.Unlock()
		if r != nil {
			resources = append(resources, *r)
		}
		findings = append(findings, fs...)
		return nil
	}
	stats, err := Run(context.Background(), opt)
	return resources, findings, stats, err
}

func TestPageLoaderSeam(t *testing.T) {
	site := newTestSite(t)
	loader := &hidingLoader{fetches: map[string]error{}, fail: "/photos.html",
		try: []string{"/img/photo.jpg", "/forbidden/x.png", site.offsite.URL + "/x.png"}}
	resources, findings, _, err := collect(Options{
		Starts: []string{site.srv.URL + "/"}, MaxPages: 10, MaxDepth: 1, Concurrency: 1, Loader: loader,
		Vet: urls.Options{Fetch: urls.FetchOptions{Timeout: 2 * time.Second}},
	})
	require.NoError(t, err)
	base := site.srv.URL

	hidden := map[string]string{}
	for _, f := range findings {
		if f.Fact == model.FactUnlabelled && strings.Contains(f.Detail, "label present but not visible") {
			hidden[f.Location] = f.Detail
		}
	}
	assert.Contains(t, hidden[base+"/img/ai-fig.png on "+base+"/labels-en.html"], `figcaption "made with AI" (visibility:hidden)`)
	assert.Contains(t, hidden[base+"/img/ai-alt.jpg on "+base+"/labels-en.html"], "alt attribute", "alt text is not seen on a rendered page")

	assert.NoError(t, loader.fetches["/img/photo.jpg"])
	assert.ErrorIs(t, loader.fetches["/forbidden/x.png"], ErrRobots)
	assert.ErrorIs(t, loader.fetches[site.offsite.URL+"/x.png"], ErrOutOfScope)
	assert.Zero(t, site.hits("/forbidden/x.png"), "refused without a request")
	assert.Zero(t, site.offsiteHits)

	failed := 0
	for _, r := range resources {
		if r.Location == base+"/photos.html" {
			failed++
			assert.Contains(t, r.Error, "not rendered: browser gone", "a page the browser failed on is unknown")
		}
	}
	assert.Equal(t, 1, failed)
}
