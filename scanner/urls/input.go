package urls

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Input says how a URL list is laid out.
type Input struct {
	// Column selects CSV input: a header name or a 1-based column number.
	Column string
	// Field selects JSONL input: the key holding the URL.
	Field string
	// Keep names the input columns (CSV, Parquet) or fields (JSONL) whose
	// values travel with each URL to the results.
	Keep []string
}

// Item is one line of input: a URL, or the reason the line has none.
type Item struct {
	Line int
	URL  string
	Err  error
	// Kept holds the values of Input.Keep, in that order (nil: absent or
	// null).
	Kept []*string
}

// Read streams the URLs of r to out, one line at a time, so a list of any
// length costs the same memory. Lines it cannot read become Items with an
// error (the run goes on); a failing reader, or a line (CSV: a record) over
// the cap, ends the read with an error. A leading UTF-8 byte-order mark is
// skipped.
func Read(r io.Reader, in Input, out chan<- Item) error {
	br := bufio.NewReader(r)
	if b, err := br.Peek(3); err == nil && bytes.Equal(b, []byte("\xEF\xBB\xBF")) {
		br.Discard(3)
	}
	r = br
	switch {
	case in.Column != "":
		return readCSV(r, in.Column, in.Keep, out)
	case in.Field != "":
		return readJSONL(r, in.Field, in.Keep, out)
	case len(in.Keep) > 0:
		return ErrKeepPlain
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		out <- Item{Line: n, URL: line}
	}
	return sc.Err()
}

// maxCSVRecord caps one CSV record, which quotes can spread over any number
// of lines, like the 4 MiB cap on a JSONL line (give or take the 4 KiB the
// CSV reader buffers ahead).
const maxCSVRecord = 4 << 20

var errCSVRecordTooLong = fmt.Errorf("CSV record longer than %d bytes", maxCSVRecord)

// recordCap fails a read once n bytes have gone to the current record.
type recordCap struct {
	r io.Reader
	n int
}

func (c *recordCap) Read(p []byte) (int, error) {
	if c.n >= maxCSVRecord {
		return 0, errCSVRecordTooLong
	}
	p = p[:min(len(p), maxCSVRecord-c.n)]
	k, err := c.r.Read(p)
	c.n += k
	return k, err
}

// readCSV reads the URL column of a CSV file. column is a header name, or a
// 1-based number; with a number the first row is data unless it holds no URL.
// An Item's Line is the line its record starts on.
func readCSV(r io.Reader, column string, keepNames []string, out chan<- Item) error {
	capped := &recordCap{r: r}
	cr := csv.NewReader(capped)
	cr.FieldsPerRecord = -1
	idx := -1
	if n, err := strconv.Atoi(column); err == nil && n >= 1 {
		idx = n - 1
	}
	keep, err := keepNumbers(keepNames, idx >= 0)
	if err != nil {
		return err
	}
	for n := 1; ; n++ {
		capped.n = 0
		rec, err := cr.Read()
		if err == io.EOF {
			if idx < 0 && n == 1 {
				return fmt.Errorf("CSV is empty")
			}
			return nil
		}
		var perr *csv.ParseError
		if errors.As(err, &perr) {
			if n == 1 && idx < 0 {
				// Without its header the named column cannot be found.
				return fmt.Errorf("CSV header: %w", perr)
			}
			out <- Item{Line: perr.StartLine, Err: fmt.Errorf("CSV %w", perr)}
			continue
		}
		if err != nil {
			return err // the reader failed: every later Read would too
		}
		line, _ := cr.FieldPos(0)
		if n == 1 {
			if idx < 0 {
				if idx, err = headerColumn(rec, "--column", column); err != nil {
					return err
				}
				for i, k := range keepNames {
					if keep[i] >= 0 {
						continue // a number
					}
					if keep[i], err = headerColumn(rec, "--keep", k); err != nil {
						return err
					}
				}
				continue
			}
			if idx < len(rec) && !strings.Contains(rec[idx], "://") {
				continue // a header row
			}
		}
		if idx >= len(rec) {
			out <- Item{Line: line, Err: fmt.Errorf("CSV line %d has no column %d", line, idx+1)}
			continue
		}
		if u := strings.TrimSpace(rec[idx]); u != "" {
			out <- Item{Line: line, URL: u, Kept: cells(rec, keep)}
		}
	}
}

// keepNumbers resolves --keep columns given by number; with the URL column
// given by number (numbered) there is no header to find names in.
func keepNumbers(keep []string, numbered bool) ([]int, error) {
	idx := make([]int, len(keep))
	for i, k := range keep {
		n, err := strconv.Atoi(k)
		switch {
		case err == nil && n >= 1:
			idx[i] = n - 1
		case numbered:
			return nil, fmt.Errorf("--keep %q: with --column given by number, --keep takes column numbers too", k)
		default:
			idx[i] = -1 // a name, found in the header
		}
	}
	return idx, nil
}

// cells picks the kept cells of a CSV record (nil: the record is shorter).
func cells(rec []string, idx []int) []*string {
	if len(idx) == 0 {
		return nil
	}
	kept := make([]*string, len(idx))
	for i, c := range idx {
		if c < len(rec) {
			kept[i] = &rec[c]
		}
	}
	return kept
}

// headerColumn finds a named column in a CSV header.
func headerColumn(header []string, flag, column string) (int, error) {
	idx := -1
	for i, h := range header {
		if strings.EqualFold(strings.TrimSpace(h), column) {
			idx = i
		}
	}
	if idx < 0 {
		return -1, fmt.Errorf("%s %q: the CSV has no column of that name (columns: %s)", flag, column, strings.Join(header, ", "))
	}
	return idx, nil
}

func readJSONL(r io.Reader, field string, keep []string, out chan<- Item) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			out <- Item{Line: n, Err: fmt.Errorf("JSONL line %d: %w", n, err)}
			continue
		}
		u, ok := m[field].(string)
		if !ok {
			out <- Item{Line: n, Err: fmt.Errorf("JSONL line %d has no string field %q", n, field)}
			continue
		}
		if u = strings.TrimSpace(u); u == "" {
			out <- Item{Line: n, Err: fmt.Errorf("JSONL line %d has an empty field %q", n, field)}
			continue
		}
		out <- Item{Line: n, URL: u, Kept: fields(m, keep)}
	}
	return sc.Err()
}

// fields picks the kept fields of a JSONL record: strings as they are, other
// values as JSON, absent or null as nil.
func fields(m map[string]any, keep []string) []*string {
	if len(keep) == 0 {
		return nil
	}
	kept := make([]*string, len(keep))
	for i, k := range keep {
		switch v := m[k].(type) {
		case nil:
		case string:
			kept[i] = &v
		default:
			b, _ := json.Marshal(v)
			s := string(b)
			kept[i] = &s
		}
	}
	return kept
}
