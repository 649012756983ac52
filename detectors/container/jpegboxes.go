package container

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// jpegBoxNames are the markers C2PA's general box hash names in a JPEG, as
// the reference implementation names them; a marker not here cannot be
// named, so the file's box hash cannot be checked.
var jpegBoxNames = func() map[byte]string {
	m := map[byte]string{
		0xD8: "SOI", 0xD9: "EOI", 0xDA: "SOS", 0xDB: "DQT", 0xC4: "DHT", 0xCC: "DAC", 0xDD: "DRI", 0xFE: "COM",
		0xC0: "SOF0", 0xC1: "SOF1", 0xC2: "SOF2",
	}
	for n := range byte(16) {
		m[0xE0+n] = fmt.Sprintf("APP%d", n)
	}
	return m
}()

// JPEGHashBoxes lists a JPEG's segments as C2PA's general box hash names
// them: each marker segment by its marker ("SOI", "APP1", "DQT", "SOF0",
// ...), a scan as "SOS" with its entropy-coded data, and the APP11 segments
// of the manifest store as one "C2PA" box. It reads the whole file (the
// scan data must be walked byte by byte), so it runs only when a box hash
// is checked. Restart markers inside a scan and data after EOI are refused:
// how the reference names those is not settled, and a guess would report a
// mismatch that is not one.
func JPEGHashBoxes(r io.ReaderAt, size int64, lim Limits) ([]HashBox, error) {
	maxBoxes := lim.withDefaults().MaxBoxes
	br := bufio.NewReaderSize(io.NewSectionReader(r, 0, size), 64<<10)
	var boxes []HashBox
	var storeEn []byte // the En of the store's APP11 segments
	off := int64(0)
	afterScan := false // the scan's end consumed the next marker's 0xFF
	for {
		if len(boxes) >= maxBoxes {
			return nil, fmt.Errorf("more than %d JPEG segments", maxBoxes)
		}
		mk := [2]byte{0xFF}
		head := mk[:]
		if afterScan {
			head, afterScan = mk[1:], false
		}
		if _, err := io.ReadFull(br, head); err != nil {
			return nil, fmt.Errorf("JPEG ends at %d before EOI", off)
		}
		if mk[0] != 0xFF {
			return nil, fmt.Errorf("JPEG: no marker at %d", off)
		}
		name, ok := jpegBoxNames[mk[1]]
		switch {
		case !ok:
			return nil, fmt.Errorf("JPEG marker 0x%02X at %d has no box-hash name", mk[1], off)
		case (off == 0) != (mk[1] == 0xD8):
			return nil, fmt.Errorf("JPEG: marker at %d: a file starts with SOI, and only there", off)
		}
		if mk[1] == 0xD8 || mk[1] == 0xD9 {
			boxes = append(boxes, HashBox{Name: name, Offset: off, Length: 2})
			off += 2
			if mk[1] == 0xD9 {
				if off != size {
					return nil, fmt.Errorf("%d bytes after EOI", size-off)
				}
				return boxes, nil
			}
			continue
		}
		var lb [2]byte
		if _, err := io.ReadFull(br, lb[:]); err != nil {
			return nil, fmt.Errorf("JPEG segment %s at %d is cut", name, off)
		}
		n := int64(binary.BigEndian.Uint16(lb[:]))
		if n < 2 {
			return nil, fmt.Errorf("JPEG segment %s at %d declares %d bytes", name, off, n)
		}
		payload := make([]byte, n-2)
		if _, err := io.ReadFull(br, payload); err != nil {
			return nil, fmt.Errorf("JPEG segment %s at %d is cut", name, off)
		}
		box := HashBox{Name: name, Offset: off, Length: n + 2}
		off += n + 2
		switch {
		case mk[1] == 0xEB && len(payload) <= 16:
			continue // too short to be JUMBF: the reference lists no box for it
		case mk[1] == 0xEB && storeEn != nil && bytes.Equal(payload[2:4], storeEn):
			last := &boxes[len(boxes)-1]
			if last.Name != "C2PA" || last.Offset+last.Length != box.Offset {
				return nil, fmt.Errorf("the manifest store's APP11 segments at %d are not contiguous", box.Offset)
			}
			last.Length += box.Length
			continue
		case mk[1] == 0xEB && len(payload) >= 28 && string(payload[24:28]) == "c2pa":
			box.Name, storeEn = "C2PA", bytes.Clone(payload[2:4])
		case mk[1] == 0xDA:
			scan, err := entropyLength(br)
			if err != nil {
				return nil, fmt.Errorf("JPEG scan at %d: %w", box.Offset, err)
			}
			box.Length += scan
			off += scan
			afterScan = true
		}
		boxes = append(boxes, box)
	}
}

// entropyLength reads a scan's entropy-coded data up to the next marker
// (0xFF followed by a byte that is neither a stuffed 0x00 nor a restart
// marker), consuming that marker's 0xFF.
func entropyLength(br *bufio.Reader) (int64, error) {
	var n int64
	for {
		b, err := br.ReadByte()
		if err != nil {
			return 0, errors.New("the scan data runs to the end of the file")
		}
		if b != 0xFF {
			n++
			continue
		}
		next, err := br.Peek(1)
		if err != nil {
			return 0, errors.New("the scan data runs to the end of the file")
		}
		switch {
		case next[0] == 0x00:
			br.ReadByte()
			n += 2
		case next[0] >= 0xD0 && next[0] <= 0xD7:
			return 0, errors.New("restart markers in the scan data")
		default:
			return n, nil
		}
	}
}
