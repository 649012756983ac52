package reports

import (
	"bytes"
	"context"
	"io"

	"github.com/aiaudit/aiaudit/reports/model"
	"github.com/aiaudit/aiaudit/reports/pdf"
)

// pdfWriter is the HTML report printed by Chromium: the same page, for
// people who forward attachments.
type pdfWriter struct {
	htmlWriter
	page    bytes.Buffer
	out     io.Writer
	browser string
}

func (w *pdfWriter) End(r *model.Report) error {
	if err := w.htmlWriter.End(r); err != nil {
		return err
	}
	b, err := pdf.Print(context.Background(), w.browser, w.page.Bytes())
	if err != nil {
		return err
	}
	_, err = w.out.Write(b)
	return err
}
