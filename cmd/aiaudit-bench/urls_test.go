package main

import (
	"bufio"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The benchmark's hosts are distinct loopback addresses serving the robots
// variants, and the URL list spreads over them.
func TestLoopbackHostsAndList(t *testing.T) {
	origins, stop, err := hosts(7)
	require.NoError(t, err)
	defer stop()
	require.Len(t, origins, 7)
	seen := map[string]bool{}
	for i, o := range origins {
		host := strings.Split(strings.TrimPrefix(o, "http://"), ":")[0]
		assert.False(t, seen[host], "one address per host")
		seen[host] = true
		res, err := http.Get(o + "/robots.txt")
		require.NoError(t, err)
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		assert.Equal(t, robotsVariants[i%len(robotsVariants)], string(b))
	}
	list := filepath.Join(t.TempDir(), "l.txt")
	require.NoError(t, urlList(list, origins, 500))
	f, err := os.Open(list)
	require.NoError(t, err)
	defer f.Close()
	sc := bufio.NewScanner(f)
	n, used := 0, map[string]bool{}
	for sc.Scan() {
		n++
		for _, o := range origins {
			if strings.HasPrefix(sc.Text(), o+"/") {
				used[o] = true
			}
		}
	}
	assert.Equal(t, 500, n)
	assert.Len(t, used, 7)
}
