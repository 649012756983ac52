package main

import (
	"flag"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// --items wins over a subcommand's older flag, and a bad size is refused.
func TestSizeFlags(t *testing.T) {
	parse := func(args ...string) ([]int, error) {
		fs := flag.NewFlagSet("x", flag.ContinueOnError)
		sf := addSizeFlags(fs, "pages", "10000")
		require.NoError(t, fs.Parse(args))
		return sf.sizes()
	}
	got, err := parse()
	require.NoError(t, err)
	assert.Equal(t, []int{10000}, got)
	got, err = parse("--pages", "5,6")
	require.NoError(t, err)
	assert.Equal(t, []int{5, 6}, got)
	got, err = parse("--pages", "5", "--items", "10000, 100000,1000000")
	require.NoError(t, err)
	assert.Equal(t, []int{10000, 100000, 1000000}, got)
	_, err = parse("--items", "10,0")
	assert.Error(t, err)
	_, err = parse("--items", "10,x")
	assert.Error(t, err)
}

// The growth line compares each tool with its own smallest run: the slope is
// the memory added per item.
func TestGrowth(t *testing.T) {
	assert.InDelta(t, 10.0, slope(result{files: 1000, peakRSS: 40 << 20}, result{files: 11000, peakRSS: 40<<20 + 100_000}), 1e-9)
	out := captureStdout(t, func() {
		var g growth
		g.unit = "pages"
		g.add(result{tool: "aiaudit", files: 10_000, peakRSS: 40 << 20})
		g.add(result{tool: "wget", files: 10_000, peakRSS: 9 << 20})
		g.add(result{tool: "aiaudit", files: 100_000, peakRSS: 40<<20 + 900_000})
	})
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, 1, "one line: the first run of each tool is its reference")
	assert.Contains(t, lines[0], "aiaudit: peak RSS 1.02x for 10x the pages (+10.0 bytes per page from 10000)")
}

func captureStdout(t *testing.T, f func()) string {
	t.Helper()
	r, w, err := os.Pipe()
	require.NoError(t, err)
	old := os.Stdout
	os.Stdout = w
	f()
	os.Stdout = old
	w.Close()
	b, err := io.ReadAll(r)
	require.NoError(t, err)
	return string(b)
}
