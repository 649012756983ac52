package notes

import (
	"fmt"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every note format, written with values as the scanner writes them,
// reads back into that format and those values.
func TestNotesReadBack(t *testing.T) {
	for _, c := range []struct {
		format string
		args   []any
	}{
		{PageTruncated, []any{10485760}},
		{ScriptRendered, []any{"3 characters of visible text; 2 scripts", RenderHint}},
		{OnPage, []any{"https://a.kz/p?x=1", `label present but not visible: alt "AI" (not visible)`}},
		{NotInLibrary, []any{"open a.png: permission denied"}},
		{JSONLDUnread, []any{2, "invalid character 'x'"}},
		{SheetTooDeep, []any{"https://a.kz/s.css", 4}},
		{SheetNotRead, []any{"https://a.kz/s.css", fmt.Sprintf(SheetOutOfScope, "cdn.kz")}},
		{SheetPartly, []any{"https://a.kz/s.css", fmt.Sprintf(SheetLarger, 1048576)}},
		{RenderUnsettled, []any{"10s", "context deadline exceeded"}},
		{RenderTooMany, []any{20000}},
		{RenderDialogs, []any{1}},
		{RenderUnanswered, []any{7, RequestRobots, "https://a.kz/x, https://a.kz/y, ..."}},
		{RequestOverCap, []any{500}},
		{XMPUnreadable, []any{fmt.Sprintf(InSidecar, "XMP packet", "a.xmp"), "EOF"}},
		{EXIFUnreadable, []any{"APP1", "bad IFD"}},
		{PreStandardCAI, []any{"APP11"}},
		{ManyStores, nil},
		{StoreMalformed, []any{"caBX", "no claim"}},
		{Watermarked, []any{`urn:uuid:"1"`}},
		{StealthTooLarge, []any{67108864}},
		{StealthUnchecked, []any{"EOF"}},
		{StealthUnread, []any{"gzip: invalid header"}},
		{ProvenanceGone, []any{"self#jumbf=c2pa"}},
		{RemoteManifest, []any{"https://a.kz/m.c2pa"}},
		{NoMetadata, nil},
		{ScriptSigns, []any{12, fmt.Sprintf(ScriptMount, `<div id="root">`) + "; " + fmt.Sprintf(ScriptCount, 5)}},
		{SidecarUnreadable, []any{"a.xmp", "permission denied"}},
	} {
		note := fmt.Sprintf(c.format, c.args...)
		w, ok := Parse(note)
		require.True(t, ok, note)
		assert.Equal(t, c.format, w.Format, note)
		assert.Equal(t, c.args, w.Args, note)
	}
	_, ok := Parse("a note in some other wording")
	assert.False(t, ok)
}

// Signs joined by "; " split into notes only when every part is one.
func TestSplit(t *testing.T) {
	ws, ok := Split(fmt.Sprintf(ScriptMount, "<div>") + "; " + fmt.Sprintf(ScriptCount, 5) + "; " + ScriptNoscript)
	require.True(t, ok)
	require.Len(t, ws, 3)
	assert.Equal(t, []string{ScriptMount, ScriptCount, ScriptNoscript}, []string{ws[0].Format, ws[1].Format, ws[2].Format})
	assert.Equal(t, []any{5}, ws[1].Args)
	_, ok = Split(fmt.Sprintf(ScriptCount, 5) + "; and more")
	assert.False(t, ok)
}

// Whatever the text, a note read back writes back the same text in one of
// the formats.
func FuzzParse(f *testing.F) {
	for _, s := range []string{NoMetadata, "on : ", fmt.Sprintf(RenderUnanswered, 0, "", "")} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		w, ok := Parse(s)
		if ok && (w.String() != s || !slices.Contains(Formats, w.Format)) {
			t.Fatalf("%q read back as %+v", s, w)
		}
	})
}
