package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aiaudit/aiaudit/scanner/browser/browsertest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aiaudit/aiaudit/reports/model"
)

// scriptSite is a page built by script: the static crawl sees nothing on it.
func scriptSite(t *testing.T) *httptest.Server {
	ai, err := os.ReadFile("../../testdata/sites/basic/img/ai-unlabelled.jpg")
	require.NoError(t, err)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch p := r.URL.Path; {
		case p == "/robots.txt":
			http.NotFound(w, r)
		case strings.HasPrefix(p, "/img/"):
			w.Header().Set("Content-Type", "image/jpeg")
			w.Write(ai)
		default:
			// An endless chain of script-built pages, each with an image.
			n, _ := strconv.Atoi(strings.TrimPrefix(p, "/p/"))
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprintf(w, `<html><body><div id="app"></div><script>
document.getElementById('app').innerHTML = '<figure><img src="/img/%d.jpg"><figcaption style="display:none">AI-generated image</figcaption></figure><a href="/p/%d">next</a>';
</script></body></html>`, n, n+1)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestCrawlRender(t *testing.T) {
	browsertest.Path(t)
	srv := scriptSite(t)
	code, out, stderr := runIn(t, "", "crawl", srv.URL+"/p/0", "--render", "--max-pages", "2", "--delay", "0", "-f", "json", "--no-history")
	require.Equal(t, exitFindings, code, stderr)
	var rep model.Report
	require.NoError(t, json.Unmarshal([]byte(out), &rep))
	var details []string
	for _, f := range rep.Findings {
		details = append(details, f.Location+": "+f.Message)
	}
	all := strings.Join(details, "\n")
	assert.Contains(t, all, srv.URL+"/img/0.jpg on "+srv.URL+"/p/0")
	assert.Contains(t, all, srv.URL+"/img/1.jpg on "+srv.URL+"/p/1", "the script-built link is followed")
	assert.Contains(t, all, "label present but not visible")

	code, _, stderr = runIn(t, "", "crawl", srv.URL+"/p/0", "--render", "--browser", "/no/such/chromium", "--delay", "0", "--no-history")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "/no/such/chromium")
	t.Setenv("PATH", t.TempDir())
	code, _, stderr = runIn(t, "", "crawl", srv.URL+"/p/0", "--render", "--delay", "0", "--no-history")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "chromium package")
	code, _, stderr = runIn(t, "", "crawl", srv.URL+"/p/0", "--browser", "x", "--delay", "0", "--no-history")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "--browser needs --render or --format pdf")
}

// tagged lists the live processes whose environment holds tag (the
// browser and its children inherit aiaudit's environment), and counts
// zombie Chromium processes.
func tagged(t *testing.T, tag string, except int) (live []int, zombies int) {
	entries, err := os.ReadDir("/proc")
	require.NoError(t, err)
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == except {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// pid (comm) state ...: comm may hold spaces, the state follows the last ')'.
		s := string(stat)
		comm := s[strings.IndexByte(s, '(')+1 : strings.LastIndexByte(s, ')')]
		state := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])[0]
		if state == "Z" && strings.Contains(comm, "chrom") {
			zombies++
			continue
		}
		env, err := os.ReadFile(filepath.Join("/proc", e.Name(), "environ"))
		if err == nil && strings.Contains(string(env), tag) {
			live = append(live, pid)
		}
	}
	return live, zombies
}

// Killing aiaudit (Ctrl-C or SIGKILL) mid-crawl leaves no browser process
// behind, live or zombie.
func TestRenderLeavesNoBrowserProcesses(t *testing.T) {
	browsertest.Path(t)
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "aiaudit")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	require.NoError(t, err, "%s", out)
	srv := scriptSite(t)
	_, zombiesBefore := tagged(t, "no tag", 0)

	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGKILL} {
		t.Run(sig.String(), func(t *testing.T) {
			tag := fmt.Sprintf("AIAUDIT_RENDER_TEST=%d-%d", os.Getpid(), sig)
			dir := t.TempDir()
			cmd := exec.Command(bin, "crawl", srv.URL+"/p/0", "--render", "--delay", "0", "--concurrency", "3",
				"--max-pages", "100000", "--depth", "100000", "--no-history", "-o", filepath.Join(dir, "r.json"))
			cmd.Env = append(cmd.Environ(), tag, "XDG_CONFIG_HOME="+dir)
			require.NoError(t, cmd.Start())
			defer cmd.Process.Kill()
			deadline := time.Now().Add(30 * time.Second)
			for {
				live, _ := tagged(t, tag, cmd.Process.Pid)
				if len(live) >= 3 { // the browser and its helpers run
					break
				}
				require.True(t, time.Now().Before(deadline), "the browser never started")
				time.Sleep(100 * time.Millisecond)
			}
			time.Sleep(time.Second) // tabs open, pages load
			require.NoError(t, cmd.Process.Signal(sig))
			_ = cmd.Wait()
			var live []int
			var zombies int
			for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
				if live, zombies = tagged(t, tag, cmd.Process.Pid); len(live) == 0 && zombies <= zombiesBefore {
					break
				}
			}
			assert.Empty(t, live, "browser processes left after %s", sig)
			assert.LessOrEqual(t, zombies, zombiesBefore, "zombie browser processes after %s", sig)
			for _, pid := range live {
				syscall.Kill(pid, syscall.SIGKILL)
			}
		})
	}
}
