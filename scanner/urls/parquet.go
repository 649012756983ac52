package urls

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"unicode/utf8"

	"github.com/parquet-go/parquet-go"
)

// parquetMagic starts and ends every Parquet file.
const parquetMagic = "PAR1"

// maxParquetCell caps one cell, as maxCSVRecord caps a CSV record: a longer
// URL is that row's error.
const maxParquetCell = 1 << 20

// parquetList is an opened Parquet URL list. It is read a column chunk at a
// time, page by page, so memory follows the page size (capped by
// checkChunk), never the size of the file or of a row group.
type parquetList struct {
	f *parquet.File
	r *stickyReaderAt
	// url and keep are leaf column indexes; column is the URL column's name.
	url    int
	column string
	keep   []int
}

// openParquet reads the footer of a Parquet list and finds the URL column
// (--column) and the --keep columns: names (case-insensitive) of top-level
// columns, which must be flat; the URL column must hold strings.
func openParquet(r io.ReaderAt, size int64, in Input) (*parquetList, error) {
	sr := &stickyReaderAt{r: r}
	if err := checkFooter(sr, size); err != nil {
		return nil, err
	}
	var f *parquet.File
	err := unpanic(func() (err error) {
		f, err = parquet.OpenFile(sr, size, parquet.SkipPageIndex(true), parquet.SkipBloomFilters(true), parquet.ReadBufferSize(64<<10))
		return err
	})
	if err != nil {
		if sr.err != nil {
			return nil, sr.err
		}
		return nil, fmt.Errorf("the Parquet footer cannot be read: %w", err)
	}
	if in.Column == "" {
		return nil, fmt.Errorf("a Parquet list needs --column NAME (columns: %s)", columnNames(f))
	}
	p := &parquetList{f: f, r: sr}
	col, err := flatColumn(f, "--column", in.Column)
	if err != nil {
		return nil, err
	}
	if k := col.Type().Kind(); k != parquet.ByteArray {
		return nil, fmt.Errorf("--column %q: the Parquet column %s holds %s, not strings", in.Column, col.Name(), k)
	}
	p.url, p.column = col.Index(), col.Name()
	for _, k := range in.Keep {
		c, err := flatColumn(f, "--keep", k)
		if err != nil {
			return nil, err
		}
		p.keep = append(p.keep, c.Index())
	}
	return p, nil
}

// checkFooter refuses a footer longer than the file or than
// maxParquetFooter, or one that declares more than checkThrift allows,
// before parquet-go allocates what the file declares.
func checkFooter(r io.ReaderAt, size int64) error {
	var tail [8]byte
	if size < 12 {
		return errors.New("the Parquet file is too short to have a footer")
	}
	if _, err := r.ReadAt(tail[:], size-8); err != nil {
		return err
	}
	if string(tail[4:]) != parquetMagic {
		return fmt.Errorf("the Parquet file does not end in %q (cut short, or encrypted)", parquetMagic)
	}
	n := int64(binary.LittleEndian.Uint32(tail[:4]))
	if n > size-12 || n > maxParquetFooter {
		return fmt.Errorf("the Parquet footer declares %d bytes: the file has %d, the cap is %d", n, size, maxParquetFooter)
	}
	footer := make([]byte, n)
	if _, err := r.ReadAt(footer, size-8-n); err != nil {
		return err
	}
	if _, err := checkThrift(footer); err != nil {
		return fmt.Errorf("the Parquet footer cannot be read: %w", err)
	}
	return nil
}

// flatColumn finds a top-level column by name; it must be one value per
// row (not a group, not a list).
func flatColumn(f *parquet.File, flag, name string) (*parquet.Column, error) {
	for _, c := range f.Root().Columns() {
		if !strings.EqualFold(c.Name(), name) {
			continue
		}
		if !c.Leaf() || c.Repeated() {
			return nil, fmt.Errorf("%s %q: the Parquet column %s is nested or repeated, not one value per row", flag, name, c.Name())
		}
		return c, nil
	}
	return nil, fmt.Errorf("%s %q: the Parquet file has no column of that name (columns: %s)", flag, name, columnNames(f))
}

func columnNames(f *parquet.File) string {
	var names []string
	for _, c := range f.Root().Columns() {
		names = append(names, c.Name())
	}
	return strings.Join(names, ", ")
}

// rows is the number of rows the row groups declare: what read goes
// through (the file's own total may disagree with them).
func (p *parquetList) rows() int64 {
	var n int64
	for _, rg := range p.f.RowGroups() {
		n = addRows(n, rg.NumRows())
	}
	return n
}

// addRows adds a group's declared rows to a count: never below it, never
// past MaxInt64 (a hostile footer's counts would wrap around).
func addRows(n, rows int64) int64 {
	if rows <= 0 {
		return n
	}
	if rows > math.MaxInt64-n {
		return math.MaxInt64
	}
	return n + rows
}

// read sends one Item per row; its Line is the 1-based row number. A row
// group that cannot be read (corrupt pages, sizes over the caps) becomes one
// error Item naming the rows it loses, and the read goes on with the next
// group; a failing reader (a disk error) ends the read with that error.
func (p *parquetList) read(out chan<- Item) error {
	var row int64
	for g, rg := range p.f.RowGroups() {
		n := max(0, rg.NumRows())
		if n == 0 {
			continue // no rows to read or to lose
		}
		var done int64
		err := unpanic(func() error { return p.readGroup(g, rg, row, out, &done) })
		if p.r.err != nil {
			return p.r.err
		}
		if err != nil {
			out <- Item{Line: int(row + done + 1), Err: fmt.Errorf("Parquet row group %d: rows %d to %d not read: %w", g+1, row+done+1, row+n, err)}
		}
		row = addRows(row, n)
	}
	return nil
}

// unpanic runs f, turning a panic into an error: parquet-go panics on some
// corrupt files (a schema whose counts do not add up), and a bad list is an
// error, never a crash.
func unpanic(f func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("the Parquet reader failed on it: %v", r)
		}
	}()
	return f()
}

// readGroup reads one row group, the URL column and the kept ones side by
// side, counting the rows it sent in done.
func (p *parquetList) readGroup(g int, rg parquet.RowGroup, first int64, out chan<- Item, done *int64) error {
	chunks := rg.ColumnChunks()
	cols := append([]int{p.url}, p.keep...)
	cursors := make([]*columnCursor, len(cols))
	defer func() {
		for _, c := range cursors {
			c.close()
		}
	}()
	for i, c := range cols {
		if c >= len(chunks) {
			return fmt.Errorf("the group has %d columns, not %d", len(chunks), c+1)
		}
		if err := checkChunk(p.f, p.r, g, c); err != nil {
			return err
		}
		cursors[i] = &columnCursor{pages: chunks[c].Pages()}
	}
	for i := range max(0, rg.NumRows()) {
		it := Item{Line: int(first + i + 1)}
		v, err := cursors[0].next()
		if err != nil {
			return err
		}
		switch {
		case v.IsNull():
			it.Err = fmt.Errorf("Parquet row %d: %s is null", it.Line, p.column)
		case len(v.ByteArray()) > maxParquetCell:
			it.Err = fmt.Errorf("Parquet row %d: %s is %d bytes, over the cap of %d", it.Line, p.column, len(v.ByteArray()), maxParquetCell)
		case !utf8.Valid(v.ByteArray()):
			it.Err = fmt.Errorf("Parquet row %d: %s is not UTF-8 text", it.Line, p.column)
		default:
			if it.URL = strings.TrimSpace(string(v.ByteArray())); it.URL == "" {
				it.Err = fmt.Errorf("Parquet row %d: %s is empty", it.Line, p.column)
			}
		}
		for _, c := range cursors[1:] {
			v, err := c.next()
			if err != nil {
				return err
			}
			it.Kept = append(it.Kept, keptValue(v))
		}
		out <- it
		*done = i + 1
	}
	return nil
}

// keptValue is a --keep cell as text: strings as they are, numbers and
// booleans in their usual form, null as nil.
func keptValue(v parquet.Value) *string {
	if v.IsNull() {
		return nil
	}
	s := v.String()
	if len(s) > maxParquetCell {
		s = strings.ToValidUTF8(s[:maxParquetCell], "")
	}
	return &s
}

// columnCursor reads the values of one flat column chunk, one page at a
// time.
type columnCursor struct {
	pages parquet.Pages
	page  parquet.Page
	vals  parquet.ValueReader
	buf   []parquet.Value
	i     int
}

// next returns the next row's value. The value's bytes stay valid until the
// next call.
func (c *columnCursor) next() (parquet.Value, error) {
	for c.i >= len(c.buf) {
		if c.vals != nil {
			if cap(c.buf) == 0 {
				c.buf = make([]parquet.Value, 1024)
			}
			n, err := c.vals.ReadValues(c.buf[:cap(c.buf)])
			c.buf, c.i = c.buf[:n], 0
			if n > 0 {
				continue
			}
			if err != nil && !errors.Is(err, io.EOF) {
				return parquet.Value{}, err
			}
			c.release()
		}
		page, err := c.pages.ReadPage()
		if errors.Is(err, io.EOF) {
			return parquet.Value{}, errors.New("a column has fewer values than the group has rows")
		}
		if err != nil {
			return parquet.Value{}, err
		}
		c.page, c.vals = page, page.Values()
	}
	c.i++
	return c.buf[c.i-1], nil
}

func (c *columnCursor) release() {
	if c.page != nil {
		parquet.Release(c.page)
	}
	c.page, c.vals = nil, nil
}

func (c *columnCursor) close() {
	if c == nil {
		return
	}
	c.release()
	c.pages.Close()
}

// stickyReaderAt remembers the first error of the underlying reader other
// than reading past the end, so a disk error ends the read instead of
// passing for a corrupt row group.
type stickyReaderAt struct {
	r   io.ReaderAt
	err error
}

func (s *stickyReaderAt) ReadAt(p []byte, off int64) (int, error) {
	n, err := s.r.ReadAt(p, off)
	if err != nil && !errors.Is(err, io.EOF) && s.err == nil {
		s.err = err
	}
	return n, err
}
