package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// result is one tool's run over one corpus.
type result struct {
	tool    string
	files   int
	elapsed time.Duration
	peakRSS int64 // bytes
	// cpu is the user and system time the process used: on a shared
	// machine it moves less with the load than the wall time does.
	cpu time.Duration
}

func (r result) filesPerSecond() float64 { return float64(r.files) / r.elapsed.Seconds() }

// measure runs a command, sending stdout to out, and reports its wall time and
// peak resident memory. The peak is the kernel's high-water mark (VmHWM) of
// that process, sampled while it runs: the rusage of a child that Go reports
// after wait mixes in earlier children on Linux, so it cannot tell two tools
// run one after the other apart.
func measure(tool string, files int, out io.Writer, name string, args ...string) (result, error) {
	cmd := exec.Command(name, args...)
	cmd.Stdout = out
	cmd.Stderr = os.Stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return result{}, fmt.Errorf("%s: %w", tool, err)
	}
	done := make(chan struct{})
	peak := make(chan int64)
	go func() {
		var hwm int64
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		for {
			if v := vmHWM(cmd.Process.Pid); v > hwm {
				hwm = v
			}
			select {
			case <-done:
				peak <- hwm
				return
			case <-tick.C:
			}
		}
	}()
	err := cmd.Wait()
	elapsed := time.Since(start)
	close(done)
	rss := <-peak
	if err != nil {
		// aiaudit exits 1 or 3 on findings or unreadable files: the
		// measurement still stands.
		if _, ok := err.(*exec.ExitError); !ok {
			return result{}, fmt.Errorf("%s: %w", tool, err)
		}
	}
	cpu := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	return result{tool: tool, files: files, elapsed: elapsed, peakRSS: rss, cpu: cpu}, nil
}

// vmHWM reads a process's peak resident set size from /proc, in bytes.
func vmHWM(pid int) int64 {
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb * 1024
		}
	}
	return 0
}

// sizeFlags registers --items (and the subcommand's older name for it) and
// --compare-upto, shared by every subcommand.
type sizeFlags struct {
	items       *string
	legacy      *string
	compareUpto *int
}

func addSizeFlags(fs *flag.FlagSet, legacyName, def string) sizeFlags {
	return sizeFlags{
		items:       fs.String("items", "", "input sizes, comma-separated (10000,100000,1000000 shows how memory grows with the scan); default "+def),
		legacy:      fs.String(legacyName, def, "same as --items"),
		compareUpto: fs.Int("compare-upto", 100_000, "run the comparison tool only on sizes up to this many items (it takes minutes beyond)"),
	}
}

// sizes parses the sizes asked for, --items first.
func (s sizeFlags) sizes() ([]int, error) {
	list := *s.legacy
	if *s.items != "" {
		list = *s.items
	}
	var out []int
	for _, f := range strings.Split(list, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("size %q: want positive whole numbers, comma-separated", f)
		}
		out = append(out, n)
	}
	return out, nil
}

// compare says whether the comparison tool runs at n items.
func (s sizeFlags) compare(n int) bool { return n <= *s.compareUpto }

// growth prints how a tool's peak memory grew from its smallest run to each
// larger one: the ratio, and the slope in bytes per item (flat is about 0).
type growth struct {
	unit  string
	first map[string]result
}

func (g *growth) add(r result) {
	if g.first == nil {
		g.first = map[string]result{}
	}
	f, ok := g.first[r.tool]
	if !ok {
		g.first[r.tool] = r
		return
	}
	if r.files == f.files {
		return
	}
	fmt.Printf("%-8d memory     %s: peak RSS %.2fx for %.0fx the %s (%+.1f bytes per %s from %d)\n", r.files, strings.TrimSpace(r.tool),
		float64(r.peakRSS)/float64(f.peakRSS), float64(r.files)/float64(f.files), g.unit,
		slope(f, r), strings.TrimSuffix(g.unit, "s"), f.files)
}

// slope is the peak memory added per item between two runs.
func slope(a, b result) float64 {
	return float64(b.peakRSS-a.peakRSS) / float64(b.files-a.files)
}
