package urls

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
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
}

// Item is one line of input: a URL, or the reason the line has none.
type Item struct {
	Line int
	URL  string
	Err  error
}

// Read streams the URLs of r to out, one line at a time, so a list of any
// length costs the same memory. Lines it cannot read become Items with an
// error (the run goes on).
func Read(r io.Reader, in Input, out chan<- Item) error {
	switch {
	case in.Column != "":
		return readCSV(r, in.Column, out)
	case in.Field != "":
		return readJSONL(r, in.Field, out)
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

// readCSV reads the URL column of a CSV file. column is a header name, or a
// 1-based number; with a number the first row is data unless it holds no URL.
func readCSV(r io.Reader, column string, out chan<- Item) error {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	idx := -1
	if n, err := strconv.Atoi(column); err == nil && n >= 1 {
		idx = n - 1
	}
	for n := 1; ; n++ {
		rec, err := cr.Read()
		if err == io.EOF {
			if idx < 0 && n == 1 {
				return fmt.Errorf("CSV is empty")
			}
			return nil
		}
		if err != nil {
			out <- Item{Line: n, Err: fmt.Errorf("CSV line %d: %w", n, err)}
			continue
		}
		if n == 1 {
			if idx < 0 {
				for i, h := range rec {
					if strings.EqualFold(strings.TrimSpace(h), column) {
						idx = i
					}
				}
				if idx < 0 {
					return fmt.Errorf("CSV has no column %q (header: %s)", column, strings.Join(rec, ", "))
				}
				continue
			}
			if idx < len(rec) && !strings.Contains(rec[idx], "://") {
				continue // a header row
			}
		}
		if idx >= len(rec) {
			out <- Item{Line: n, Err: fmt.Errorf("CSV line %d has no column %d", n, idx+1)}
			continue
		}
		if u := strings.TrimSpace(rec[idx]); u != "" {
			out <- Item{Line: n, URL: u}
		}
	}
}

func readJSONL(r io.Reader, field string, out chan<- Item) error {
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
		out <- Item{Line: n, URL: strings.TrimSpace(u)}
	}
	return sc.Err()
}
