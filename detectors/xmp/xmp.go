// Package xmp reads the XMP properties aiaudit needs: IPTC digital source type
// and AI fields, PLUS data-mining reservations, the creator tool and the C2PA
// provenance reference. Properties are matched by namespace URI, never by
// prefix, in all three RDF forms (attribute, element text, rdf:resource).
package xmp

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Namespaces of the properties read.
const (
	NSIptcExt  = "http://iptc.org/std/Iptc4xmpExt/2008-02-29/"
	NSPlus     = "http://ns.useplus.org/ldf/xmp/1.0/"
	NSXMP      = "http://ns.adobe.com/xap/1.0/"
	NSDCTerms  = "http://purl.org/dc/terms/"
	NSPhotshop = "http://ns.adobe.com/photoshop/1.0/"
	NSAIGC     = "http://www.tc260.org.cn/ns/AIGC/1.0/"
	NSTDMRep   = "http://www.w3.org/ns/tdmrep/"
	nsRDF      = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
	nsXML      = "http://www.w3.org/XML/1998/namespace"
)

// Caps on hostile packets.
const (
	MaxPacket = 16 << 20
	maxDepth  = 64
	maxTokens = 1_000_000
)

// Info is what aiaudit reads from XMP.
type Info struct {
	DigitalSourceTypes  []string
	DataMining          []string
	OtherConstraints    []string
	CreatorTool         string
	Provenance          string
	AISystemUsed        string
	AISystemVersionUsed string
	AIPromptInformation string
	AIPromptWriterName  string
	Contributors        []string
	Credit              string
	AIGC                string
	TDMReservation      string // tdm:reservation in PDF XMP (TDMRep)
	TDMPolicy           string
}

// value is one property value with the path of non-RDF elements above it.
type value struct {
	path []xml.Name
	text string
}

// Parse reads one XMP packet. Bytes around the x:xmpmeta element (xpacket
// wrappers, padding, garbage) are ignored.
func Parse(packet []byte) (Info, error) {
	if len(packet) > MaxPacket {
		return Info{}, fmt.Errorf("XMP packet of %d bytes is over the %d-byte cap", len(packet), MaxPacket)
	}
	start := bytes.Index(packet, []byte("<x:xmpmeta"))
	if start < 0 {
		start = bytes.Index(packet, []byte("<rdf:RDF"))
	}
	if start < 0 {
		return Info{}, errors.New("no x:xmpmeta or rdf:RDF element")
	}
	vals, err := values(packet[start:])
	info := collect(vals)
	if err != nil && len(vals) == 0 {
		return info, err
	}
	return info, nil
}

func values(b []byte) ([]value, error) {
	d := xml.NewDecoder(bytes.NewReader(b))
	d.Strict = false
	d.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }
	var stack []xml.Name // non-RDF elements only
	var depth []bool     // per open element: was it pushed on stack
	var text strings.Builder
	var out []value
	for n := 0; ; n++ {
		if n > maxTokens {
			return out, errors.New("XMP has too many tokens")
		}
		tok, err := d.Token()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, fmt.Errorf("XMP: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if len(depth) >= maxDepth {
				return out, fmt.Errorf("XMP nested deeper than %d", maxDepth)
			}
			text.Reset()
			pushed := t.Name.Space != nsRDF && t.Name.Local != "xmpmeta"
			if pushed {
				stack = append(stack, t.Name)
			}
			depth = append(depth, pushed)
			for _, a := range t.Attr {
				switch {
				case a.Name.Space == nsRDF && a.Name.Local == "resource":
					out = append(out, value{path: clone(stack), text: a.Value})
				case a.Name.Space == nsRDF, a.Name.Space == nsXML, a.Name.Space == "xmlns", a.Name.Space == "", a.Name.Local == "xmlns":
				default:
					out = append(out, value{path: append(clone(stack), a.Name), text: a.Value})
				}
			}
		case xml.CharData:
			if text.Len() < MaxPacket {
				text.Write(t)
			}
		case xml.EndElement:
			if s := strings.TrimSpace(text.String()); s != "" {
				out = append(out, value{path: clone(stack), text: s})
			}
			text.Reset()
			if len(depth) > 0 {
				if depth[len(depth)-1] && len(stack) > 0 {
					stack = stack[:len(stack)-1]
				}
				depth = depth[:len(depth)-1]
			}
		}
	}
}

func clone(p []xml.Name) []xml.Name { return append([]xml.Name(nil), p...) }

func last(p []xml.Name) xml.Name {
	if len(p) == 0 {
		return xml.Name{}
	}
	return p[len(p)-1]
}

func within(p []xml.Name, space, local string) bool {
	for _, n := range p {
		if n.Space == space && n.Local == local {
			return true
		}
	}
	return false
}

func collect(vals []value) Info {
	var in Info
	for _, v := range vals {
		l := last(v.path)
		s := strings.TrimSpace(v.text)
		switch {
		case l.Space == NSIptcExt && l.Local == "Name" && within(v.path, NSIptcExt, "Contributor"):
			in.Contributors = append(in.Contributors, s)
		case l.Space == NSIptcExt:
			switch l.Local {
			case "DigitalSourceType":
				in.DigitalSourceTypes = append(in.DigitalSourceTypes, s)
			case "AISystemUsed":
				in.AISystemUsed = s
			case "AISystemVersionUsed":
				in.AISystemVersionUsed = s
			case "AIPromptInformation":
				in.AIPromptInformation = s
			case "AIPromptWriterName":
				in.AIPromptWriterName = s
			}
		case l.Space == NSPlus && l.Local == "DataMining":
			in.DataMining = append(in.DataMining, s)
		case l.Space == NSPlus && l.Local == "OtherConstraints":
			in.OtherConstraints = append(in.OtherConstraints, s)
		case l.Space == NSXMP && l.Local == "CreatorTool":
			in.CreatorTool = s
		case l.Space == NSDCTerms && l.Local == "provenance":
			in.Provenance = s
		case l.Space == NSPhotshop && l.Local == "Credit":
			in.Credit = s
		case l.Space == NSAIGC && l.Local == "AIGC":
			in.AIGC = s
		case l.Space == NSTDMRep && l.Local == "reservation":
			in.TDMReservation = s
		case l.Space == NSTDMRep && l.Local == "policy":
			in.TDMPolicy = s
		}
	}
	return in
}

// Merge combines several packets (main and extended XMP, sidecars): lists are
// concatenated, single values keep the first one found.
func Merge(infos ...Info) Info {
	var m Info
	for _, in := range infos {
		m.DigitalSourceTypes = append(m.DigitalSourceTypes, in.DigitalSourceTypes...)
		m.DataMining = append(m.DataMining, in.DataMining...)
		m.OtherConstraints = append(m.OtherConstraints, in.OtherConstraints...)
		m.Contributors = append(m.Contributors, in.Contributors...)
		for _, p := range [][2]*string{
			{&m.CreatorTool, &in.CreatorTool}, {&m.Provenance, &in.Provenance}, {&m.AISystemUsed, &in.AISystemUsed},
			{&m.AISystemVersionUsed, &in.AISystemVersionUsed}, {&m.AIPromptInformation, &in.AIPromptInformation},
			{&m.AIPromptWriterName, &in.AIPromptWriterName}, {&m.Credit, &in.Credit}, {&m.AIGC, &in.AIGC},
			{&m.TDMReservation, &in.TDMReservation}, {&m.TDMPolicy, &in.TDMPolicy},
		} {
			if *p[0] == "" {
				*p[0] = *p[1]
			}
		}
	}
	return m
}
