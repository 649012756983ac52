package bodycap

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func gz(t *testing.T, b []byte) []byte {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	_, err := w.Write(b)
	require.NoError(t, err)
	require.NoError(t, w.Close())
	return buf.Bytes()
}

func TestBombsStopAndPagesPass(t *testing.T) {
	bomb := gz(t, make([]byte, 256<<20)) // 256 MiB of zeros: about 250 KB
	page := []byte(strings.Repeat("<p>an ordinary page, compressed by its server</p>\n", 2000))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/bomb":
			w.Header().Set("Content-Type", "application/x-gzip")
			w.Write(bomb)
		case "/page.xml.gz":
			w.Write(gz(t, page))
		}
	}))
	defer srv.Close()
	client := &http.Client{Transport: Transport{Base: http.DefaultTransport}}

	res, err := client.Get(srv.URL + "/bomb")
	require.NoError(t, err)
	n, err := io.Copy(io.Discard, res.Body)
	res.Body.Close()
	assert.ErrorIs(t, err, ErrBomb)
	assert.Less(t, n, int64(64<<20), "stopped long before the 256 MiB")
	assert.True(t, res.Uncompressed, "marked decoded: colly does not decode it again")

	res, err = client.Get(srv.URL + "/page.xml.gz")
	require.NoError(t, err)
	b, err := io.ReadAll(res.Body)
	res.Body.Close()
	require.NoError(t, err)
	assert.Equal(t, page, b)
}
