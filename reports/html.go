package reports

import (
	_ "embed"
	"errors"
	"html/template"
	"io"
	"net/url"
	"regexp"
	"sort"
	"strings"

	"github.com/aiaudit/aiaudit/reports/digestset"
	"github.com/aiaudit/aiaudit/reports/i18n"
	"github.com/aiaudit/aiaudit/reports/model"
	"github.com/aiaudit/aiaudit/reports/rules"
	"github.com/zeebo/xxh3"
)

//go:embed html.tmpl
var htmlTemplate string

// page is parsed once; each render binds its language's functions to a
// clone.
var page = template.Must(template.New("report").Funcs(htmlFuncs(i18n.English())).Parse(htmlTemplate))

func htmlFuncs(p *i18n.Printer) template.FuncMap {
	return template.FuncMap{
		"thumb":        thumbURL,
		"t":            p.T,
		"int":          func(n int) string { return p.Int(int64(n)) },
		"article":      func(e model.Exposure) string { return articleName(p, e) },
		"exposureLine": func(e model.Exposure) string { return exposureLine(p, e) },
		"basis":        func(b *model.ExposureBasis) string { return basisLine(p, *b) },
		"disclaimer":   func(r *model.Report) string { return disclaimer(r, p) },
	}
}

// htmlWriter spills the findings and keeps the thumbnails (2,000 at most)
// of the items they point at, and renders one self-contained file at the
// end, its rows streamed from the spill. Every string that came from a
// scanned site goes through html/template's escaping.
type htmlWriter struct {
	w      io.Writer
	p      *i18n.Printer
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
	// Text is the message in the report's language; Fix what to do, for
	// violations and warnings.
	Text, Fix string
}

// fixRow is one rule's line in "How to fix": what it is, how many
// findings, what to do.
type fixRow struct {
	Severity     model.Severity
	Summary, Fix string
	Count        int
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
	p := h.p
	defer h.spill.close()
	// The cards, charts and fixes first: one pass counting the unlabelled
	// items (one item, one count, whatever the number of laws) per
	// section, and the findings per rule.
	unlabelled := digestset.New(0, 0)
	defer unlabelled.Close()
	sections := map[string]int64{}
	perRule := map[string]int{} // rule ids: as many as the registry has
	infos := 0
	err := h.spill.each(func(f model.Finding) error {
		perRule[f.Rule]++
		if f.Severity == model.SeverityInfo {
			infos++
		}
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
	fixes := fixRows(p, perRule)
	var firstFix string
	if len(fixes) > 0 && fixes[0].Severity != model.SeverityInfo {
		firstFix = fixes[0].Fix
	}
	var newSince string
	if c := r.Changes; c != nil {
		newSince = p.T("new since last scan (first scan)")
		if c.PreviousScan != 0 {
			newSince = p.T("new since last scan (%d fixed, %d unchanged)", c.Fixed, c.Unchanged) + heldBack(c.Accepted, c.NotRechecked, p)
		}
	}
	t, err := page.Clone()
	if err != nil {
		return err
	}
	// Then the rows, most severe first, sent to the template as it
	// renders them.
	rows := make(chan htmlRow, 64)
	stop := make(chan struct{})
	var rowsErr error
	go func() {
		defer close(rows)
		rowsErr = h.spill.bySeverity(func(f model.Finding) error {
			row := htmlRow{Finding: f, Text: findingMessage(p, f)}
			if isNew[[2]string{f.Rule, f.Location}] {
				row.Change = model.ChangeNew
			}
			if rule, ok := rules.Get(f.Rule); ok && f.Severity != model.SeverityInfo {
				row.Fix = p.T(rule.Fix)
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
		"Lang":       p.Lang,
		"Rows":       rows,
		"Count":      h.spill.n,
		"Infos":      infos,
		"Violations": unlabelled.Len(),
		"Fixes":      fixes,
		"FirstFix":   firstFix,
		"NewSince":   newSince,
		"Charts":     exposureCharts(p, r.Exposure),
		"Sections":   newChart(bars(sections, func(v int64) string { return p.Int(v) })),
		"Agents":     agentRows(r.Sites),
		"Range":      exposureRange(p, r.Exposure),
		"History":    historyLines(r, p),
	}
	err = t.Funcs(htmlFuncs(p)).Execute(h.w, data)
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

// fixRows lists each rule found with its count and fix, the most severe
// and most frequent first: the first row is what to do first.
func fixRows(p *i18n.Printer, perRule map[string]int) []fixRow {
	var out []fixRow
	for id, n := range perRule {
		rule, ok := rules.Get(id)
		if !ok {
			continue
		}
		out = append(out, fixRow{Severity: rule.Severity, Summary: p.T(rule.Summary), Fix: p.T(rule.Fix), Count: n})
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Severity.Rank() != b.Severity.Rank() {
			return a.Severity.Rank() > b.Severity.Rank()
		}
		if a.Count != b.Count {
			return a.Count > b.Count
		}
		return a.Summary < b.Summary
	})
	return out
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

// currencyChart is one chart of exposure in one currency: tenge and
// euros never share an axis, or the tenge bar vanishes beside a euro cap.
type currencyChart struct {
	chart
	Currency string
}

// exposureCharts charts the maximum exposure per article, one chart per
// currency: tenge for the Kazakh tables, euros for the others.
func exposureCharts(p *i18n.Printer, es []model.Exposure) []currencyChart {
	by := map[string]map[string]int64{}
	texts := map[string]string{}
	for _, e := range es {
		if e.TotalMax == nil {
			continue
		}
		cur, v := "EUR", euros(e.TotalMax.EUR)
		if e.TotalMax.KZT != 0 {
			cur, v = "KZT", e.TotalMax.KZT
		}
		k := e.Jurisdiction + " " + articleName(p, e)
		if by[cur] == nil {
			by[cur] = map[string]int64{}
		}
		by[cur][k] = v
		texts[k] = money(p, e.TotalMax)
	}
	var out []currencyChart
	for _, cur := range []string{"KZT", "EUR"} {
		if by[cur] == nil {
			continue
		}
		b := bars(by[cur], nil)
		for i := range b {
			b[i].Text = texts[b[i].Label]
		}
		out = append(out, currencyChart{chart: newChart(b), Currency: cur})
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

// exposureRange is the first card: the Kazakh range per article, and the
// EU cap, each in its own currency.
func exposureRange(p *i18n.Printer, es []model.Exposure) string {
	var parts []string
	for _, e := range es {
		switch {
		case e.TotalMax == nil:
		case e.TotalMax.KZT != 0:
			parts = append(parts, p.T("%s: %s – %s", articleName(p, e), p.KZT(e.TotalMin.KZT), p.KZT(e.TotalMax.KZT)))
		default:
			parts = append(parts, p.T("%s: cap %s", e.Jurisdiction+" "+articleName(p, e), p.EUR(e.TotalMax.EUR)))
		}
	}
	if len(parts) == 0 {
		return p.T("none")
	}
	return strings.Join(parts, "; ")
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
