// Package formats reads back a text written with one of a fixed set of
// English fmt formats: which format, and with which arguments. The
// scanner's words (hidden-label reasons, resource notes) stay English in
// the JSON; a report reads them back this way and says them in its own
// language, with the format as the message catalogue's key.
package formats

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// MaxText is the longest text Parse reads: a format's text is one short
// sentence with a few values.
const MaxText = 4096

// Written is one text: its format and arguments.
type Written struct {
	Format string
	Args   []any
}

// String is the text in English.
func (w Written) String() string { return fmt.Sprintf(w.Format, w.Args...) }

// Set is a fixed set of formats to read texts back with.
type Set struct {
	formats  []string
	patterns []*regexp.Regexp
}

// verb finds the verbs the formats may use: %s, %v and %q (text), %d, and
// %g or %.2f (numbers).
var verb = regexp.MustCompile(`%(\.\d+)?([sdgfqv])`)

// New makes the set of formats, the first that matches a text winning.
func New(formats ...string) *Set {
	s := &Set{formats: formats}
	for _, f := range formats {
		var b strings.Builder
		last := 0
		for _, m := range verb.FindAllStringSubmatchIndex(f, -1) {
			b.WriteString(regexp.QuoteMeta(f[last:m[0]]))
			switch f[m[4]:m[5]] {
			case "s", "v":
				// The shortest text: a value leading a note ("on
				// URL: detail") ends at the first ": ", not inside the
				// detail after it.
				b.WriteString(`(.*?)`)
			case "q":
				b.WriteString(`("(?:[^"\\]|\\.)*")`)
			default:
				b.WriteString(`([-+0-9.eE]+|NaN|[+-]Inf)`)
			}
			last = m[1]
		}
		b.WriteString(regexp.QuoteMeta(f[last:]))
		s.patterns = append(s.patterns, regexp.MustCompile(`^`+b.String()+`$`))
	}
	return s
}

// Parse reads back a text written with one of the set's formats. It
// accepts a text only when writing the arguments again gives the same
// text, so a text worded otherwise (an older scan's) is not Written and is
// shown as it stands.
func (s *Set) Parse(text string) (Written, bool) {
	if len(text) > MaxText {
		return Written{}, false
	}
	for i, re := range s.patterns {
		m := re.FindStringSubmatch(text)
		if m == nil {
			continue
		}
		w := Written{Format: s.formats[i]}
		if args, ok := arguments(w.Format, m[1:]); ok {
			w.Args = args
			if w.String() == text {
				return w, true
			}
		}
	}
	return Written{}, false
}

// arguments converts the matched texts to the format's verbs' types.
func arguments(format string, texts []string) ([]any, bool) {
	var args []any
	for j, v := range verb.FindAllStringSubmatch(format, -1) {
		text := texts[j]
		switch v[2] {
		case "s", "v":
			args = append(args, text)
		case "q":
			u, err := strconv.Unquote(text)
			if err != nil {
				return nil, false
			}
			args = append(args, u)
		case "d":
			n, err := strconv.Atoi(text)
			if err != nil {
				return nil, false
			}
			args = append(args, n)
		default:
			x, err := strconv.ParseFloat(text, 64)
			if err != nil {
				return nil, false
			}
			args = append(args, x)
		}
	}
	return args, true
}
