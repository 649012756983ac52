package urls

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestNotTheFile(t *testing.T) {
	page := "<!DOCTYPE html>\n<html><head><title>Not found</title></head><body><pre>User-agent: *\nDisallow: /\n</pre></body></html>"
	cases := []struct {
		name, ctype, body string
		status            int
		absent            bool
	}{
		{"an HTML page", "text/html; charset=utf-8", page, 200, true},
		{"an HTML page called text", "text/plain", page, 200, true},
		{"after a BOM and blank lines", "", "\xEF\xBB\xBF\n\n  <html><body>home</body></html>", 200, true},
		{"a fragment the server calls HTML", "text/html", "<div>home</div>", 200, true},
		{"robots.txt served as text/html is robots.txt", "text/html", "User-agent: *\nDisallow: /\n", 200, false},
		{"JSON served as text/html is JSON", "text/html", `[{"location": "/*", "tdm-reservation": 1}]`, 200, false},
		{"XML called XML", "application/xml", `<?xml version="1.0"?><a/>`, 200, false},
		{"an empty body", "text/html", "", 200, false},
		{"a 404 page keeps its status's meaning", "text/html", page, 404, false},
		{"a 503 page keeps its status's meaning (unknown)", "text/html", page, 503, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			why := notTheFile("ai.txt", &PolicyFile{Status: c.status, ContentType: c.ctype, Body: []byte(c.body)})
			assert.Equal(t, c.absent, why != "", why)
			if c.absent {
				assert.Contains(t, why, "ai.txt absent: HTTP 200")
			}
		})
	}
}

// FuzzNotTheFile: only a 2xx body that starts with "<" is ever read as "not
// the file", and the reason keeps the status received.
func FuzzNotTheFile(f *testing.F) {
	f.Add(200, "text/html", []byte("<!DOCTYPE html><html></html>"))
	f.Add(200, "text/plain", []byte("User-agent: *\nDisallow: /\n"))
	f.Add(404, "text/html", []byte("<html>not found</html>"))
	f.Add(200, "", []byte("\xEF\xBB\xBF <p>x"))
	f.Fuzz(func(t *testing.T, status int, ctype string, body []byte) {
		why := notTheFile("robots.txt", &PolicyFile{Status: status, ContentType: ctype, Body: body})
		if why == "" {
			return
		}
		if status < 200 || status > 299 {
			t.Fatalf("status %d read as not the file", status)
		}
		if trimmed := bytes.TrimLeft(bytes.TrimPrefix(body, []byte("\xEF\xBB\xBF")), " \t\r\n\f"); !bytes.HasPrefix(trimmed, []byte("<")) {
			t.Fatalf("a body not starting with < read as HTML: %q", body)
		}
		if !strings.Contains(why, fmt.Sprintf("HTTP %d ", status)) {
			t.Fatalf("reason without the status: %q", why)
		}
	})
}
