// Package sniff names a file's media type from its first bytes. Extensions lie
// (a .jpg that is a WebP, a CDN that re-encodes): detectors pick their parser
// from the bytes.
package sniff

import (
	"bytes"
	"encoding/binary"
)

// HeadSize is how many leading bytes Sniff needs at most.
const HeadSize = 512

// magic is one signature: bytes at an offset.
type magic struct {
	offset    int
	sig       string
	mediaType string
	kind      string
}

// magics is checked in order; BMFF brands and RIFF forms are handled apart.
var magics = []magic{
	{0, "\xFF\xD8\xFF", "image/jpeg", "image"},
	{0, "\x89PNG\r\n\x1a\n", "image/png", "image"},
	{0, "GIF87a", "image/gif", "image"},
	{0, "GIF89a", "image/gif", "image"},
	{0, "II*\x00", "image/tiff", "image"},
	{0, "MM\x00*", "image/tiff", "image"},
	{0, "%PDF-", "application/pdf", "document"},
	{4, "jumb", "application/c2pa", "other"},
	{0, "ID3", "audio/mpeg", "audio"},
	{0, "fLaC", "audio/flac", "audio"},
	{0, "\x00\x00\x01\xBA", "video/mpeg", "video"},
	{0, "\x1A\x45\xDF\xA3", "video/webm", "video"},
	{0, "\xFF\x0A", "image/jxl", "image"},                             // JPEG XL codestream
	{0, "\x00\x00\x00\x0CJXL \x0D\x0A\x87\x0A", "image/jxl", "image"}, // JPEG XL container (ISO/IEC 18181-2)
	{0, "ttcf", "font/collection", "other"},
	{0, "wOFF", "font/woff", "other"},
	{0, "wOF2", "font/woff2", "other"},
}

// riffForms maps the RIFF form type (bytes 8..12) to a media type.
var riffForms = map[string][2]string{
	"WEBP": {"image/webp", "image"},
	"WAVE": {"audio/wav", "audio"},
	"AVI ": {"video/x-msvideo", "video"},
}

// brands maps ISO BMFF ftyp brands to a media type; the major brand is tried
// first, then the compatible brands.
var brands = map[string][2]string{
	"heic": {"image/heic", "image"}, "heix": {"image/heic", "image"}, "heim": {"image/heic", "image"},
	"heis": {"image/heic", "image"}, "mif1": {"image/heif", "image"}, "msf1": {"image/heif", "image"},
	"avif": {"image/avif", "image"}, "avis": {"image/avif", "image"},
	"qt  ": {"video/quicktime", "video"},
	"M4A ": {"audio/mp4", "audio"}, "M4B ": {"audio/mp4", "audio"},
	"isom": {"video/mp4", "video"}, "iso2": {"video/mp4", "video"}, "iso4": {"video/mp4", "video"},
	"iso5": {"video/mp4", "video"}, "iso6": {"video/mp4", "video"}, "mp41": {"video/mp4", "video"},
	"mp42": {"video/mp4", "video"}, "avc1": {"video/mp4", "video"}, "dash": {"video/mp4", "video"},
	"M4V ": {"video/mp4", "video"}, "3gp4": {"video/3gpp", "video"}, "3gp5": {"video/3gpp", "video"},
	"jxl ": {"image/jxl", "image"},
}

// Sniff returns the media type and kind (image, video, audio, document, other)
// of a file from its first bytes (HeadSize is enough).
func Sniff(head []byte) (mediaType, kind string) {
	for _, m := range magics {
		if len(head) >= m.offset+len(m.sig) && string(head[m.offset:m.offset+len(m.sig)]) == m.sig {
			return m.mediaType, m.kind
		}
	}
	if len(head) >= 12 && string(head[:4]) == "RIFF" {
		if f, ok := riffForms[string(head[8:12])]; ok {
			return f[0], f[1]
		}
	}
	if mt, k, ok := bmff(head); ok {
		return mt, k
	}
	if mt, ok := sfnt(head); ok {
		return mt, "other"
	}
	if isMP3Frame(head) {
		return "audio/mpeg", "audio"
	}
	// Before XMP: an SVG may carry an XMP packet in its first bytes.
	if isSVG(head) {
		return "image/svg+xml", "image"
	}
	if isXMP(head) {
		return "application/rdf+xml", "other"
	}
	return "application/octet-stream", "other"
}

func bmff(head []byte) (string, string, bool) {
	if len(head) < 16 || string(head[4:8]) != "ftyp" {
		return "", "", false
	}
	size := int(binary.BigEndian.Uint32(head))
	if size < 16 || size > len(head) {
		size = len(head)
	}
	if b, ok := brands[string(head[8:12])]; ok {
		return b[0], b[1], true
	}
	for off := 16; off+4 <= size; off += 4 {
		if b, ok := brands[string(head[off:off+4])]; ok {
			return b[0], b[1], true
		}
	}
	return "video/mp4", "video", true
}

// isXMP recognises an XMP sidecar: an xpacket or an x:xmpmeta root, after an
// optional BOM, white space and XML declaration.
func isXMP(head []byte) bool {
	h := bytes.TrimPrefix(head, []byte("\xEF\xBB\xBF"))
	h = bytes.TrimLeft(h, " \t\r\n")
	if bytes.HasPrefix(h, []byte("<?xpacket")) || bytes.HasPrefix(h, []byte("<x:xmpmeta")) {
		return true
	}
	if bytes.HasPrefix(h, []byte("<?xml")) {
		return bytes.Contains(h, []byte("<x:xmpmeta")) || bytes.Contains(h, []byte("<?xpacket"))
	}
	return false
}

// sfnt recognises an OpenType or TrueType font (the sfnt table directory).
// Its versions (0x00010000, "true", "OTTO") are four bytes another file may
// well start with, so the table count and the first table tag must look like
// a font's too.
func sfnt(head []byte) (string, bool) {
	if len(head) < 16 {
		return "", false
	}
	mt := "font/ttf"
	switch string(head[:4]) {
	case "\x00\x01\x00\x00", "true":
	case "OTTO":
		mt = "font/otf"
	default:
		return "", false
	}
	if n := binary.BigEndian.Uint16(head[4:]); n == 0 || n > 512 {
		return "", false
	}
	for _, c := range head[12:16] {
		if c < 0x20 || c > 0x7E {
			return "", false
		}
	}
	return mt, true
}

// isMP3Frame recognises an MPEG audio frame header with no ID3 tag before
// it: 11 sync bits, then a valid version, layer, bit rate and sample rate
// (ADTS AAC shares the sync bits but has layer 0).
func isMP3Frame(head []byte) bool {
	if len(head) < 4 || head[0] != 0xFF || head[1]&0xE0 != 0xE0 {
		return false
	}
	version, layer := head[1]>>3&3, head[1]>>1&3
	bitrate, rate := head[2]>>4, head[2]>>2&3
	return version != 1 && layer != 0 && bitrate != 0 && bitrate != 15 && rate != 3
}

// isSVG recognises an SVG document: its root element, after the prolog (BOM,
// white space, XML declaration, processing instructions, comments, DOCTYPE),
// is svg.
func isSVG(head []byte) bool {
	h := bytes.TrimPrefix(head, []byte("\xEF\xBB\xBF"))
	for {
		h = bytes.TrimLeft(h, " \t\r\n")
		var end []byte
		switch {
		case bytes.HasPrefix(h, []byte("<?")):
			end = []byte("?>")
		case bytes.HasPrefix(h, []byte("<!--")):
			end = []byte("-->")
		case bytes.HasPrefix(h, []byte("<!DOCTYPE")):
			end = []byte(">")
			if lt, sq := bytes.IndexByte(h, '>'), bytes.IndexByte(h, '['); sq >= 0 && sq < lt {
				end = []byte("]>") // an internal subset holds '>' of its own
			}
		default:
			if !bytes.HasPrefix(h, []byte("<svg")) || len(h) < 5 {
				return false
			}
			c := h[4]
			return c == ' ' || c == '>' || c == '/' || c == '\t' || c == '\r' || c == '\n'
		}
		i := bytes.Index(h, end)
		if i < 0 {
			return false
		}
		h = h[i+len(end):]
	}
}
