package urls

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
)

// brokenReader serves its bytes, then fails for good (a disk or pipe error,
// not the end of the list).
type brokenReader struct{ r io.Reader }

var errBroken = errors.New("read failed")

func (b *brokenReader) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if err == io.EOF {
		err = errBroken
	}
	return n, err
}

// FuzzRead reads hostile URL lists in the three layouts: mode 0 is plain
// lines, 1 CSV (sel is the column, "url" when empty), 2 JSONL (sel is the
// field, "url" when empty). broken makes the reader fail after the data.
func FuzzRead(f *testing.F) {
	bom := "\xEF\xBB\xBF"
	for _, s := range []struct {
		data string
		mode uint8
		sel  string
	}{
		{"", 0, ""},
		{"# my list\nhttps://a.kz/1\n\n  https://b.kz/2?q=1#x  \n", 0, ""},
		{bom + "https://a.kz/1\r\nhttps://a.kz/2\r\n", 0, ""},
		{"https://a.kz/" + strings.Repeat("x", 70<<10) + "\nhttps://a.kz/2", 0, ""},
		{"id,url\n1,https://a.kz/1\n2\n\n3, https://a.kz/3 \n", 1, "url"},
		{bom + "URL;id\r\nhttps://a.kz/1;1\r\n", 1, "url"},
		{"1,https://a.kz/1\n2,https://a.kz/2\n", 1, "2"},
		{"id,url\n1,\"https://a.kz/a,b\"\n2,\"https://a.kz/\"\"q\"\"\"\n3,\"multi\nline\"\n4,bad\"quote\n", 1, "url"},
		{"id,url\n1,\"unterminated\n", 1, "url"},
		{`{"url":"https://a.kz/1"}` + "\n" + `{"url":1}` + "\nnot json\n\n" + `{"url":"  "}` + "\n", 2, "url"},
		{bom + `{"u":"https://a.kz/\u0431"}` + "\r\n", 2, "u"},
		{`{"url":"https://a.kz/` + strings.Repeat("y", 70<<10) + `"}`, 2, ""},
	} {
		f.Add([]byte(s.data), s.mode, s.sel, false)
		f.Add([]byte(s.data), s.mode, s.sel, true)
	}

	f.Fuzz(func(t *testing.T, data []byte, mode uint8, sel string, broken bool) {
		var in Input
		switch mode % 3 {
		case 1:
			in.Column = sel
			if in.Column == "" {
				in.Column = "url"
			}
		case 2:
			in.Field = sel
			if in.Field == "" {
				in.Field = "url"
			}
		}
		var r io.Reader = bytes.NewReader(data)
		if broken {
			r = &brokenReader{r}
		}

		// The physical lines of the input (a leading BOM is not content;
		// bufio.Scanner drops a "\r" before "\n").
		text := strings.TrimPrefix(string(data), "\xEF\xBB\xBF")
		lines := strings.Split(text, "\n")
		for i := range lines {
			lines[i] = strings.TrimSuffix(lines[i], "\r")
		}

		// Every Item stands for a line of its own, so Read never sends more
		// Items than the input has lines: it must end (an endless stream of
		// Items would hang the run).
		out := make(chan Item)
		done := make(chan error, 1)
		go func() { done <- Read(r, in, out); close(out) }()
		var items []Item
		for it := range out {
			items = append(items, it)
			require.LessOrEqual(t, len(items), len(lines), "more items than lines: %+v", items)
		}
		err := <-done
		if broken {
			// A failing reader makes the read fail, never a silently
			// shorter list.
			require.Error(t, err)
		}

		prev := 0
		for _, it := range items {
			// Line numbers are 1-based physical lines.
			hasURL := requireItem(t, it, prev, len(lines))
			prev = it.Line
			if !hasURL {
				continue
			}
			line := lines[it.Line-1]
			switch {
			case in.Column != "":
				// The URL is content of the input; in a CSV without quotes
				// it is a cell of line Line.
				for _, piece := range strings.FieldsFunc(it.URL, func(r rune) bool { return r == '"' || r == '\n' || r == '\r' }) {
					require.Contains(t, text, piece)
				}
				if !strings.ContainsAny(text, "\"\r") {
					var cells []string
					for _, c := range strings.Split(line, ",") {
						cells = append(cells, strings.TrimSpace(c))
					}
					require.Contains(t, cells, it.URL, "line %d: %q", it.Line, line)
				}
			case in.Field != "":
				// The URL is the field of the JSON object on line Line.
				var m map[string]any
				require.NoError(t, json.Unmarshal([]byte(strings.TrimSpace(line)), &m), "line %d: %q", it.Line, line)
				require.Equal(t, it.URL, strings.TrimSpace(m[in.Field].(string)))
			default:
				// The URL is line Line, trimmed, and not a comment.
				require.Equal(t, strings.TrimSpace(line), it.URL, "line %d", it.Line)
				require.False(t, strings.HasPrefix(it.URL, "#"))
			}
		}

		// Deterministic: the same bytes give the same Items.
		if !broken {
			out2 := make(chan Item, len(items)+1)
			err2 := Read(bytes.NewReader(data), in, out2)
			close(out2)
			require.Equal(t, err == nil, err2 == nil)
			i := 0
			for it := range out2 {
				require.Less(t, i, len(items))
				require.Equal(t, items[i].Line, it.Line)
				require.Equal(t, items[i].URL, it.URL)
				require.Equal(t, items[i].Err == nil, it.Err == nil)
				i++
			}
			require.Equal(t, len(items), i)
		}
	})
}

// requireItem checks what every Item read holds: a line number after the
// previous Item's and at most last, and a trimmed URL or the reason its line
// has none. It reports whether the Item has a URL.
func requireItem(t *testing.T, it Item, prev, last int) bool {
	require.Greater(t, it.Line, prev)
	require.LessOrEqual(t, it.Line, last)
	if it.Err != nil {
		require.Empty(t, it.URL)
		return false
	}
	require.NotEmpty(t, it.URL)
	require.Equal(t, strings.TrimSpace(it.URL), it.URL)
	return true
}

// FuzzSniff looks at hostile list starts in the three layouts (mode and sel
// as in FuzzRead). Sniff loses nothing: what it accepts it hands on whole;
// and it refuses plain UTF-8 text without NUL bytes only for a --field or
// --column that does not fit.
func FuzzSniff(f *testing.F) {
	for _, s := range []struct {
		data string
		mode uint8
		sel  string
	}{
		{"", 0, ""},
		{"https://a.kz/1\nhttps://a.kz/2\n", 0, ""},
		{"\xEF\xBB\xBFhttps://a.kz/caf\xc3\xa9\n", 0, ""},
		{"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", 0, ""},
		{"\xff\xfeh\x00t\x00", 2, "url"},
		{"https://a.kz/caf\xe9\n", 1, "1"},
		{"id,url\n1,https://a.kz/1\n", 1, "link"},
		{"1,https://a.kz/1\n", 1, "3"},
		{"a\"b\n1,2\n", 1, "url"},
		{`{"url":"https://a.kz/1"}` + "\n" + `{"x":1}` + "\n", 2, "href"},
		{"not json\n", 2, "url"},
		{strings.Repeat("https://a.kz/x\n", 40), 0, ""},
		{"https://a.kz/" + strings.Repeat("\xd0\xb1", sniffBlock/2), 0, ""},
	} {
		f.Add([]byte(s.data), s.mode, s.sel)
	}
	f.Fuzz(func(t *testing.T, data []byte, mode uint8, sel string) {
		var in Input
		switch mode % 3 {
		case 1:
			in.Column = cmp.Or(sel, "url")
		case 2:
			in.Field = cmp.Or(sel, "url")
		}
		r, err := Sniff(bytes.NewReader(data), in)
		if err != nil {
			require.Nil(t, r)
			text := bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))
			if in.Column == "" && in.Field == "" {
				require.False(t, utf8.Valid(text) && bytes.IndexByte(text, 0) < 0 && !bytes.HasPrefix(text, []byte{0xFF, 0xFE}) && !bytes.HasPrefix(text, []byte{0xFE, 0xFF}),
					"plain UTF-8 text refused: %v", err)
			}
			return
		}
		got, err := io.ReadAll(r)
		require.NoError(t, err)
		require.Equal(t, data, got, "what Sniff accepts is handed on whole")
	})
}
