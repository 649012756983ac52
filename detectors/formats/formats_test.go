package formats

import (
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var sample = New("on %s: %s", "manifest %q has %d stores", "ratio %.2f:1, minimum %g:1", "read: %v")

// A text written with a format reads back into that format and its
// arguments, typed by verb; a text no format writes back does not.
func TestParse(t *testing.T) {
	for _, c := range []struct {
		text   string
		format string
		args   []any
	}{
		{"on https://a.kz/x: b: c", "on %s: %s", []any{"https://a.kz/x", "b: c"}},
		{`manifest "urn:\"x\"" has 2 stores`, "manifest %q has %d stores", []any{`urn:"x"`, 2}},
		{"ratio 1.61:1, minimum 4.5:1", "ratio %.2f:1, minimum %g:1", []any{1.61, 4.5}},
		{"read: unexpected EOF", "read: %v", []any{"unexpected EOF"}},
	} {
		w, ok := sample.Parse(c.text)
		require.True(t, ok, c.text)
		assert.Equal(t, c.format, w.Format, c.text)
		assert.Equal(t, c.args, w.Args, c.text)
		assert.Equal(t, c.text, w.String())
	}
	for _, s := range []string{"", "on x", "manifest urn has 2 stores", "manifest \"x\" has 2.0 stores", "ratio 1.6:1, minimum 4.5:1", strings.Repeat("a", MaxText+1)} {
		_, ok := sample.Parse(s)
		assert.False(t, ok, "%q is written with no format", s)
	}
}

// Whatever the text, one read back is written by one of the set's formats
// and writes back the same text.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"on a: b", `manifest "" has 0 stores`, "ratio NaN:1, minimum +Inf:1", "read: "} {
		f.Add(s)
	}
	formats := []string{"on %s: %s", "manifest %q has %d stores", "ratio %.2f:1, minimum %g:1", "read: %v"}
	f.Fuzz(func(t *testing.T, s string) {
		w, ok := sample.Parse(s)
		if !ok {
			return
		}
		if w.String() != s || !slices.Contains(formats, w.Format) || len(w.Args) != len(verb.FindAllString(w.Format, -1)) {
			t.Fatalf("%q read back as %+v", s, w)
		}
	})
}
