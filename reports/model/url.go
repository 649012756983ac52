package model

import "strings"

// StripUserinfo returns a URL without the user:password@ of its authority,
// everything else kept as written. It is the one rule for what a URL may
// show: a location, a target, a log line, an error message, a history row
// or a finding's identity never holds credentials, whatever the user or a
// page gave. The credentials a user gives for a site are used by the
// fetcher (scanner/urls) and go nowhere else.
//
// It works on the text, so that input url.Parse refuses (and would quote in
// its error) is stripped too: the authority runs from "//" after the scheme
// to the first "/", "?", "#" or "\" (which browsers read as "/"), and
// everything up to its last "@" goes.
func StripUserinfo(raw string) string {
	i := strings.Index(raw, "//")
	if i < 0 || (i > 0 && !isScheme(raw[:i])) {
		return raw
	}
	auth := raw[i+2:]
	if end := strings.IndexAny(auth, `/?#\`); end >= 0 {
		auth = auth[:end]
	}
	at := strings.LastIndexByte(auth, '@')
	if at < 0 {
		return raw
	}
	return raw[:i+2] + raw[i+2+at+1:]
}

// isScheme reports "scheme:" (RFC 3986 §3.1): what may precede "//".
func isScheme(s string) bool {
	s, ok := strings.CutSuffix(s, ":")
	if !ok || s == "" {
		return false
	}
	for i, c := range s {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
		case i > 0 && (c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.'):
		default:
			return false
		}
	}
	return true
}
