// Package exif reads the EXIF fields that carry AI-generator fingerprints
// (Software, Artist, Make, Model, ImageDescription, DocumentName, UserComment,
// XPComment) with dsoprea/go-exif.
package exif

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"sync"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/aiaudit/aiaudit/detectors/text"

	goexif "github.com/dsoprea/go-exif/v3"
	exifcommon "github.com/dsoprea/go-exif/v3/common"
)

// MaxSize caps the TIFF bytes handed to go-exif.
const MaxSize = 16 << 20

// Fields are the EXIF values aiaudit looks at.
type Fields struct {
	Software, Artist, Make, Model, ImageDescription, DocumentName, UserComment, XPComment string
}

// Parse reads TIFF-structured EXIF bytes (starting at the byte-order mark).
func Parse(tiff []byte) (f Fields, err error) {
	if len(tiff) > MaxSize {
		return f, fmt.Errorf("EXIF block of %d bytes is over the %d-byte cap", len(tiff), MaxSize)
	}
	if len(tiff) < 8 {
		return f, errors.New("EXIF block too short")
	}
	// go-exif panics on some malformed IFDs (it uses panics internally for
	// errors); a hostile file must become this file's error, not a crash.
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("EXIF unreadable: %v", p)
		}
	}()
	tiff = sanitize(tiff)
	eh, err := goexif.ParseExifHeader(tiff)
	if err != nil {
		return f, fmt.Errorf("EXIF unreadable: %w", err)
	}
	idx := indexes.Get().(*index)
	defer indexes.Put(idx)
	ie := goexif.NewIfdEnumerate(idx.mapping, idx.tags, goexif.NewExifReadSeekerWithBytes(tiff), eh.ByteOrder)
	// Only the wanted tags are decoded, from their raw bytes.
	visit := func(e *goexif.IfdTagEntry) error {
		dst := field(&f, e.TagId())
		if dst == nil {
			return nil
		}
		raw, err := e.GetRawBytes()
		if err != nil {
			return nil
		}
		switch e.TagId() {
		case 0x9286:
			// go-exif hands out only the 8-byte character code of a
			// UserComment, so its value is read from the Exif IFD directly.
			if v := exifIFDValue(tiff, eh.ByteOrder, 0x9286); v != nil {
				*dst = DecodeUserComment(v, eh.ByteOrder)
			}
		case 0x9C9C:
			*dst = decodeUTF16(raw, binary.LittleEndian)
		default:
			*dst = strings.TrimRight(text.Latin1(raw), "\x00 ")
		}
		return nil
	}
	// A scan that fails half-way (a link past the end, common in generator
	// output) keeps the fields read before the failure.
	_, err = ie.Scan(exifcommon.IfdStandardIfdIdentity, eh.FirstIfdOffset, visit, nil)
	if err != nil && f == (Fields{}) {
		return f, fmt.Errorf("EXIF unreadable: %w", err)
	}
	return f, nil
}

// index is go-exif's tag and IFD tables. Building them parses YAML (most of
// the cost of a call), so each worker reuses one from a pool.
type index struct {
	mapping *exifcommon.IfdMapping
	tags    *goexif.TagIndex
}

var indexes = sync.Pool{New: func() any {
	m, err := exifcommon.NewIfdMappingWithStandard()
	if err != nil {
		panic(err) // built from go-exif's embedded tables: cannot fail
	}
	return &index{mapping: m, tags: goexif.NewTagIndex()}
}}

// exifIFDValue returns the raw value of tag in the Exif sub-IFD (IFD0 tag
// 0x8769), bounds-checked against the buffer.
func exifIFDValue(tiff []byte, order binary.ByteOrder, tag uint16) []byte {
	entry := func(ifd uint32, want uint16) []byte {
		if int64(ifd)+2 > int64(len(tiff)) {
			return nil
		}
		n := int(order.Uint16(tiff[ifd:]))
		for i := 0; i < n; i++ {
			at := int(ifd) + 2 + i*12
			if at+12 > len(tiff) {
				return nil
			}
			if order.Uint16(tiff[at:]) == want {
				return tiff[at : at+12]
			}
		}
		return nil
	}
	ptr := entry(order.Uint32(tiff[4:]), 0x8769)
	if ptr == nil {
		return nil
	}
	e := entry(order.Uint32(ptr[8:]), tag)
	if e == nil {
		return nil
	}
	count := int64(order.Uint32(e[4:]))
	if count <= 4 {
		return e[8 : 8+count]
	}
	off := int64(order.Uint32(e[8:]))
	if off+count > int64(len(tiff)) {
		return nil
	}
	return tiff[off : off+count]
}

// field maps a tag id to the field it fills.
func field(f *Fields, tag uint16) *string {
	switch tag {
	case 0x0131:
		return &f.Software
	case 0x013B:
		return &f.Artist
	case 0x010F:
		return &f.Make
	case 0x0110:
		return &f.Model
	case 0x010E:
		return &f.ImageDescription
	case 0x010D:
		return &f.DocumentName
	case 0x9286:
		return &f.UserComment
	case 0x9C9C:
		return &f.XPComment
	}
	return nil
}

// DecodeUserComment decodes EXIF UserComment: an 8-byte character-code prefix
// then the text. A1111 writes "UNICODE\0" with UTF-16 through piexif, in big-
// or little-endian depending on the writer, so the order is guessed from the
// text itself when the TIFF order gives nonsense.
func DecodeUserComment(raw []byte, order binary.ByteOrder) string {
	if len(raw) < 8 {
		return strings.TrimRight(string(raw), "\x00 ")
	}
	code, body := string(raw[:8]), raw[8:]
	switch {
	case strings.HasPrefix(code, "UNICODE"):
		if order == nil {
			order = binary.BigEndian
		}
		return decodeUTF16(body, guessOrder(body, order))
	case strings.HasPrefix(code, "ASCII"), code == "\x00\x00\x00\x00\x00\x00\x00\x00":
		return strings.TrimRight(string(body), "\x00 ")
	default:
		if utf8.Valid(raw) {
			return strings.TrimRight(string(raw), "\x00 ")
		}
		return strings.TrimRight(string(body), "\x00 ")
	}
}

// guessOrder picks the UTF-16 byte order under which the text has more
// ASCII-range code units: infotext is mostly ASCII.
func guessOrder(b []byte, def binary.ByteOrder) binary.ByteOrder {
	be, le := 0, 0
	for i := 0; i+1 < len(b) && i < 512; i += 2 {
		if b[i] == 0 && b[i+1] != 0 {
			be++
		}
		if b[i+1] == 0 && b[i] != 0 {
			le++
		}
	}
	switch {
	case be > le:
		return binary.BigEndian
	case le > be:
		return binary.LittleEndian
	}
	return def
}

func decodeUTF16(b []byte, order binary.ByteOrder) string {
	u := make([]uint16, 0, len(b)/2)
	for i := 0; i+1 < len(b); i += 2 {
		u = append(u, order.Uint16(b[i:]))
	}
	return strings.TrimRight(string(utf16.Decode(u)), "\x00 ")
}
