package container

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"fmt"
	"io"
	"regexp"
	"strconv"
)

var (
	xpacketBegin = []byte("<?xpacket begin")
	xpacketEnd   = []byte("<?xpacket end")
	// A C2PA store is an embedded file whose Filespec says
	// /AFRelationship /C2PA_Manifest, or whose stream has the c2pa subtype
	// (C2PA A.6); real files omit /Subtype, so both are looked for.
	pdfC2PAMarks = [][]byte{[]byte("/C2PA_Manifest"), []byte("/application#2Fc2pa"), []byte("/application#2Fx-c2pa-manifest-store")}
	pdfEFRef     = regexp.MustCompile(`/EF\s*<<[^>]*?/(?:F|UF)\s+(\d+)\s+(\d+)\s+R`)
	pdfLength    = regexp.MustCompile(`/Length\s+(\d+)(?:\s+(\d+)\s+R)?`)
)

// pdf scans the file for XMP packets and C2PA embedded-file streams. PDF
// objects can sit anywhere (incremental updates append new ones), so the file
// is scanned rather than parsed from the xref table.
func (s *src) pdf() error {
	b, err := s.scanAll("PDF")
	if err != nil {
		return err
	}
	s.pdfXMP(b)
	seen := map[string]bool{}
	for _, mark := range pdfC2PAMarks {
		for from := 0; ; {
			i := bytes.Index(b[from:], mark)
			if i < 0 {
				break
			}
			at := from + i
			from = at + len(mark)
			if err := s.tick(); err != nil {
				return err
			}
			s.pdfStore(b, at, seen)
		}
	}
	if len(s.b.JUMBF) == 0 {
		s.rawJUMBF(b, "PDF")
	}
	return nil
}

func (s *src) pdfXMP(b []byte) {
	for from := 0; from < len(b); {
		i := bytes.Index(b[from:], xpacketBegin)
		if i < 0 {
			return
		}
		start := from + i
		j := bytes.Index(b[start:], xpacketEnd)
		if j < 0 {
			s.problem("PDF XMP packet at %d has no end", start)
			return
		}
		k := bytes.Index(b[start+j:], []byte("?>"))
		if k < 0 {
			return
		}
		end := start + j + k + 2
		s.b.XMP = append(s.b.XMP, Block{Data: b[start:end], Where: fmt.Sprintf("PDF XMP packet at %d", start), Offset: int64(start)})
		from = end
	}
}

// pdfStore resolves the object around a C2PA mark to its embedded file stream.
func (s *src) pdfStore(b []byte, at int, seen map[string]bool) {
	objStart := bytes.LastIndex(b[:at], []byte(" obj"))
	objEnd := bytes.Index(b[at:], []byte("endobj"))
	if objStart < 0 || objEnd < 0 {
		return
	}
	dict := b[objStart : at+objEnd]
	var num, gen string
	if m := pdfEFRef.FindSubmatch(dict); m != nil {
		num, gen = string(m[1]), string(m[2])
	} else if bytes.Contains(dict, []byte("stream")) {
		// The mark is on the stream dictionary itself.
		s.pdfStream(b, objStart, "this object", seen)
		return
	} else {
		return
	}
	key := num + " " + gen
	if seen[key] {
		return
	}
	end, ok := pdfObject(b, num, gen)
	if !ok {
		s.problem("PDF C2PA embedded file object %s not found", key)
		return
	}
	s.pdfStream(b, end, "object "+key, seen)
	seen[key] = true
}

// pdfStream reads the stream of the object whose header ends at objAt.
func (s *src) pdfStream(b []byte, objAt int, name string, seen map[string]bool) {
	si := bytes.Index(b[objAt:], []byte("stream"))
	ei := bytes.Index(b[objAt:], []byte("endobj"))
	if si < 0 || (ei >= 0 && ei < si) {
		return
	}
	dict := b[objAt : objAt+si]
	start := objAt + si + len("stream")
	if start < len(b) && b[start] == '\r' {
		start++
	}
	if start < len(b) && b[start] == '\n' {
		start++
	}
	n := -1
	if m := pdfLength.FindSubmatch(dict); m != nil {
		if m[2] == nil {
			n, _ = strconv.Atoi(string(m[1]))
		} else if v, ok := pdfIndirectInt(b, string(m[1]), string(m[2])); ok {
			n = v
		}
	}
	if n < 0 || start+n > len(b) {
		end := bytes.Index(b[start:], []byte("endstream"))
		if end < 0 {
			s.problem("PDF C2PA stream in %s has no end", name)
			return
		}
		n = end
	}
	data := b[start : start+n]
	if bytes.Contains(dict, []byte("/FlateDecode")) {
		zr, err := zlib.NewReader(bytes.NewReader(data))
		if err != nil {
			s.problem("PDF C2PA stream in %s: %v", name, err)
			return
		}
		out, err := io.ReadAll(io.LimitReader(zr, s.lim.MaxBlock+1))
		if err != nil || int64(len(out)) > s.lim.MaxBlock {
			s.problem("PDF C2PA stream in %s could not be inflated within the cap", name)
			return
		}
		data = out
	}
	key := fmt.Sprintf("@%d", start)
	if seen[key] {
		return
	}
	seen[key] = true
	desc := "PDF embedded file stream (" + name + ")"
	if !bytes.Contains(dict, []byte("/Subtype")) {
		desc += ", no /Subtype"
	}
	s.b.JUMBF = append(s.b.JUMBF, Block{Data: data, Where: desc, Offset: int64(start)})
}

// pdfIndirectInt reads the first object "num gen obj N endobj" (an
// indirect /Length).
func pdfIndirectInt(b []byte, num, gen string) (int, bool) {
	for from := 0; ; {
		at, ok := pdfObjectFrom(b, from, num, gen)
		if !ok {
			return 0, false
		}
		from = at
		p := pdfSpaces(b, at)
		q := p
		for q < len(b) && b[q] >= '0' && b[q] <= '9' {
			q++
		}
		if p == at || q == p || pdfSpaces(b, q) == q || !bytes.HasPrefix(b[pdfSpaces(b, q):], []byte("endobj")) {
			continue
		}
		v, err := strconv.Atoi(string(b[p:q]))
		return v, err == nil
	}
}

// pdfObject finds the first header "num gen obj" of an indirect object (at
// the start of the file or after white space, with white space between
// its parts, and no word character after it) and returns where it ends.
// Found by literal search: a regular expression with no literal prefix
// runs its automaton over every byte of a large PDF, for each object.
func pdfObject(b []byte, num, gen string) (int, bool) {
	return pdfObjectFrom(b, 0, num, gen)
}

func pdfObjectFrom(b []byte, from int, num, gen string) (int, bool) {
	for {
		i := bytes.Index(b[from:], []byte(num))
		if i < 0 {
			return 0, false
		}
		at := from + i
		from = at + 1
		if at > 0 && !pdfSpace(b[at-1]) {
			continue
		}
		p := pdfSpaces(b, at+len(num))
		if p == at+len(num) || !bytes.HasPrefix(b[p:], []byte(gen)) {
			continue
		}
		q := pdfSpaces(b, p+len(gen))
		if q == p+len(gen) || !bytes.HasPrefix(b[q:], []byte("obj")) {
			continue
		}
		if end := q + len("obj"); end == len(b) || !wordByte(b[end]) {
			return end, true
		}
	}
}

// pdfSpace is white space as the object patterns took it (\s: tab, line
// feed, form feed, carriage return, space).
func pdfSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'
}

// pdfSpaces skips white space from i.
func pdfSpaces(b []byte, i int) int {
	for i < len(b) && pdfSpace(b[i]) {
		i++
	}
	return i
}

func wordByte(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// rawJUMBF finds an uncompressed C2PA store by its box signature: the jumb
// superbox whose description box has the c2pa type. It is the fallback for
// files whose object structure is too damaged to follow.
func (s *src) rawJUMBF(b []byte, what string) {
	sig := []byte("jumb")
	for from := 4; from < len(b); {
		i := bytes.Index(b[from:], sig)
		if i < 0 {
			return
		}
		p := from + i
		from = p + 4
		if p+16 > len(b) || string(b[p+8:p+12]) != "jumd" || string(b[p+12:p+16]) != "c2pa" {
			continue
		}
		lbox := int(binary.BigEndian.Uint32(b[p-4:]))
		if lbox < 8 || p-4+lbox > len(b) {
			s.b.JUMBF = append(s.b.JUMBF, Block{Data: b[p-4:], Where: what + " raw JUMBF at " + strconv.Itoa(p-4), Malformed: "store runs past the end of the file"})
			return
		}
		s.b.JUMBF = append(s.b.JUMBF, Block{Data: b[p-4 : p-4+lbox], Where: what + " raw JUMBF at " + strconv.Itoa(p-4), Offset: int64(p - 4)})
		from = p - 4 + lbox
	}
}
