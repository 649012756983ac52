// Package aitxt reads Spawning's /ai.txt. Only files in robots.txt grammar
// are honoured (a matching Disallow means "exclude from AI datasets"); other
// dialects found in the wild (Markdown, ad-hoc key: value) are reported as
// present but not evaluated.
package aitxt

import (
	"bytes"
	"regexp"

	"github.com/aiaudit/aiaudit/detectors"
	"github.com/aiaudit/aiaudit/detectors/robots"
)

// File is a parsed ai.txt.
type File struct {
	Spawning bool // robots.txt grammar with at least one group
	robots   *robots.File
}

// ruleLine finds a robots.txt record at the start of a line; a line ends at
// LF, CRLF or a lone CR, as in robots.txt (RFC 9309 §2.2).
var ruleLine = regexp.MustCompile(`(?i)(?:^|[\r\n])\s*(user-agent|disallow|allow)\s*:`)

// Parse reads an ai.txt body.
func Parse(b []byte) *File {
	if len(b) > robots.MaxSize {
		b = b[:robots.MaxSize]
	}
	b = bytes.TrimPrefix(b, []byte("\xEF\xBB\xBF")) // as robots.Parse does
	f := &File{}
	if ruleLine.Match(b) && bytes.Contains(bytes.ToLower(b), []byte("user-agent")) {
		f.robots = robots.Parse(b)
		f.Spawning = len(f.robots.Groups) > 0
	}
	return f
}

// OptOut evaluates the file for path (for every agent: ai.txt groups are
// normally "*").
func (f *File) OptOut(agent, path string) detectors.OptOut {
	o := detectors.OptOut{Signal: "ai.txt", Agent: agent, NonStandard: true}
	if !f.Spawning {
		o.Verdict, o.Detail = detectors.Unset, "ai.txt present, not in Spawning's robots.txt grammar: not evaluated"
		return o
	}
	r := f.robots.Evaluate(agent, path)
	switch {
	case !r.Allowed:
		o.Verdict, o.Detail = detectors.Reserved, r.Rule
	case r.Rule != "":
		o.Verdict, o.Detail = detectors.NotReserved, r.Rule
	default:
		o.Verdict, o.Detail = detectors.Unset, "no ai.txt rule matches"
	}
	return o
}
