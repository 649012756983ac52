package main

import (
	"database/sql"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aiaudit/aiaudit/reports/history"
)

// A scan killed with SIGKILL while it writes history leaves a database that
// opens, passes SQLite's integrity check, keeps what was written, and marks
// the killed scan incomplete; the next run is not locked out and does not
// diff against the half scan.
func TestKilledScanLeavesAConsistentHistory(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "aiaudit")
	build := exec.Command("go", "build", "-o", bin, ".")
	out, err := build.CombinedOutput()
	require.NoError(t, err, "%s", out)

	// An endless chain of slow pages: the crawl is still writing when killed.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			http.NotFound(w, r)
			return
		}
		n, _ := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/p/"))
		time.Sleep(20 * time.Millisecond)
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprintf(w, `<html><body><a href="/p/%d">next</a></body></html>`, n+1)
	}))
	defer srv.Close()

	dir := t.TempDir()
	db := filepath.Join(dir, "h.db")
	cmd := exec.Command(bin, "crawl", srv.URL+"/p/0", "--db", db, "--delay", "0", "--concurrency", "1", "--max-pages", "100000", "--depth", "100000", "-o", filepath.Join(dir, "r.json"))
	cmd.Env = append(cmd.Environ(), "XDG_CONFIG_HOME="+dir)
	require.NoError(t, cmd.Start())
	defer cmd.Process.Kill()

	written := func() int {
		h, err := sql.Open("sqlite", "file:"+db+"?mode=ro&_pragma=busy_timeout(5000)")
		if err != nil {
			return 0
		}
		defer h.Close()
		var n int
		h.QueryRow(`SELECT COUNT(*) FROM resources`).Scan(&n)
		return n
	}
	deadline := time.Now().Add(30 * time.Second)
	for written() == 0 {
		require.True(t, time.Now().Before(deadline), "the crawl never wrote history")
		time.Sleep(50 * time.Millisecond)
	}
	require.NoError(t, cmd.Process.Kill())
	cmd.Wait()

	s, err := history.Open(db)
	require.NoError(t, err, "the database opens after SIGKILL")
	require.NoError(t, s.Check(), "and passes the integrity check")
	scans, err := s.Scans(t.Context(), "")
	require.NoError(t, err)
	require.Len(t, scans, 1)
	assert.False(t, scans[0].Complete, "the killed scan is marked incomplete")
	assert.Empty(t, scans[0].Finished)
	require.NoError(t, s.Close())
	assert.Positive(t, written(), "what the killed scan had written is kept")

	// The kernel released the lock with the process; the next run diffs
	// against nothing rather than the half scan.
	code, outJSON, stderr := runIn(t, "", "crawl", srv.URL+"/p/0", "--db", db, "--delay", "0", "--max-pages", "3", "-f", "json")
	require.Equal(t, exitClean, code, stderr)
	rep := decode(t, outJSON)
	require.NotNil(t, rep.Changes)
	assert.Zero(t, rep.Changes.PreviousScan)
}
