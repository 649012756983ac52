package reports

import (
	"bufio"
	"encoding/gob"
	"fmt"
	"io"
	"os"
	"slices"

	"github.com/aiaudit/aiaudit/reports/digestset"
	"github.com/aiaudit/aiaudit/reports/model"
)

// findingSpill keeps a report's findings on an unlinked temp file for the
// formats that write them only at the end (CSV, Markdown, SARIF, HTML), so
// their memory does not follow the number of findings. gob keeps every
// string byte for byte, invalid UTF-8 included, as the findings were.
type findingSpill struct {
	f     *os.File
	w     *bufio.Writer
	enc   *gob.Encoder
	n     int
	ranks []int // the severity ranks present, highest first
}

func (s *findingSpill) add(fs []model.Finding) error {
	if len(fs) == 0 {
		return nil
	}
	if s.f == nil {
		f, err := digestset.TempFile("findings")
		if err != nil {
			return err
		}
		s.f, s.w = f, bufio.NewWriterSize(f, 64<<10)
		s.enc = gob.NewEncoder(s.w)
	}
	for i := range fs {
		if err := s.enc.Encode(&fs[i]); err != nil {
			return fmt.Errorf("findings spill: %w", err)
		}
		if r := fs[i].Severity.Rank(); !slices.Contains(s.ranks, r) {
			s.ranks = append(s.ranks, r)
			slices.Sort(s.ranks)
			slices.Reverse(s.ranks)
		}
	}
	s.n += len(fs)
	return nil
}

// each reads the findings back in the order they were added.
func (s *findingSpill) each(fn func(model.Finding) error) error {
	if s.f == nil {
		return nil
	}
	if err := s.w.Flush(); err != nil {
		return fmt.Errorf("findings spill: %w", err)
	}
	dec := gob.NewDecoder(bufio.NewReaderSize(io.NewSectionReader(s.f, 0, 1<<62), 64<<10))
	for range s.n {
		var f model.Finding
		if err := dec.Decode(&f); err != nil {
			return fmt.Errorf("findings spill: %w", err)
		}
		if err := fn(f); err != nil {
			return err
		}
	}
	return nil
}

// bySeverity reads the findings back most severe first, in the order they
// were added within a severity (a stable sort, one pass per severity).
func (s *findingSpill) bySeverity(fn func(model.Finding) error) error {
	for _, rank := range s.ranks {
		err := s.each(func(f model.Finding) error {
			if f.Severity.Rank() != rank {
				return nil
			}
			return fn(f)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func (s *findingSpill) close() error {
	if s.f == nil {
		return nil
	}
	return s.f.Close()
}
