package urls

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	arrowpq "github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/encoding/thrift"
	"github.com/parquet-go/parquet-go/format"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// corpusRow is a LAION-like row: a URL, a caption, a size that may be
// missing.
type corpusRow struct {
	URL     string `parquet:"url"`
	Caption string `parquet:"caption"`
	Width   *int64 `parquet:"width,optional"`
}

func corpusRows(n int) []corpusRow {
	rows := make([]corpusRow, n)
	for i := range rows {
		rows[i] = corpusRow{URL: fmt.Sprintf("https://h%d.kz/img/%d.jpg", i%7, i), Caption: fmt.Sprintf("caption %d", i)}
		if i%3 != 0 {
			w := int64(100 + i)
			rows[i].Width = &w
		}
	}
	return rows
}

// writeParquet writes rows with parquet-go, groupRows rows a row group.
func writeParquet[T any](t testing.TB, rows []T, groupRows int64, opts ...parquet.WriterOption) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := parquet.NewGenericWriter[T](&buf, append([]parquet.WriterOption{parquet.MaxRowsPerRowGroup(groupRows)}, opts...)...)
	for i := 0; i < len(rows); i += int(groupRows) {
		_, err := w.Write(rows[i:min(i+int(groupRows), len(rows))])
		require.NoError(t, err)
		require.NoError(t, w.Flush())
	}
	require.NoError(t, w.Close())
	return buf.Bytes()
}

// readList opens data as a list file and reads it whole.
func readList(t testing.TB, data []byte, in Input) ([]Item, error) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "list")
	require.NoError(t, os.WriteFile(path, data, 0o644))
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	l, err := Open(f, in)
	if err != nil {
		return nil, err
	}
	return readAll(l, func([]Item) {})
}

// readAll reads an opened list whole; each sees the Items so far after
// every one.
func readAll(l *List, each func(items []Item)) ([]Item, error) {
	out := make(chan Item)
	done := make(chan error, 1)
	go func() { done <- l.Read(out); close(out) }()
	var items []Item
	for it := range out {
		items = append(items, it)
		each(items)
	}
	return items, <-done
}

func str(s string) *string { return &s }

// A Parquet list is found by its magic bytes and read row group by row
// group; --column and --keep pick columns by name (any case); nulls are
// kept as nil, numbers as text.
func TestParquetListReadsColumnsAcrossRowGroups(t *testing.T) {
	rows := corpusRows(25)
	for _, codec := range []parquet.WriterOption{parquet.Compression(&parquet.Uncompressed), parquet.Compression(&parquet.Snappy), parquet.Compression(&parquet.Zstd), parquet.Compression(&parquet.Gzip), parquet.Compression(&parquet.Lz4Raw), parquet.Compression(&parquet.Brotli)} {
		data := writeParquet(t, rows, 10, codec)
		items, err := readList(t, data, Input{Column: "URL", Keep: []string{"caption", "Width"}})
		require.NoError(t, err)
		require.Len(t, items, len(rows))
		for i, it := range items {
			require.NoError(t, it.Err)
			assert.Equal(t, i+1, it.Line)
			assert.Equal(t, rows[i].URL, it.URL)
			want := []*string{str(rows[i].Caption), nil}
			if rows[i].Width != nil {
				want[1] = str(fmt.Sprint(*rows[i].Width))
			}
			assert.Equal(t, want, it.Kept, "row %d", i+1)
		}
	}
}

// A Parquet file written by another library (Apache Arrow's Go writer,
// dictionary-encoded, data page v2, Snappy) reads the same.
func TestParquetListWrittenByArrowReads(t *testing.T) {
	mem := memory.NewGoAllocator()
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "SAMPLE_ID", Type: arrow.PrimitiveTypes.Int64},
		{Name: "URL", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "TEXT", Type: arrow.BinaryTypes.String, Nullable: true},
	}, nil)
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()
	const n = 1000
	for i := range n {
		b.Field(0).(*array.Int64Builder).Append(int64(i))
		if i == 500 {
			b.Field(1).(*array.StringBuilder).AppendNull()
		} else {
			b.Field(1).(*array.StringBuilder).Append(fmt.Sprintf("https://h%d.kz/%d", i%5, i))
		}
		b.Field(2).(*array.StringBuilder).Append(fmt.Sprintf("text %d", i))
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	tbl := array.NewTableFromRecords(schema, []arrow.RecordBatch{rec})
	defer tbl.Release()
	var buf bytes.Buffer
	props := arrowpq.NewWriterProperties(arrowpq.WithCompression(compress.Codecs.Snappy), arrowpq.WithDictionaryDefault(true),
		arrowpq.WithDataPageVersion(arrowpq.DataPageV2), arrowpq.WithMaxRowGroupLength(300))
	require.NoError(t, pqarrow.WriteTable(tbl, &buf, 300, props, pqarrow.DefaultWriterProps()))

	items, err := readList(t, buf.Bytes(), Input{Column: "url", Keep: []string{"sample_id"}})
	require.NoError(t, err)
	require.Len(t, items, n)
	for i, it := range items {
		assert.Equal(t, i+1, it.Line)
		assert.Equal(t, []*string{str(fmt.Sprint(i))}, it.Kept)
		if i == 500 {
			assert.ErrorContains(t, it.Err, "row 501: URL is null")
			continue
		}
		require.NoError(t, it.Err)
		assert.Equal(t, fmt.Sprintf("https://h%d.kz/%d", i%5, i), it.URL)
	}
}

// A list whose --column is missing, not strings, or nested is refused
// before anything is vetted, naming the columns the file has.
func TestParquetListBadColumns(t *testing.T) {
	data := writeParquet(t, corpusRows(3), 10)
	for _, c := range []struct {
		in   Input
		want string
	}{
		{Input{Column: "link"}, `--column "link": the Parquet file has no column of that name (columns: url, caption, width)`},
		{Input{}, `a Parquet list needs --column NAME (columns: url, caption, width)`},
		{Input{Column: "width"}, `--column "width": the Parquet column width holds INT64, not strings`},
		{Input{Column: "url", Keep: []string{"nope"}}, `--keep "nope": the Parquet file has no column of that name`},
	} {
		_, err := readList(t, data, c.in)
		assert.ErrorContains(t, err, c.want)
	}
	type nested struct {
		Tags []string `parquet:"tags,list"`
	}
	_, err := readList(t, writeParquet(t, []nested{{Tags: []string{"a"}}}, 10), Input{Column: "tags"})
	assert.ErrorContains(t, err, "nested or repeated")

	// A Parquet list through a pipe cannot be read (its index is at its
	// end): said plainly, not "a binary file".
	_, err = Sniff(bytes.NewReader(data), Input{Column: "url"})
	assert.ErrorContains(t, err, "Parquet file, which is read from a file, not a pipe")
}

// chunkOf returns where the URL column chunk of row group g starts and ends.
func chunkOf(t *testing.T, data []byte, g int) (int64, int64) {
	f, err := parquet.OpenFile(bytes.NewReader(data), int64(len(data)))
	require.NoError(t, err)
	md := f.Metadata().RowGroups[g].Columns[0].MetaData
	start := md.DataPageOffset
	if md.DictionaryPageOffset > 0 {
		start = md.DictionaryPageOffset
	}
	return start, start + md.TotalCompressedSize
}

// A corrupt row group costs its own rows only: one error Item names them,
// and the groups after it are read.
func TestParquetListCorruptRowGroup(t *testing.T) {
	rows := corpusRows(30)
	for name, corrupt := range map[string]func(data []byte, start, end int64){
		"page header": func(data []byte, start, end int64) { copy(data[start:], bytes.Repeat([]byte{0xFF}, 8)) },
		"page data":   func(data []byte, start, end int64) { copy(data[end-40:], bytes.Repeat([]byte{0xFF}, 40)) },
	} {
		t.Run(name, func(t *testing.T) {
			data := writeParquet(t, rows, 10, parquet.Compression(&parquet.Snappy))
			start, end := chunkOf(t, data, 1)
			corrupt(data, start, end)
			items, err := readList(t, data, Input{Column: "url"})
			require.NoError(t, err)
			var urls []string
			var errs []Item
			for _, it := range items {
				if it.Err != nil {
					errs = append(errs, it)
					continue
				}
				urls = append(urls, it.URL)
			}
			require.Len(t, errs, 1, "%v", errs)
			assert.ErrorContains(t, errs[0].Err, "Parquet row group 2: rows ")
			assert.ErrorContains(t, errs[0].Err, " to 20 not read")
			// Rows 1-10 and 21-30 all arrive; of group 2 only rows before
			// the damage.
			for _, i := range append(seq(0, 10), seq(20, 30)...) {
				assert.Contains(t, urls, rows[i].URL)
			}
			assert.LessOrEqual(t, len(urls), 30)
		})
	}
}

func seq(a, b int) []int {
	var s []int
	for i := a; i < b; i++ {
		s = append(s, i)
	}
	return s
}

// Sizes a file declares are checked before anything is allocated for them.
func TestParquetListCapsDeclaredSizes(t *testing.T) {
	data := writeParquet(t, corpusRows(20), 10)
	// A footer length beyond the file.
	bad := bytes.Clone(data)
	copy(bad[len(bad)-8:], []byte{0xFF, 0xFF, 0xFF, 0x7F})
	_, err := readList(t, bad, Input{Column: "url"})
	assert.ErrorContains(t, err, "the Parquet footer declares 2147483647 bytes")

	for name, c := range map[string]struct {
		edit func(h *format.PageHeader)
		want string
	}{
		"2 GiB page": {func(h *format.PageHeader) { h.UncompressedPageSize = 1<<31 - 1 }, "over the cap of 67108864"},
		"past chunk": {func(h *format.PageHeader) { h.CompressedPageSize += 1000 }, "past its column chunk"},
		"many values": {func(h *format.PageHeader) {
			h.DataPageHeader.V.NumValues, h.DataPageHeaderV2.V.NumValues = 1<<30, 1<<30
		}, "declares 1073741824 values, over the cap of 1048576"},
	} {
		t.Run(name, func(t *testing.T) {
			items, err := readList(t, rewritePageHeader(t, data, 1, c.edit), Input{Column: "url"})
			require.NoError(t, err)
			var errs []error
			for _, it := range items {
				if it.Err != nil {
					errs = append(errs, it.Err)
				}
			}
			require.Len(t, errs, 1)
			assert.ErrorContains(t, errs[0], "Parquet row group 2: rows 11 to 20 not read")
			assert.ErrorContains(t, errs[0], c.want)
			assert.Len(t, items, 11)
		})
	}
}

// rewritePageHeader rewrites the first page header of the URL column chunk
// of row group g, and the footer's offsets after it.
func rewritePageHeader(t *testing.T, data []byte, g int, edit func(h *format.PageHeader)) []byte {
	t.Helper()
	f, err := parquet.OpenFile(bytes.NewReader(data), int64(len(data)))
	require.NoError(t, err)
	start, _ := chunkOf(t, data, g)
	var proto thrift.CompactProtocol
	var h format.PageHeader
	hlen, err := readPageHeader(&proto, bytes.NewReader(data), start, int64(len(data)), &h)
	require.NoError(t, err)
	edit(&h)
	hdr, err := thrift.Marshal(&proto, &h)
	require.NoError(t, err)
	delta := int64(len(hdr)) - hlen
	meta := *f.Metadata()
	footerAt := int64(len(data)) - 8 - int64(binary.LittleEndian.Uint32(data[len(data)-8:]))
	for i := range meta.RowGroups {
		for j := range meta.RowGroups[i].Columns {
			md := &meta.RowGroups[i].Columns[j].MetaData
			if i == g && j == 0 {
				md.TotalCompressedSize += delta
			}
			for _, off := range []*int64{&md.DataPageOffset, &md.DictionaryPageOffset} {
				if *off > start {
					*off += delta
				}
			}
		}
	}
	footer, err := thrift.Marshal(&proto, &meta)
	require.NoError(t, err)
	out := append(bytes.Clone(data[:start]), hdr...)
	out = append(out, data[start+hlen:footerAt]...)
	out = append(out, footer...)
	out = binary.LittleEndian.AppendUint32(out, uint32(len(footer)))
	return append(out, parquetMagic...)
}

func TestParquetReaderAtErrorEndsTheRead(t *testing.T) {
	data := writeParquet(t, corpusRows(20), 10)
	l, err := Open(&failAfter{ReaderAt: bytes.NewReader(data), size: int64(len(data))}, Input{Column: "url"})
	require.NoError(t, err)
	l.pq.r.r.(*failAfter).failing = true
	out := make(chan Item, 100)
	err = l.Read(out)
	assert.ErrorIs(t, err, errBroken)
}

// failAfter is a file whose reads fail once failing is set (a disk error).
type failAfter struct {
	io.ReaderAt
	size    int64
	failing bool
}

func (f *failAfter) ReadAt(p []byte, off int64) (int, error) {
	if f.failing {
		return 0, errBroken
	}
	return f.ReaderAt.ReadAt(p, off)
}

func (f *failAfter) Seek(off int64, whence int) (int64, error) {
	if whence == io.SeekEnd {
		return f.size + off, nil
	}
	return off, nil
}

// FuzzReadParquet reads hostile Parquet lists: files written by parquet-go
// in several layouts, mutated. Opening may fail; reading must end without
// a panic, never send more Items than the file declares rows, and every
// URL is text from the column.
func FuzzReadParquet(f *testing.F) {
	rows := corpusRows(12)
	for _, opts := range [][]parquet.WriterOption{
		{parquet.Compression(&parquet.Uncompressed)},
		{parquet.Compression(&parquet.Snappy)},
		{parquet.Compression(&parquet.Zstd), parquet.DataPageVersion(1)},
		{parquet.Compression(&parquet.Gzip), parquet.DataPageVersion(2)},
		{parquet.Compression(&parquet.Lz4Raw)},
	} {
		f.Add(writeParquet(f, rows, 5, opts...), false)
		f.Add(writeParquet(f, rows, 5, opts...), true)
	}
	type dict struct {
		URL string `parquet:"url,dict,optional"`
	}
	f.Add(writeParquet(f, []dict{{"https://a.kz/1"}, {"https://a.kz/1"}, {" "}, {""}}, 2), false)
	f.Add([]byte("PAR1"), false)
	f.Add([]byte("PAR1\x00\x00\x00\x00PAR1"), false)
	f.Add([]byte("PAR1\x19\xFC\xFF\xFF\xFF\xFF\x07\x07\x00\x00\x00PAR1"), false)

	f.Fuzz(func(t *testing.T, data []byte, keep bool) {
		in := Input{Column: "url"}
		if keep {
			in.Keep = []string{"caption", "width"}
		}
		l, err := Open(&failAfter{ReaderAt: bytes.NewReader(data), size: int64(len(data))}, in)
		if err != nil {
			require.Nil(t, l)
			return
		}
		require.NotNil(t, l.pq, "a file that opens as Parquet starts with PAR1")
		rows := l.Rows()
		if rows > 1<<16 {
			// A few bytes can declare a million null rows a page; reading
			// them all is right but would slow the fuzzer to a crawl.
			return
		}
		uncompressed := true
		for _, g := range l.pq.f.Metadata().RowGroups {
			if g.Columns[l.pq.url].MetaData.Codec != format.Uncompressed {
				uncompressed = false
			}
		}
		read := func() ([]Item, error) {
			return readAll(l, func(items []Item) {
				// Every Item stands for at least one row.
				require.LessOrEqual(t, int64(len(items)), rows)
			})
		}
		items, err := read()
		require.NoError(t, err, "a file in memory never fails to read: damage is per row group")
		prev := 0
		for _, it := range items {
			hasURL := requireItem(t, it, prev, int(rows))
			prev = it.Line
			if !hasURL {
				continue
			}
			require.True(t, utf8.ValidString(it.URL))
			require.LessOrEqual(t, len(it.URL), maxParquetCell)
			if uncompressed {
				require.True(t, bytes.Contains(data, []byte(it.URL)), "%q is not in the file", it.URL)
			}
			if keep {
				require.Len(t, it.Kept, 2)
			} else {
				require.Empty(t, it.Kept)
			}
		}
		again, err := read()
		require.NoError(t, err)
		require.Equal(t, len(items), len(again))
		for i := range items {
			require.Equal(t, items[i].URL, again[i].URL)
			require.Equal(t, items[i].Line, again[i].Line)
		}
	})
}

// Read is never called on a Parquet list (it is read in place).
func (f *failAfter) Read([]byte) (int, error) { return 0, errBroken }

// --keep in CSV: names from the header, or numbers; with --column by number
// only numbers. A name the header lacks is refused before anything is read.
func TestKeepInCSV(t *testing.T) {
	data := []byte("id,url,caption\n1,https://a.kz/1,\"a, cat\"\n2,https://a.kz/2\n")
	items, err := readList(t, data, Input{Column: "url", Keep: []string{"Caption", "1"}})
	require.NoError(t, err)
	require.Len(t, items, 2)
	assert.Equal(t, []*string{str("a, cat"), str("1")}, items[0].Kept)
	assert.Equal(t, []*string{nil, str("2")}, items[1].Kept, "a short record has no caption")

	_, err = readList(t, data, Input{Column: "url", Keep: []string{"title"}})
	assert.ErrorContains(t, err, `--keep "title": the CSV has no column of that name (columns: id, url, caption)`)
	_, err = readList(t, data, Input{Column: "2", Keep: []string{"caption"}})
	assert.ErrorContains(t, err, "--keep takes column numbers too")

	items, err = readList(t, []byte(`{"u":"https://a.kz/1","n":3,"tags":["x"]}`+"\n"), Input{Field: "u", Keep: []string{"n", "tags", "gone"}})
	require.NoError(t, err)
	assert.Equal(t, []*string{str("3"), str(`["x"]`), nil}, items[0].Kept)
}

// A compressed page that expands past the size its header declares is
// refused before parquet-go decompresses it, in every codec.
func TestParquetListRefusesPagesThatExpandPastTheirSize(t *testing.T) {
	for name, codec := range map[string]parquet.WriterOption{
		"snappy": parquet.Compression(&parquet.Snappy), "gzip": parquet.Compression(&parquet.Gzip), "zstd": parquet.Compression(&parquet.Zstd),
		"brotli": parquet.Compression(&parquet.Brotli), "lz4": parquet.Compression(&parquet.Lz4Raw),
	} {
		t.Run(name, func(t *testing.T) {
			data := writeParquet(t, corpusRows(20), 10, codec, parquet.DataPageVersion(1))
			shrunk := rewritePageHeader(t, data, 1, func(h *format.PageHeader) { h.UncompressedPageSize = 16 })
			items, err := readList(t, shrunk, Input{Column: "url"})
			require.NoError(t, err)
			require.Len(t, items, 11)
			assert.ErrorContains(t, items[10].Err, "Parquet row group 2: rows 11 to 20 not read: page at")
			assert.Regexp(t, "states|expands past|longer than", items[10].Err.Error())
		})
	}
}

// Metadata that declares a huge list in a few bytes (parquet-go's Thrift
// decoder would allocate it whole) is refused, in the footer and in a page
// header.
func TestParquetListRefusesHugeThriftLists(t *testing.T) {
	// Field 1, a list of structs declaring 2^31-1 elements, then nothing.
	huge := []byte{0x19, 0xFC, 0xFF, 0xFF, 0xFF, 0xFF, 0x07}
	data := append([]byte(parquetMagic), huge...)
	data = binary.LittleEndian.AppendUint32(data, uint32(len(huge)))
	data = append(data, parquetMagic...)
	_, err := readList(t, data, Input{Column: "url"})
	assert.ErrorContains(t, err, "the Parquet footer cannot be read: the Thrift metadata declares 2147483647 elements in 0 bytes")

	_, err = checkThrift([]byte{0x19, 0x3C, 0, 0, 0, 0x19, 0x1C, 0x19, 0x1C, 0})
	assert.ErrorContains(t, err, "cut short")
	n, err := checkThrift([]byte{0x19, 0x2C, 0, 0, 0, 0xFF})
	require.NoError(t, err)
	assert.Equal(t, 5, n, "a list of two empty structs, then the end")
}
