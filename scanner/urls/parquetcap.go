package urls

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/snappy"
	"github.com/klauspost/compress/zstd"
	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/encoding/thrift"
	"github.com/parquet-go/parquet-go/format"
	"github.com/pierrec/lz4/v4"
)

// Caps on what a Parquet file declares. parquet-go allocates what a page
// header declares before reading it (up to 2 GiB a page) and its codecs
// decompress without a bound, so checkChunk reads a column chunk's page
// headers first and refuses a chunk that declares more than these, or whose
// pages decompress to more than they declare.
const (
	maxParquetFooter     = 64 << 20
	maxParquetPage       = 64 << 20 // compressed or decompressed
	maxParquetPageHeader = 1 << 20
	maxParquetPageValues = 1 << 20
)

// checkChunk walks the pages of column chunk col of row group g and refuses
// it when a page goes past the chunk or past the caps. Only headers are read
// for uncompressed and Snappy pages (Snappy states its decoded length); pages
// in the other codecs are decompressed once, bounded, to check what they
// expand to.
func checkChunk(f *parquet.File, r io.ReaderAt, g, col int) error {
	groups := f.Metadata().RowGroups
	if g >= len(groups) || col >= len(groups[g].Columns) {
		return errors.New("the footer does not describe this column chunk")
	}
	md := groups[g].Columns[col].MetaData
	start := md.DataPageOffset
	if md.DictionaryPageOffset > 0 {
		start = md.DictionaryPageOffset
	}
	end := start + md.TotalCompressedSize
	if start < int64(len(parquetMagic)) || md.TotalCompressedSize < 0 || end > f.Size() || end < start {
		return fmt.Errorf("the column chunk at %d (%d bytes) is not inside the file (%d bytes)", start, md.TotalCompressedSize, f.Size())
	}
	switch md.Codec {
	case format.Uncompressed, format.Snappy, format.Gzip, format.Brotli, format.Zstd, format.Lz4Raw:
	default:
		return fmt.Errorf("the column chunk is compressed with %s, which aiaudit does not read", md.Codec)
	}
	var proto thrift.CompactProtocol
	for off := start; off < end; {
		var h format.PageHeader
		hlen, err := readPageHeader(&proto, r, off, end, &h)
		if err != nil {
			return fmt.Errorf("page header at %d: %w", off, err)
		}
		size, usize := int64(h.CompressedPageSize), int64(h.UncompressedPageSize)
		switch {
		case size < 0 || usize < 0:
			return fmt.Errorf("page at %d declares a negative size", off)
		case size > maxParquetPage || usize > maxParquetPage:
			return fmt.Errorf("page at %d declares %d bytes (%d decompressed), over the cap of %d", off, size, usize, maxParquetPage)
		case off+hlen+size > end:
			return fmt.Errorf("page at %d runs %d bytes past its column chunk", off, off+hlen+size-end)
		case pageValues(&h) > maxParquetPageValues:
			return fmt.Errorf("page at %d declares %d values, over the cap of %d", off, pageValues(&h), maxParquetPageValues)
		}
		if err := checkPageBody(r, off+hlen, &h, md.Codec); err != nil {
			return fmt.Errorf("page at %d: %w", off, err)
		}
		off += hlen + size
	}
	return nil
}

// readPageHeader decodes the page header at off from a bounded window of
// bytes, checked by checkThrift first, and returns its length.
func readPageHeader(proto *thrift.CompactProtocol, r io.ReaderAt, off, end int64, h *format.PageHeader) (int64, error) {
	limit := min(end-off, maxParquetPageHeader)
	for n := min(limit, 4<<10); ; n = min(2*n, limit) {
		buf := make([]byte, n)
		if _, err := r.ReadAt(buf, off); err != nil && !errors.Is(err, io.EOF) {
			return 0, err
		}
		hlen, err := checkThrift(buf)
		if err != nil {
			if n == limit {
				return 0, err
			}
			continue // the window may have cut the header
		}
		*h = format.PageHeader{}
		if err := thrift.Unmarshal(proto, buf[:hlen], h); err != nil {
			return 0, err
		}
		return int64(hlen), nil
	}
}

// pageValues is the number of values a page header declares.
func pageValues(h *format.PageHeader) int64 {
	switch {
	case h.DataPageHeader.Valid:
		return int64(h.DataPageHeader.V.NumValues)
	case h.DataPageHeaderV2.Valid:
		return int64(h.DataPageHeaderV2.V.NumValues)
	case h.DictionaryPageHeader.Valid:
		return int64(h.DictionaryPageHeader.V.NumValues)
	}
	return 0
}

// checkPageBody refuses a compressed page that expands past the size its
// header declares.
func checkPageBody(r io.ReaderAt, off int64, h *format.PageHeader, codec format.CompressionCodec) error {
	if codec == format.Uncompressed {
		return nil
	}
	skip := int64(0) // v2 pages keep their levels uncompressed, before the data
	if v2 := h.DataPageHeaderV2; v2.Valid {
		if c := v2.V.IsCompressed; c.Valid && !c.V { // absent means compressed
			return nil
		}
		skip = int64(v2.V.RepetitionLevelsByteLength) + int64(v2.V.DefinitionLevelsByteLength)
	}
	size, limit := int64(h.CompressedPageSize)-skip, int64(h.UncompressedPageSize)-skip
	if size < 0 || limit < 0 {
		return errors.New("the levels are longer than the page")
	}
	if codec == format.Snappy {
		// Snappy allocates the length it states, so that is all to check.
		var head [binary.MaxVarintLen32]byte
		n, _ := r.ReadAt(head[:min(int64(len(head)), size)], off+skip)
		if dlen, err := snappy.DecodedLen(head[:n]); err != nil || int64(dlen) > limit {
			return fmt.Errorf("snappy data states %d bytes for a page of %d (%v)", dlen, limit, err)
		}
		return nil
	}
	body := make([]byte, size)
	if _, err := r.ReadAt(body, off+skip); err != nil {
		return err
	}
	if codec == format.Lz4Raw {
		if _, err := lz4.UncompressBlock(body, make([]byte, limit)); err != nil {
			return fmt.Errorf("LZ4 data is corrupt or longer than the %d bytes declared: %w", limit, err)
		}
		return nil
	}
	var zr io.Reader
	var err error
	switch codec {
	case format.Gzip:
		zr, err = gzip.NewReader(bytes.NewReader(body))
	case format.Brotli:
		zr = brotli.NewReader(bytes.NewReader(body))
	case format.Zstd:
		var d *zstd.Decoder
		if d, err = zstd.NewReader(bytes.NewReader(body), zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(maxParquetPage)); err == nil {
			defer d.Close()
			zr = d
		}
	}
	if err != nil {
		return err
	}
	n, err := io.Copy(io.Discard, io.LimitReader(zr, limit+1))
	if err != nil {
		return fmt.Errorf("%s data is corrupt: %w", codec, err)
	}
	if n > limit {
		return fmt.Errorf("%s data expands past the %d bytes declared", codec, limit)
	}
	return nil
}

// Caps on the Thrift metadata (footer, page headers) of a Parquet file.
// parquet-go's Thrift decoder makes a declared list whole before it reads
// its elements, so a few bytes can ask for gigabytes; checkThrift walks the
// bytes first.
const (
	maxThriftElements = 1 << 20 // lists, sets and maps, in all
	maxThriftDepth    = 32
)

// errThriftShort is metadata cut short: more bytes may complete it.
var errThriftShort = errors.New("the Thrift metadata is cut short")

// checkThrift walks one Thrift compact-protocol struct at the start of b
// without decoding it and returns its length. It refuses a list, set or map
// that declares more elements than bytes remain (each takes one at least),
// more than maxThriftElements elements in all, or nesting deeper than
// maxThriftDepth.
func checkThrift(b []byte) (int, error) {
	w := thriftWalk{b: b}
	err := w.structure(0)
	return w.off, err
}

type thriftWalk struct {
	b     []byte
	off   int
	elems uint64
}

func (w *thriftWalk) byte1() (byte, error) {
	if w.off >= len(w.b) {
		return 0, errThriftShort
	}
	w.off++
	return w.b[w.off-1], nil
}

func (w *thriftWalk) uvarint() (uint64, error) {
	v, n := binary.Uvarint(w.b[w.off:])
	switch {
	case n == 0:
		return 0, errThriftShort
	case n < 0:
		return 0, errors.New("a Thrift varint overflows")
	}
	w.off += n
	return v, nil
}

func (w *thriftWalk) skip(n uint64) error {
	if n > uint64(len(w.b)-w.off) {
		return errThriftShort
	}
	w.off += int(n)
	return nil
}

func (w *thriftWalk) structure(depth int) error {
	if depth > maxThriftDepth {
		return fmt.Errorf("the Thrift metadata nests deeper than %d", maxThriftDepth)
	}
	for {
		h, err := w.byte1()
		if err != nil || h == 0 { // 0: the end of the struct
			return err
		}
		if h>>4 == 0 { // a field id that is not a delta follows
			if _, err := w.uvarint(); err != nil {
				return err
			}
		}
		if err := w.value(h&0x0F, depth, false); err != nil {
			return err
		}
	}
}

// value skips a value of compact type typ; a boolean field's value is in
// its header, a boolean list element is a byte.
func (w *thriftWalk) value(typ byte, depth int, element bool) error {
	switch typ {
	case 1, 2: // true, false
		if element {
			_, err := w.byte1()
			return err
		}
		return nil
	case 3: // byte
		_, err := w.byte1()
		return err
	case 4, 5, 6: // i16, i32, i64
		_, err := w.uvarint()
		return err
	case 7: // double
		return w.skip(8)
	case 8: // binary
		n, err := w.uvarint()
		if err != nil {
			return err
		}
		return w.skip(n)
	case 9, 10: // list, set
		h, err := w.byte1()
		if err != nil {
			return err
		}
		n := uint64(h >> 4)
		if n == 0xF {
			if n, err = w.uvarint(); err != nil {
				return err
			}
		}
		return w.elements(n, depth, h&0x0F)
	case 11: // map
		n, err := w.uvarint()
		if err != nil || n == 0 {
			return err
		}
		kv, err := w.byte1()
		if err != nil {
			return err
		}
		if err := w.count(2 * n); err != nil {
			return err
		}
		for range n {
			if err := w.value(kv>>4, depth+1, true); err != nil {
				return err
			}
			if err := w.value(kv&0x0F, depth+1, true); err != nil {
				return err
			}
		}
		return nil
	case 12: // struct
		return w.structure(depth + 1)
	}
	return fmt.Errorf("unknown Thrift type %d", typ)
}

func (w *thriftWalk) elements(n uint64, depth int, typ byte) error {
	if err := w.count(n); err != nil {
		return err
	}
	for range n {
		if err := w.value(typ, depth+1, true); err != nil {
			return err
		}
	}
	return nil
}

// count adds n declared elements, each of which takes a byte at least.
func (w *thriftWalk) count(n uint64) error {
	if left := uint64(len(w.b) - w.off); n > left {
		return fmt.Errorf("the Thrift metadata declares %d elements in %d bytes", n, left)
	}
	if w.elems += n; w.elems > maxThriftElements {
		return fmt.Errorf("the Thrift metadata declares more than %d elements", maxThriftElements)
	}
	return nil
}
