package crawl

import (
	"net/url"
	"strings"
)

// CSSRef is one URL a stylesheet names: an image it sets (url(),
// image-set()) with the selector of the rule that sets it, or a stylesheet
// it @imports.
type CSSRef struct {
	URL string // absolute http(s), without fragment
	// Selector is the rule's selector ("" for a style attribute, an
	// at-rule's prelude for a URL directly inside one): where on the page
	// the image is shown, for the visible-label search.
	Selector string
	Import   bool
}

// maxCSSRefs bounds the URLs taken from one stylesheet, style block or
// style attribute: a hostile sheet cannot make the crawl fetch without end.
const maxCSSRefs = 1000

// maxSelector bounds the selector kept with a reference.
const maxSelector = 256

// CSSRefs lists the URLs a stylesheet names, resolved against base: images
// set by url() and image-set(), and @import targets. URLs in @font-face
// rules are fonts, and url(#id) names a fragment of the page (an SVG
// filter), so neither is listed. It reads CSS as the tokenizer does for
// what matters here (comments, strings, escapes, blocks) and never fails:
// what it cannot read is skipped.
func CSSRefs(css string, base *url.URL) []CSSRef {
	p := cssScanner{css: css, base: base}
	p.scan()
	return p.out
}

type cssScanner struct {
	css  string
	base *url.URL
	out  []CSSRef
	// blocks holds the prelude of each open block ({ ... }), innermost last.
	blocks []string
	// prelude is where the current rule's prelude (selector or at-rule)
	// starts.
	prelude int
	// imageSet is the paren depth of an open image-set() (0: none); its
	// strings are image URLs.
	imageSet, parens int
}

func (p *cssScanner) scan() {
	s := p.css
	for i := 0; i < len(s) && len(p.out) < maxCSSRefs; {
		c := s[i]
		switch {
		case strings.HasPrefix(s[i:], "/*"):
			end := strings.Index(s[i+2:], "*/")
			if end < 0 {
				return
			}
			if strings.TrimSpace(s[p.prelude:i]) == "" {
				p.prelude = i + end + 4 // a comment before a rule is not its selector
			}
			i += end + 4
			continue
		case c == '"' || c == '\'':
			v, n := cssString(s[i:])
			if p.imageSet > 0 || p.atImport() {
				p.add(v)
			}
			i += n
			continue
		case c == '{':
			p.blocks = append(p.blocks, strings.TrimSpace(s[p.prelude:i]))
			p.prelude = i + 1
		case c == '}':
			if len(p.blocks) > 0 {
				p.blocks = p.blocks[:len(p.blocks)-1]
			}
			p.prelude = i + 1
			p.imageSet, p.parens = 0, 0
		case c == ';':
			p.prelude = i + 1
		case c == '(':
			p.parens++
		case c == ')':
			if p.parens == p.imageSet {
				p.imageSet = 0
			}
			if p.parens > 0 {
				p.parens--
			}
		case c == '\\':
			i += 2 // an escaped character is part of an identifier
			continue
		case isIdentStart(c) && (i == 0 || !isIdent(s[i-1])):
			n := identLen(s[i:])
			name := strings.ToLower(s[i : i+n])
			if i+n < len(s) && s[i+n] == '(' {
				switch name {
				case "url":
					v, m := cssURL(s[i+n+1:])
					p.add(v)
					i += n + 1 + m
					continue
				case "image-set", "-webkit-image-set":
					p.parens++
					p.imageSet = p.parens
					i += n + 1
					continue
				}
			}
			i += n
			continue
		}
		i++
	}
}

// atImport reports whether the current prelude is an @import statement.
func (p *cssScanner) atImport() bool {
	return len(p.css) >= p.prelude && hasPrefixFold(strings.TrimLeft(p.css[p.prelude:], " \t\r\n\f"), "@import")
}

func (p *cssScanner) add(raw string) {
	raw = strings.TrimSpace(raw)
	imp := p.atImport()
	if strings.HasPrefix(raw, "#") {
		return // a fragment of this document (an SVG filter or gradient)
	}
	sel := ""
	if len(p.blocks) > 0 {
		sel = p.blocks[len(p.blocks)-1]
	}
	if !imp && hasPrefixFold(sel, "@font-face") {
		return
	}
	if len(sel) > maxSelector {
		sel = "" // no element to find; and a copy would keep the sheet
	}
	if u, ok := resolveRef(p.base, raw); ok {
		p.out = append(p.out, CSSRef{URL: u, Selector: strings.Clone(sel), Import: imp})
	}
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

func isIdentStart(c byte) bool {
	return c == '-' || c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

func isIdent(c byte) bool { return isIdentStart(c) || c >= '0' && c <= '9' || c == '\\' }

func identLen(s string) int {
	n := 0
	for n < len(s) && isIdent(s[n]) {
		n++
	}
	return n
}

// cssString reads a quoted string at the start of s: its value (escapes
// undone) and the bytes it spans. An unescaped newline ends it, as in CSS.
func cssString(s string) (string, int) {
	q := s[0]
	var b strings.Builder
	i := 1
	for ; i < len(s); i++ {
		switch c := s[i]; {
		case c == q:
			return b.String(), i + 1
		case c == '\n':
			return b.String(), i
		case c == '\\' && i+1 < len(s):
			i++
			if s[i] != '\n' {
				b.WriteByte(s[i])
			}
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), i
}

// cssURL reads the argument of url( at the start of s, quoted or not: its
// value and the bytes up to and including the closing parenthesis.
func cssURL(s string) (string, int) {
	i := len(s) - len(strings.TrimLeft(s, " \t\r\n\f"))
	if i < len(s) && (s[i] == '"' || s[i] == '\'') {
		v, n := cssString(s[i:])
		end := strings.IndexByte(s[i+n:], ')')
		if end < 0 {
			return v, len(s)
		}
		return v, i + n + end + 1
	}
	var b strings.Builder
	for ; i < len(s); i++ {
		switch c := s[i]; {
		case c == ')':
			return b.String(), i + 1
		case c == '\\' && i+1 < len(s):
			i++
			b.WriteByte(s[i])
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), i
}
