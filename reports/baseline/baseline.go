// Package baseline reads the file where a team records findings it has
// accepted, with a reason and an expiry date, and removes them from a scan's
// findings. An entry that has expired stops suppressing, so accepted risk is
// looked at again instead of being hidden for ever.
//
//	# aiaudit baseline
//	accepted:
//	  - rule: kz.aap.456.2                       # required; "*" for every rule
//	    location: https://example.kz/img/hero.jpg on https://example.kz/
//	                                             # required; "*" matches any run of characters
//	    content: xxh3-head:9f2c...             # optional: only this exact content
//	    reason: licensed stock photo, label added in ticket 123   # required
//	    until: 2027-03-31                        # required; accepted through that day (UTC)
//
// Locations are compared the way history compares them: without query
// strings or fragments, file paths relative to the scanned folder.
package baseline

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/parser"

	"github.com/aiaudit/aiaudit/reports/history"
	"github.com/aiaudit/aiaudit/reports/model"
)

// maxSize caps the file: a baseline is written by people.
const maxSize = 4 << 20

// Entry is one accepted finding.
type Entry struct {
	Rule     string `yaml:"rule"`
	Location string `yaml:"location"`
	Content  string `yaml:"content,omitempty"`
	Reason   string `yaml:"reason"`
	Until    string `yaml:"until"`

	line    int
	expires time.Time // the first instant the entry no longer applies
}

// String names the entry for a reader: where it is and what it accepted.
func (e Entry) String() string {
	return fmt.Sprintf("line %d: %s at %s (%s, until %s)", e.line, e.Rule, e.Location, e.Reason, e.Until)
}

// File is a parsed baseline.
type File struct {
	Path     string  `yaml:"-"`
	Accepted []Entry `yaml:"accepted"`
}

// Load reads and validates a baseline file.
func Load(path string) (*File, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if fi.Size() > maxSize {
		return nil, fmt.Errorf("%s: %d bytes is more than the %d a baseline may have", path, fi.Size(), maxSize)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, b)
}

// Parse validates a baseline; every error names the file and line.
func Parse(name string, b []byte) (*File, error) {
	f := &File{}
	if len(b) > maxSize {
		return nil, fmt.Errorf("%s: more than %d bytes", name, maxSize)
	}
	if err := checkShape(name, b); err != nil {
		return nil, err
	}
	if err := decode(b, f, yaml.Strict()); err != nil {
		return nil, fmt.Errorf("%s: %s", name, yaml.FormatError(err, false, false))
	}
	f.Path = name // after decoding: an empty document resets the struct
	ast, err := parser.ParseBytes(b, 0)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	line := func(i int, field string) int {
		p, err := yaml.PathString(fmt.Sprintf("$.accepted[%d].%s", i, field))
		if err != nil {
			return 0
		}
		n, err := p.FilterFile(ast)
		if err != nil || n == nil {
			p, _ = yaml.PathString(fmt.Sprintf("$.accepted[%d]", i))
			if n, err = p.FilterFile(ast); err != nil || n == nil {
				return 0
			}
		}
		return n.GetToken().Position.Line
	}
	var errs []error
	bad := func(i int, field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s:%d: accepted entry %d: %s", name, line(i, field), i+1, fmt.Sprintf(format, args...)))
	}
	for i := range f.Accepted {
		e := &f.Accepted[i]
		e.line = line(i, "rule")
		switch {
		case e.Rule == "":
			bad(i, "rule", `"rule" is required (a rule id such as kz.aap.456.2, or "*")`)
		case e.Location == "":
			bad(i, "location", `"location" is required (as the report prints it; "*" matches any run of characters)`)
		case strings.TrimSpace(e.Reason) == "":
			bad(i, "reason", `"reason" is required: say why this finding is accepted`)
		case e.Until == "":
			bad(i, "until", `"until" is required (YYYY-MM-DD): accepted risk is looked at again`)
		default:
			day, err := time.Parse(time.DateOnly, e.Until)
			if err != nil {
				bad(i, "until", "until %q is not a date: want YYYY-MM-DD", e.Until)
				continue
			}
			e.expires = day.AddDate(0, 0, 1)
		}
	}
	return f, errors.Join(errs...)
}

// checkShape tells a file that is no baseline at all (an image passed by
// mistake, another tool's YAML) from a baseline with a bad entry, and says
// what a baseline looks like: a YAML decoder would only say "string was used
// where mapping is expected". A file that is not even YAML gets the decoder's
// message with its line.
func checkShape(name string, b []byte) error {
	notBaseline := func(why string) error {
		return fmt.Errorf(`%s: not a baseline YAML file: %s (want "accepted:" and a list of entries, as aiaudit baseline writes)`, name, why)
	}
	if bytes.IndexByte(b, 0) >= 0 || !utf8.Valid(b) {
		return notBaseline("it holds binary data")
	}
	var doc any
	if err := decode(b, &doc, yaml.UseOrderedMap()); err != nil {
		return fmt.Errorf("%s: %s", name, yaml.FormatError(err, false, false))
	}
	switch d := doc.(type) {
	case nil:
		return nil // empty, or only comments: nothing accepted
	case yaml.MapSlice:
		var keys []string
		for _, kv := range d {
			k := fmt.Sprint(kv.Key)
			if k == "accepted" {
				return nil
			}
			keys = append(keys, k)
		}
		return notBaseline(fmt.Sprintf(`it has no "accepted" list (its keys: %s)`, strings.Join(keys, ", ")))
	case []any:
		return notBaseline("it is a list")
	default:
		return notBaseline("it is a single value")
	}
}

// decode contains panics of the YAML decoder, which is fed user input (it
// panicked on "accepted:\n ! 00"): a bad baseline must be an error, not a
// crashed scan.
func decode(b []byte, v any, opts ...yaml.DecodeOption) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("cannot parse YAML: %v", r)
		}
	}()
	return yaml.UnmarshalWithOptions(b, v, opts...)
}

// Result is what applying a baseline did.
type Result struct {
	Kept []model.Finding
	// Accepted are the findings left out; Suppressed counts them.
	Accepted   []model.Finding
	Suppressed int
	// Expired lists entries past their date that matched a finding, which
	// is therefore reported again.
	Expired []Entry
}

// Apply removes the findings the baseline accepts as of now. roots are the
// scan's targets, so file paths compare relative to them.
func (f *File) Apply(fs []model.Finding, roots []string, now time.Time) Result {
	var r Result
	expired := map[int]bool{}
	for _, fd := range fs {
		i, live := f.match(fd, roots, now)
		switch {
		case i < 0:
			r.Kept = append(r.Kept, fd)
		case live:
			r.Accepted = append(r.Accepted, fd)
			r.Suppressed++
		default:
			r.Kept = append(r.Kept, fd)
			if !expired[i] {
				expired[i] = true
				r.Expired = append(r.Expired, f.Accepted[i])
			}
		}
	}
	return r
}

// match returns the first entry that covers the finding (a live one first),
// and whether it is still in force.
func (f *File) match(fd model.Finding, roots []string, now time.Time) (int, bool) {
	place := history.Place(fd.Location, roots)
	found := -1
	for i, e := range f.Accepted {
		if e.Rule != "*" && e.Rule != fd.Rule {
			continue
		}
		if e.Content != "" && e.Content != fd.Content {
			continue
		}
		if !glob(history.Place(e.Location, roots), place) {
			continue
		}
		if now.Before(e.expires) {
			return i, true
		}
		if found < 0 {
			found = i
		}
	}
	return found, false
}

// glob matches s against a pattern where "*" stands for any run of
// characters ("/" included: a location is not a file path).
func glob(pattern, s string) bool {
	parts := strings.Split(pattern, "*")
	if len(parts) == 1 {
		return pattern == s
	}
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	last := parts[len(parts)-1]
	for _, p := range parts[1 : len(parts)-1] {
		i := strings.Index(s, p)
		if i < 0 {
			return false
		}
		s = s[i+len(p):]
	}
	return len(s) >= len(last) && strings.HasSuffix(s, last)
}

// Write writes a baseline accepting fs, each with reason and until, in the
// format Parse reads: a team starting to use aiaudit accepts today's
// findings once and sees only what is new. Entries carry the content digest
// when there is one, so a different item at the same place is not accepted.
func Write(w io.Writer, fs []model.Finding, reason string, until time.Time) error {
	doc := struct {
		Accepted []Entry `yaml:"accepted"`
	}{Accepted: []Entry{}}
	seen := map[string]bool{}
	for _, f := range fs {
		e := Entry{Rule: f.Rule, Location: f.Location, Content: f.Content, Reason: reason, Until: until.Format(time.DateOnly)}
		if k := e.Rule + "\x00" + e.Location + "\x00" + e.Content; !seen[k] {
			seen[k] = true
			doc.Accepted = append(doc.Accepted, e)
		}
	}
	b, err := yaml.MarshalWithOptions(doc, yaml.UseLiteralStyleIfMultiline(true))
	if err != nil {
		return err
	}
	if _, err := io.WriteString(w, "# aiaudit baseline: accepted findings. Entries expire after \"until\".\n"); err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}
