package container

import (
	"bytes"
	"encoding/binary"
	"fmt"
)

// riff walks the top-level chunks of a RIFF file (WebP, WAV, AVI): little-endian
// sizes, each chunk padded to an even length.
func (s *src) riff() error {
	end := s.size
	if h, _ := s.small(4, 4); len(h) == 4 {
		if declared := int64(binary.LittleEndian.Uint32(h)) + 8; declared < end {
			end = declared
		} else if declared > end {
			s.problem("RIFF declares %d bytes, the file has %d (truncated)", declared, s.size)
		}
	}
	off := int64(12)
	for off+8 <= end {
		if err := s.tick(); err != nil {
			return err
		}
		h, err := s.small(off, 8)
		if err != nil {
			return err
		}
		id := string(h[:4])
		n := int64(binary.LittleEndian.Uint32(h[4:]))
		dataOff := off + 8
		if dataOff+n > s.size {
			return fmt.Errorf("RIFF chunk %q at %d declares %d bytes, only %d present (file truncated)", id, off, n, s.size-dataOff)
		}
		switch id {
		case "EXIF", "XMP ", "C2PA":
			data, err := s.read(dataOff, n, "RIFF "+id+" chunk")
			if err != nil {
				s.problem("%v", err)
				break
			}
			where := fmt.Sprintf("RIFF %s chunk at %d", id, off)
			switch id {
			case "EXIF":
				// Some writers keep the JPEG "Exif\0\0" prefix.
				data = bytes.TrimPrefix(data, exifPrefix)
				s.b.EXIF = append(s.b.EXIF, Block{Data: data, Where: where, Offset: off})
			case "XMP ":
				s.b.XMP = append(s.b.XMP, Block{Data: data, Where: where, Offset: off})
			case "C2PA":
				s.b.JUMBF = append(s.b.JUMBF, Block{Data: data, Where: where, Offset: off})
			}
		}
		off = dataOff + n + n&1
	}
	return nil
}
