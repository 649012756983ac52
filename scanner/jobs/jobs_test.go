package jobs

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aiaudit/aiaudit/scanner/urls"
)

// startNATS runs an embedded JetStream server on a free loopback port,
// its store in a temp dir, stopped when the test ends.
func startNATS(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	ln.Close()
	s, err := StartServer(t.TempDir(), addr)
	require.NoError(t, err)
	t.Cleanup(s.Shutdown)
	return "nats://" + addr
}

func connect(t *testing.T, url string) *Client {
	t.Helper()
	c, err := Connect(t.Context(), url, t.Name())
	require.NoError(t, err)
	t.Cleanup(c.Close)
	return c
}

// site serves robots.txt reserving /private/ for GPTBot, and pages.
func site(t *testing.T) (*httptest.Server, *sync.Map) {
	hits := &sync.Map{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := hits.LoadOrStore(r.URL.Path, new(atomic.Int64))
		n.(*atomic.Int64).Add(1)
		if r.URL.Path == "/robots.txt" {
			fmt.Fprint(w, "User-agent: GPTBot\nDisallow: /private/\n")
			return
		}
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, "<html><head></head></html>")
	}))
	t.Cleanup(srv.Close)
	return srv, hits
}

func items(list []string) func(chan<- urls.Item) error {
	return func(ch chan<- urls.Item) error {
		for i, u := range list {
			ch <- urls.Item{Line: i + 1, URL: u}
		}
		return nil
	}
}

var fast = Settings{Agents: []string{"GPTBot"}, Check: urls.Headers, Timeout: 2 * time.Second, HostConcurrency: 1,
	AllowPrivate: true, BatchSize: 3, AckWait: 2 * time.Second, LeaseTTL: time.Second, MaxDeliver: 2}

// waitFinished polls the job's status until it is finished.
func waitFinished(t *testing.T, c *Client, job string) Status {
	t.Helper()
	var st Status
	require.Eventually(t, func() bool {
		var err error
		st, err = c.Status(t.Context(), job)
		require.NoError(t, err)
		return st.Finished
	}, 30*time.Second, 50*time.Millisecond)
	return st
}

func runWorker(t *testing.T, c *Client, opt WorkerOptions) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- NewWorker(c, opt).Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		require.NoError(t, <-done)
	})
}

func resultsOf(t *testing.T, c *Client, job string) map[string]urls.Result {
	got := map[string]urls.Result{}
	for r, err := range c.Results(t.Context(), job) {
		require.NoError(t, err)
		_, dup := got[r.Location]
		require.False(t, dup, "two results for %s", r.Location)
		got[r.Location] = r
	}
	return got
}

func TestJobMatchesOneVetterAndFetchesPolicyOnce(t *testing.T) {
	nurl := startNATS(t)
	c := connect(t, nurl)
	srv, hits := site(t)
	list := []string{"not a url"}
	for i := range 10 {
		list = append(list, fmt.Sprintf("%s/p%d.html", srv.URL, i), fmt.Sprintf("%s/private/p%d.html", srv.URL, i))
	}
	spec, err := c.Submit(t.Context(), Spec{Name: "one", Version: "v1", Settings: fast}, items(list))
	require.NoError(t, err)
	assert.Equal(t, len(list), spec.Total)
	assert.Equal(t, 1+7, spec.Batches, "one host's 20 URLs in batches of 3, the bad line on its own")

	_, err = c.Submit(t.Context(), Spec{Name: "one", Version: "v1", Settings: fast}, items(list))
	assert.ErrorContains(t, err, `job "one" exists`)

	for i := range 2 {
		runWorker(t, c, WorkerOptions{Name: fmt.Sprintf("w%d", i), Version: "v1", Batches: 4})
	}
	st := waitFinished(t, c, "one")
	assert.Equal(t, len(list), st.Done)
	assert.Equal(t, 1, st.Errors)
	assert.Zero(t, st.DeadLettered)

	vo, err := spec.Settings.VetOptions()
	require.NoError(t, err)
	v := urls.NewVetter(vo)
	got := resultsOf(t, c, "one")
	require.Len(t, got, len(list))
	for _, u := range list {
		assert.Equal(t, v.Vet(t.Context(), u), got[u], u)
	}
	n, _ := hits.Load("/robots.txt")
	assert.Equal(t, int64(2), n.(*atomic.Int64).Load(), "once for the job (shared by both workers), once for the comparison")
}

func TestPoisonLineIsDeadLettered(t *testing.T) {
	c := connect(t, startNATS(t))
	srv, _ := site(t)
	list := []string{srv.URL + "/a", srv.URL + "/poison", srv.URL + "/b"}
	_, err := c.Submit(t.Context(), Spec{Name: "poison", Version: "v1", Settings: fast}, items(list))
	require.NoError(t, err)
	var tries sync.Map
	runWorker(t, c, WorkerOptions{Name: "w", Version: "v1", vet: func(ctx context.Context, v *urls.Vetter, it urls.Item) urls.Result {
		if strings.HasSuffix(it.URL, "/poison") {
			n, _ := tries.LoadOrStore(it.URL, new(int))
			*n.(*int)++
			panic("boom")
		}
		return v.VetItem(ctx, it)
	}})
	st := waitFinished(t, c, "poison")
	assert.Equal(t, 2, st.Done)
	assert.Equal(t, 1, st.DeadLettered)
	n, _ := tries.Load(srv.URL + "/poison")
	assert.Equal(t, fast.MaxDeliver, *n.(*int), "tried MaxDeliver times, then dead-lettered")
	got := resultsOf(t, c, "poison")
	require.Len(t, got, 3)
	assert.Nil(t, got[srv.URL+"/poison"].TrainingOptOut, "a dead line is unknown, never allowed")
	assert.Contains(t, got[srv.URL+"/poison"].Error, "dead-lettered: vetting crashed on every try: boom")
}

func TestWorkerOfAnotherVersionRefuses(t *testing.T) {
	c := connect(t, startNATS(t))
	srv, _ := site(t)
	_, err := c.Submit(t.Context(), Spec{Name: "old", Version: "v1", Settings: fast}, items([]string{srv.URL + "/a"}))
	require.NoError(t, err)
	err = NewWorker(c, WorkerOptions{Version: "v2", Job: "old"}).Run(t.Context())
	assert.ErrorIs(t, err, ErrVersion)
	assert.ErrorContains(t, err, "submitted by aiaudit v1 and this worker is aiaudit v2")

	// Serving every job, it leaves that one alone.
	var logs []string
	var mu sync.Mutex
	ctx, cancel := context.WithTimeout(t.Context(), 1500*time.Millisecond)
	defer cancel()
	require.NoError(t, NewWorker(c, WorkerOptions{Version: "v2", Log: func(f string, a ...any) {
		mu.Lock()
		defer mu.Unlock()
		logs = append(logs, fmt.Sprintf(f, a...))
	}}).Run(ctx))
	st, err := c.Status(t.Context(), "old")
	require.NoError(t, err)
	assert.Zero(t, st.Done)
	assert.True(t, slices.ContainsFunc(logs, func(l string) bool { return strings.Contains(l, "not taking work of job old") }), "%v", logs)
}

func TestCancelRemovesWorkAndPurgeFreesTheName(t *testing.T) {
	c := connect(t, startNATS(t))
	_, err := c.Submit(t.Context(), Spec{Name: "c", Version: "v1", Settings: fast}, items([]string{"http://127.0.0.1:1/a"}))
	require.NoError(t, err)
	require.NoError(t, c.Cancel(t.Context(), "c", false))
	st, err := c.Status(t.Context(), "c")
	require.NoError(t, err)
	assert.True(t, st.Canceled)
	_, err = c.Submit(t.Context(), Spec{Name: "c", Version: "v1", Settings: fast}, items(nil))
	assert.ErrorContains(t, err, "exists")
	require.NoError(t, c.Cancel(t.Context(), "c", true))
	_, err = c.Submit(t.Context(), Spec{Name: "c", Version: "v1", Settings: fast}, items(nil))
	assert.NoError(t, err)
	assert.ErrorContains(t, CheckName("a.b"), "letters, digits")
}
