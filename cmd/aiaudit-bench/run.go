package main

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"syscall"
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
// peak resident memory (getrusage of the child).
func measure(tool string, files int, out io.Writer, name string, args ...string) (result, error) {
	cmd := exec.Command(name, args...)
	cmd.Stdout = out
	cmd.Stderr = os.Stderr
	start := time.Now()
	err := cmd.Run()
	elapsed := time.Since(start)
	if err != nil {
		// aiaudit exits 1 or 3 on findings or unreadable files; the
		// measurement still stands, a failure to start does not.
		if _, ok := err.(*exec.ExitError); !ok {
			return result{}, fmt.Errorf("%s: %w", tool, err)
		}
	}
	var rss int64
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		rss = ru.Maxrss * 1024 // Linux reports kilobytes
	}
	return result{tool: tool, files: files, elapsed: elapsed, peakRSS: rss}, nil
}
