// Command aiaudit finds AI-made content, its labels and training opt-outs.
// This package is only the CLI: flags, wiring and exit codes.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/spf13/cobra"
)

// Exit codes (DESIGN.md), the one place they are decided.
const (
	exitClean       = 0
	exitFindings    = 1
	exitError       = 2
	exitIncomplete  = 3
	exitInterrupted = 130
)

// usageError marks mistakes in how the command was called (exit 2).
type usageError struct{ error }

// outcome is what a command learned that decides the exit code.
type outcome struct {
	findingsAtFailOn bool
	incomplete       bool
	interrupted      bool
}

func (o outcome) code() int {
	switch {
	case o.interrupted:
		return exitInterrupted
	case o.findingsAtFailOn:
		return exitFindings
	case o.incomplete:
		return exitIncomplete
	}
	return exitClean
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run executes one aiaudit command line in-process and returns its exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	var out outcome
	root := newRootCommand(&out, stdin, stdout, stderr)
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if err != nil {
		fmt.Fprintln(stderr, "aiaudit:", err)
		return exitError
	}
	return out.code()
}

func newRootCommand(out *outcome, stdin io.Reader, stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:           "aiaudit",
		Short:         "Find AI-made content, whether it is labelled, and AI-training opt-outs",
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       version(),
	}
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return usageError{err} })
	root.AddCommand(newFilesCommand(out, stdout, stderr))
	root.AddCommand(newURLsCommand(out, stdin, stdout, stderr))
	root.AddCommand(newCheckCommand(out, stdout))
	root.AddCommand(newCrawlCommand(out, stdout, stderr))
	root.AddCommand(newReportCommand(out, stdout))
	return root
}

func version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "0.1.0-dev"
}
