package reports

import (
	_ "embed"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net/url"
	"regexp"
	"sort"
	"strings"

	"github.com/aiaudit/aiaudit/reports/digestset"
	"github.com/aiaudit/aiaudit/reports/model"
	"github.com/zeebo/xxh3"
)

//go:embed html.tmpl
var htmlTemplate string

var page = template.Must(template.New("report").Funcs(template.FuncMap{
	"thumb":        thumbURL,
	"money":        moneyText,
	"exposureLine": exposureLine,
	"basis":        func(b *model.ExposureBasis) string { return basisLine(*b) },
	"disclaimer":   disclaimer,
}).Parse(htmlTemplate))

// htmlWriter spills the findings and keeps the thumbnails (2,000 at most)
// of the items they point at, and renders one self-contained file at the
// end, its rows streamed from the spill. Every string that came from a
// scanned site goes through html/template's escaping.
type htmlWriter struct {
	w      io.Writer
	spill  findingSpill
	thumbs map[string]string
}

func (h *htmlWriter) Begin(*model.Report) error { return nil }

func (h *htmlWriter) Resource(r model.Resource, fs []model.Finding) error {
	if r.Thumbnail != "" && len(h.thumbs) < 2000 {
		h.thumbs[r.Location] = r.Thumbnail
	}
	return h.Findings(fs)
}

func (h *htmlWriter) Findings(fs []model.Finding) error { return h.spill.add(fs) }

type htmlRow struct {
	model.Finding
	Thumb string
}

type bar struct {
	Label string
	Value int64
	Text  string
	Width int // bar length, the largest is barMax
	Y     int
}

type agentRow struct {
	Origin, Agent string
	Blocked       bool
}

func (h *htmlWriter) End(r *model.Report) error {
	defer h.spill.close()
	// The cards and charts first: one pass counting the unlabelled items
	// (one item, one count, whatever the number of laws) per section.
	unlabelled := digestset.New(0, 0)
	defer unlabelled.Close()
	sections := map[string]int64{}
	err := h.spill.each(func(f model.Finding) error {
		if f.Severity != model.SeverityViolation {
			return nil
		}
		added, err := unlabelled.Add(xxh3.HashString128(f.Location).Bytes())
		if added {
			_, pageURL := mediaAndPage(f.Location)
			sections[section(pageURL)]++
		}
		return err
	})
	if err != nil {
		return err
	}
	isNew := map[[2]string]bool{}
	if c := r.Changes; c != nil && c.PreviousScan != 0 {
		for _, f := range c.Alerts {
			isNew[[2]string{f.Rule, f.Location}] = true
		}
	}
	// Then the rows, most severe first, sent to the template as it
	// renders them.
	rows := make(chan htmlRow, 64)
	stop := make(chan struct{})
	var rowsErr error
	go func() {
		defer close(rows)
		rowsErr = h.spill.bySeverity(func(f model.Finding) error {
			row := htmlRow{Finding: f}
			if isNew[[2]string{f.Rule, f.Location}] {
				row.Change = model.ChangeNew
			}
			media, _ := mediaAndPage(f.Location)
			row.Thumb = h.thumbs[media]
			select {
			case rows <- row:
				return nil
			case <-stop:
				return errStopped
			}
		})
	}()
	data := map[string]any{
		"R":          r,
		"Rows":       rows,
		"Count":      h.spill.n,
		"Violations": unlabelled.Len(),
		"Exposure":   newChart(exposureBars(r.Exposure)),
		"Sections":   newChart(bars(sections, func(v int64) string { return fmt.Sprint(v) })),
		"Agents":     agentRows(r.Sites),
		"Range":      exposureRange(r.Exposure),
		"History":    historyLines(r),
	}
	err = page.Execute(h.w, data)
	close(stop)
	for range rows { // the reader has stopped: let the sender finish
	}
	if err != nil {
		return err
	}
	if rowsErr != nil && !errors.Is(rowsErr, errStopped) {
		return rowsErr
	}
	return nil
}

// errStopped ends the rows of a page whose rendering failed.
var errStopped = errors.New("rendering stopped")

// mediaAndPage splits "MEDIA on PAGE"; a location without a page is both.
func mediaAndPage(loc string) (media, page string) {
	if i := strings.LastIndex(loc, " on "); i >= 0 {
		return loc[:i], loc[i+4:]
	}
	return loc, loc
}

// section is the first path segment of a page: "/blog/a" -> "/blog".
func section(pageURL string) string {
	u, err := url.Parse(pageURL)
	if err != nil || u.Path == "" || u.Path == "/" {
		return "/"
	}
	seg := strings.SplitN(strings.TrimPrefix(u.Path, "/"), "/", 2)
	if len(seg) == 1 {
		return "/"
	}
	return "/" + seg[0]
}

func bars(m map[string]int64, text func(int64) string) []bar {
	var out []bar
	var top int64 = 1
	for k, v := range m {
		b := bar{Label: k, Value: v}
		if text != nil {
			b.Text = text(v)
		}
		out = append(out, b)
		top = max(top, v)
	}
	sort.Slice(out, func(i, j int) bool {
		return out[i].Value > out[j].Value || out[i].Value == out[j].Value && out[i].Label < out[j].Label
	})
	for i := range out {
		out[i].Width = int(out[i].Value * barMax / top)
		out[i].Y = i * rowHeight
	}
	return out
}

// Chart geometry, in SVG units.
const (
	barMax    = 400
	rowHeight = 22
)

type chart struct {
	Bars   []bar
	Height int
}

func newChart(b []bar) chart { return chart{Bars: b, Height: len(b) * rowHeight} }

// exposureBars charts the maximum exposure per article, in euros (the one
// unit every table has).
func exposureBars(es []model.Exposure) []bar {
	m := map[string]int64{}
	texts := map[string]string{}
	for _, e := range es {
		if e.TotalMax == nil {
			continue
		}
		k := e.Jurisdiction + " Art. " + e.Article
		m[k] = euros(e.TotalMax.EUR)
		texts[k] = moneyText(e.TotalMax)
	}
	out := bars(m, nil)
	for i := range out {
		out[i].Text = texts[out[i].Label]
	}
	return out
}

// euros reads a decimal euro string as whole euros, for bar lengths only.
func euros(s string) int64 {
	var n int64
	for _, c := range strings.SplitN(s, ".", 2)[0] {
		if c >= '0' && c <= '9' {
			n = n*10 + int64(c-'0')
		}
	}
	return n
}

func exposureRange(es []model.Exposure) string {
	var parts []string
	for _, e := range es {
		if e.TotalMax != nil && e.Jurisdiction == "KZ" {
			parts = append(parts, fmt.Sprintf("Art. %s: %s – %s", e.Article, moneyText(e.TotalMin), moneyText(e.TotalMax)))
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, "; ")
}

func moneyText(m *model.Money) string {
	if m == nil {
		return "-"
	}
	if m.KZT != 0 {
		return fmt.Sprintf("%d KZT (%s EUR)", m.KZT, m.EUR)
	}
	return m.EUR + " EUR"
}

func agentRows(sites []model.Site) []agentRow {
	var out []agentRow
	for _, s := range sites {
		for _, a := range s.OptOut.AIAgentsBlocked {
			out = append(out, agentRow{Origin: s.Origin, Agent: a, Blocked: true})
		}
		for _, a := range s.OptOut.AIAgentsAllowed {
			out = append(out, agentRow{Origin: s.Origin, Agent: a})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Origin+out[i].Agent < out[j].Origin+out[j].Agent })
	return out
}

var dataJPEG = regexp.MustCompile(`^data:image/jpeg;base64,[A-Za-z0-9+/=]+$`)

// thumbURL trusts only the scanner's own JPEG data URIs; anything else
// (a URL from a scanned page) is not shown.
func thumbURL(s string) template.URL {
	if dataJPEG.MatchString(s) {
		return template.URL(s)
	}
	return ""
}
