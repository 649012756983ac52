package sniff

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestSniff(t *testing.T) {
	for name, c := range map[string]struct {
		head      string
		mediaType string
		kind      string
	}{
		"jpeg":       {"\xFF\xD8\xFF\xE0", "image/jpeg", "image"},
		"png":        {"\x89PNG\r\n\x1a\n....", "image/png", "image"},
		"webp":       {"RIFF\x00\x00\x00\x00WEBPVP8 ", "image/webp", "image"},
		"wav":        {"RIFF\x00\x00\x00\x00WAVEfmt ", "audio/wav", "audio"},
		"gif":        {"GIF89a", "image/gif", "image"},
		"tiff le":    {"II*\x00", "image/tiff", "image"},
		"tiff be":    {"MM\x00*", "image/tiff", "image"},
		"pdf":        {"%PDF-1.7", "application/pdf", "document"},
		"c2pa":       {"\x00\x00\x01\x00jumb\x00\x00", "application/c2pa", "other"},
		"heic":       {"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic", "image/heic", "image"},
		"avif":       {"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1", "image/avif", "image"},
		"mov":        {"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00", "video/quicktime", "video"},
		"m4a":        {"\x00\x00\x00\x18ftypM4A \x00\x00\x00\x00isom", "audio/mp4", "audio"},
		"mp4 compat": {"\x00\x00\x00\x18ftypXXXX\x00\x00\x00\x00mp42", "video/mp4", "video"},
		"xmp":        {"\xEF\xBB\xBF\n <?xpacket begin", "application/rdf+xml", "other"},
		"xmp decl":   {"<?xml version='1.0'?><x:xmpmeta", "application/rdf+xml", "other"},
		"text":       {"hello", "application/octet-stream", "other"},
		"empty":      {"", "application/octet-stream", "other"},
		"short ftyp": {"\x00\x00\x00\x08ftyp", "application/octet-stream", "other"},
		"jxl box":    {"\x00\x00\x00\x0CJXL \x0D\x0A\x87\x0A\x00\x00\x00\x14ftypjxl ", "image/jxl", "image"},
		"jxl code":   {"\xFF\x0A\xFA", "image/jxl", "image"},
		"mp3 id3":    {"ID3\x04\x00\x00\x00\x00\x00\x00", "audio/mpeg", "audio"},
		"mp3 frame":  {"\xFF\xFB\x90\x64", "audio/mpeg", "audio"},
		"adts aac":   {"\xFF\xF1\x50\x80", "application/octet-stream", "other"},
		"flac":       {"fLaC\x00\x00\x00\x22", "audio/flac", "audio"},
		"otf":        {"OTTO\x00\x0A\x00\x80\x00\x03\x00\x20CFF ", "font/otf", "other"},
		"true text":  {"true, said the log file", "application/octet-stream", "other"},
		"ttf":        {"\x00\x01\x00\x00\x00\x0A\x00\x80\x00\x03\x00\x20C2PA", "font/ttf", "other"},
		"not ttf":    {"\x00\x01\x00\x00\x00\x00\x00\x80\x00\x03\x00\x20C2PA", "application/octet-stream", "other"},
		"svg":        {"<svg xmlns='http://www.w3.org/2000/svg'/>", "image/svg+xml", "image"},
		"svg prolog": {"\xEF\xBB\xBF<?xml version='1.0'?>\n<!-- made by hand -->\n<!DOCTYPE svg [<!ENTITY a 'b'>]>\n<svg>", "image/svg+xml", "image"},
		// An SVG whose XMP packet sits in its first bytes is still an SVG.
		"svg xmp": {"<?xml version='1.0'?><svg><metadata><?xpacket begin=''?><x:xmpmeta/>", "image/svg+xml", "image"},
		"svgz":    {"<svgfoo/>", "application/octet-stream", "other"},
		"html":    {"<!DOCTYPE html><html><svg>", "application/octet-stream", "other"},
	} {
		mt, k := Sniff([]byte(c.head))
		assert.Equal(t, c.mediaType, mt, name)
		assert.Equal(t, c.kind, k, name)
	}
}

func FuzzSniff(f *testing.F) {
	f.Add([]byte("\x00\x00\x00\x18ftypheic"))
	f.Add([]byte("RIFF\x00\x00\x00\x00WEBP"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if mt, k := Sniff(b); mt == "" || k == "" {
			t.Fatal("empty answer")
		}
	})
}
