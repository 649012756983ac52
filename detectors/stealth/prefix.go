package stealth

import (
	"bufio"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sync"
)

// ErrUnsupported says Signed cannot tell from the first rows (interlaced,
// 16-bit or palette images): the caller decides whether a full decode is
// worth it.
var ErrUnsupported = errors.New("not a plain 8-bit RGB or RGBA PNG")

var inflaters sync.Pool

// maxPrefixWidth caps the row Signed inflates: a hostile header may declare
// any width.
const maxPrefixWidth = 1 << 16

// Signed reports whether a PNG carries a stealth signature, reading only
// what that takes: the IHDR and the first rows of pixel data (the signature
// sits in the first 40 pixels of column 0 in RGB mode, 120 in alpha mode).
// It lets a scan look for stealth metadata in every PNG, with or without
// alpha, and decode the whole image only when a signature is there.
func Signed(r io.ReaderAt, size int64) (bool, error) {
	var hdr [33]byte // signature, IHDR length, type, 13 bytes, CRC
	if size < int64(len(hdr)) {
		return false, fmt.Errorf("too short for a PNG")
	}
	if _, err := r.ReadAt(hdr[:], 0); err != nil {
		return false, err
	}
	if string(hdr[12:16]) != "IHDR" {
		return false, fmt.Errorf("no IHDR")
	}
	w := int(binary.BigEndian.Uint32(hdr[16:20]))
	h := int(binary.BigEndian.Uint32(hdr[20:24]))
	depth, ctype, interlace := hdr[24], hdr[25], hdr[28]
	bpp := map[byte]int{2: 3, 6: 4}[ctype]
	if depth != 8 || bpp == 0 || interlace != 0 || w <= 0 || h <= 0 || w > maxPrefixWidth {
		return false, ErrUnsupported
	}
	// Pixels needed in stealth order (column-major): the alpha signature
	// takes one bit per pixel, the RGB one three.
	need := sigLen * 8 / 3
	if bpp == 4 {
		need = sigLen * 8
	}
	rows := min(h, need)
	cols := min(w, (need+h-1)/h) // more than one column only for short images
	// A zlib reader allocates tens of kilobytes of tables: one per PNG of a
	// corpus adds up, so they are reused.
	src := bufio.NewReaderSize(&idatReader{r: r, size: size, off: 8}, 8<<10)
	var zr io.ReadCloser
	if pooled, ok := inflaters.Get().(io.ReadCloser); ok {
		if err := pooled.(zlib.Resetter).Reset(src, nil); err != nil {
			return false, fmt.Errorf("pixel data: %w", err)
		}
		zr = pooled
	} else {
		var err error
		if zr, err = zlib.NewReader(src); err != nil {
			return false, fmt.Errorf("pixel data: %w", err)
		}
	}
	defer inflaters.Put(zr)
	// Two row buffers (filter byte + pixels) in turn: a row is unfiltered
	// against the one before it.
	stride := w * bpp
	bufs := [2][]byte{make([]byte, stride+1), make([]byte, stride+1)}
	prev := make([]byte, stride) // the zero row above the first
	kept := make([][]byte, cols) // kept[x] holds column x's pixels, row by row
	for y := range rows {
		cur := bufs[y%2]
		if _, err := io.ReadFull(zr, cur); err != nil {
			return false, fmt.Errorf("pixel row %d: %w", y, err)
		}
		// Filters look left and up, never right: the first columns come
		// out right without unfiltering the rest of the row.
		if err := unfilter(cur[0], cur[1:1+cols*bpp], prev[:cols*bpp], bpp); err != nil {
			return false, err
		}
		for x := range cols {
			kept[x] = append(kept[x], cur[1+x*bpp:1+(x+1)*bpp]...)
		}
		prev = cur[1:]
		// Every few rows of a tall image, give up as soon as the bits so
		// far start no signature: most PNGs are settled after 8 rows.
		if cols == 1 && y%8 == 7 && !viable(modeBits(kept, y+1, 1, bpp, true), true, bpp) && !viable(modeBits(kept, y+1, 1, bpp, false), false, bpp) {
			return false, nil
		}
	}
	for _, alpha := range []bool{true, false} {
		bits := modeBits(kept, rows, cols, bpp, alpha)
		if len(bits) >= sigLen*8 && viable(bits[:sigLen*8], alpha, bpp) {
			return true, nil
		}
	}
	return false, nil
}

// modeBits reads the low bits of the kept pixels in stealth order (column by
// column): the alpha channel's, or the R, G and B channels'.
func modeBits(kept [][]byte, rows, cols, bpp int, alpha bool) []byte {
	if alpha && bpp != 4 {
		return nil
	}
	var bits []byte
	for x := range cols {
		for y := range rows {
			px := kept[x][y*bpp : (y+1)*bpp]
			if alpha {
				bits = append(bits, px[3]&1)
			} else {
				bits = append(bits, px[0]&1, px[1]&1, px[2]&1)
			}
		}
	}
	return bits
}

// viable reports whether bits begin a signature of that mode.
func viable(bits []byte, alpha bool, bpp int) bool {
	if alpha && bpp != 4 {
		return false
	}
	bits = bits[:min(len(bits), sigLen*8)]
	for sig, m := range signatures {
		if m.alpha != alpha {
			continue
		}
		match := true
		for i, b := range bits {
			if sig[i/8]>>(7-i%8)&1 != b {
				match = false
				break
			}
		}
		if match {
			return true
		}
	}
	return false
}

// unfilter reverses a PNG row filter in place (PNG spec section 9).
func unfilter(filter byte, row, prev []byte, bpp int) error {
	switch filter {
	case 0:
	case 1:
		for i := bpp; i < len(row); i++ {
			row[i] += row[i-bpp]
		}
	case 2:
		for i := range row {
			row[i] += prev[i]
		}
	case 3:
		for i := range row {
			var left byte
			if i >= bpp {
				left = row[i-bpp]
			}
			row[i] += byte((int(left) + int(prev[i])) / 2)
		}
	case 4:
		for i := range row {
			var a, c byte
			if i >= bpp {
				a, c = row[i-bpp], prev[i-bpp]
			}
			row[i] += paeth(a, prev[i], c)
		}
	default:
		return fmt.Errorf("unknown PNG row filter %d", filter)
	}
	return nil
}

func paeth(a, b, c byte) byte {
	p := int(a) + int(b) - int(c)
	pa, pb, pc := abs(p-int(a)), abs(p-int(b)), abs(p-int(c))
	switch {
	case pa <= pb && pa <= pc:
		return a
	case pb <= pc:
		return b
	}
	return c
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

// idatReader streams the data of consecutive IDAT chunks, skipping the
// chunks before them, reading the file only as far as asked.
type idatReader struct {
	r         io.ReaderAt
	size, off int64
	left      int64 // bytes left in the current IDAT chunk
	inIDAT    bool
}

func (d *idatReader) Read(p []byte) (int, error) {
	for d.left == 0 {
		if d.inIDAT {
			d.off += 4 // the CRC of the IDAT just read
		}
		var h [8]byte
		if d.off+8 > d.size {
			return 0, io.ErrUnexpectedEOF
		}
		if _, err := d.r.ReadAt(h[:], d.off); err != nil {
			return 0, err
		}
		n := int64(binary.BigEndian.Uint32(h[:4]))
		typ := string(h[4:8])
		if n > d.size-d.off-12 {
			return 0, fmt.Errorf("chunk %q at %d: length %d runs past the end", typ, d.off, n)
		}
		switch {
		case typ == "IDAT":
			d.inIDAT, d.left, d.off = true, n, d.off+8
		case d.inIDAT || typ == "IEND":
			return 0, io.EOF // image data is contiguous: a non-IDAT chunk ends it
		default:
			d.off += 12 + n
		}
	}
	if int64(len(p)) > d.left {
		p = p[:d.left]
	}
	k, err := d.r.ReadAt(p, d.off)
	d.off += int64(k)
	d.left -= int64(k)
	if err == io.EOF && k > 0 {
		err = nil
	}
	return k, err
}
