package reports

import (
	"bufio"
	"fmt"
	"io"
	"slices"

	"github.com/aiaudit/aiaudit/reports/i18n"
	"github.com/aiaudit/aiaudit/reports/model"
	"github.com/aiaudit/aiaudit/scanner/browser"
)

// Writer renders a report as resources arrive, so a scan of a million files
// never holds them all in memory.
type Writer interface {
	// Begin is called once, before any resource.
	Begin(r *model.Report) error
	// Resource is called for each resource in order, with its findings.
	Resource(r model.Resource, fs []model.Finding) error
	// Findings adds findings about a resource written before.
	Findings(fs []model.Finding) error
	// End is called once with the final report header (summary, finish time,
	// completeness); Resources and Findings in it are empty.
	End(r *model.Report) error
}

// Formats lists the accepted output formats of a report; DiffFormats those
// of a diff (a Parquet report is a table of resources, and a diff has none;
// a PDF is the HTML report printed).
const (
	DiffFormats = "table, json, csv, markdown, sarif, html"
	Formats     = DiffFormats + ", pdf, parquet"
)

// human lists the formats written for people, in the report's language.
var human = []string{"table", "", "markdown", "html", "pdf"}

// Printer is the language a format is written in: the one asked for when
// people read the format, English for machine formats.
func Printer(format, lang string) (*i18n.Printer, error) {
	if lang == "" || !slices.Contains(human, format) {
		lang = "en"
	}
	return i18n.New(lang)
}

// NewWriter returns the renderer for a format.
func NewWriter(format string, w io.Writer, opt Options) (Writer, error) {
	p, err := Printer(format, opt.Lang)
	if err != nil {
		return nil, err
	}
	switch format {
	case "json":
		return &jsonWriter{w: bufio.NewWriterSize(w, 64<<10)}, nil
	case "table", "":
		return newTableWriter(w, opt, p), nil
	case "csv":
		return &collector{w: w, p: p, render: renderCSV}, nil
	case "markdown":
		return &collector{w: w, p: p, render: renderMarkdown}, nil
	case "sarif":
		return &collector{w: w, p: p, render: renderSARIF}, nil
	case "html":
		return &htmlWriter{w: w, p: p, thumbs: map[string]string{}}, nil
	case "pdf":
		browser, err := browser.Find(opt.Browser)
		if err != nil {
			return nil, fmt.Errorf("--format pdf prints the HTML report in Chromium: %w", err)
		}
		pw := &pdfWriter{out: w, browser: browser}
		pw.htmlWriter = htmlWriter{w: &pw.page, p: p, thumbs: map[string]string{}}
		return pw, nil
	case "parquet":
		return newParquetWriter(w), nil
	}
	return nil, fmt.Errorf("unknown format %q (accepted: %s)", format, Formats)
}

// collector spills the findings for the formats that are written whole at
// the end (CSV, Markdown, SARIF); resources are counted, not kept.
type collector struct {
	w      io.Writer
	spill  findingSpill
	p      *i18n.Printer
	render func(w io.Writer, r *model.Report, fs *findingSpill, p *i18n.Printer) error
}

func (c *collector) Begin(*model.Report) error { return nil }

func (c *collector) Resource(_ model.Resource, fs []model.Finding) error { return c.Findings(fs) }

func (c *collector) Findings(fs []model.Finding) error { return c.spill.add(fs) }

func (c *collector) End(r *model.Report) error {
	defer c.spill.close()
	return c.render(c.w, r, &c.spill, c.p)
}
