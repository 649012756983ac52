package container

import (
	"bytes"
	"fmt"

	"github.com/aiaudit/aiaudit/detectors/text"
)

// gif walks GIF blocks. GIFs are scanned from memory (up to MaxScan): their
// sub-block framing has to be followed byte by byte anyway. It names the
// blocks for C2PA's general box hash as the reference implementation does:
// "GIF89a" the header, "LSD" the screen descriptor with the global colour
// table, "2C" an image descriptor with its local colour table, "TBID" the
// image data, "21F9", "2101", "21FE", "21FF" the extensions ("C2PA" the one
// holding the store), "3B" the trailer. A GIF not read to its trailer, or
// with bytes after it, has no box names: a partial list would read as boxes
// missing, and bytes outside every box would go unbound.
func (s *src) gif() error {
	b, err := s.scanAll("GIF")
	if err != nil {
		return err
	}
	if len(b) < 13 {
		return fmt.Errorf("GIF header truncated")
	}
	off := 13
	if b[10]&0x80 != 0 {
		off += 3 << (int(b[10]&7) + 1)
	}
	boxes := []HashBox{{Name: "GIF89a", Length: 6}, {Name: "LSD", Offset: 6, Length: int64(off - 6)}}
	named := func(name string, from, to int) {
		boxes = append(boxes, HashBox{Name: name, Offset: int64(from), Length: int64(to - from)})
	}
	for off < len(b) {
		if err := s.tick(); err != nil {
			return err
		}
		switch b[off] {
		case 0x3B: // trailer
			named("3B", off, off+1)
			switch {
			case int64(off+1) < s.size:
				// Bytes no box covers: a box hash could not bind them.
				s.problem("GIF: %d bytes after the trailer", s.size-int64(off+1))
			case int64(len(b)) == s.size:
				s.b.HashBoxes = boxes
			}
			return nil
		case 0x2C: // image descriptor, optional local colour table, LZW data
			if off+10 > len(b) {
				return fmt.Errorf("GIF image descriptor at %d truncated", off)
			}
			desc := off
			flags := b[off+9]
			off += 10
			if flags&0x80 != 0 {
				off += 3 << (int(flags&7) + 1)
			}
			named("2C", desc, min(off, len(b)))
			data := off
			off++ // LZW minimum code size
			_, next, err := subBlocks(b, off, 0)
			if err != nil {
				return err
			}
			named("TBID", data, next)
			off = next
		case 0x21:
			if off+2 > len(b) {
				return fmt.Errorf("GIF extension at %d truncated", off)
			}
			ext := off
			label := b[off+1]
			start := off + 2
			if label == 0xFF && start+12 <= len(b) && b[start] == 11 {
				ident := string(b[start+1 : start+12])
				next, err := s.gifApp(b, ident, start+12, off)
				if err != nil {
					return err
				}
				name := "21FF"
				if ident == gifC2PA {
					name = "C2PA"
				}
				named(name, ext, next)
				off = next
				continue
			}
			data, next, err := subBlocks(b, start, s.lim.MaxText)
			if err != nil {
				return err
			}
			if label == 0xFE {
				s.b.Text = append(s.b.Text, TextEntry{Key: "Comment", Value: text.Latin1(data), Chunk: "gif-comment"})
			}
			named(fmt.Sprintf("21%02X", label), ext, next)
			off = next
		default:
			return fmt.Errorf("GIF: unknown block 0x%02X at %d", b[off], off)
		}
	}
	return fmt.Errorf("GIF has no trailer (file truncated)")
}

// gifC2PA is the identifier and authentication code of the application
// extension holding a C2PA store (C2PA A.3.5).
const gifC2PA = "C2PA_GIF\x01\x00\x00"

// gifApp reads an application extension: C2PA_GIF carries a JUMBF store in
// ordinary sub-blocks; "XMP DataXMP" stores the packet raw, followed by a
// 258-byte "magic trailer" that makes it parse as sub-blocks.
func (s *src) gifApp(b []byte, ident string, data, blockOff int) (int, error) {
	switch ident {
	case "XMP DataXMP":
		end := bytes.Index(b[data:], []byte("<?xpacket end"))
		if end >= 0 {
			if close := bytes.Index(b[data+end:], []byte("?>")); close >= 0 {
				s.b.XMP = append(s.b.XMP, Block{Data: b[data : data+end+close+2], Where: fmt.Sprintf("GIF XMP extension at %d", blockOff), Offset: int64(blockOff)})
			}
		}
		_, next, err := subBlocks(b, data, 0)
		return next, err
	case gifC2PA:
		payload, next, err := subBlocks(b, data, s.lim.MaxBlock)
		if err == nil {
			s.b.JUMBF = append(s.b.JUMBF, Block{Data: payload, Where: fmt.Sprintf("GIF C2PA_GIF extension at %d", blockOff), Offset: int64(blockOff)})
		}
		return next, err
	}
	_, next, err := subBlocks(b, data, 0)
	return next, err
}

// subBlocks follows length-prefixed sub-blocks to the zero terminator,
// collecting up to keep bytes (0: collect nothing).
func subBlocks(b []byte, off int, keep int64) ([]byte, int, error) {
	var out []byte
	for {
		if off >= len(b) {
			return out, off, fmt.Errorf("GIF sub-blocks run past the end of the file (truncated)")
		}
		n := int(b[off])
		off++
		if n == 0 {
			return out, off, nil
		}
		if off+n > len(b) {
			return out, off, fmt.Errorf("GIF sub-block at %d declares %d bytes past the end (truncated)", off-1, n)
		}
		if keep > 0 && int64(len(out)+n) <= keep {
			out = append(out, b[off:off+n]...)
		}
		off += n
	}
}
