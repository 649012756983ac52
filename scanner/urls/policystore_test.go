package urls

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// jsonStore keeps policy files as JSON, the way a network store (a NATS
// key-value bucket) passes them between processes.
type jsonStore struct {
	mu     sync.Mutex
	files  map[string][]byte
	stores int
}

func (s *jsonStore) LoadPolicy(_ context.Context, origin string) (PolicyFiles, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var f PolicyFiles
	b, ok := s.files[origin]
	if !ok || json.Unmarshal(b, &f) != nil {
		return PolicyFiles{}, false
	}
	return f, time.Since(f.Fetched) < f.TTL()
}

func (s *jsonStore) StorePolicy(_ context.Context, origin string, f PolicyFiles) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, _ := json.Marshal(f)
	if s.files == nil {
		s.files = map[string][]byte{}
	}
	s.files[origin] = b
	s.stores++
}

// Vetters sharing a store fetch a site's policy files once between them,
// and decide exactly as a vetter that fetched them itself.
func TestSharedPolicyStoreFetchesOnce(t *testing.T) {
	hits := &counter{}
	a := siteA(t, hits)
	fast := FetchOptions{Timeout: 2 * time.Second}
	store := &jsonStore{}
	paths := []string{"/open.html", "/private/x", "/docs/guide", "/books/x", "/books/meta-zero.html", "/noai.html"}
	for _, agent := range []string{"CCBot", "GPTBot"} {
		alone := NewVetter(Options{Depth: Headers, Agents: []string{agent}, Fetch: fast})
		first := NewVetter(Options{Depth: Headers, Agents: []string{agent}, Fetch: fast, Policies: store})
		second := NewVetter(Options{Depth: Headers, Agents: []string{agent}, Fetch: fast, Policies: store})
		for i, p := range paths {
			shared := first
			if i%2 == 1 {
				shared = second
			}
			want := vet(t, alone, a.URL+p)
			got := vet(t, shared, a.URL+p)
			require.Equal(t, want, got, "%s for %s", p, agent)
		}
	}
	// Two vetters of their own fetched robots.txt twice; the four sharing
	// the store once between them.
	assert.Equal(t, 3, hits.get("/robots.txt"))
	assert.Equal(t, 3, hits.get("/.well-known/tdmrep.json"))
	assert.Equal(t, 1, store.stores)

	// A robots.txt that must not be cached is not shared.
	assert.Equal(t, time.Duration(0), PolicyFiles{Robots: &PolicyFile{Status: 200, CacheControl: "no-store"}}.TTL())
	assert.Equal(t, 24*time.Hour, PolicyFiles{RobotsError: "refused"}.TTL())
}
