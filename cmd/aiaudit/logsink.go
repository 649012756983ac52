package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aiaudit/aiaudit/reports/i18n"
	"golang.org/x/term"
)

// logSink is the stderr commands write progress, summaries and warnings to.
// In text mode lines pass through as written; with --log-format json each
// line becomes one JSON object (for journald or a log shipper) carrying the
// command, its targets and output path, a summary line its facts as fields,
// and a last line the exit code; with --quiet only warnings and errors are
// written.
type logSink struct {
	w     io.Writer
	json  bool
	quiet bool
	mu    sync.Mutex
	buf   []byte
	// about is on every JSON line: command, targets, output.
	about []slog.Attr
	// result is on the last JSON line, with the exit code: the counts.
	result []slog.Attr
	// toFile is set when the report goes to a file rather than the terminal.
	toFile bool
	// lang is the language of the lines a person reads (--lang, else the
	// environment's); JSON lines stay English.
	lang string
}

// Say is the printer of the log's lines: the run's language in text mode;
// English with --log-format json, whose lines a machine reads and matches.
func (l *logSink) Say() *i18n.Printer {
	if l.json {
		return i18n.English()
	}
	return i18n.For(l.lang) // "" before --lang is read; a --lang no catalogue has is refused first
}

func (l *logSink) Write(p []byte) (int, error) {
	if l.quiet {
		return len(p), nil
	}
	return l.write("info", p)
}

func (l *logSink) write(level string, p []byte, attrs ...slog.Attr) (int, error) {
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
		if _, err := l.w.Write(l.object(level, line, attrs)); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

// object is one JSON log line: time, level, msg, what the run is about, and
// attrs.
func (l *logSink) object(level, msg string, attrs []slog.Attr) []byte {
	m := map[string]any{"time": time.Now().UTC().Format(time.RFC3339Nano), "level": level, "msg": msg}
	for _, a := range append(slices.Clone(l.about), attrs...) {
		m[a.Key] = a.Value.Any()
	}
	b, _ := json.Marshal(m)
	return append(b, '\n')
}

// with adds what every later JSON line carries (the command, its targets,
// its output path).
func (l *logSink) with(attrs ...slog.Attr) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.about = append(l.about, attrs...)
}

// addResult adds counts to the last line.
func (l *logSink) addResult(attrs ...slog.Attr) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.result = append(l.result, attrs...)
}

// Summary writes a summary line (audit.SummaryLog): in text mode the line as
// ever, in JSON its facts as fields too.
func (l *logSink) Summary(text string, attrs ...slog.Attr) {
	if l.quiet {
		return
	}
	l.write("info", []byte("aiaudit: "+text+"\n"), attrs...)
}

// Warn writes a line that --quiet does not silence.
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

// exitMeaning says what an exit code means, for the log's last line: the
// English text, and the message catalogue's key in text mode.
var exitMeaning = map[int]string{
	exitClean:       "clean",
	exitFindings:    "findings at or above --fail-on",
	exitError:       "usage, config or runtime error",
	exitIncomplete:  "incomplete: some items could not be read",
	exitLocked:      "another run of the same target holds its lock",
	exitInterrupted: "interrupted",
}

// exit writes the last line: in JSON mode the exit code, what it means,
// and the run's counts; in text mode, when the report went to a file (so
// the terminal shows no findings), what the exit code means.
func (l *logSink) exit(code int) {
	if l.quiet && code != exitError && code != exitLocked {
		return
	}
	if !l.json {
		if l.toFile && code != exitError && code != exitLocked {
			say := l.Say()
			fmt.Fprintln(l.w, "aiaudit: "+say.T("exit %s: %s", strconv.Itoa(code), say.T(exitMeaning[code])))
		}
		return
	}
	level := "info"
	if code == exitError || code == exitLocked {
		level = "error"
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	attrs := append(slices.Clone(l.result), slog.Int("exit_code", code))
	l.w.Write(l.object(level, fmt.Sprintf("exit %d: %s", code, exitMeaning[code]), attrs))
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
