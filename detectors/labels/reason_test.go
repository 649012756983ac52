package labels

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every reason Unseen and the rendered finder give reads back into its
// format and arguments; a wording no format has does not.
func TestReasonsReadBack(t *testing.T) {
	for _, c := range []struct {
		why    string
		format string
		args   []any
	}{
		{"not displayed (display:none)", ReasonNotDisplayed, nil},
		{"visibility:hidden", ReasonVisibility, []any{"hidden"}},
		{"transparent (opacity 0.05)", ReasonTransparent, []any{0.05}},
		{"font too small (6px, minimum 9px)", ReasonFontTooSmall, []any{6.0, 9}},
		{"zero-sized (1x1 px)", ReasonZeroSized, []any{1.0, 1.0}},
		{"off-screen (at -9999,10 on a 1280x2000 page)", ReasonOffScreen, []any{-9999.0, 10.0, 1280.0, 2000.0}},
		{"low contrast (1.61:1, minimum 4.5:1)", ReasonLowContrast, []any{1.61, 4.5}},
		{"in the alt attribute, which the page does not show", ReasonAttribute, []any{"alt"}},
		{"not visible", ReasonNotVisible, nil},
	} {
		r, ok := ParseReason(c.why)
		require.True(t, ok, c.why)
		assert.Equal(t, c.format, r.Format, c.why)
		assert.Equal(t, c.args, r.Args, c.why)
		assert.Equal(t, c.why, r.String())
	}
	for _, s := range []string{"", "hidden by CSS", "font too small (6px, minimum 9.0px)", "low contrast (1.6:1, minimum 4.5:1)", "not visible at all"} {
		_, ok := ParseReason(s)
		assert.False(t, ok, "%q is no reason's wording", s)
	}
}

// Whatever the text, a reason read back writes back the same text in one
// of the known formats.
func FuzzParseReason(f *testing.F) {
	for _, s := range []string{"visibility:collapse", "transparent (opacity 1e-05)", "off-screen (at 0,0 on a 0x0 page)", "in the  attribute, which the page does not show"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, ok := ParseReason(s)
		if !ok {
			return
		}
		if r.String() != s || !slices.Contains(Reasons, r.Format) {
			t.Fatalf("%q read back as %+v", s, r)
		}
	})
}
