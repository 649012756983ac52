package labels

import "github.com/aiaudit/aiaudit/detectors/formats"

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
type Reason = formats.Written

var reasons = formats.New(Reasons...)

// ParseReason reads back a reason written in English: the format it was
// written with and its arguments. It accepts a text only when writing them
// again gives the same text, so a reason worded otherwise (an older scan's)
// is not a Reason and is shown as it stands.
func ParseReason(s string) (Reason, bool) {
	if len(s) > maxReason {
		return Reason{}, false
	}
	return reasons.Parse(s)
}
