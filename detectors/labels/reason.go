package labels

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Why a visitor cannot see a label: English formats, which are the JSON's
// text and the message catalogue's keys. The detector knows no language; a
// report reads a reason back (ParseReason) and says it in its own.
const (
	ReasonNotMeasurable = "layout not measurable"
	ReasonNotDisplayed  = "not displayed (display:none)"
	ReasonVisibility    = "visibility:%s"
	ReasonTransparent   = "transparent (opacity %.2g)"
	ReasonFontTooSmall  = "font too small (%gpx, minimum %dpx)"
	ReasonZeroSized     = "zero-sized (%gx%g px)"
	ReasonOffScreen     = "off-screen (at %g,%g on a %gx%g page)"
	ReasonOverImage     = "text over a background image: contrast cannot be measured"
	ReasonColoursUnread = "colours not readable: contrast cannot be measured"
	ReasonLowContrast   = "low contrast (%.2f:1, minimum %g:1)"
	ReasonAttribute     = "in the %s attribute, which the page does not show"
	ReasonNotChecked    = "not checked in the browser (page larger than the elements checked)"
	ReasonNotVisible    = "not visible"
)

// Reasons are every reason's format, for ParseReason and the catalogue's
// tests.
var Reasons = []string{ReasonNotMeasurable, ReasonNotDisplayed, ReasonVisibility, ReasonTransparent,
	ReasonFontTooSmall, ReasonZeroSized, ReasonOffScreen, ReasonOverImage, ReasonColoursUnread,
	ReasonLowContrast, ReasonAttribute, ReasonNotChecked, ReasonNotVisible}

// maxReason is the longest text ParseReason reads: a reason is one short
// phrase.
const maxReason = 1024

// Reason is one reason: its format and arguments.
type Reason struct {
	Format string
	Args   []any
}

// String is the reason in English.
func (r Reason) String() string { return fmt.Sprintf(r.Format, r.Args...) }

// reasonVerb finds the verbs of the reason formats (%s, %d, %g, %.2f ...).
var reasonVerb = regexp.MustCompile(`%(\.\d+)?([sdgf])`)

// reasonPatterns match each format, its verbs as groups.
var reasonPatterns = func() []*regexp.Regexp {
	out := make([]*regexp.Regexp, len(Reasons))
	for i, f := range Reasons {
		var b strings.Builder
		last := 0
		for _, m := range reasonVerb.FindAllStringSubmatchIndex(f, -1) {
			b.WriteString(regexp.QuoteMeta(f[last:m[0]]))
			if f[m[4]:m[5]] == "s" {
				b.WriteString(`(.*)`)
			} else {
				b.WriteString(`([-+0-9.eE]+|NaN|[+-]Inf)`)
			}
			last = m[1]
		}
		b.WriteString(regexp.QuoteMeta(f[last:]))
		out[i] = regexp.MustCompile(`^` + b.String() + `$`)
	}
	return out
}()

// ParseReason reads back a reason written in English: the format it was
// written with and its arguments. It accepts a text only when writing them
// again gives the same text, so a reason worded otherwise (an older scan's)
// is not a Reason and is shown as it stands.
func ParseReason(s string) (Reason, bool) {
	if len(s) > maxReason {
		return Reason{}, false
	}
	for i, re := range reasonPatterns {
		m := re.FindStringSubmatch(s)
		if m == nil {
			continue
		}
		f := Reasons[i]
		var args []any
		for j, v := range reasonVerb.FindAllStringSubmatch(f, -1) {
			text := m[j+1]
			switch v[2] {
			case "s":
				args = append(args, text)
			case "d":
				n, err := strconv.Atoi(text)
				if err != nil {
					return Reason{}, false
				}
				args = append(args, n)
			default:
				x, err := strconv.ParseFloat(text, 64)
				if err != nil {
					return Reason{}, false
				}
				args = append(args, x)
			}
		}
		if r := (Reason{Format: f, Args: args}); r.String() == s {
			return r, true
		}
	}
	return Reason{}, false
}
