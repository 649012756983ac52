package cosesig

import "strings"

// Go's x509 refuses a certificate whose name holds a PrintableString with a
// character that type does not allow ("_", "@", "&", ...), and with it the
// whole time-stamp token that carries the certificate; the C2PA reference
// implementation, and the authorities that issue such names, accept them.
// relaxPrintableStrings works around that gap in the library: it returns a
// copy of der in which every such PrintableString is retagged UTF8String,
// a type that allows the same bytes, so the token parses and its own
// signature (over its signed attributes, not the certificates) still
// verifies. The certificates it changes can no longer verify under their
// issuer's signature, so an authority read this way is never trusted: its
// time dates the signature, as an unknown authority's does.
//
// It walks definite-length DER only; ok is false when der is not that, or
// when no string needed retagging (the caller then keeps its first error).
func relaxPrintableStrings(der []byte) (out []byte, ok bool) {
	out = append([]byte(nil), der...)
	changed := 0
	if !retag(out, 0, &changed) || changed == 0 {
		return nil, false
	}
	return out, true
}

// maxDERDepth bounds the walk: a certificate nests a dozen levels deep, a
// token around twenty; hostile nesting must not exhaust the stack.
const maxDERDepth = 64

// retag walks the TLVs in b (depth levels deep), retagging PrintableStrings
// that hold characters outside the type's set. It reports whether b is
// well-formed definite-length DER.
func retag(b []byte, depth int, changed *int) bool {
	if depth > maxDERDepth {
		return false
	}
	for len(b) > 0 {
		tag := b[0]
		if tag&0x1F == 0x1F { // high tag numbers do not occur in certificates' names
			return false
		}
		n, hdr, ok := derLength(b[1:])
		if !ok || 1+hdr+n > len(b) {
			return false
		}
		content := b[1+hdr : 1+hdr+n]
		switch {
		case tag&0x20 != 0: // constructed: walk inside
			if !retag(content, depth+1, changed) {
				return false
			}
		case tag == 0x13 && !printable(content): // universal PrintableString
			b[0] = 0x0C // UTF8String
			*changed++
		}
		b = b[1+hdr+n:]
	}
	return true
}

// derLength reads a definite DER length: the length and how many bytes it
// took.
func derLength(b []byte) (n, size int, ok bool) {
	if len(b) == 0 {
		return 0, 0, false
	}
	if b[0] < 0x80 {
		return int(b[0]), 1, true
	}
	k := int(b[0] & 0x7F)
	if k == 0 || k > 4 || len(b) < 1+k { // 0: indefinite (BER)
		return 0, 0, false
	}
	for _, c := range b[1 : 1+k] {
		n = n<<8 | int(c)
	}
	return n, 1 + k, n >= 0
}

// printable says whether s holds only PrintableString's characters (X.680:
// letters, digits, space and '()+,-./:=?), as Go's x509 checks them.
func printable(s []byte) bool {
	for _, c := range s {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte(" '()+,-./:=?", c) >= 0) {
			return false
		}
	}
	return true
}
