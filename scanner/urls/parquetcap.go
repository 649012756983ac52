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
	maxParquetPageValues = 1 << 24
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
// bytes and returns its length.
func readPageHeader(proto *thrift.CompactProtocol, r io.ReaderAt, off, end int64, h *format.PageHeader) (int64, error) {
	limit := min(end-off, maxParquetPageHeader)
	for n := min(limit, 4<<10); ; n = min(2*n, limit) {
		buf := make([]byte, n)
		if _, err := r.ReadAt(buf, off); err != nil && !errors.Is(err, io.EOF) {
			return 0, err
		}
		*h = format.PageHeader{}
		pr := proto.NewReaderFromBytes(buf)
		err := thrift.NewDecoder(pr).Decode(h)
		if err == nil {
			return int64(pr.BytesRead()), nil
		}
		if n == limit {
			return 0, err
		}
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
