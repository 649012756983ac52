package container

import (
	"encoding/binary"
	"fmt"
)

const (
	tagXMP  = 700    // XMP packet, type BYTE or UNDEFINED
	tagC2PA = 0xCD41 // C2PA manifest store (C2PA A.3.8)
)

// tiff walks the IFD chain for the XMP and C2PA tags, and hands the whole file
// to the EXIF reader when it fits the cap (EXIF offsets point anywhere in it).
func (s *src) tiff() error {
	h, err := s.small(0, 8)
	if err != nil {
		return err
	}
	if len(h) < 8 {
		return fmt.Errorf("TIFF header truncated")
	}
	var bo binary.ByteOrder = binary.LittleEndian
	if h[0] == 'M' {
		bo = binary.BigEndian
	}
	if s.size <= s.lim.MaxBlock {
		if data, err := s.read(0, s.size, "TIFF"); err == nil {
			s.b.EXIF = append(s.b.EXIF, Block{Data: data, Where: "TIFF IFDs"})
		}
	} else {
		s.problem("TIFF larger than %d bytes: EXIF not read", s.lim.MaxBlock)
	}
	seen := map[uint32]bool{}
	next := bo.Uint32(h[4:])
	for ifd := 0; next != 0; ifd++ {
		if seen[next] || ifd >= 64 {
			return fmt.Errorf("TIFF IFD chain loops or is too long at offset %d", next)
		}
		seen[next] = true
		cnt, err := s.small(int64(next), 2)
		if err != nil {
			return err
		}
		if len(cnt) < 2 {
			return fmt.Errorf("TIFF IFD at %d truncated", next)
		}
		n := int64(bo.Uint16(cnt))
		entries, err := s.small(int64(next)+2, int(n*12+4))
		if err != nil {
			return err
		}
		if int64(len(entries)) < n*12+4 {
			return fmt.Errorf("TIFF IFD at %d declares %d entries, file truncated", next, n)
		}
		for i := int64(0); i < n; i++ {
			if err := s.tick(); err != nil {
				return err
			}
			e := entries[i*12:]
			tag := bo.Uint16(e)
			if tag != tagXMP && tag != tagC2PA {
				continue
			}
			count := int64(bo.Uint32(e[4:]))
			var data []byte
			if count <= 4 {
				data = append([]byte{}, e[8:8+count]...)
			} else {
				var err error
				if data, err = s.read(int64(bo.Uint32(e[8:])), count, fmt.Sprintf("TIFF tag %d", tag)); err != nil {
					s.problem("%v", err)
					continue
				}
			}
			where := fmt.Sprintf("TIFF IFD%d tag %d", ifd, tag)
			if tag == tagXMP {
				s.b.XMP = append(s.b.XMP, Block{Data: data, Where: where})
			} else {
				s.b.JUMBF = append(s.b.JUMBF, Block{Data: data, Where: where})
			}
		}
		next = bo.Uint32(entries[n*12:])
	}
	return nil
}
