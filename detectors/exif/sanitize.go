package exif

import "encoding/binary"

// typeSize is the byte size of one unit of each TIFF field type.
var typeSize = map[uint16]uint64{1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4}

// subIFDs are the tags whose value points to another IFD.
var subIFDs = map[uint16]bool{0x8769: true, 0x8825: true, 0xA005: true, 0x014A: true}

// sanitize returns a copy of tiff in which every IFD entry whose value would
// lie outside the buffer is emptied (count 0), IFD links that loop are cut,
// and entry counts are clamped to what fits. go-exif
// allocates count*size before checking it against the data, so a 24-byte file
// can make it ask for gigabytes; after this pass every allocation it makes is
// bounded by len(tiff).
func sanitize(tiff []byte) []byte {
	b := append([]byte(nil), tiff...)
	if len(b) < 8 {
		return b
	}
	var bo binary.ByteOrder = binary.LittleEndian
	if b[0] == 'M' {
		bo = binary.BigEndian
	}
	size := uint64(len(b))
	seen := map[uint32]bool{}
	var walk func(ifdAt uint32, linkAt int, depth int)
	walk = func(ifdAt uint32, linkAt int, depth int) {
		for hops := 0; ifdAt != 0; hops++ {
			if uint64(ifdAt)+2 > size {
				// Out of bounds: go-exif fails cleanly on it, and writers that
				// omit the link put value data here, which must stay intact.
				return
			}
			if seen[ifdAt] || depth > 4 || hops > 16 {
				bo.PutUint32(b[linkAt:], 0) // a loop: cut it
				return
			}
			seen[ifdAt] = true
			n := uint64(bo.Uint16(b[ifdAt:]))
			if fit := (size - uint64(ifdAt) - 2) / 12; n > fit {
				n = fit
				bo.PutUint16(b[ifdAt:], uint16(n))
			}
			for i := uint64(0); i < n; i++ {
				e := int(uint64(ifdAt) + 2 + i*12)
				tag, typ := bo.Uint16(b[e:]), bo.Uint16(b[e+2:])
				count := uint64(bo.Uint32(b[e+4:]))
				unit, known := typeSize[typ]
				total := count * unit
				switch {
				case !known:
					bo.PutUint32(b[e+4:], 0)
				case total > 4 && (uint64(bo.Uint32(b[e+8:]))+total > size):
					bo.PutUint32(b[e+4:], 0)
				case subIFDs[tag] && total >= 4:
					walk(bo.Uint32(b[e+8:]), e+8, depth+1)
				}
			}
			linkAt = int(uint64(ifdAt) + 2 + n*12)
			if uint64(linkAt)+4 > size {
				return // go-exif stops with EOF here, after reading the entries
			}
			ifdAt = bo.Uint32(b[linkAt:])
		}
	}
	walk(bo.Uint32(b[4:]), 4, 0)
	return b
}
