// Package container finds the metadata blocks inside a media file: XMP
// packets, EXIF (TIFF-structured) data, JUMBF boxes (C2PA manifest stores) and
// PNG/GIF text. It reads through an io.ReaderAt and seeks from box to box, so a
// 4 GB video costs a few kilobytes of reads. Every length read from the file is
// checked against the bytes present and against Limits before it is used.
package container

import (
	"errors"
	"fmt"
	"io"

	"github.com/aiaudit/aiaudit/detectors/sniff"
)

// Limits caps what one file may cost. Zero fields take the defaults.
type Limits struct {
	MaxBlock int64 // one block (default 32 MiB)
	MaxTotal int64 // all blocks of one file together (default 64 MiB)
	MaxText  int64 // one decompressed PNG text chunk (default 8 MiB)
	MaxScan  int64 // bytes read where a format must be scanned linearly: PDF, GIF (default 64 MiB)
	MaxBoxes int   // boxes, chunks, segments or IFD entries visited (default 100000)
}

func (l Limits) withDefaults() Limits {
	if l.MaxBlock <= 0 {
		l.MaxBlock = 32 << 20
	}
	if l.MaxTotal <= 0 {
		l.MaxTotal = 64 << 20
	}
	if l.MaxText <= 0 {
		l.MaxText = 8 << 20
	}
	if l.MaxScan <= 0 {
		l.MaxScan = 64 << 20
	}
	if l.MaxBoxes <= 0 {
		l.MaxBoxes = 100_000
	}
	return l
}

// Block is one metadata block and where it was found.
type Block struct {
	Data   []byte
	Where  string // for people: "JPEG APP11 JUMBF, 5 segments (En=0x0211, Z=1..5)"
	Offset int64
	// Malformed is set when the block is known to be incomplete or broken.
	Malformed string
	// C2PAOnly is set when the container reserves the block for a C2PA
	// manifest store (an SVG c2pa:manifest element, an ID3 GEOB of type
	// application/c2pa, a font's C2PA table): bytes that are not a manifest
	// store there are a malformed store, not some other JUMBF.
	C2PAOnly bool
}

// HashBox is one box of a file as C2PA's general box hash names it.
type HashBox struct {
	Name           string
	Offset, Length int64
	// ZeroAt, when not 0, is the offset of 4 bytes hashed as zeros (a
	// font's head checkSumAdjustment, which changes with the manifest).
	ZeroAt int64
}

// TextEntry is one key/value text chunk (PNG tEXt/zTXt/iTXt, GIF comment).
type TextEntry struct {
	Key, Value, Chunk string
}

// PNGHeader is the IHDR of a PNG.
type PNGHeader struct {
	Width, Height       uint32
	BitDepth, ColorType uint8
	Interlace           uint8
}

// HasAlpha reports a colour type with an alpha channel (grey+alpha, RGBA).
func (h *PNGHeader) HasAlpha() bool { return h.ColorType == 4 || h.ColorType == 6 }

// Blocks is what Read found in one file.
type Blocks struct {
	MediaType, Kind string
	// Head is the file's first bytes (up to 64 KiB), already read: what
	// identifies the content across scans costs no second read.
	Head  []byte
	XMP   []Block
	EXIF  []Block
	JUMBF []Block
	Text  []TextEntry
	PNG   *PNGHeader
	// HashBoxes are the file's boxes as C2PA's general box hash names them
	// (C2PA 18.7.3), in file order, for the formats that bind that way:
	// JPEG XL, PNG, GIF and fonts (a JPEG's: JPEGHashBoxes).
	HashBoxes []HashBox
	// ManifestURIs are references to the active manifest that a container
	// carries outside XMP (a font's C2PA table): remote, or a JUMBF URI into
	// the embedded store.
	ManifestURIs []string
	// Problems lists what was wrong but did not stop parsing.
	Problems []string
	// Stopped is the error that ended parsing early (damage), or else the
	// first read that failed: what lies after it was not seen. The blocks
	// found are still evidence.
	Stopped error
}

// Read sniffs the file and collects its metadata blocks. Damage inside the file
// becomes Problems; an error is returned only when the file cannot be read.
func Read(r io.ReaderAt, size int64, lim Limits) (*Blocks, error) {
	lim = lim.withDefaults()
	head := make([]byte, min(size, headRead))
	if n, err := r.ReadAt(head, 0); n < len(head) {
		if err == nil {
			err = io.ErrUnexpectedEOF
		}
		return nil, fmt.Errorf("read: %w", err)
	}
	mt, kind := sniff.Sniff(head[:min(len(head), sniff.HeadSize)])
	s := &src{r: headCache{r, head}, size: size, lim: lim, b: &Blocks{MediaType: mt, Kind: kind, Head: head}}
	var err error
	switch mt {
	case "image/jpeg":
		err = s.jpeg()
	case "image/png":
		err = s.png()
	case "image/webp", "audio/wav", "video/x-msvideo":
		err = s.riff()
	case "image/gif":
		err = s.gif()
	case "image/tiff":
		err = s.tiff()
	case "application/pdf":
		err = s.pdf()
	case "image/svg+xml":
		err = s.svg()
	case "audio/mpeg", "audio/flac":
		err = s.id3()
	case "image/jxl":
		if len(head) >= 8 && string(head[4:8]) == "JXL " {
			err = s.bmff() // the box container; a bare codestream holds no metadata
		}
	case "font/ttf", "font/otf":
		err = s.font()
	case "application/c2pa":
		err = s.whole(&s.b.JUMBF, "raw JUMBF (.c2pa sidecar)")
	case "application/rdf+xml":
		err = s.whole(&s.b.XMP, "XMP sidecar")
	default:
		if len(head) >= 8 && string(head[4:8]) == "ftyp" {
			err = s.bmff()
		}
	}
	if err != nil {
		// The blocks found before the damage are still evidence.
		s.problem("%v", err)
		s.b.Stopped = err
	}
	if s.b.Stopped == nil {
		s.b.Stopped = s.unread
	}
	return s.b, nil
}

// headRead is read in one call up front: it holds most small files whole and
// the header boxes of large ones, so walking their structure costs one system
// call instead of one per segment.
const headRead = 64 << 10

// HeadReader reads r, serving reads inside head (r's first bytes, as in
// Blocks.Head) from memory, so code after Read pays no system call for them.
func HeadReader(r io.ReaderAt, head []byte) io.ReaderAt { return headCache{r, head} }

// headCache serves reads inside the first bytes of the file from memory.
type headCache struct {
	r    io.ReaderAt
	head []byte
}

func (h headCache) ReadAt(p []byte, off int64) (int, error) {
	if off >= 0 && off+int64(len(p)) <= int64(len(h.head)) {
		return copy(p, h.head[off:]), nil
	}
	return h.r.ReadAt(p, off)
}

// src reads bounded pieces of one file and accounts for the caps.
type src struct {
	r     io.ReaderAt
	size  int64
	lim   Limits
	b     *Blocks
	total int64
	boxes int
	// unread is the first read of the file that failed: what it would have
	// read was not seen.
	unread error
}

// failed records a read that failed and returns its error.
func (s *src) failed(err error) error {
	if s.unread == nil {
		s.unread = err
	}
	return err
}

var errTooMany = errors.New("too many boxes/segments/entries: the rest of the file was not read")

func (s *src) problem(format string, args ...any) {
	if len(s.b.Problems) < 50 {
		s.b.Problems = append(s.b.Problems, fmt.Sprintf(format, args...))
	}
}

// tick counts one visited structure and stops pathological files.
func (s *src) tick() error {
	s.boxes++
	if s.boxes > s.lim.MaxBoxes {
		return errTooMany
	}
	return nil
}

// read returns n bytes at off, or an error saying why it may not or cannot.
func (s *src) read(off, n int64, what string) ([]byte, error) {
	if off < 0 || n < 0 || off > s.size || n > s.size-off {
		return nil, fmt.Errorf("%s at %d declares %d bytes, only %d present", what, off, n, max(0, s.size-off))
	}
	if err := s.account(off, n, what); err != nil {
		return nil, err
	}
	buf := make([]byte, n)
	if _, err := s.r.ReadAt(buf, off); err != nil && !(errors.Is(err, io.EOF) && int64(len(buf)) == n) {
		return nil, s.failed(fmt.Errorf("%s at %d: %w", what, off, err))
	}
	return buf, nil
}

// account charges a block of n bytes to the file's caps (MaxBlock for one
// block, MaxTotal for all), or says why it may not be kept.
func (s *src) account(off, n int64, what string) error {
	if n > s.lim.MaxBlock {
		return fmt.Errorf("%s at %d is %d bytes, over the %d-byte cap: skipped", what, off, n, s.lim.MaxBlock)
	}
	if s.total+n > s.lim.MaxTotal {
		return fmt.Errorf("%s at %d: metadata over the %d-byte per-file cap: skipped", what, off, s.lim.MaxTotal)
	}
	s.total += n
	return nil
}

// small reads a structure header that is always small; past EOF it returns
// what is there.
func (s *src) small(off int64, n int) ([]byte, error) {
	if off < 0 || off >= s.size {
		return nil, nil
	}
	n = int(min(int64(n), s.size-off))
	buf := make([]byte, n)
	// A read that fails (a remote file over its byte cap, an I/O error, a
	// file that shrank) stops the parser with that error: it never parses
	// a short buffer as if it were the file.
	if m, err := s.r.ReadAt(buf, off); m < n {
		if err == nil || errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return nil, s.failed(fmt.Errorf("reading %d bytes at %d: %w", n, off, err))
	}
	return buf, nil
}

func (s *src) whole(dst *[]Block, where string) error {
	data, err := s.read(0, s.size, where)
	if err != nil {
		return err
	}
	*dst = append(*dst, Block{Data: data, Where: where})
	return nil
}

// scanAll reads a file that must be scanned linearly, up to MaxScan.
func (s *src) scanAll(what string) ([]byte, error) {
	n := s.size
	if n > s.lim.MaxScan {
		s.problem("%s larger than %d bytes: only the first %d bytes were scanned", what, s.lim.MaxScan, s.lim.MaxScan)
		n = s.lim.MaxScan
	}
	buf := make([]byte, n)
	if _, err := s.r.ReadAt(buf, 0); err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	return buf, nil
}
