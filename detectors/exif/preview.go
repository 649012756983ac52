package exif

import (
	"encoding/binary"
	"math"
)

// MaxPreview caps the embedded preview handed out: an EXIF thumbnail sits
// inside its 64 KiB APP1 segment.
const MaxPreview = 64 << 10

// Preview returns the JPEG thumbnail that IFD1 points at (tags 0x0201
// JPEGInterchangeFormat and 0x0202 its length) in TIFF-structured EXIF
// bytes, as a slice of tiff, or nil when there is none or its pointers leave
// the buffer. Cameras and phones write one of about 160×120 pixels. The
// bytes are only what the file claims: whoever decodes them must expect
// anything, including a picture other than the image's.
func Preview(tiff []byte) []byte {
	if len(tiff) < 8 || len(tiff) > MaxSize {
		return nil
	}
	var order binary.ByteOrder
	switch string(tiff[:2]) {
	case "II":
		order = binary.LittleEndian
	case "MM":
		order = binary.BigEndian
	default:
		return nil
	}
	ifd0 := int64(order.Uint32(tiff[4:]))
	if ifd0+2 > int64(len(tiff)) {
		return nil
	}
	next := ifd0 + 2 + 12*int64(order.Uint16(tiff[ifd0:])) // IFD0's link to IFD1
	if next+4 > int64(len(tiff)) {
		return nil
	}
	ifd1 := order.Uint32(tiff[next:])
	if ifd1 == 0 {
		return nil
	}
	off, okOff := longValue(ifdEntry(tiff, order, ifd1, 0x0201), order)
	n, okLen := longValue(ifdEntry(tiff, order, ifd1, 0x0202), order)
	if !okOff || !okLen || n < 2 || n > MaxPreview || int64(off)+int64(n) > int64(len(tiff)) {
		return nil
	}
	b := tiff[off : off+n]
	if b[0] != 0xFF || b[1] != 0xD8 { // no JPEG start of image
		return nil
	}
	return b
}

// longValue reads a single SHORT or LONG entry's value.
func longValue(e []byte, order binary.ByteOrder) (uint32, bool) {
	if e == nil || order.Uint32(e[4:]) != 1 {
		return 0, false
	}
	switch order.Uint16(e[2:]) {
	case 3: // SHORT
		return uint32(order.Uint16(e[8:])), true
	case 4: // LONG
		v := order.Uint32(e[8:])
		return v, v <= math.MaxInt32
	}
	return 0, false
}
