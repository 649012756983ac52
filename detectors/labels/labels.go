// Package labels finds visible AI labels: phrases in Kazakh, Russian, English
// and German (a table, as data) in what a reader sees for an item on a page:
// its alt text, title, aria-label and aria-describedby text, the figure
// caption, the text of its nearest container, and page-level disclosures.
// Metadata never proves a visible label; this package reads only the DOM.
package labels

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"github.com/PuerkitoBio/goquery"
)

// Phrase is one label pattern.
type Phrase struct {
	Lang    string   `json:"lang"`
	Pattern string   `json:"pattern"`
	Samples []string `json:"samples"`
	Not     []string `json:"not"`
	re      *regexp.Regexp
}

// Table is the phrase table.
type Table struct {
	Listed    string   `json:"listed"`
	Phrases   []Phrase `json:"phrases"`
	PageScope struct {
		Pattern string   `json:"pattern"`
		Samples []string `json:"samples"`
	} `json:"page_scope"`
	page *regexp.Regexp
}

//go:embed phrases.json
var phrasesJSON []byte

var defaultTable = func() *Table {
	t, err := Load(phrasesJSON)
	if err != nil {
		panic(err) // the embedded table is checked by the tests
	}
	return t
}()

// Default returns the embedded table.
func Default() *Table { return defaultTable }

// Load parses a phrase table.
func Load(b []byte) (*Table, error) {
	var t Table
	if err := json.Unmarshal(b, &t); err != nil {
		return nil, fmt.Errorf("label phrases: %w", err)
	}
	if err := t.compile(); err != nil {
		return nil, err
	}
	return &t, nil
}

func (t *Table) compile() error {
	for i := range t.Phrases {
		re, err := regexp.Compile("(?i)" + t.Phrases[i].Pattern)
		if err != nil {
			return fmt.Errorf("label phrase %d (%s): %w", i, t.Phrases[i].Lang, err)
		}
		t.Phrases[i].re = re
	}
	re, err := regexp.Compile("(?i)" + t.PageScope.Pattern)
	if err != nil {
		return fmt.Errorf("label page scope: %w", err)
	}
	t.page = re
	return nil
}

// Extend returns a table with extra phrases (from a config file).
func (t *Table) Extend(extra []Phrase) (*Table, error) {
	out := &Table{Listed: t.Listed, PageScope: t.PageScope, Phrases: append(append([]Phrase(nil), t.Phrases...), extra...)}
	return out, out.compile()
}

// Match returns the phrase found in text, if any.
func (t *Table) Match(text string) (Phrase, string, bool) {
	text = strings.Join(strings.Fields(text), " ")
	for _, p := range t.Phrases {
		if m := p.re.FindString(text); m != "" {
			return p, m, true
		}
	}
	return Phrase{}, "", false
}

// Found is a visible label and where it was.
type Found struct {
	Where string // "alt", "title", "aria-label", "aria-describedby", "figcaption", "container", "page"
	Text  string
	Lang  string
}

// Result is the outcome of looking for a label on one item.
type Result struct {
	Visible bool
	Label   Found
	// Looked lists the places searched, for the report.
	Looked []string
	// Hidden is a label the markup holds where a visitor cannot see it
	// (rendered pages only): it does not count.
	Hidden *Hidden
}

// Hidden is a label present in the page but not visible, and why.
type Hidden struct {
	Found
	Why string
}

// Finder looks for labels on one page, as served or as rendered.
type Finder interface {
	// ForItem looks for a label of a media element.
	ForItem(el *goquery.Selection) Result
	// ForText looks for a label of an element declared AI-made.
	ForText(el *goquery.Selection) Result
	// Text is the text of a selection a reader takes in.
	Text(el *goquery.Selection) string
}

// Markup is the Finder of a page as served: every text and the alt, title
// and aria-label attributes count (the static crawl).
func (t *Table) Markup(doc *goquery.Document) Finder { return markupFinder{t, doc} }

type markupFinder struct {
	t   *Table
	doc *goquery.Document
}

func (f markupFinder) ForItem(el *goquery.Selection) Result { return f.t.ForItem(f.doc, el) }
func (f markupFinder) ForText(el *goquery.Selection) Result { return f.t.ForText(f.doc, el) }
func (f markupFinder) Text(el *goquery.Selection) string    { return el.Text() }

// containers are the elements whose text a reader takes as belonging to the
// item inside them.
const containers = "figure, picture, a, p, li, td, article, section, div, aside"

// maxContainerText bounds the container text considered: a container
// holding a whole page is not "the item's caption".
const maxContainerText = 600

// ForItem looks for a visible label for the item el on page doc.
func (t *Table) ForItem(doc *goquery.Document, el *goquery.Selection) Result {
	return t.forItem(doc, el, markup)
}

// view is how a label search reads a page: the markup as served (every
// text and the alt, title and aria-label attributes count), or the page as
// a browser showed it (only text a visitor can see counts).
type view struct {
	text    func(*goquery.Selection) string // the text of a selection and its descendants
	ownText func(*goquery.Selection) string // the text of the selection's own text nodes
	attrs   bool                            // whether alt, title and aria-label count
}

var markup = view{
	text:    func(s *goquery.Selection) string { return s.Text() },
	ownText: func(s *goquery.Selection) string { return s.Clone().Children().Remove().End().Text() },
	attrs:   true,
}

func (t *Table) forItem(doc *goquery.Document, el *goquery.Selection, v view) Result {
	var r Result
	try := func(where, text string) bool {
		r.Looked = append(r.Looked, where)
		if p, m, ok := t.Match(text); ok {
			r.Visible, r.Label = true, Found{Where: where, Text: m, Lang: p.Lang}
			return true
		}
		return false
	}
	for _, attr := range []string{"alt", "title", "aria-label"} {
		if v.attrs && try(attr, el.AttrOr(attr, "")) {
			return r
		}
	}
	if ids, ok := el.Attr("aria-describedby"); ok {
		var texts []string
		for _, id := range strings.Fields(ids) {
			texts = append(texts, v.text(doc.Find("#"+cssEscape(id))))
		}
		if try("aria-describedby", strings.Join(texts, " ")) {
			return r
		}
	}
	if fig := el.Closest("figure"); fig.Length() > 0 {
		if try("figcaption", v.text(fig.Find("figcaption"))) {
			return r
		}
	}
	// The nearest container with text of its own: a <picture> or an empty
	// wrapper says nothing, the block around it may. The search stops at
	// the first container with text, so a label on a neighbour's block is
	// not taken.
	containerText := ""
	c := el.Parent().Closest(containers)
	for hops := 0; c.Length() > 0 && hops < 3; hops++ {
		if text := strings.TrimSpace(v.text(c)); text != "" {
			if len(text) <= maxContainerText {
				containerText = text
			}
			break
		}
		c = c.Parent().Closest(containers)
	}
	if try("container", containerText) {
		return r
	}
	if f, ok := t.pageDisclosure(doc, v); ok {
		r.Looked = append(r.Looked, "page")
		r.Visible, r.Label = true, f
		return r
	}
	r.Looked = append(r.Looked, "page")
	return r
}

// PageDisclosure finds a page-level notice covering every AI item: a block
// whose text carries a label phrase and says it applies to the page.
func (t *Table) PageDisclosure(doc *goquery.Document) (Found, bool) {
	return t.pageDisclosure(doc, markup)
}

func (t *Table) pageDisclosure(doc *goquery.Document, v view) (Found, bool) {
	var found Found
	ok := false
	doc.Find("p, div, footer, header, aside, section, span, small, strong").EachWithBreak(func(_ int, s *goquery.Selection) bool {
		// Own text only: a <div> wrapping the whole page is not a notice.
		text := v.ownText(s)
		if len(text) > maxContainerText || !t.page.MatchString(text) {
			return true
		}
		if p, m, hit := t.Match(text); hit {
			found, ok = Found{Where: "page", Text: m, Lang: p.Lang}, true
			return false
		}
		return true
	})
	return found, ok
}

func cssEscape(id string) string {
	var b strings.Builder
	for _, r := range id {
		if r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r > 127 {
			b.WriteRune(r)
		} else {
			b.WriteString(`\` + string(r))
		}
	}
	return b.String()
}

// maxOwnText bounds the text of a declared element searched for its label.
const maxOwnText = 64 << 10

// ForText looks for a label on an element declared AI-made (an article, a
// paragraph): its own text first, then everything ForItem looks at.
func (t *Table) ForText(doc *goquery.Document, el *goquery.Selection) Result {
	return t.forText(doc, el, markup)
}

func (t *Table) forText(doc *goquery.Document, el *goquery.Selection, v view) Result {
	text := v.text(el)
	if len(text) > maxOwnText {
		text = text[:maxOwnText]
	}
	if p, m, ok := t.Match(text); ok {
		return Result{Visible: true, Label: Found{Where: "text", Text: m, Lang: p.Lang}, Looked: []string{"text"}}
	}
	r := t.forItem(doc, el, v)
	r.Looked = append([]string{"text"}, r.Looked...)
	return r
}
