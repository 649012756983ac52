package detail

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every shape the scanner writes reads back into the same parts.
func TestRoundTrip(t *testing.T) {
	for _, d := range []Detail{
		Unlabelled{What: "img", Why: `xmp; alt="Hero"`, Looked: []string{"alt", "title", "aria-label", "container", "page"}},
		Unlabelled{What: "text", Why: "declared", Looked: []string{"text", "page"},
			Hidden: &Hidden{Where: "figcaption", Text: `Сделано "ИИ" (x)`, Why: "not displayed (display:none)"}},
		Unlabelled{What: "page", Why: "declared"},
		Widget{Name: "Acme Chat (beta)", URL: "https://chat.example/w.js"},
		Hidden{Where: "alt", Text: "AI", Why: "in the alt attribute, which the page does not show"},
	} {
		s := d.Write(fmt.Sprintf)
		got, ok := Parse(s)
		require.True(t, ok, s)
		assert.Equal(t, d, got, s)
	}
	assert.Equal(t, `AI-made img (xmp; alt="Hero") is published without a visible AI label; looked in: alt, title`,
		Unlabelled{What: "img", Why: `xmp; alt="Hero"`, Looked: []string{"alt", "title"}}.Write(fmt.Sprintf))
}

// Text of another wording is not a detail, so it is shown as it stands.
func TestParseRejectsOtherText(t *testing.T) {
	for _, s := range []string{
		"",
		"AI-made image 0 is published without a visible AI label",
		"AI-made img (xmp) is published without a visible AI label; looked in: alt; something else",
		"AI-made img (xmp) is published without a visible AI label; looked in: alt; label present but not visible: alt AI (x)",
		"embeds the AI chat assistant Acme and the page does not say visitors talk to an AI; the widget's own interface was not rendered",
	} {
		_, ok := Parse(s)
		assert.False(t, ok, s)
	}
}

// Whatever the scanned strings inside, a text Parse accepts writes back
// to itself and its parts read back to the same parts.
func FuzzParse(f *testing.F) {
	f.Add(`AI-made img (xmp; alt=") is published without a visible AI label; looked in: x") is published without a visible AI label; looked in: alt`)
	f.Add(`embeds the AI chat assistant A (B) (C) and the page does not say visitors talk to an AI; the widget's own interface was not rendered`)
	f.Add(`label present but not visible: alt "a\"b" (x)`)
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 1<<16 {
			return
		}
		d, ok := Parse(s)
		if !ok {
			assert.Nil(t, d)
			return
		}
		again, ok := Parse(d.Write(fmt.Sprintf))
		require.True(t, ok, s)
		assert.Equal(t, d, again)
		assert.Equal(t, s, d.Write(fmt.Sprintf))
	})
}
