package reports

import (
	"encoding/csv"
	"io"

	"github.com/aiaudit/aiaudit/reports/i18n"
	"github.com/aiaudit/aiaudit/reports/model"
)

// renderCSV writes one row per finding, then the exposure rows.
func renderCSV(w io.Writer, r *model.Report, fs *findingSpill, p *i18n.Printer) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"rule", "severity", "location", "message"})
	err := fs.each(func(f model.Finding) error {
		return cw.Write([]string{f.Rule, string(f.Severity), f.Location, f.Message})
	})
	if err != nil {
		return err
	}
	// Exposure, its assumptions and the disclaimer follow the findings as
	// rows of their own kind, with no severity.
	for _, e := range r.Exposure {
		cw.Write([]string{"exposure", "", e.Jurisdiction + " " + articleName(p, e), exposureLine(p, e)})
	}
	if r.Basis != nil {
		cw.Write([]string{"assumptions", "", "", basisLine(p, *r.Basis)})
	}
	cw.Write([]string{"disclaimer", "", "", disclaimer(r, p)})
	cw.Flush()
	return cw.Error()
}

// writeCSVDiff writes one row per finding with its change.
func writeCSVDiff(w io.Writer, v diffView) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"change", "rule", "severity", "location", "message"})
	for _, f := range v.all {
		cw.Write([]string{string(f.Change), f.Rule, string(f.Severity), f.Location, f.Message})
	}
	cw.Flush()
	return cw.Error()
}
