package crawl

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aiaudit/aiaudit/reports/model"
	"github.com/aiaudit/aiaudit/scanner/internal/netguard"
	"github.com/aiaudit/aiaudit/scanner/urls"
)

// loopbackOnly makes the crawl's dialer resolve test names from a table and
// refuse to connect anywhere but loopback, recording what it was asked.
func loopbackOnly(names map[string]string, asked *[]string, mu *sync.Mutex) func(*netguard.Guard) {
	return func(g *netguard.Guard) {
		g.Lookup = func(_ context.Context, host string) ([]netip.Addr, error) {
			if a, ok := names[host]; ok {
				return []netip.Addr{netip.MustParseAddr(a)}, nil
			}
			return nil, errors.New("no such host (test resolver)")
		}
		g.Connect = func(ctx context.Context, network, address string) (net.Conn, error) {
			mu.Lock()
			*asked = append(*asked, address)
			mu.Unlock()
			host, _, _ := net.SplitHostPort(address)
			if a, err := netip.ParseAddr(host); err != nil || !a.IsLoopback() {
				return nil, errors.New("test dialer: refusing to leave loopback")
			}
			return (&net.Dialer{}).DialContext(ctx, network, address)
		}
	}
}

func port(r *http.Request) string {
	_, p, _ := net.SplitHostPort(r.Host)
	return p
}

func gzipOf(t *testing.T, n int) []byte {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	_, err := w.Write(make([]byte, n))
	require.NoError(t, err)
	require.NoError(t, w.Close())
	return buf.Bytes()
}

// Hostile servers: a gzip bomb as a page, as the sitemap and as a
// gzip-encoded robots.txt,
// a redirect to the cloud metadata address, and a media redirect out of
// scope. The crawl stays bounded, reaches none of them, and says so.
func TestHostileServer(t *testing.T) {
	bomb := gzipOf(t, 256<<20) // 256 MiB of zeros in about 250 KB
	var offsite atomic.Int64
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { offsite.Add(1) }))
	defer other.Close()
	_, otherPort, _ := net.SplitHostPort(other.Listener.Addr().String())
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/robots.txt":
			w.Header().Set("Content-Encoding", "gzip")
			w.Write(bomb)
		case "/":
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, `<html><body><a href="/bomb">b</a> <a href="/feed.xml.gz">f</a> <a href="/meta">m</a>
				<img src="/img/away.jpg" alt="x"></body></html>`)
		case "/bomb":
			w.Header().Set("Content-Type", "application/x-gzip")
			w.Write(bomb)
		case "/feed.xml.gz", "/sitemap.xml":
			w.Write(bomb) // a page link and the sitemap: both bombs
		case "/meta":
			// In scope (a subdomain), but it resolves to the metadata address.
			http.Redirect(w, r, "http://evil.site.test:"+port(r)+"/latest/meta-data/", http.StatusFound)
		case "/img/away.jpg":
			http.Redirect(w, r, "http://elsewhere.test:"+otherPort+"/x.jpg", http.StatusFound)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	var mu sync.Mutex
	var asked []string
	names := map[string]string{"site.test": "127.0.0.1", "evil.site.test": "169.254.169.254", "elsewhere.test": "127.0.0.1"}
	_, sitePort, _ := net.SplitHostPort(srv.Listener.Addr().String())
	base := "http://site.test:" + sitePort

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	byLoc := map[string]model.Resource{}
	_, err := Run(context.Background(), Options{
		Starts: []string{base + "/"}, Subdomains: true,
		Vet:  urls.Options{Fetch: urls.FetchOptions{Timeout: 5 * time.Second, Retries: 0}},
		Dial: loopbackOnly(names, &asked, &mu),
		Emit: func(r *model.Resource, _ []model.Observation) error {
			if r != nil {
				byLoc[strings.TrimPrefix(r.Location, base)] = *r
			}
			return nil
		},
	})
	require.NoError(t, err)
	runtime.ReadMemStats(&after)
	assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(160<<20), "the 256 MiB bombs were not decoded")

	assert.Contains(t, byLoc["/bomb"].Error, "decompression bomb")
	assert.Contains(t, byLoc["/feed.xml.gz"].Error, "decompression bomb")
	evil := byLoc["http://evil.site.test:"+sitePort+"/latest/meta-data/"]
	assert.Contains(t, evil.Error, "address refused", "the metadata address is never reached: %v", byLoc)
	assert.Contains(t, byLoc["/img/away.jpg"].Error, "leaves the crawl scope")
	assert.Zero(t, offsite.Load(), "the out-of-scope host got no request")
	mu.Lock()
	defer mu.Unlock()
	for _, a := range asked {
		assert.True(t, strings.HasPrefix(a, "127.0.0.1:"), "dialled only loopback: %s", a)
		assert.NotContains(t, a, ":"+otherPort, "never the out-of-scope server")
	}
}
