package urls

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sniffItems sniffs s as a list laid out as in, then reads what Sniff
// hands on: nothing of the input may be lost.
func sniffItems(t *testing.T, r io.Reader, in Input) ([]Item, error) {
	t.Helper()
	rr, err := Sniff(r, in)
	if err != nil {
		return nil, err
	}
	return readItems(t, rr, in, 1000)
}

// Input that is not a URL list is refused before anything is vetted, with a
// message that says what is wrong, instead of becoming garbage URLs.
func TestSniffRefusesBinaryInput(t *testing.T) {
	png, err := os.ReadFile("../../testdata/media/graphic_plain.png")
	require.NoError(t, err)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte("https://a.kz/1\nhttps://a.kz/2\n"))
	zw.Close()
	utf16 := []byte{0xFF, 0xFE}
	for _, c := range "https://a.kz/1\n" {
		utf16 = append(utf16, byte(c), 0)
	}
	for name, c := range map[string]struct {
		data []byte
		msg  string
	}{
		"png":     {png, "binary"},
		"gzip":    {gz.Bytes(), "binary"},
		"utf-16":  {utf16, "UTF-16"},
		"latin-1": {[]byte("https://a.kz/caf\xe9\n"), "not UTF-8"},
	} {
		for _, in := range []Input{{}, {Column: "1"}, {Field: "url"}} {
			_, err := sniffItems(t, bytes.NewReader(c.data), in)
			assert.ErrorContains(t, err, c.msg, "%s %+v", name, in)
		}
	}

	// A multi-byte character cut by the end of the first block is text.
	long := "https://a.kz/" + strings.Repeat("é", sniffBlock) + "\n"
	items, err := sniffItems(t, strings.NewReader(long), Input{})
	require.NoError(t, err)
	require.Len(t, items, 1)
	assert.Equal(t, strings.TrimSpace(long), items[0].URL)
}

func TestSniffRefusesAFieldOrColumnThatMatchesNothing(t *testing.T) {
	jsonl := `{"url":"https://a.kz/1","title":"a"}` + "\n" + `{"url":"https://a.kz/2","id":2}` + "\n"
	_, err := sniffItems(t, strings.NewReader(jsonl), Input{Field: "href"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `--field "href"`)
	assert.Contains(t, err.Error(), "id, title, url", "the fields there are")
	items, err := sniffItems(t, strings.NewReader(jsonl), Input{Field: "url"})
	require.NoError(t, err)
	assert.Len(t, items, 2)
	items, err = sniffItems(t, strings.NewReader(`{"x":1}`+"\n"+`{"url":"https://a.kz/2"}`+"\n"), Input{Field: "url"})
	require.NoError(t, err, "one record of the first ones has it: the others are bad lines")
	assert.Len(t, items, 2)
	_, err = sniffItems(t, strings.NewReader("https://a.kz/1\nhttps://a.kz/2\n"), Input{Field: "url"})
	assert.ErrorContains(t, err, "not JSONL")

	csv := "id,link\n1,https://a.kz/1\n2,https://a.kz/2\n"
	_, err = sniffItems(t, strings.NewReader(csv), Input{Column: "url"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "id, link", "the columns there are")
	_, err = sniffItems(t, strings.NewReader(csv), Input{Column: "3"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "--column 3")
	assert.Contains(t, err.Error(), "2 columns")
	assert.Contains(t, err.Error(), "id, link")
	items, err = sniffItems(t, strings.NewReader(csv), Input{Column: "link"})
	require.NoError(t, err)
	assert.Len(t, items, 2)
	items, err = sniffItems(t, strings.NewReader(csv), Input{Column: "2"})
	require.NoError(t, err)
	assert.Len(t, items, 2)
}

// stingyReader serves data and fails the test if it is read past it: a
// list piped from a slow program must start being vetted without waiting
// for a whole block.
type stingyReader struct {
	t    *testing.T
	data *strings.Reader
}

func (s *stingyReader) Read(p []byte) (int, error) {
	if s.data.Len() == 0 {
		s.t.Fatalf("Sniff read on after the first lines (it would wait for a slow pipe)")
	}
	return s.data.Read(p)
}

func TestSniffDoesNotWaitForAFullBlock(t *testing.T) {
	var lines strings.Builder
	for i := range sniffLines {
		lines.WriteString("https://a.kz/" + strings.Repeat("x", i) + "\n")
	}
	r, err := Sniff(&stingyReader{t: t, data: strings.NewReader(lines.String())}, Input{})
	require.NoError(t, err)
	b := make([]byte, lines.Len())
	_, err = io.ReadFull(r, b)
	require.NoError(t, err)
	assert.Equal(t, lines.String(), string(b))
}
