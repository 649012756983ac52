package reports

import (
	"bufio"
	"fmt"
	"io"

	"github.com/aiaudit/aiaudit/reports/model"
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
// of a diff (a Parquet report is a table of resources, and a diff has none).
const (
	DiffFormats = "table, json, csv, markdown, sarif, html"
	Formats     = DiffFormats + ", parquet"
)

// NewWriter returns the renderer for a format.
func NewWriter(format string, w io.Writer, opt TableOptions) (Writer, error) {
	switch format {
	case "json":
		return &jsonWriter{w: bufio.NewWriterSize(w, 64<<10)}, nil
	case "table", "":
		return newTableWriter(w, opt), nil
	case "csv":
		return &collector{w: w, render: renderCSV}, nil
	case "markdown":
		return &collector{w: w, render: renderMarkdown}, nil
	case "sarif":
		return &collector{w: w, render: renderSARIF}, nil
	case "html":
		return &htmlWriter{w: w, thumbs: map[string]string{}}, nil
	case "parquet":
		return newParquetWriter(w), nil
	}
	return nil, fmt.Errorf("unknown format %q (accepted: %s)", format, Formats)
}

// collector keeps the report header and findings for the formats that are
// written whole at the end (CSV, Markdown, SARIF); resources are counted, not
// kept.
type collector struct {
	w        io.Writer
	findings []model.Finding
	render   func(w io.Writer, r *model.Report, fs []model.Finding) error
}

func (c *collector) Begin(*model.Report) error { return nil }

func (c *collector) Resource(_ model.Resource, fs []model.Finding) error { return c.Findings(fs) }

func (c *collector) Findings(fs []model.Finding) error {
	c.findings = append(c.findings, fs...)
	return nil
}

func (c *collector) End(r *model.Report) error { return c.render(c.w, r, c.findings) }
