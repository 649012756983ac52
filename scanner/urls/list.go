package urls

import (
	"errors"
	"io"
)

// ErrKeepPlain refuses --keep for a plain list.
var ErrKeepPlain = errors.New("--keep needs --column (CSV, Parquet) or --field (JSONL): a plain list has no other columns")

// List is an opened URL list: text (plain lines, CSV, JSONL) read as a
// stream, or a Parquet file read a column chunk at a time.
type List struct {
	in   Input
	text io.Reader
	pq   *parquetList
}

// Open recognises a list and refuses, before anything is vetted, one that is
// not a URL list laid out as in says: see Sniff for text; a Parquet file
// (it starts with "PAR1") must have the --column, of strings, and the --keep
// columns. A Parquet file is read in place, so r must be a file (stdin
// redirected from a file is one; a pipe is not).
func Open(r io.Reader, in Input) (*List, error) {
	if len(in.Keep) > 0 && in.Column == "" && in.Field == "" {
		return nil, ErrKeepPlain
	}
	if f, ok := r.(interface {
		io.ReaderAt
		io.Seeker
	}); ok {
		var magic [len(parquetMagic)]byte
		if _, err := f.ReadAt(magic[:], 0); err == nil && string(magic[:]) == parquetMagic {
			size, err := f.Seek(0, io.SeekEnd)
			if err != nil {
				return nil, err
			}
			pq, err := openParquet(f, size, in)
			if err != nil {
				return nil, err
			}
			return &List{in: in, pq: pq}, nil
		}
	}
	text, err := Sniff(r, in)
	if err != nil {
		return nil, err
	}
	return &List{in: in, text: text}, nil
}

// Read streams the list's URLs to out (see Read and parquetList.read).
func (l *List) Read(out chan<- Item) error {
	if l.pq != nil {
		return l.pq.read(out)
	}
	return Read(l.text, l.in, out)
}

// Rows is the number of rows a Parquet list declares, or -1 for text (the
// caller may count its lines).
func (l *List) Rows() int64 {
	if l.pq != nil {
		return l.pq.rows()
	}
	return -1
}
