package urls

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Results come out in input order, whichever URL answers first, so the
// JSONL output zips back onto the list; and a slow URL holds back at most a
// window of finished ones, so memory stays bounded.
func TestRunEmitsInInputOrder(t *testing.T) {
	const concurrency = 2
	win := window(concurrency)
	n := 3 * win
	var mu sync.Mutex
	started := map[string]bool{}
	lastOfWindow := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/robots.txt", "/.well-known/tdmrep.json", "/ai.txt":
			http.NotFound(w, r)
			return
		case "/p0":
			// The first URL answers last: once the last URL of the first
			// window was asked for, every other URL of it was vetted.
			select {
			case <-lastOfWindow:
			case <-r.Context().Done():
			}
		}
		mu.Lock()
		started[r.URL.Path] = true
		if r.URL.Path == fmt.Sprintf("/p%d", win-1) {
			close(lastOfWindow)
		}
		mu.Unlock()
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprint(w, "ok")
	}))
	defer srv.Close()
	v := NewVetter(Options{Depth: Headers, Agents: []string{"GPTBot"}, Fetch: FetchOptions{Timeout: 10 * time.Second}})
	items := make(chan Item, n)
	for i := range n {
		items <- Item{Line: i + 1, URL: fmt.Sprintf("%s/p%d", srv.URL, i)}
	}
	close(items)
	var got []string
	_, err := v.Run(context.Background(), items, RunOptions{Concurrency: concurrency, Emit: func(r Result) error {
		if len(got) == 0 {
			mu.Lock()
			assert.LessOrEqual(t, len(started), win, "while the first URL is slow, at most a window of URLs is fetched")
			mu.Unlock()
		}
		got = append(got, strings.TrimPrefix(r.Location, srv.URL))
		return nil
	}})
	require.NoError(t, err)
	want := make([]string, n)
	for i := range want {
		want[i] = fmt.Sprintf("/p%d", i)
	}
	assert.Equal(t, want, got)
}
