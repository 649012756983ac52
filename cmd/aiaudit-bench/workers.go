package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/aiaudit/aiaudit/scanner/jobs"
)

// runWorkersBench vets one many-host list as a distributed job with 1, 2,
// 3, ... worker processes (and once with aiaudit urls on its own), each run
// on a fresh embedded NATS server, and prints the throughput of each.
func runWorkersBench(args []string) error {
	fs := flag.NewFlagSet("workers", flag.ContinueOnError)
	nHosts := fs.Int("hosts", 300, "loopback hosts")
	n := fs.Int("urls", 30000, "URLs in the list")
	counts := fs.String("workers", "1,2,3", "worker processes per run, comma-separated")
	delay := fs.Duration("delay", 0, "per-host delay (--delay of the job and of urls)")
	dir := fs.String("dir", filepath.Join(os.TempDir(), "aiaudit-bench"), "work folder")
	bin := fs.String("aiaudit", "", "aiaudit binary (default: build ./cmd/aiaudit)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := workspace(*dir, bin); err != nil {
		return err
	}
	origins, stop, err := hosts(*nHosts)
	if err != nil {
		return err
	}
	defer stop()
	list := filepath.Join(*dir, fmt.Sprintf("urls-%d.txt", *n))
	if err := urlList(list, origins, *n); err != nil {
		return err
	}
	vet := []string{"--check", "headers", "--agent", "GPTBot", "--delay", delay.String(), "--allow-private"}
	fmt.Printf("%d URLs on %d loopback hosts, --check headers, --delay %s\n%-28s %10s %10s %8s\n", *n, *nHosts, delay, "run", "seconds", "urls/s", "speedup")
	one, err := measure("aiaudit urls", *n, os.Stdout, *bin, append([]string{"urls", list, "--no-history", "--progress", "never", "-o", filepath.Join(*dir, "one.jsonl")}, vet...)...)
	if err != nil {
		return err
	}
	fmt.Printf("%-28s %10.2f %10.0f %8s\n", "aiaudit urls (one process)", one.elapsed.Seconds(), one.filesPerSecond(), "")
	var base float64
	for _, c := range strings.Split(*counts, ",") {
		w, err := strconv.Atoi(strings.TrimSpace(c))
		if err != nil || w < 1 {
			return fmt.Errorf("bad worker count %q", c)
		}
		took, err := distributedRun(*bin, *dir, list, w, vet)
		if err != nil {
			return err
		}
		rate := float64(*n) / took.Seconds()
		if base == 0 {
			base = rate
		}
		fmt.Printf("%-28s %10.2f %10.0f %7.2fx\n", fmt.Sprintf("job, %d worker process(es)", w), took.Seconds(), rate, rate/base)
	}
	return nil
}

// distributedRun submits list to a fresh embedded NATS server and times
// workers worker processes from their start until the job is finished.
func distributedRun(bin, dir, list string, workers int, vet []string) (time.Duration, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	addr := ln.Addr().String()
	ln.Close()
	store, err := os.MkdirTemp(dir, "nats-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(store)
	srv, err := jobs.StartServer(store, addr)
	if err != nil {
		return 0, err
	}
	defer srv.Shutdown()
	url := "nats://" + addr
	submit := exec.Command(bin, append([]string{"job", "submit", list, "--nats", url, "--job", "bench"}, vet...)...)
	if out, err := submit.CombinedOutput(); err != nil {
		return 0, fmt.Errorf("job submit: %v: %s", err, out)
	}
	ctx := context.Background()
	client, err := jobs.Connect(ctx, url, "aiaudit-bench")
	if err != nil {
		return 0, err
	}
	defer client.Close()
	started := time.Now()
	var procs []*exec.Cmd
	defer func() {
		for _, p := range procs {
			p.Process.Signal(syscall.SIGTERM)
			p.Wait()
		}
	}()
	for i := range workers {
		p := exec.Command(bin, "worker", "--nats", url, "--name", fmt.Sprintf("bench%d", i), "--batches", "64")
		p.Stderr = os.Stderr
		if err := p.Start(); err != nil {
			return 0, err
		}
		procs = append(procs, p)
	}
	for {
		st, err := client.Status(ctx, "bench")
		if err != nil {
			return 0, err
		}
		if st.Finished {
			return st.LastResult.Sub(started), nil
		}
		// Status reads every result header: asked rarely, it does not
		// slow the run it measures (the end is the last result's time).
		time.Sleep(time.Second)
	}
}
