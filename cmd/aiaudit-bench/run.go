package main

import (
	"bufio"
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
	return result{tool: tool, files: files, elapsed: elapsed, peakRSS: rss}, nil
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
