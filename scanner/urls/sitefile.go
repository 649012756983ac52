package urls

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
)

// notTheFile is the one decision whether an answer to a site-file request
// (robots.txt, tdmrep.json, ai.txt; the urls vetter, crawl, check and the
// workers of a distributed job all read them through PolicyFiles.parse) is that file. Those are text or JSON; an
// HTML page served with a 2xx status in their place is a soft 404 (a server
// that answers every path with a page), so the file is absent, not present
// and unreadable. It returns why, keeping the status and type received, or
// "" for an answer that may be the file (or whose error status decides). A
// body is HTML when it starts with "<" (no robots line, ai.txt line or JSON
// value does) and either the WHATWG sniffer (http.DetectContentType) or the
// server's Content-Type says HTML.
func notTheFile(name string, r *PolicyFile) string {
	if r.Status < 200 || r.Status > 299 {
		return "" // an error status already says the file is not there (or unknown)
	}
	body := bytes.TrimLeft(bytes.TrimPrefix(r.Body, []byte("\xEF\xBB\xBF")), " \t\r\n\f")
	if !bytes.HasPrefix(body, []byte("<")) {
		return ""
	}
	declared := r.ContentType
	if !strings.HasPrefix(http.DetectContentType(body), "text/html") && !strings.Contains(strings.ToLower(declared), "html") {
		return ""
	}
	if declared == "" {
		declared = "no Content-Type"
	}
	return fmt.Sprintf("%s absent: HTTP %d (%s) answered with an HTML page, not the file", name, r.Status, declared)
}

// mediaType is a response's declared media type, without parameters.
func mediaType(h http.Header) string {
	return strings.TrimSpace(strings.Split(h.Get("Content-Type"), ";")[0])
}
