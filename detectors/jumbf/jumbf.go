// Package jumbf walks JUMBF boxes (ISO/IEC 19566-5), the container format of
// C2PA manifest stores. It is written by hand because no maintained Go library
// reads it; every length is checked against the bytes present before use.
package jumbf

import (
	"encoding/binary"
	"fmt"
	"strings"
)

const (
	maxDepth = 32
	maxBoxes = 10_000
)

// Box is one JUMBF box. Superboxes (type "jumb") have a description (TypeUUID,
// Label) and Children; content boxes (cbor, json, bidb, ...) have a Payload.
type Box struct {
	Type     string
	TypeUUID [16]byte
	Toggles  byte
	Label    string
	Children []*Box
	Payload  []byte
	// Body is everything after the box header (for a superbox: its
	// description and children), the bytes C2PA hashes to refer to a box.
	Body   []byte
	Offset int
}

// TypeCode is the ASCII role code that C2PA puts in the first four bytes of a
// superbox's type UUID: "c2pa", "c2ma", "c2as", "c2cl", "c2cs", "cbor", ...
func (b *Box) TypeCode() string { return string(b.TypeUUID[:4]) }

// Child returns the first child superbox whose label is label.
func (b *Box) Child(label string) *Box {
	for _, c := range b.Children {
		if c.Label == label {
			return c
		}
	}
	return nil
}

// ChildByCode returns the first child superbox whose type code is code.
func (b *Box) ChildByCode(code string) *Box {
	for _, c := range b.Children {
		if c.Type == "jumb" && c.TypeCode() == code {
			return c
		}
	}
	return nil
}

// Content returns the first content (non-superbox) child of type typ.
func (b *Box) Content(typ string) *Box {
	for _, c := range b.Children {
		if c.Type == typ {
			return c
		}
	}
	return nil
}

type parser struct {
	b     []byte
	boxes int
}

// Parse reads the superbox at the start of b. On damage it returns what it
// could read (possibly nil) together with an error that says what was wrong.
func Parse(b []byte) (*Box, error) {
	p := &parser{b: b}
	box, _, err := p.box(0, len(b), 0)
	return box, err
}

func (p *parser) box(off, end, depth int) (*Box, int, error) {
	if depth > maxDepth {
		return nil, end, fmt.Errorf("boxes nested deeper than %d at %d", maxDepth, off)
	}
	p.boxes++
	if p.boxes > maxBoxes {
		return nil, end, fmt.Errorf("more than %d boxes", maxBoxes)
	}
	if end-off < 8 {
		return nil, end, fmt.Errorf("box header at %d truncated (%d bytes left)", off, end-off)
	}
	lbox := uint64(binary.BigEndian.Uint32(p.b[off:]))
	typ := string(p.b[off+4 : off+8])
	hdr := 8
	switch lbox {
	case 0:
		lbox = uint64(end - off)
	case 1:
		if end-off < 16 {
			return nil, end, fmt.Errorf("box %q at %d: XLBox truncated", typ, off)
		}
		lbox, hdr = binary.BigEndian.Uint64(p.b[off+8:]), 16
	}
	box := &Box{Type: typ, Offset: off}
	if lbox < uint64(hdr) {
		return nil, end, fmt.Errorf("box %q at %d declares %d bytes, less than its header", typ, off, lbox)
	}
	var err error
	boxEnd := off + int(min(lbox, uint64(end-off)))
	if lbox > uint64(end-off) {
		err = fmt.Errorf("box %q at %d declares %d bytes, only %d present", typ, off, lbox, end-off)
	}
	box.Body = p.b[off+hdr : boxEnd]
	if typ != "jumb" {
		box.Payload = box.Body
		return box, boxEnd, err
	}
	at := off + hdr
	first := true
	for at < boxEnd {
		child, next, cerr := p.box(at, boxEnd, depth+1)
		if first {
			first = false
			if child == nil && cerr != nil {
				return nil, boxEnd, cerr
			}
			if child == nil || child.Type != "jumd" {
				return nil, boxEnd, fmt.Errorf("superbox at %d does not start with a description box", off)
			}
			if derr := box.describe(child.Payload); derr != nil {
				return nil, boxEnd, fmt.Errorf("superbox at %d: %w", off, derr)
			}
		} else if child != nil {
			box.Children = append(box.Children, child)
		}
		if cerr != nil {
			return box, boxEnd, cerr
		}
		at = next
	}
	if first {
		return nil, boxEnd, fmt.Errorf("superbox at %d is empty", off)
	}
	return box, boxEnd, err
}

// describe reads a jumd payload: type UUID, toggles, then the optional label
// (NUL-terminated), ID, signature and private box the toggles announce.
func (b *Box) describe(d []byte) error {
	if len(d) < 17 {
		return fmt.Errorf("description box too short (%d bytes)", len(d))
	}
	copy(b.TypeUUID[:], d[:16])
	b.Toggles = d[16]
	if b.Toggles&0x02 != 0 {
		rest := d[17:]
		for i, c := range rest {
			if c == 0 {
				b.Label = string(rest[:i])
				return nil
			}
		}
		return fmt.Errorf("description label is not NUL-terminated")
	}
	return nil
}

// SplitURI splits a JUMBF URI as C2PA writes them
// ("self#jumbf=/c2pa/<manifest>/c2pa.assertions/x" or the relative
// "self#jumbf=c2pa.assertions/x") into the manifest label ("" when
// relative) and the path inside it.
func SplitURI(u string) (manifest, path string) {
	u = strings.TrimPrefix(u, "self#jumbf=")
	if rest, ok := strings.CutPrefix(u, "/c2pa/"); ok {
		manifest, path, _ = strings.Cut(rest, "/")
		return manifest, path
	}
	return "", u
}
