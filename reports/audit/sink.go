package audit

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// sink writes to stdout, or to a temp file beside the destination that is
// renamed into place only when the report is complete, so a crash never
// leaves half a report.
type sink struct {
	io.Writer
	f    *os.File
	dest string
	// closeOnly is a destination that is not a regular file: closed when
	// done, nothing renamed.
	closeOnly *os.File
}

func openSink(dest string, stdout io.Writer) (*sink, error) {
	if dest == "" || dest == "-" {
		return &sink{Writer: stdout}, nil
	}
	if st, err := os.Stat(dest); err == nil && !st.Mode().IsRegular() {
		// A device or a pipe (-o /dev/null, -o /dev/stdout, a FIFO) is
		// written to, never renamed over: replacing /dev/null with a file
		// breaks the machine.
		f, err := os.OpenFile(dest, os.O_WRONLY, 0)
		if err != nil {
			return nil, fmt.Errorf("cannot write the report to %s: %w", dest, err)
		}
		return &sink{Writer: f, closeOnly: f}, nil
	}
	f, err := os.CreateTemp(filepath.Dir(dest), "."+filepath.Base(dest)+".tmp-*")
	if err != nil {
		return nil, fmt.Errorf("cannot write the report to %s: %w", dest, err)
	}
	return &sink{Writer: f, f: f, dest: dest}, nil
}

func (s *sink) commit() error {
	if c := s.closeOnly; c != nil {
		s.closeOnly = nil
		return c.Close()
	}
	if s.f == nil {
		return nil
	}
	f := s.f
	s.f = nil
	// CreateTemp makes the file private; a report is an ordinary file.
	if err := f.Chmod(0o644); err != nil {
		f.Close()
		os.Remove(f.Name())
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(f.Name())
		return err
	}
	return os.Rename(f.Name(), s.dest)
}

func (s *sink) abort() {
	if s.closeOnly != nil {
		s.closeOnly.Close()
		s.closeOnly = nil
	}
	if s.f != nil {
		s.f.Close()
		os.Remove(s.f.Name())
	}
}

// WriteWhole writes a file through write, whole or not at all: to a temp
// file renamed into place when write succeeded ("" or "-": to stdout).
func WriteWhole(dest string, stdout io.Writer, write func(io.Writer) error) error {
	s, err := openSink(dest, stdout)
	if err != nil {
		return err
	}
	defer s.abort()
	if err := write(s); err != nil {
		return err
	}
	return s.commit()
}
