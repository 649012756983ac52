package container

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
)

// c2paManifestNS is the namespace C2PA A.3.3 declares for the manifest
// element of an SVG.
const c2paManifestNS = "http://c2pa.org/manifest"

// svg reads an SVG's metadata element: C2PA A.3.3 puts the manifest store,
// base64-encoded, in svg/metadata/c2pa:manifest, and XMP packets sit in
// metadata too. The document is scanned from memory, up to MaxScan.
func (s *src) svg() error {
	b, err := s.scanAll("SVG")
	if err != nil {
		return err
	}
	d := xml.NewDecoder(bytes.NewReader(b))
	// Lenient as browsers and the reference reader are: HTML entities and
	// undeclared prefixes are common in hand-edited SVG. No entity or DTD is
	// ever fetched.
	d.Strict = false
	d.Entity = xml.HTMLEntity
	d.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil } // base64 and XMP markup are ASCII
	var (
		path         []xml.Name
		manifest     *bytes.Buffer // the text of the c2pa:manifest element being read
		textAt       int64
		manifestOver bool
		xmpAt        int64 = -1
		xmpDepth     int
	)
	for {
		at := d.InputOffset()
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("SVG is not well-formed XML: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			path = append(path, t.Name)
			switch {
			case len(path) == 3 && path[0].Local == "svg" && path[1].Local == "metadata" && isC2PAManifest(t.Name):
				manifest, textAt = &bytes.Buffer{}, d.InputOffset()
			case xmpAt < 0 && t.Name.Local == "xmpmeta" && t.Name.Space == "adobe:ns:meta/":
				xmpAt, xmpDepth = at, len(path)
			}
		case xml.CharData:
			// Text past the cap is not kept: the store is reported skipped.
			if manifest != nil {
				if manifest.Len()+len(t) > base64.StdEncoding.EncodedLen(int(s.lim.MaxBlock)) {
					manifestOver = true
				} else {
					manifest.Write(t)
				}
			}
		case xml.EndElement:
			if manifest != nil && len(path) == 3 {
				if manifestOver {
					s.problem("SVG c2pa:manifest element at %d is over the %d-byte cap: skipped", textAt, s.lim.MaxBlock)
				} else {
					s.svgManifest(manifest.Bytes(), textAt)
				}
				manifest, manifestOver = nil, false
			}
			if xmpAt >= 0 && len(path) == xmpDepth {
				if err := s.account(xmpAt, d.InputOffset()-xmpAt, "SVG XMP packet"); err != nil {
					s.problem("%v", err)
				} else {
					s.b.XMP = append(s.b.XMP, Block{Data: b[xmpAt:d.InputOffset()], Where: fmt.Sprintf("SVG metadata XMP at %d", xmpAt), Offset: xmpAt})
				}
				xmpAt = -2 // one packet per document
			}
			if len(path) > 0 {
				path = path[:len(path)-1]
			}
		}
	}
}

// isC2PAManifest matches c2pa:manifest with its namespace declared, or with
// the c2pa prefix left undeclared (the XML parser then keeps the prefix).
func isC2PAManifest(n xml.Name) bool {
	return n.Local == "manifest" && (n.Space == c2paManifestNS || n.Space == "c2pa")
}

// svgManifest decodes the base64 text of a c2pa:manifest element. An empty
// element is a placeholder, not a store.
func (s *src) svgManifest(text []byte, at int64) {
	text = bytes.Map(func(r rune) rune {
		if r == ' ' || r == '\t' || r == '\r' || r == '\n' {
			return -1
		}
		return r
	}, text)
	if len(text) == 0 {
		return
	}
	where := fmt.Sprintf("SVG c2pa:manifest element at %d", at)
	n := int64(base64.StdEncoding.DecodedLen(len(text)))
	if err := s.account(at, n, "SVG c2pa:manifest element"); err != nil {
		s.problem("%v", err)
		return
	}
	store := make([]byte, n)
	m, err := base64.StdEncoding.Decode(store, text)
	blk := Block{Data: store[:m], Where: where, Offset: at, C2PAOnly: true}
	if err != nil {
		blk.Malformed = fmt.Sprintf("the c2pa:manifest element is not base64: %v", err)
	}
	s.b.JUMBF = append(s.b.JUMBF, blk)
}
