package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"golang.org/x/term"
)

// logSink is the stderr commands write progress, summaries and warnings to.
// In text mode lines pass through as written; with --log-format json each
// line becomes one JSON object (for journald or a log shipper); with --quiet
// only warnings and errors are written.
type logSink struct {
	w     io.Writer
	json  bool
	quiet bool
	mu    sync.Mutex
	buf   []byte
}

func (l *logSink) Write(p []byte) (int, error) {
	if l.quiet {
		return len(p), nil
	}
	return l.write("info", p)
}

func (l *logSink) write(level string, p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.json {
		return l.w.Write(p)
	}
	l.buf = append(l.buf, p...)
	for {
		i := bytes.IndexByte(l.buf, '\n')
		if i < 0 {
			break
		}
		line := strings.TrimPrefix(strings.TrimSpace(string(l.buf[:i])), "aiaudit: ")
		l.buf = l.buf[i+1:]
		if line == "" {
			continue
		}
		b, _ := json.Marshal(map[string]string{"time": time.Now().UTC().Format(time.RFC3339Nano), "level": level, "msg": line})
		if _, err := l.w.Write(append(b, '\n')); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

// warn writes a line that --quiet does not silence.
func (l *logSink) Warn(format string, args ...any) {
	l.write("warn", []byte("aiaudit: "+fmt.Sprintf(format, args...)+"\n"))
}

// errorf writes the error that ends a run: one line per problem, each
// prefixed, when it holds several.
func (l *logSink) errorf(format string, args ...any) {
	var b strings.Builder
	for _, line := range strings.Split(fmt.Sprintf(format, args...), "\n") {
		b.WriteString("aiaudit: " + line + "\n")
	}
	l.write("error", []byte(b.String()))
}

// terminal reports whether a person is watching: decoration (bars) only then.
func (l *logSink) terminal() bool {
	return !l.json && !l.quiet && isTerminal(l.w)
}

func isTerminal(w io.Writer) bool {
	if s, ok := w.(*logSink); ok {
		return s.terminal()
	}
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
