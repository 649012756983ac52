package reports

import (
	"slices"
	"strings"

	"github.com/aiaudit/aiaudit/detectors/formats"
	"github.com/aiaudit/aiaudit/detectors/notes"
	"github.com/aiaudit/aiaudit/reports/i18n"
	"github.com/aiaudit/aiaudit/reports/model/detail"
)

// noteText says a resource's note in the printer's language. The JSON
// keeps the scanner's English; a note written with one of its formats
// (detectors/notes) is read back and written with the printer, its text
// parts too when they are notes or details themselves (a stylesheet's
// problem, why a request went unanswered, a label not visible). A note in
// another wording is shown as found, and so are the values inside a
// known one (URLs, file names, a library's error).
func noteText(p *i18n.Printer, note string) string {
	// Notes joined first: "a script mount point %s" would take the signs
	// after its own as its value.
	if ws, ok := notes.Split(note); ok && len(ws) > 1 {
		parts := make([]string, len(ws))
		for i, w := range ws {
			parts[i] = written(p, w)
		}
		return strings.Join(parts, "; ")
	}
	if w, ok := notes.Parse(note); ok {
		return written(p, w)
	}
	if d, ok := detail.Parse(note); ok {
		return d.Write(p.T)
	}
	return note
}

// written says a note read back, its text parts said by noteText.
func written(p *i18n.Printer, w formats.Written) string {
	args := slices.Clone(w.Args)
	for i, a := range args {
		if s, ok := a.(string); ok {
			args[i] = noteText(p, s)
		}
	}
	return p.T(w.Format, args...)
}
