// Package text holds the small string helpers detectors and reports share.
package text

import (
	"strings"
	"unicode/utf8"
)

// Clip folds white space and shortens s to at most n runes, ending with "…"
// when something was cut. Evidence quotes metadata written by strangers, so
// it is kept to one readable line.
func Clip(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	r := []rune(s)
	if len(r) <= n || n < 1 {
		return s
	}
	return string(r[:n-1]) + "…"
}

// Latin1 reads metadata text declared ISO 8859-1 (PNG tEXt, EXIF ASCII),
// keeping valid UTF-8 as it is because many writers put UTF-8 there anyway.
func Latin1(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	r := make([]rune, len(b))
	for i, c := range b {
		r[i] = rune(c)
	}
	return string(r)
}
