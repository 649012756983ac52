package urls

import (
	"bytes"
	"compress/gzip"
	"context"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A gzip-encoded body is decoded by the fetcher itself: under the caller's
// cap, and stopped when it decodes to far more than was sent.
func TestFetcherStopsGzipBombs(t *testing.T) {
	var buf bytes.Buffer
	z := gzip.NewWriter(&buf)
	_, err := z.Write(make([]byte, 64<<20))
	require.NoError(t, err)
	require.NoError(t, z.Close())
	page := strings.Repeat("<p>text</p>", 1000)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		require.Equal(t, "gzip", r.Header.Get("Accept-Encoding"))
		w.Header().Set("Content-Encoding", "gzip")
		if r.URL.Path == "/bomb" {
			w.Write(buf.Bytes())
			return
		}
		zw := gzip.NewWriter(w)
		zw.Write([]byte(page))
		zw.Close()
	}))
	defer srv.Close()
	f := NewFetcher(FetchOptions{Timeout: 5 * time.Second})
	f.AllowTargets(context.Background(), "127.0.0.1")
	host := strings.TrimPrefix(srv.URL, "http://")

	_, err = f.Get(context.Background(), host, srv.URL+"/bomb", 32<<20)
	assert.ErrorContains(t, err, "decompression bomb")

	r, err := f.Get(context.Background(), host, srv.URL+"/page", 1<<20)
	require.NoError(t, err)
	assert.Equal(t, page, string(r.Body), "an ordinary gzip page is decoded")
	assert.Empty(t, r.Header.Get("Content-Encoding"))
}

// Two fetches of a new host at once: the second waits until the first has
// allowed the host's address space, or its requests would be refused in
// the meantime (seen as a flaky "robots.txt unreachable").
func TestAllowTargetsWaitsForTheFirstCaller(t *testing.T) {
	f := NewFetcher(FetchOptions{})
	release := make(chan struct{})
	entered := make(chan struct{}, 1)
	f.Guard().Lookup = func(ctx context.Context, host string) ([]netip.Addr, error) {
		entered <- struct{}{}
		<-release
		return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil
	}
	go f.AllowTargets(context.Background(), "slow.test")
	<-entered
	second := make(chan struct{})
	go func() {
		f.AllowTargets(context.Background(), "slow.test")
		close(second)
	}()
	select {
	case <-second:
		t.Fatal("the second caller went on before the space was allowed")
	case <-time.After(50 * time.Millisecond):
	}
	close(release)
	<-second
	assert.NoError(t, f.Guard().Check(netip.MustParseAddr("127.0.0.1")))
}
