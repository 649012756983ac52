package container

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"fmt"
	"io"

	"github.com/aiaudit/aiaudit/detectors/text"
)

// pngWanted are the chunks whose data is read; all others (IDAT above all)
// are skipped by offset.
var pngWanted = map[string]bool{"IHDR": true, "tEXt": true, "zTXt": true, "iTXt": true, "eXIf": true, "caBX": true}

func (s *src) png() error {
	// C2PA's general box hash names the signature "PNGh", each chunk by its
	// type, and the caBX chunk holding the store "C2PA" (as the reference
	// implementation does).
	s.b.HashBoxes = append(s.b.HashBoxes, HashBox{Name: "PNGh", Length: 8})
	off := int64(8)
	for off+8 <= s.size {
		if err := s.tick(); err != nil {
			return err
		}
		h, err := s.small(off, 8)
		if err != nil {
			return err
		}
		n := int64(binary.BigEndian.Uint32(h))
		typ := string(h[4:8])
		if n > 1<<31-1 {
			return fmt.Errorf("PNG chunk %q at %d declares %d bytes (over 2^31-1)", typ, off, n)
		}
		dataOff := off + 8
		if dataOff+n > s.size {
			return fmt.Errorf("PNG chunk %q at %d declares %d bytes, only %d present (file truncated)", typ, off, n, s.size-dataOff)
		}
		name := typ
		if typ == "caBX" {
			name = "C2PA"
		}
		s.b.HashBoxes = append(s.b.HashBoxes, HashBox{Name: name, Offset: off, Length: min(n+12, s.size-off)})
		if pngWanted[typ] {
			data, err := s.read(dataOff, n, "PNG "+typ+" chunk")
			if err != nil {
				s.problem("%v", err)
			} else {
				s.pngChunk(typ, data, off)
			}
		}
		if typ == "IEND" {
			if dataOff+n+4 < s.size {
				s.b.HashBoxes = nil // bytes after IEND: no box would bind them
			}
			return nil
		}
		off = dataOff + n + 4 // data + CRC
	}
	if off < s.size || s.b.PNG == nil {
		return fmt.Errorf("PNG ends inside a chunk header at %d (file truncated)", off)
	}
	return fmt.Errorf("PNG has no IEND chunk (file truncated)")
}

func (s *src) pngChunk(typ string, data []byte, off int64) {
	switch typ {
	case "IHDR":
		if len(data) >= 13 {
			s.b.PNG = &PNGHeader{
				Width: binary.BigEndian.Uint32(data), Height: binary.BigEndian.Uint32(data[4:]),
				BitDepth: data[8], ColorType: data[9], Interlace: data[12],
			}
		}
	case "eXIf":
		s.b.EXIF = append(s.b.EXIF, Block{Data: data, Where: fmt.Sprintf("PNG eXIf chunk at %d", off), Offset: off})
	case "caBX":
		s.b.JUMBF = append(s.b.JUMBF, Block{Data: data, Where: fmt.Sprintf("PNG caBX chunk at %d", off), Offset: off})
	case "tEXt":
		key, val, ok := bytes.Cut(data, []byte{0})
		if !ok {
			s.problem("PNG tEXt chunk at %d has no keyword separator", off)
			return
		}
		s.b.Text = append(s.b.Text, TextEntry{Key: text.Latin1(key), Value: text.Latin1(val), Chunk: "tEXt"})
	case "zTXt":
		key, rest, ok := bytes.Cut(data, []byte{0})
		if !ok || len(rest) < 1 {
			s.problem("PNG zTXt chunk at %d is malformed", off)
			return
		}
		val, err := inflate(rest[1:], s.lim.MaxText)
		if err != nil {
			s.problem("PNG zTXt %q at %d: %v", text.Latin1(key), off, err)
			return
		}
		s.b.Text = append(s.b.Text, TextEntry{Key: text.Latin1(key), Value: text.Latin1(val), Chunk: "zTXt"})
	case "iTXt":
		s.pngITXt(data, off)
	}
}

// pngITXt: keyword NUL, compression flag, method, language NUL, translated
// keyword NUL, UTF-8 text. XMP lives here under "XML:com.adobe.xmp".
func (s *src) pngITXt(data []byte, off int64) {
	key, rest, ok := bytes.Cut(data, []byte{0})
	if !ok || len(rest) < 2 {
		s.problem("PNG iTXt chunk at %d is malformed", off)
		return
	}
	compressed := rest[0] == 1
	rest = rest[2:]
	if _, rest, ok = bytes.Cut(rest, []byte{0}); !ok {
		s.problem("PNG iTXt chunk at %d is malformed", off)
		return
	}
	if _, rest, ok = bytes.Cut(rest, []byte{0}); !ok {
		s.problem("PNG iTXt chunk at %d is malformed", off)
		return
	}
	text := rest
	if compressed {
		var err error
		if text, err = inflate(rest, s.lim.MaxText); err != nil {
			s.problem("PNG iTXt %q at %d: %v", key, off, err)
			return
		}
	}
	if string(key) == "XML:com.adobe.xmp" {
		s.b.XMP = append(s.b.XMP, Block{Data: text, Where: fmt.Sprintf("PNG iTXt XMP at %d", off), Offset: off})
		return
	}
	s.b.Text = append(s.b.Text, TextEntry{Key: string(key), Value: string(text), Chunk: "iTXt"})
}

// inflate decompresses zlib data, refusing to grow past limit: a few KB of
// compressed text can expand to gigabytes.
func inflate(b []byte, limit int64) ([]byte, error) {
	zr, err := zlib.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("not zlib data: %w", err)
	}
	defer zr.Close()
	out, err := io.ReadAll(io.LimitReader(zr, limit+1))
	if err != nil {
		return nil, fmt.Errorf("corrupt compressed data: %w", err)
	}
	if int64(len(out)) > limit {
		return nil, fmt.Errorf("decompresses beyond the %d-byte cap (a decompression bomb?): skipped", limit)
	}
	return out, nil
}
