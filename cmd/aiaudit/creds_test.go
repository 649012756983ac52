package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aiaudit/aiaudit/cmd/mktestdata/build"
)

// privateSite is a site behind basic auth (alice:secret): anything asked
// without the credentials is refused. A page links to itself with the
// credentials in the link, as pages sometimes do. seen tells which paths
// were asked with the right credentials.
func privateSite(t *testing.T) (*httptest.Server, func() []string) {
	jpg, err := build.JPEG(16, 16, 1)
	require.NoError(t, err)
	ai, err := build.WithXMP(jpg, build.XMPPacket("http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia", "", ""))
	require.NoError(t, err)
	var mu sync.Mutex
	var authed []string
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != "alice" || p != "secret" {
			w.Header().Set("WWW-Authenticate", `Basic realm="private"`)
			http.Error(w, "who are you", http.StatusUnauthorized)
			return
		}
		mu.Lock()
		authed = append(authed, r.URL.Path)
		mu.Unlock()
		switch r.URL.Path {
		case "/robots.txt":
			fmt.Fprint(w, "User-agent: GPTBot\nDisallow: /\n")
		case "/", "/other":
			w.Header().Set("Content-Type", "text/html")
			self := strings.Replace(srv.URL, "http://", "http://alice:secret@", 1)
			fmt.Fprintf(w, `<html><body><img src="%s/a.jpg" alt="hero"><a href="%s/other">other</a><a href="/missing">gone</a></body></html>`, self, self)
		case "/a.jpg":
			w.Write(ai)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), authed...)
	}
}

// noCredentials asserts that nothing the user can read holds the
// credentials: neither the password nor the user name.
func noCredentials(t *testing.T, what, s string) {
	t.Helper()
	for _, w := range []string{"secret", "alice"} {
		if i := strings.Index(s, w); i >= 0 {
			t.Errorf("%s holds the credentials: %q", what, s[max(i-80, 0):min(i+40, len(s))])
		}
	}
}

// historyBytes is everything the history keeps on disk: the database and
// its journal files, and the lock files.
func historyBytes(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	require.NoError(t, filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		require.NoError(t, err)
		if d.IsDir() {
			return nil
		}
		data, err := os.ReadFile(path)
		require.NoError(t, err)
		b.WriteString(path)
		b.Write(data)
		return nil
	}))
	return b.String()
}

// The credentials of a start URL are used to fetch the site, and appear in
// nothing aiaudit writes: report, stderr (text or JSON lines), history.
func TestCrawlCredentialsAreUsedAndNeverWritten(t *testing.T) {
	srv, authed := privateSite(t)
	start := strings.Replace(srv.URL, "http://", "http://alice:secret@", 1) + "/"
	dir := t.TempDir()
	hist := filepath.Join(dir, "hist")
	db, report := filepath.Join(hist, "h.db"), filepath.Join(dir, "r.json")
	for _, logFormat := range []string{"json", "text"} {
		code, out, stderr := runIn(t, "", "crawl", start, "--db", db, "--delay", "0", "-f", "json", "-o", report, "--log-format", logFormat, "--retries", "0")
		require.Equal(t, exitFindings, code, "an unlabelled AI image: %s", stderr)
		noCredentials(t, "stdout", out)
		noCredentials(t, "stderr ("+logFormat+")", stderr)
		b, err := os.ReadFile(report)
		require.NoError(t, err)
		noCredentials(t, "the report", string(b))
		rep := decode(t, string(b))
		assert.Equal(t, []string{srv.URL + "/"}, rep.Scan.Targets)
		locs := map[string]bool{}
		for _, r := range rep.Resources {
			locs[r.Location] = true
		}
		assert.True(t, locs[srv.URL+"/"], "%v", locs)
		assert.True(t, locs[srv.URL+"/other"], "the link with credentials is the same page without them: %v", locs)
		assert.True(t, locs[srv.URL+"/a.jpg"], "%v", locs)
		assert.NotEmpty(t, rep.Findings, "the image behind the password was read")
	}
	noCredentials(t, "the history", historyBytes(t, hist))
	assert.Subset(t, authed(), []string{"/robots.txt", "/", "/other", "/a.jpg"}, "every request to the site carried the credentials given")
	_, out, _ := runIn(t, "", "history", "--db", db)
	noCredentials(t, "history", out)
}

// A URL list: the same, for the JSONL results, the reserved list and the
// history, and the table format.
func TestURLsCredentialsAreUsedAndNeverWritten(t *testing.T) {
	srv, authed := privateSite(t)
	withCreds := strings.Replace(srv.URL, "http://", "http://alice:secret@", 1)
	dir := t.TempDir()
	hist := filepath.Join(dir, "hist")
	db, res, reserved := filepath.Join(hist, "h.db"), filepath.Join(dir, "r.jsonl"), filepath.Join(dir, "reserved.txt")
	list := withCreds + "/\n" + withCreds + "/missing\nftp://alice:secret@example.invalid/x\n"
	code, out, stderr := runIn(t, list, "urls", "-", "--db", db, "--delay", "0", "-o", res, "--reserved-out", reserved, "--log-format", "json", "--retries", "0")
	require.Equal(t, exitIncomplete, code, stderr)
	noCredentials(t, "stdout", out)
	noCredentials(t, "stderr", stderr)
	b, err := os.ReadFile(res)
	require.NoError(t, err)
	noCredentials(t, "the results", string(b))
	recs := lines(t, string(b))
	require.Len(t, recs, 3)
	assert.Equal(t, srv.URL+"/", recs[0]["location"])
	assert.Equal(t, true, recs[0]["training_opt_out"], "robots.txt (behind the password) blocks GPTBot")
	assert.Contains(t, recs[1]["error"], "HTTP 404", "fetched with the credentials: not 401")
	rb, err := os.ReadFile(reserved)
	require.NoError(t, err)
	noCredentials(t, "the reserved list", string(rb))

	// --resume knows the URLs it vetted, though the list has credentials.
	code, _, stderr = runIn(t, list, "urls", "-", "--db", db, "--delay", "0", "-o", res, "--resume", "--retries", "0")
	assert.Equal(t, exitClean, code, stderr)
	assert.Contains(t, stderr, "vetted 0 URLs")
	noCredentials(t, "stderr", stderr)

	code, out, stderr = runIn(t, list, "urls", "-", "--no-history", "--delay", "0", "-f", "table", "--retries", "0")
	assert.Equal(t, exitIncomplete, code, stderr)
	noCredentials(t, "the table", out)
	noCredentials(t, "stderr", stderr)

	code, out, stderr = runIn(t, "", "check", withCreds+"/")
	assert.Equal(t, exitClean, code, stderr)
	assert.Contains(t, out, "verdict: reserved")
	noCredentials(t, "check", out+stderr)

	noCredentials(t, "the history", historyBytes(t, hist))
	assert.Contains(t, authed(), "/missing")
}
