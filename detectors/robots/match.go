package robots

import (
	"strings"
)

// Normalize brings a path to the form RFC 9309 §2.2.2 compares: octets
// outside US-ASCII percent-encoded, percent-encoded unreserved characters
// decoded, hex digits upper-case. Reserved characters stay encoded, so
// "/a%2Fb" and "/a/b" remain different paths.
func Normalize(p string) string {
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c == '%' && i+2 < len(p) && isHex(p[i+1]) && isHex(p[i+2]):
			v := unhex(p[i+1])<<4 | unhex(p[i+2])
			if isUnreserved(v) {
				b.WriteByte(v)
			} else {
				b.WriteByte('%')
				b.WriteByte(upper(p[i+1]))
				b.WriteByte(upper(p[i+2]))
			}
			i += 2
		case c >= 0x80 || c < 0x21:
			b.WriteString("%" + string("0123456789ABCDEF"[c>>4]) + string("0123456789ABCDEF"[c&15]))
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

func upper(c byte) byte {
	if c >= 'a' && c <= 'f' {
		return c - 32
	}
	return c
}

func isUnreserved(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~'
}

// Match reports whether a rule path (with * wildcards and a trailing $
// anchor) matches the start of path. It runs in O(len(rule)·len(path)) with
// no backtracking blow-up.
func Match(rule, path string) bool {
	anchored := strings.HasSuffix(rule, "$")
	if anchored {
		rule = rule[:len(rule)-1]
	}
	// pos holds every position in path the pattern prefix can end at.
	pos := []int{0}
	for i := 0; i < len(rule) && len(pos) > 0; i++ {
		c := rule[i]
		var next []int
		if c == '*' {
			start := pos[0]
			for j := start; j <= len(path); j++ {
				next = append(next, j)
			}
		} else {
			for _, p := range pos {
				if p < len(path) && path[p] == c {
					next = append(next, p+1)
				}
			}
		}
		pos = next
	}
	if len(pos) == 0 {
		return false
	}
	if !anchored {
		return true
	}
	return pos[len(pos)-1] == len(path)
}
