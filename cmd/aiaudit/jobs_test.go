package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aiaudit/aiaudit/scanner/jobs"
)

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// aiauditBinary builds the aiaudit binary once for the package's tests
// (into the temporary home TestMain removes).
func aiauditBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary and runs worker processes")
	}
	binOnce.Do(func() {
		binPath = filepath.Join(filepath.Dir(os.Getenv("XDG_DATA_HOME")), "bin", "aiaudit")
		// Without VCS stamping the binary reports the version this test
		// process does (0.1.0-dev): a stamped build (a clean clone, a dirty
		// tree) would be refused as another aiaudit version by the job the
		// test submits in-process.
		out, err := exec.Command("go", "build", "-buildvcs=false", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			binErr = fmt.Errorf("go build: %v: %s", err, out)
		}
	})
	require.NoError(t, binErr)
	return binPath
}

// proc is a process a test started.
type proc struct {
	cmd    *exec.Cmd
	exited chan struct{}
}

// process starts bin with args; it is killed by PID when the test ends,
// and its stderr shown if the test failed.
func process(t *testing.T, bin string, args ...string) *proc {
	t.Helper()
	cmd := exec.Command(bin, args...)
	stderr := &syncWriter{w: &bytes.Buffer{}}
	cmd.Stderr = stderr
	require.NoError(t, cmd.Start())
	p := &proc{cmd: cmd, exited: make(chan struct{})}
	go func() { cmd.Wait(); close(p.exited) }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-p.exited
		if t.Failed() {
			t.Logf("aiaudit %s:\n%s", strings.Join(args, " "), stderr.String())
		}
	})
	return p
}

func (p *proc) signal(t *testing.T, sig syscall.Signal) {
	require.NoError(t, p.cmd.Process.Signal(sig))
}

// wait waits for the process to exit and reports whether it exited 0.
func (p *proc) wait(t *testing.T, timeout time.Duration) bool {
	select {
	case <-p.exited:
		return p.cmd.ProcessState.Success()
	case <-time.After(timeout):
		t.Fatalf("%s did not exit within %s", p.cmd.Args, timeout)
		return false
	}
}

type syncWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

func (s *syncWriter) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.String()
}

// hit is one request a test host served.
type hit struct {
	host, path, agent string
	start, end        time.Time
}

// hostFarm serves n hosts, one per loopback address 127.0.0.2, 127.0.0.3,
// ... (Linux routes 127/8 to lo), with varied policies, and records every
// request with its host, User-Agent and time.
type hostFarm struct {
	mu      sync.Mutex
	hits    []hit
	origins []string
}

func newHostFarm(t *testing.T, n int) *hostFarm {
	f := &hostFarm{}
	for i := range n {
		ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.%d:0", 2+i))
		require.NoError(t, err, "127.0.0.0/8 must be routed to loopback")
		srv := &http.Server{Handler: f.handler(i)}
		go srv.Serve(ln)
		t.Cleanup(func() { srv.Close() })
		f.origins = append(f.origins, "http://"+ln.Addr().String())
	}
	return f
}

func (f *hostFarm) handler(variant int) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := hit{host: r.Host, path: r.URL.Path, agent: r.UserAgent(), start: time.Now()}
		defer func() {
			h.end = time.Now()
			f.mu.Lock()
			f.hits = append(f.hits, h)
			f.mu.Unlock()
		}()
		time.Sleep(3 * time.Millisecond) // a request takes time: overlaps can show
		switch r.URL.Path {
		case "/robots.txt":
			robots := []string{"User-agent: GPTBot\nDisallow: /private/\n", "User-agent: *\nDisallow: /\n", "", "User-agent: CCBot\nDisallow: /a/\n"}
			io.WriteString(w, robots[variant%4])
		case "/.well-known/tdmrep.json":
			if variant%3 == 1 {
				io.WriteString(w, `[{"location":"/books/","tdm-reservation":1}]`)
				return
			}
			http.NotFound(w, r)
		default:
			if strings.HasSuffix(r.URL.Path, "/gone") {
				http.NotFound(w, r)
				return
			}
			w.Header().Set("Content-Type", "text/html")
			if variant%5 == 2 {
				w.Header().Set("X-Robots-Tag", "noai")
			}
			io.WriteString(w, "<html><head><title>p</title></head><body>text</body></html>")
		}
	})
}

// list writes perHost URLs of every host, interleaved as a corpus is.
func (f *hostFarm) list(t *testing.T, perHost int) (string, []string) {
	paths := []string{"/", "/private/", "/a/", "/books/", "/blog/"}
	var all []string
	for i := range perHost {
		for _, o := range f.origins {
			u := fmt.Sprintf("%s%sp%d.html", o, paths[i%len(paths)], i)
			if i == perHost-1 {
				u = o + "/x/gone"
			}
			all = append(all, u)
		}
	}
	all = append(all, "not a url")
	path := filepath.Join(t.TempDir(), "list.txt")
	require.NoError(t, os.WriteFile(path, []byte(strings.Join(all, "\n")+"\n"), 0o644))
	return path, all
}

// byWorkers are the requests workers made (their User-Agent says which),
// per host, in order of start.
func (f *hostFarm) byWorkers() map[string][]hit {
	f.mu.Lock()
	defer f.mu.Unlock()
	m := map[string][]hit{}
	for _, h := range f.hits {
		if strings.HasPrefix(h.agent, "test-worker/") {
			m[h.host] = append(m[h.host], h)
		}
	}
	for _, hs := range m {
		sort.Slice(hs, func(i, j int) bool { return hs[i].start.Before(hs[j].start) })
	}
	return m
}

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	return ln.Addr().String()
}

func jobStatus(t *testing.T, nats, job string) jobs.Status {
	t.Helper()
	code, out, stderr := runIn(t, "", "job", "status", job, "--nats", nats, "--format", "json")
	require.Equal(t, exitClean, code, stderr)
	var st jobs.Status
	require.NoError(t, json.Unmarshal([]byte(out), &st), out)
	return st
}

func waitStatus(t *testing.T, nats, job string, timeout time.Duration, ok func(jobs.Status) bool) jobs.Status {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		st := jobStatus(t, nats, job)
		if ok(st) {
			return st
		}
		require.True(t, time.Now().Before(deadline), "job %s stuck: %+v", job, st)
		time.Sleep(100 * time.Millisecond)
	}
}

// jsonlByLocation reads JSONL results: each record's line by location;
// a location twice fails.
func jsonlByLocation(t *testing.T, path string) map[string]string {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	m := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var r struct {
			Location string `json:"location"`
		}
		require.NoError(t, json.Unmarshal(sc.Bytes(), &r))
		_, dup := m[r.Location]
		require.False(t, dup, "%s has two results", r.Location)
		m[r.Location] = sc.Text()
	}
	require.NoError(t, sc.Err())
	return m
}

// compareWithOneMachine checks the job's results, URL for URL, against
// aiaudit urls on the same list with the same settings on one machine.
func compareWithOneMachine(t *testing.T, nats, job, list string, all []string, settings ...string) {
	t.Helper()
	dir := t.TempDir()
	code, _, stderr := runIn(t, "", "job", "results", job, "--nats", nats, "-o", filepath.Join(dir, "job.jsonl"),
		"--reserved-out", filepath.Join(dir, "job.reserved"), "--allowed-out", filepath.Join(dir, "job.allowed"))
	require.Contains(t, []int{exitClean, exitIncomplete}, code, stderr)
	assert.Contains(t, stderr, fmt.Sprintf("vetted %d URLs", len(all)))
	code, _, stderr = runIn(t, "", append([]string{"urls", list, "--no-history", "-o", filepath.Join(dir, "one.jsonl"),
		"--reserved-out", filepath.Join(dir, "one.reserved"), "--allowed-out", filepath.Join(dir, "one.allowed")}, settings...)...)
	require.Contains(t, []int{exitClean, exitIncomplete}, code, stderr)
	got, want := jsonlByLocation(t, filepath.Join(dir, "job.jsonl")), jsonlByLocation(t, filepath.Join(dir, "one.jsonl"))
	require.Len(t, want, len(all))
	assert.Equal(t, want, got, "every URL has exactly one result, the one aiaudit urls gives")
	for _, kind := range []string{"reserved", "allowed"} {
		a, _ := os.ReadFile(filepath.Join(dir, "job."+kind))
		b, _ := os.ReadFile(filepath.Join(dir, "one."+kind))
		as, bs := strings.Fields(string(a)), strings.Fields(string(b))
		sort.Strings(as)
		sort.Strings(bs)
		assert.Equal(t, bs, as, kind)
		assert.NotEmpty(t, as, kind)
	}
}

const (
	testDelay = 80 * time.Millisecond
	jitter    = 100 * time.Millisecond
)

// Three worker processes vet a many-host list; one is killed with SIGKILL
// mid-job. The job completes, every URL has one result and it is the one
// aiaudit urls gives, no host was fetched by two workers at overlapping
// times, the per-host delay held between any two requests, and each host's
// robots.txt was fetched about once for the whole job.
func TestDistributedJobSurvivesAKilledWorker(t *testing.T) {
	bin := aiauditBinary(t)
	nats := embeddedNATS(t)

	farm := newHostFarm(t, 12)
	list, all := farm.list(t, 12)
	settings := []string{"--allow-private", "--delay", testDelay.String(), "--host-concurrency", "1"}
	code, _, stderr := runIn(t, "", append([]string{"job", "submit", list, "--nats", nats, "--job", "corpus",
		"--batch-size", "4", "--ack-wait", "3s", "--lease-ttl", "1500ms"}, settings...)...)
	require.Equal(t, exitClean, code, stderr)
	assert.Contains(t, stderr, fmt.Sprintf("job corpus: %d URLs", len(all)))

	code, _, stderr = runIn(t, "", append([]string{"job", "submit", list, "--nats", nats, "--job", "corpus"}, settings...)...)
	assert.Equal(t, exitError, code)
	assert.Contains(t, stderr, `job "corpus" exists`)

	var workers []*proc
	for i := range 3 {
		name := fmt.Sprintf("w%d", i)
		workers = append(workers, process(t, bin, "worker", "--nats", nats, "--name", name, "--user-agent", "test-worker/"+name, "--batches", "2"))
	}
	waitStatus(t, nats, "corpus", time.Minute, func(st jobs.Status) bool {
		for _, w := range st.Workers {
			if w.Name == "w0" && w.Done > 0 && w.InFlight > 0 {
				return true
			}
		}
		return false
	})
	workers[0].signal(t, syscall.SIGKILL)

	st := waitStatus(t, nats, "corpus", 2*time.Minute, func(st jobs.Status) bool { return st.Finished })
	assert.Equal(t, len(all), st.Total)
	assert.Equal(t, len(all), st.Done, "counted once each")
	assert.Zero(t, st.DeadLettered)
	assert.Equal(t, 13, st.Errors, "12 pages gone and one bad line")

	// SIGTERM drains: the others exit cleanly.
	for _, w := range workers[1:] {
		w.signal(t, syscall.SIGTERM)
	}
	for _, w := range workers[1:] {
		assert.True(t, w.wait(t, 15*time.Second), "a worker drains and exits 0 on SIGTERM")
	}

	hosts := farm.byWorkers()
	require.Len(t, hosts, len(farm.origins))
	shared := 0
	for host, hs := range hosts {
		robots, fetchedBy := 0, map[string]bool{}
		for i, a := range hs {
			fetchedBy[a.agent] = true
			if a.path == "/robots.txt" {
				robots++
			}
			// One worker spaces its requests to a host as aiaudit urls does
			// (scanner/urls.Fetcher): over a run of k requests, at least k-1
			// delays pass. The server sees each request give or take the
			// scheduling of a loaded test machine, so runs, not pairs.
			if i == len(hs)-1 || hs[i+1].agent != a.agent {
				first := i
				for first > 0 && hs[first-1].agent == a.agent {
					first--
				}
				span, want := a.start.Sub(hs[first].start), time.Duration(i-first)*testDelay-jitter
				assert.GreaterOrEqual(t, span, want, "%s: %d requests of %s in %s", host, i-first+1, a.agent, span)
			}
			for _, b := range hs[i+1:] {
				if a.agent == b.agent {
					continue
				}
				// Across workers the lease orders them: the next holder
				// starts a delay after the last one's last response.
				assert.False(t, b.start.Before(a.end), "%s fetched by %s and %s at once", host, a.agent, b.agent)
				gap := b.start.Sub(a.end)
				assert.GreaterOrEqual(t, gap, testDelay, "%s: %s %s then %s %s only %s apart", host, a.agent, a.path, b.agent, b.path, gap)
			}
		}
		if len(fetchedBy) > 1 {
			shared++
		}
		assert.GreaterOrEqual(t, robots, 1, host)
		assert.LessOrEqual(t, robots, 2, "%s: robots.txt is shared through the policy bucket", host)
	}
	assert.Positive(t, shared, "some host was vetted by more than one worker (so the checks above mean something)")

	compareWithOneMachine(t, nats, "corpus", list, all, settings...)
}

// The NATS server (aiaudit queue serve, file storage) is stopped with
// SIGTERM mid-job and started again on the same store: the workers go on
// and the job completes with every URL once.
func TestDistributedJobSurvivesANATSRestart(t *testing.T) {
	bin := aiauditBinary(t)
	addr, store := freeAddr(t), t.TempDir()
	nats := "nats://" + addr
	serve := func() *proc {
		q := process(t, bin, "queue", "serve", "--store", store, "--listen", addr)
		require.Eventually(t, func() bool {
			c, err := net.Dial("tcp", addr)
			if err == nil {
				c.Close()
			}
			return err == nil
		}, 10*time.Second, 20*time.Millisecond)
		return q
	}
	q := serve()

	farm := newHostFarm(t, 8)
	list, all := farm.list(t, 10)
	settings := []string{"--allow-private", "--delay", "50ms"}
	code, _, stderr := runIn(t, "", append([]string{"job", "submit", list, "--nats", nats, "--job", "restart",
		"--batch-size", "3", "--ack-wait", "3s", "--lease-ttl", "1500ms"}, settings...)...)
	require.Equal(t, exitClean, code, stderr)
	for i := range 2 {
		name := fmt.Sprintf("r%d", i)
		process(t, bin, "worker", "--nats", nats, "--name", name, "--user-agent", "test-worker/"+name, "--batches", "2")
	}
	waitStatus(t, nats, "restart", time.Minute, func(st jobs.Status) bool { return st.Done > 0 })

	q.signal(t, syscall.SIGTERM)
	require.True(t, q.wait(t, 15*time.Second), "queue serve stops cleanly on SIGTERM")
	time.Sleep(500 * time.Millisecond)
	serve()

	st := waitStatus(t, nats, "restart", 2*time.Minute, func(st jobs.Status) bool { return st.Finished })
	assert.Equal(t, len(all), st.Done)
	compareWithOneMachine(t, nats, "restart", list, all, settings...)
}

// A distributed job reads a Parquet list as urls does, and its results come
// back as Parquet.
func TestDistributedJobParquetInAndOut(t *testing.T) {
	bin := aiauditBinary(t)
	nats := embeddedNATS(t)
	site := optoutSite(t)
	dir := t.TempDir()
	type in struct {
		Link string `parquet:"link"`
	}
	list := filepath.Join(dir, "list.parquet")
	require.NoError(t, parquet.WriteFile(list, []in{{site.URL + "/open"}, {site.URL + "/private/a"}}))
	code, _, stderr := runIn(t, "", "job", "submit", list, "--column", "link", "--nats", nats, "--job", "pq", "--agent", "CCBot", "--delay", "0", "--allow-private")
	require.Equal(t, exitClean, code, stderr)
	assert.Contains(t, stderr, "job pq: 2 URLs")

	w := process(t, bin, "worker", "--nats", nats, "--name", "pq-worker")
	waitStatus(t, nats, "pq", time.Minute, func(st jobs.Status) bool { return st.Finished })
	w.signal(t, syscall.SIGTERM)
	assert.True(t, w.wait(t, 15*time.Second))

	out := filepath.Join(dir, "out.parquet")
	code, _, stderr = runIn(t, "", "job", "results", "pq", "--nats", nats, "-f", "parquet", "-o", out)
	require.Equal(t, exitClean, code, stderr)
	type result struct {
		URL            string `parquet:"url"`
		TrainingOptOut *bool  `parquet:"training_opt_out,optional"`
	}
	rows, err := parquet.ReadFile[result](out)
	require.NoError(t, err)
	got := map[string]bool{}
	for _, r := range rows {
		require.NotNil(t, r.TrainingOptOut, r.URL)
		got[r.URL] = *r.TrainingOptOut
	}
	assert.Equal(t, map[string]bool{site.URL + "/open": false, site.URL + "/private/a": true}, got)
}

// embeddedNATS starts a JetStream server on a free loopback port for the
// test and returns its URL.
func embeddedNATS(t *testing.T) string {
	addr := freeAddr(t)
	srv, err := jobs.StartServer(t.TempDir(), addr)
	require.NoError(t, err)
	t.Cleanup(srv.Shutdown)
	return "nats://" + addr
}
