// Package detail writes, and reads back, the English details the scanner
// puts in its observations (an unlabelled item, an undisclosed chat
// widget). They are part of the JSON contract and stay English; the human
// reports read them back into parts to say them in the report's language.
// Formatting and parsing live together here so the two cannot drift.
package detail

import (
	"fmt"
	"strings"

	"github.com/aiaudit/aiaudit/detectors/formats"
	"github.com/aiaudit/aiaudit/detectors/labels"
)

// The English shapes. They are also the message catalogue's keys, so a
// report translates a detail by writing it with its printer.
const (
	UnlabelledFormat = "AI-made %s (%s) is published without a visible AI label; looked in: %s"
	HiddenFormat     = "label present but not visible: %s %q (%s)"
	WidgetFormat     = "embeds the AI chat assistant %s (%s) and the page does not say visitors talk to an AI; the widget's own interface was not rendered"
)

// Sprintf writes a format with its arguments: fmt.Sprintf for the
// contract's English, a report printer's T for its language.
type Sprintf func(format string, args ...any) string

// Detail is one known shape of detail.
type Detail interface {
	Write(Sprintf) string
}

// Hidden is a label the page has but a visitor cannot see.
type Hidden struct {
	Where, Text, Why string
}

// Write says where the label is and why it is not seen: the reason, when
// it is one of the detector's (labels.Reasons), written with f too.
func (h Hidden) Write(f Sprintf) string {
	why := h.Why
	if r, ok := labels.ParseReason(why); ok {
		why = f(r.Format, r.Args...)
	}
	return f(HiddenFormat, place(f, h.Where), h.Text, why)
}

// place is a place a label is looked for, said with f when it is a word.
func place(f Sprintf, where string) string {
	if spokenPlaces[where] {
		return f(where)
	}
	return where
}

// Unlabelled is an AI-made item shown without a visible label: what it is,
// why it is known AI-made (with what the reader sees), where a label was
// looked for, and a label present but not visible.
type Unlabelled struct {
	What, Why string
	Looked    []string
	Hidden    *Hidden
}

// spokenPlaces are the places a label is looked for that are words, said
// in the report's language; the others are markup names (alt, title,
// figcaption) and stay as the page has them.
var spokenPlaces = map[string]bool{"container": true, "page": true, "text": true, "page text": true}

// Write says the item is published without a visible label.
func (u Unlabelled) Write(f Sprintf) string {
	looked := make([]string, len(u.Looked))
	for i, where := range u.Looked {
		looked[i] = place(f, where)
	}
	s := f(UnlabelledFormat, u.What, u.Why, strings.Join(looked, ", "))
	if u.Hidden != nil {
		s += "; " + u.Hidden.Write(f)
	}
	return s
}

// Widget is an embedded AI chat assistant the page does not disclose.
type Widget struct {
	Name, URL string
}

// Write says the page embeds the assistant without telling visitors.
func (w Widget) Write(f Sprintf) string { return f(WidgetFormat, w.Name, w.URL) }

// shapes reads back the details' formats (detectors/formats, as the
// scanner's notes and label reasons are read back).
var shapes = formats.New(UnlabelledFormat, WidgetFormat, HiddenFormat)

// Parse reads a detail written by Write in English. It accepts a text only
// when writing the parts back gives the same text, so anything it does not
// recognise (an older scan's wording, another scanner's) is not a Detail.
func Parse(s string) (Detail, bool) {
	w, ok := shapes.Parse(s)
	if !ok {
		return nil, false
	}
	var d Detail
	switch w.Format {
	case UnlabelledFormat:
		if d, ok = unlabelled(w.Args); !ok {
			return nil, false
		}
	case WidgetFormat:
		// A name may hold " (" ("Acme Chat (beta)"), the URL after it not:
		// the split is at the last one.
		both := w.Args[0].(string) + " (" + w.Args[1].(string)
		i := strings.LastIndex(both, " (")
		d = Widget{Name: both[:i], URL: both[i+2:]}
	case HiddenFormat:
		d = Hidden{Where: w.Args[0].(string), Text: w.Args[1].(string), Why: w.Args[2].(string)}
	}
	if d.Write(fmt.Sprintf) != s {
		return nil, false
	}
	return d, true
}

// unlabelled builds an Unlabelled from its format's arguments: the last
// holds where a label was looked for and, after "; ", a label present but
// not visible. Scanned text inside Why or the hidden label could repeat
// the fixed words; the split is then another one that writes back the
// same text, which the reports show as it is.
func unlabelled(args []any) (Unlabelled, bool) {
	u := Unlabelled{What: args[0].(string), Why: args[1].(string)}
	looked, hidden, found := strings.Cut(args[2].(string), "; ")
	if found {
		w, ok := shapes.Parse(hidden)
		if !ok || w.Format != HiddenFormat {
			return Unlabelled{}, false
		}
		u.Hidden = &Hidden{Where: w.Args[0].(string), Text: w.Args[1].(string), Why: w.Args[2].(string)}
	}
	if looked != "" {
		u.Looked = strings.Split(looked, ", ")
	}
	return u, true
}
