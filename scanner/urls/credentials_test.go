package urls

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The credentials of a URL go with every request to its origin and to no
// other origin, a redirect's included; a Location with credentials in it
// neither sends nor reports them.
func TestCredentialsStayWithTheirOrigin(t *testing.T) {
	var mu sync.Mutex
	auth := map[string]string{} // server+path -> Authorization seen
	record := func(name string, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		auth[name+r.URL.Path] = r.Header.Get("Authorization")
	}
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		record("other", r)
	}))
	t.Cleanup(other.Close)
	var own *httptest.Server
	own = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		record("own", r)
		switch r.URL.Path {
		case "/away":
			http.Redirect(w, r, other.URL+"/landed", http.StatusFound)
		case "/sneaky":
			http.Redirect(w, r, strings.Replace(own.URL, "http://", "http://mallory:pw@", 1)+"/back", http.StatusFound)
		}
	}))
	t.Cleanup(own.Close)

	f := NewFetcher(FetchOptions{})
	f.AllowTargets(context.Background(), "127.0.0.1") // the test servers are the user's targets
	withCreds := strings.Replace(own.URL, "http://", "http://alice:secret@", 1)
	assert.Equal(t, own.URL+"/x", f.UseCredentials(withCreds+"/x"))
	host := strings.TrimPrefix(own.URL, "http://")
	for _, p := range []string{"/page", "/away", "/sneaky"} {
		resp, err := f.Get(context.Background(), host, own.URL+p, 1<<10)
		require.NoError(t, err)
		assert.NotContains(t, resp.FinalURL, "@", "a final URL holds no credentials")
	}
	basic := func(u, p string) string {
		r, _ := http.NewRequest("GET", "/", nil)
		r.SetBasicAuth(u, p)
		return r.Header.Get("Authorization")
	}
	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, basic("alice", "secret"), auth["own/page"])
	assert.Equal(t, basic("alice", "secret"), auth["own/away"])
	assert.Empty(t, auth["other/landed"], "another origin never gets them")
	assert.Equal(t, basic("alice", "secret"), auth["own/back"], "the user's credentials, not the Location's")
}
