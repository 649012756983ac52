package urls

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// What Sniff looks at: the first sniffLines lines, within the first
// sniffBlock bytes.
const (
	sniffBlock = 64 << 10
	sniffLines = 16
)

// Sniff reads the start of a list and refuses input that is not a URL list
// laid out as in says, before anything is vetted or written: a binary file
// (a NUL byte, UTF-16, or bytes that are not UTF-8 text), a --field that no
// record among the first ones holds as a string, a --column that the header
// (or, numbered, the first rows) does not have. It returns a reader that
// yields the whole input, what was looked at included. It stops reading
// once it has sniffLines lines, so a list piped from a slow program starts
// at once; a first line longer than sniffBlock is not judged.
func Sniff(r io.Reader, in Input) (io.Reader, error) {
	block, atEOF, err := firstLines(r)
	rest := io.MultiReader(bytes.NewReader(block), r)
	if err != nil {
		return nil, err
	}
	if bytes.HasPrefix(block, []byte(parquetMagic)) {
		return nil, errors.New("the list is a Parquet file, which is read from a file, not a pipe (its index is at its end): save it to a file and pass its name")
	}
	text := bytes.TrimPrefix(block, []byte("\xEF\xBB\xBF"))
	if err := checkText(text, atEOF); err != nil {
		return nil, err
	}
	// Only whole lines are judged: the last one may be cut.
	if !atEOF {
		i := bytes.LastIndexByte(text, '\n')
		if i < 0 {
			return rest, nil
		}
		text = text[:i+1]
	}
	switch {
	case in.Field != "":
		err = checkField(text, in.Field)
	case in.Column != "":
		err = checkColumn(text, in.Column, in.Keep)
	}
	if err != nil {
		return nil, err
	}
	return rest, nil
}

// firstLines reads until it holds sniffLines lines, sniffBlock bytes, or
// the end of the input.
func firstLines(r io.Reader) (block []byte, atEOF bool, err error) {
	buf := make([]byte, 0, sniffBlock)
	for len(buf) < sniffBlock && bytes.Count(buf, []byte{'\n'}) < sniffLines {
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if errors.Is(err, io.EOF) {
			return buf, true, nil
		}
		if err != nil {
			return buf, false, err
		}
	}
	return buf, false, nil
}

// checkText refuses bytes that are not UTF-8 text. A character cut by the
// end of a block that is not the end of the input is not held against it.
func checkText(b []byte, atEOF bool) error {
	if bytes.HasPrefix(b, []byte{0xFF, 0xFE}) || bytes.HasPrefix(b, []byte{0xFE, 0xFF}) {
		return errors.New("the list is UTF-16 text: convert it to UTF-8 (iconv -f UTF-16 -t UTF-8)")
	}
	if i := bytes.IndexByte(b, 0); i >= 0 {
		return fmt.Errorf("the list is a binary file, not a URL list (a NUL byte at offset %d); a compressed list must be uncompressed first", i)
	}
	if !atEOF {
		for i := len(b) - 1; i >= 0 && i >= len(b)-utf8.UTFMax; i-- {
			if utf8.RuneStart(b[i]) {
				if !utf8.FullRune(b[i:]) {
					b = b[:i]
				}
				break
			}
		}
	}
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 {
			return fmt.Errorf("the list is not UTF-8 text (byte 0x%02X at offset %d): a binary file, or text in another encoding (convert it: iconv -f LATIN1 -t UTF-8)", b[i], i)
		}
		i += size
	}
	return nil
}

// checkField refuses a --field that none of the first records holds as a
// string, naming the fields they have.
func checkField(text []byte, field string) error {
	var records, objects int
	var firstErr error
	fields := map[string]bool{}
	for line := range bytes.Lines(text) {
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		records++
		var m map[string]any
		if err := json.Unmarshal(line, &m); err != nil {
			if firstErr == nil {
				firstErr = fmt.Errorf("record %d: %w", records, err)
			}
			continue
		}
		objects++
		if _, ok := m[field].(string); ok {
			return nil
		}
		for k := range m {
			fields[k] = true
		}
	}
	switch {
	case records == 0:
		return nil
	case objects == 0:
		return fmt.Errorf("--field %q: the list is not JSONL (%v); without --field it is read as one URL per line", field, firstErr)
	}
	names := make([]string, 0, len(fields))
	for k := range fields {
		names = append(names, k)
	}
	slices.Sort(names)
	return fmt.Errorf("--field %q: none of the first %d records has it as a string (fields: %s)", field, records, strings.Join(names, ", "))
}

// checkColumn refuses a --column that the CSV does not have: a name that is
// not in the header, a number past the columns of every one of the first
// rows.
func checkColumn(text []byte, column string, keep []string) error {
	cr := csv.NewReader(bytes.NewReader(text))
	cr.FieldsPerRecord = -1
	n, err := strconv.Atoi(column)
	if err != nil || n < 1 {
		header, err := cr.Read()
		switch {
		case errors.Is(err, io.EOF):
			return nil
		case err != nil:
			return fmt.Errorf("--column %q: the CSV header cannot be read: %w", column, err)
		}
		if _, err = headerColumn(header, "--column", column); err != nil {
			return err
		}
		idx, _ := keepNumbers(keep, false)
		for i, k := range keep {
			if idx[i] < 0 {
				if _, err = headerColumn(header, "--keep", k); err != nil {
					return err
				}
			}
		}
		return nil
	}
	if _, err := keepNumbers(keep, true); err != nil {
		return err
	}
	var first []string
	most := 0
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			continue // a bad row is that row's error, later
		}
		if first == nil {
			first = rec
		}
		if n <= len(rec) {
			return nil
		}
		most = max(most, len(rec))
	}
	if first == nil {
		return nil
	}
	return fmt.Errorf("--column %d: the CSV has %d column%s (first row: %s)", n, most, plural(most), strings.Join(first, ", "))
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
