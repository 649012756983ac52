package model

import "testing"

func TestStripUserinfo(t *testing.T) {
	for in, want := range map[string]string{
		"http://alice:secret@example.com/a?b#c": "http://example.com/a?b#c",
		"https://alice@example.com:8443":        "https://example.com:8443",
		"HTTP://a:b@EXAMPLE.com/x":              "HTTP://EXAMPLE.com/x",
		"http://a:p@ss@example.com/":            "http://example.com/",
		"//alice:secret@example.com/x":          "//example.com/x",
		"ftp://alice:secret@example.invalid/x":  "ftp://example.invalid/x",
		"http://alice:secret@example.com/%zz":   "http://example.com/%zz", // url.Parse refuses it
		`http://alice:secret@example.com\x`:     `http://example.com\x`,   // "\" ends the authority
		"http://example.com/@user/x?to=a@b.c":   "http://example.com/@user/x?to=a@b.c",
		"http://example.com/a#b@c":              "http://example.com/a#b@c",
		"mailto:alice@example.com":              "mailto:alice@example.com", // no authority
		"/home/alice/x@y":                       "/home/alice/x@y",
		"a//b@c/d":                              "a//b@c/d",
		"":                                      "",
	} {
		if got := StripUserinfo(in); got != want {
			t.Errorf("StripUserinfo(%q) = %q, want %q", in, got, want)
		}
	}
}
