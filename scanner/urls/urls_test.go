package urls

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aiaudit/aiaudit/cmd/mktestdata/build"
	"github.com/aiaudit/aiaudit/detectors"
)

// counter counts requests per path.
type counter struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *counter) add(p string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil {
		c.n = map[string]int{}
	}
	c.n[p]++
}

func (c *counter) get(p string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[p]
}

// siteA serves every kind of signal with known answers.
func siteA(t *testing.T, hits *counter) *httptest.Server {
	jpg, err := build.JPEG(8, 8, 1)
	require.NoError(t, err)
	img, err := build.WithXMP(jpg, build.XMPPacket("http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture", "http://ns.useplus.org/ldf/vocab/DMI-PROHIBITED-AIMLTRAINING", ""))
	require.NoError(t, err)
	mux := http.NewServeMux()
	mux.HandleFunc("/robots.txt", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "User-agent: GPTBot\nDisallow: /\n\nUser-agent: *\nDisallow: /private/\nContent-Usage: /docs/ train-ai=n\n")
	})
	mux.HandleFunc("/.well-known/tdmrep.json", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `[{"location":"/books/","tdm-reservation":1,"tdm-policy":"https://example.com/policy.json"}]`)
	})
	mux.HandleFunc("/open.html", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, "<html><head><title>open</title></head><body>hi</body></html>")
	})
	mux.HandleFunc("/noai.html", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<html><head><meta name="robots" content="noai"></head><body></body></html>`)
	})
	mux.HandleFunc("/header.html", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("X-Robots-Tag", "noml")
		fmt.Fprint(w, "<html></html>")
	})
	mux.HandleFunc("/books/meta-zero.html", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, `<html><head><meta name="tdm-reservation" content="0"></head></html>`)
	})
	mux.HandleFunc("/photo.jpg", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/jpeg")
		w.Write(img)
	})
	mux.HandleFunc("/loop", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/loop", http.StatusFound) })
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.add(r.URL.Path)
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func vet(t *testing.T, v *Vetter, u string) Result {
	t.Helper()
	return v.Vet(context.Background(), u)
}

func signals(r Result) map[string]detectors.Verdict {
	m := map[string]detectors.Verdict{}
	for _, o := range r.OptOutEvidence {
		if m[o.Signal] != detectors.Reserved {
			m[o.Signal] = o.Verdict
		}
	}
	return m
}

func isTrue(b *bool) bool  { return b != nil && *b }
func isFalse(b *bool) bool { return b != nil && !*b }

func TestVetAgainstLoopbackSite(t *testing.T) {
	hits := &counter{}
	a := siteA(t, hits)
	fast := FetchOptions{Timeout: 2 * time.Second}

	// Explicit agents: GPTBot is blocked by its own group, CCBot is not.
	gpt := NewVetter(Options{Depth: Headers, Agents: []string{"GPTBot"}, Fetch: fast})
	r := vet(t, gpt, a.URL+"/open.html")
	assert.True(t, isTrue(r.TrainingOptOut), "%+v", r)
	assert.Equal(t, detectors.Reserved, signals(r)["robots.txt"])

	cc := NewVetter(Options{Depth: Headers, Agents: []string{"CCBot"}, Fetch: fast})
	r = vet(t, cc, a.URL+"/open.html")
	assert.True(t, isFalse(r.TrainingOptOut), "%+v", r)
	r = vet(t, cc, a.URL+"/private/x")
	assert.True(t, isTrue(r.TrainingOptOut))
	r = vet(t, cc, a.URL+"/docs/guide")
	assert.Equal(t, detectors.Reserved, signals(r)["robots.txt Content-Usage"])
	r = vet(t, cc, a.URL+"/noai.html")
	assert.Equal(t, detectors.Reserved, signals(r)["meta robots"])
	r = vet(t, cc, a.URL+"/header.html")
	assert.Equal(t, detectors.Reserved, signals(r)["X-Robots-Tag"])
	r = vet(t, cc, a.URL+"/books/x")
	assert.Equal(t, detectors.Reserved, signals(r)["tdmrep tdmrep.json"])
	r = vet(t, cc, a.URL+"/books/meta-zero.html")
	assert.Equal(t, detectors.NotReserved, signals(r)["tdmrep meta"], "the meta tag is more specific than the file")
	assert.True(t, isFalse(r.TrainingOptOut))

	// Policy mode reads no page: the meta tag is not seen.
	pol := NewVetter(Options{Depth: Policy, Agents: []string{"CCBot"}, Fetch: fast})
	assert.True(t, isFalse(vet(t, pol, a.URL+"/noai.html").TrainingOptOut))
	// Full mode reads the image's embedded PLUS DataMining.
	full := NewVetter(Options{Depth: Full, Agents: []string{"CCBot"}, Fetch: fast})
	r = vet(t, full, a.URL+"/photo.jpg")
	assert.Equal(t, detectors.Reserved, signals(r)["iptc.plus.DataMining"], "%+v", r)
	assert.False(t, isTrue(vet(t, cc, a.URL+"/photo.jpg").TrainingOptOut), "headers mode does not read the file")

	// Default agents: reserved because GPTBot (a training agent) is blocked.
	def := NewVetter(Options{Depth: Policy, Fetch: fast})
	r = vet(t, def, a.URL+"/open.html")
	assert.True(t, isTrue(r.TrainingOptOut))
	assert.Greater(t, len(def.Agents()), 20)

	// Each policy file was fetched once per vetter, not once per URL.
	assert.LessOrEqual(t, hits.get("/robots.txt"), 6)

	// A redirect loop is an error for that URL, not a verdict.
	r = vet(t, cc, a.URL+"/loop")
	assert.Contains(t, r.Error, "redirects")
	assert.Nil(t, r.TrainingOptOut, "an error is never reported as allowed")

	r = vet(t, cc, "not a url")
	assert.Contains(t, r.Error, "invalid URL")
}

func TestUnreachableRobotsIsUnknown(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		fmt.Fprint(w, "ok")
	}))
	defer srv.Close()
	v := NewVetter(Options{Depth: Policy, Agents: []string{"GPTBot"}, Fetch: FetchOptions{Timeout: time.Second}})
	r := vet(t, v, srv.URL+"/x")
	assert.Nil(t, r.TrainingOptOut, "5xx robots.txt: unknown, never allowed")
	assert.Equal(t, detectors.Unknown, signals(r)["robots.txt"])
}

func TestRetryAfterThenSuccess(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/page" && n.Add(1) <= 2 {
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		w.WriteHeader(http.StatusNotFound)
	}))
	defer srv.Close()
	v := NewVetter(Options{Depth: Headers, Agents: []string{"GPTBot"}, Fetch: FetchOptions{Timeout: time.Second, Retries: 3}})
	r := vet(t, v, srv.URL+"/page")
	assert.Equal(t, int32(3), n.Load(), "two 429s, then the answer")
	assert.Equal(t, 404, r.Status)
}

func TestDeadHostIsGivenUp(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-release // hangs until the test ends
	}))
	defer srv.Close()
	defer close(release)
	v := NewVetter(Options{Depth: Headers, Agents: []string{"GPTBot"}, Fetch: FetchOptions{Timeout: 100 * time.Millisecond, DeadAfter: 3}})
	start := time.Now()
	items := make(chan Item, 50)
	for i := range 50 {
		items <- Item{URL: fmt.Sprintf("%s/p%d", srv.URL, i)}
	}
	close(items)
	var results []Result
	_, err := v.Run(context.Background(), items, RunOptions{Concurrency: 8, Emit: func(r Result) error { results = append(results, r); return nil }})
	require.NoError(t, err)
	require.Len(t, results, 50, "every URL gets a result")
	gaveUp := 0
	for _, r := range results {
		assert.NotEmpty(t, r.Error)
		assert.Nil(t, r.TrainingOptOut)
		if strings.Contains(r.Error, "host given up") {
			gaveUp++
		}
	}
	assert.Greater(t, gaveUp, 40, "after a few timeouts the rest fail at once")
	assert.Less(t, time.Since(start), 5*time.Second)
}

func TestGzipBombRobotsIsCapped(t *testing.T) {
	var bomb bytes.Buffer
	zw := gzip.NewWriter(&bomb)
	zw.Write([]byte("User-agent: *\nDisallow: /\n"))
	pad := make([]byte, 1<<20)
	for range 200 {
		zw.Write(pad)
	}
	zw.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			w.Header().Set("Content-Encoding", "gzip")
			w.Write(bomb.Bytes())
			return
		}
		w.WriteHeader(404)
	}))
	defer srv.Close()
	v := NewVetter(Options{Depth: Policy, Agents: []string{"GPTBot"}, Fetch: FetchOptions{Timeout: 5 * time.Second}})
	r := vet(t, v, srv.URL+"/x")
	assert.True(t, isTrue(r.TrainingOptOut), "the first 500 KiB are parsed: %+v", r)
}

func TestShardAndResume(t *testing.T) {
	s, err := ParseShard("1/3")
	require.NoError(t, err)
	owners := 0
	for _, sh := range []Shard{{0, 3}, {1, 3}, {2, 3}} {
		if sh.Mine("example.com") {
			owners++
		}
	}
	assert.Equal(t, 1, owners, "exactly one shard owns a host")
	assert.Equal(t, s.Mine("a.example"), s.Mine("A.EXAMPLE"))
	for _, bad := range []string{"3/3", "x", "1/0", "-1/2"} {
		_, err := ParseShard(bad)
		assert.Error(t, err, bad)
	}
	done, err := LoadDone(strings.NewReader(`{"location":"https://a/1","error":""}` + "\n" + `{"location":"https://a/2"` /* cut by a crash */))
	require.NoError(t, err)
	assert.True(t, done.Has("https://a/1"))
	assert.False(t, done.Has("https://a/2"), "a half-written line is vetted again")
}

func TestReadInputs(t *testing.T) {
	collect := func(in Input, s string) ([]Item, error) {
		ch := make(chan Item, 100)
		err := Read(strings.NewReader(s), in, ch)
		close(ch)
		var out []Item
		for it := range ch {
			out = append(out, it)
		}
		return out, err
	}
	items, err := collect(Input{}, "# list\nhttps://a/1\n\n  https://b/2  \n")
	require.NoError(t, err)
	require.Len(t, items, 2)
	assert.Equal(t, "https://b/2", items[1].URL)

	items, err = collect(Input{Column: "url"}, "id,url\n1,https://a/1\n2\n3,https://a/3\n")
	require.NoError(t, err)
	require.Len(t, items, 3)
	assert.Error(t, items[1].Err, "a short row is an error for that line")
	assert.Equal(t, "https://a/3", items[2].URL)
	items, err = collect(Input{Column: "2"}, "1,https://a/1\n")
	require.NoError(t, err)
	assert.Equal(t, "https://a/1", items[0].URL, "a numbered column in a file without a header")
	_, err = collect(Input{Column: "link"}, "id,url\n")
	assert.ErrorContains(t, err, "no column")

	items, err = collect(Input{Field: "u"}, `{"u":"https://a/1"}`+"\n"+`{"x":1}`+"\nnot json\n")
	require.NoError(t, err)
	require.Len(t, items, 3)
	assert.Equal(t, "https://a/1", items[0].URL)
	assert.Error(t, items[1].Err)
	assert.Error(t, items[2].Err)
}

// readItems runs Read and fails the test (instead of hanging) when it sends
// more than max Items.
func readItems(t *testing.T, r io.Reader, in Input, max int) ([]Item, error) {
	t.Helper()
	ch := make(chan Item)
	done := make(chan error, 1)
	go func() { done <- Read(r, in, ch); close(ch) }()
	var items []Item
	for it := range ch {
		items = append(items, it)
		require.LessOrEqual(t, len(items), max, "Read keeps sending Items: %v", items[len(items)-1])
	}
	return items, <-done
}

func TestReadFailingReader(t *testing.T) {
	// A CSV reader whose source fails used to send an error Item per
	// attempt, for ever; every layout now ends with the reader's error.
	for _, in := range []Input{{}, {Column: "url"}, {Column: "2"}, {Field: "url"}} {
		_, err := readItems(t, &brokenReader{strings.NewReader("url\nhttps://a.kz/1\n")}, in, 2)
		assert.ErrorIs(t, err, errBroken, "%+v", in)
	}
}

func TestReadCSVUnreadableHeader(t *testing.T) {
	// A header that is not CSV (here JSONL read as CSV) used to leave the
	// column unknown and panic on the next row.
	_, err := readItems(t, strings.NewReader(`{"url":"https://a.kz/1"}`+"\nhttps://a.kz/2\n"), Input{Column: "url"}, 2)
	assert.ErrorContains(t, err, "CSV header")
	items, err := readItems(t, strings.NewReader("a\"b\nhttps://a.kz/2\n"), Input{Column: "1"}, 2)
	require.NoError(t, err, "with a numbered column the first row is only a bad line")
	require.Len(t, items, 2)
	assert.Error(t, items[0].Err)
	assert.Equal(t, "https://a.kz/2", items[1].URL)
}

func TestReadLinesAndBOM(t *testing.T) {
	bom := "\xEF\xBB\xBF"
	items, err := readItems(t, strings.NewReader(bom+"https://a.kz/1\r\n"), Input{}, 1)
	require.NoError(t, err)
	assert.Equal(t, "https://a.kz/1", items[0].URL, "a byte-order mark is not part of the first URL")
	items, err = readItems(t, strings.NewReader(bom+"url,id\r\nhttps://a.kz/1,1\r\n"), Input{Column: "url"}, 1)
	require.NoError(t, err, "the first header is found behind a byte-order mark")
	assert.Equal(t, "https://a.kz/1", items[0].URL)
	items, err = readItems(t, strings.NewReader(bom+`{"u":"https://a.kz/1"}`), Input{Field: "u"}, 1)
	require.NoError(t, err)
	assert.Equal(t, "https://a.kz/1", items[0].URL)

	// CSV Items carry the line their record starts on, not the record's
	// number: blank lines and quoted line breaks count.
	items, err = readItems(t, strings.NewReader("id,url\n\n1,https://a.kz/1\n2,\"https://a.kz/\n2\"\n3,https://a.kz/3\n4,x\"y\n"), Input{Column: "url"}, 4)
	require.NoError(t, err)
	require.Len(t, items, 4)
	for i, want := range []int{3, 4, 6, 7} {
		assert.Equal(t, want, items[i].Line, "%+v", items[i])
	}
	assert.ErrorContains(t, items[3].Err, "line 7")

	// A JSONL field holding only spaces is a line without a URL.
	items, err = readItems(t, strings.NewReader(`{"u":"  "}`), Input{Field: "u"}, 1)
	require.NoError(t, err)
	assert.ErrorContains(t, items[0].Err, "JSONL line 1 has an empty field")
}

// endless repeats its pattern for ever.
type endless struct {
	pattern string
	read    int
}

func (e *endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = e.pattern[(e.read+i)%len(e.pattern)]
	}
	e.read += len(p)
	return len(p), nil
}

func TestReadCSVRecordCap(t *testing.T) {
	// One record, never ending: a line without a newline, or a quoted field
	// spread over endless short lines. Both end at the cap instead of
	// holding the stream in memory.
	for _, c := range []struct {
		open string
		src  *endless
	}{{"", &endless{pattern: "x"}}, {`"`, &endless{pattern: "https://a.kz/\n"}}} {
		src := c.src
		_, err := readItems(t, io.MultiReader(strings.NewReader(c.open), src), Input{Column: "1"}, 0)
		require.ErrorIs(t, err, errCSVRecordTooLong)
		assert.LessOrEqual(t, src.read, maxCSVRecord+64<<10, "read far beyond the cap")
	}
	// Records below the cap are not affected by the bytes before them.
	line := "https://a.kz/" + strings.Repeat("x", 1010) + "\n" // 1 KiB
	items, err := readItems(t, io.LimitReader(&endless{pattern: line}, 2*maxCSVRecord), Input{Column: "1"}, 1<<20)
	require.NoError(t, err)
	assert.Equal(t, 2*maxCSVRecord/len(line), len(items))
}

func TestPolicyCacheHonoursMaxAge(t *testing.T) {
	for _, c := range []struct {
		cacheControl string
		fetches      int
	}{{"", 1}, {"max-age=3600", 1}, {"max-age=0", 4}, {"no-store", 4}} {
		hits := &counter{}
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			hits.add(r.URL.Path)
			if r.URL.Path == "/robots.txt" && c.cacheControl != "" {
				w.Header().Set("Cache-Control", c.cacheControl)
			}
			fmt.Fprint(w, "User-agent: *\nDisallow: /x\n")
		}))
		v := NewVetter(Options{Depth: Policy, Agents: []string{"GPTBot"}, Fetch: FetchOptions{Timeout: time.Second}})
		for i := range 4 {
			vet(t, v, fmt.Sprintf("%s/p%d", srv.URL, i))
			time.Sleep(2 * time.Millisecond)
		}
		srv.Close()
		assert.Equal(t, c.fetches, hits.get("/robots.txt"), "Cache-Control %q", c.cacheControl)
	}
}

func TestTricklingServerIsCutOff(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			w.WriteHeader(404)
			return
		}
		w.Header().Set("Content-Type", "text/html")
		for i := 0; i < 100; i++ {
			if _, err := w.Write([]byte("<")); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			time.Sleep(50 * time.Millisecond)
		}
	}))
	defer srv.Close()
	v := NewVetter(Options{Depth: Headers, Agents: []string{"GPTBot"}, Fetch: FetchOptions{Timeout: 300 * time.Millisecond}})
	start := time.Now()
	r := vet(t, v, srv.URL+"/slow")
	assert.NotEmpty(t, r.Error)
	assert.Nil(t, r.TrainingOptOut)
	assert.Less(t, time.Since(start), 3*time.Second)
}

func TestRemoteReader(t *testing.T) {
	data := bytes.Repeat([]byte("0123456789abcdef"), 64<<10) // 1 MiB
	var ranged atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/ranges":
			if r.Header.Get("Range") != "" {
				ranged.Add(1)
			}
			http.ServeContent(w, r, "x", time.Time{}, bytes.NewReader(data))
		case "/plain": // ignores Range
			w.Write(data)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	f := NewFetcher(FetchOptions{Timeout: time.Second})
	host := strings.TrimPrefix(srv.URL, "http://")
	f.AllowTargets(context.Background(), "127.0.0.1") // the test server is the user's target

	r, err := f.Open(context.Background(), host, srv.URL+"/ranges", 512<<10)
	require.NoError(t, err)
	assert.Equal(t, int64(len(data)), r.Size())
	buf := make([]byte, 100)
	_, err = r.ReadAt(buf, 700_000)
	require.NoError(t, err)
	assert.Equal(t, data[700_000:700_100], buf)
	assert.Less(t, r.Fetched(), int64(512<<10), "only the head and one block")
	_, err = r.ReadAt(make([]byte, 400<<10), 300_000)
	assert.ErrorIs(t, err, ErrOverCap)
	assert.GreaterOrEqual(t, ranged.Load(), int32(2))

	p, err := f.Open(context.Background(), host, srv.URL+"/plain", 2<<20)
	require.NoError(t, err)
	_, err = p.ReadAt(buf, 700_000)
	require.NoError(t, err)
	assert.Equal(t, data[700_000:700_100], buf)
	_, err = f.Open(context.Background(), host, srv.URL+"/plain", 1000)
	assert.ErrorIs(t, err, ErrOverCap, "no Range support and over the cap")

	nf, err := f.Open(context.Background(), host, srv.URL+"/missing", 1000)
	require.NoError(t, err)
	assert.Equal(t, 404, nf.Status)
}
