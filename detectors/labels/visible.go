package labels

import (
	"fmt"
	"math"
	"strings"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"
)

// Box is what a browser laid out for an element holding text: the facts the
// visibility decision reads. A browser gathers them (scanner/render); the
// decision is Unseen's alone, so it is tested without a browser.
type Box struct {
	// Displayed is false when the element has no layout box (display:none
	// on it or an ancestor).
	Displayed  bool    `json:"displayed"`
	Visibility string  `json:"visibility"` // computed: visible, hidden, collapse
	Opacity    float64 `json:"opacity"`    // its own times its ancestors'
	// X, Y, W, H is its box in page coordinates (CSS px), cut to the
	// ancestors that clip their overflow.
	X     float64 `json:"x"`
	Y     float64 `json:"y"`
	W     float64 `json:"w"`
	H     float64 `json:"h"`
	PageW float64 `json:"pageW"`
	PageH float64 `json:"pageH"`
	// FontSize in CSS px, FontWeight as CSS numbers it (400 normal, 700 bold).
	FontSize   float64 `json:"fontSize"`
	FontWeight float64 `json:"fontWeight"`
	// Color is the text colour and Background the colour behind it, each
	// r, g, b (0-255), a (0-1); nil when the browser gave a colour in a form
	// not read (then contrast is unknown). Background is the element's and
	// its ancestors' backgrounds over the white canvas.
	Color      []float64 `json:"color"`
	Background []float64 `json:"background"`
	// OverImage is true when a background image lies between the text and
	// the nearest opaque background colour: contrast cannot be measured.
	OverImage bool `json:"overImage"`
}

// The readability thresholds. MinFontPx is the smallest font a label may
// use; contrast follows WCAG 2.x level AA (success criterion 1.4.3): 4.5:1,
// 3:1 for large text (24px, or 18.66px bold).
const (
	MinFontPx        = 9
	MinContrast      = 4.5
	MinContrastLarge = 3
	minBoxPx         = 2 // a 1px box is the screen-reader-only idiom
	minOpacity       = 0.1
)

// Unseen says why a visitor cannot see the text of a box (one of Reasons,
// in English), or "" when they can. Unknown (a colour in an unread form,
// text over an image) is never "seen": a label counts only when it is
// shown to be visible.
func Unseen(b Box) string {
	switch {
	case !finite(b.Opacity, b.X, b.Y, b.W, b.H, b.PageW, b.PageH, b.FontSize, b.FontWeight) ||
		!finite(b.Color...) || !finite(b.Background...):
		return ReasonNotMeasurable
	case !b.Displayed:
		return ReasonNotDisplayed
	case b.Visibility == "hidden" || b.Visibility == "collapse":
		return fmt.Sprintf(ReasonVisibility, b.Visibility)
	case b.Opacity < minOpacity:
		return fmt.Sprintf(ReasonTransparent, b.Opacity)
	case b.FontSize < MinFontPx:
		return fmt.Sprintf(ReasonFontTooSmall, b.FontSize, MinFontPx)
	case b.W < minBoxPx || b.H < minBoxPx:
		return fmt.Sprintf(ReasonZeroSized, b.W, b.H)
	case b.X+b.W <= 0 || b.Y+b.H <= 0 || b.X >= b.PageW || b.Y >= b.PageH:
		return fmt.Sprintf(ReasonOffScreen, b.X, b.Y, b.PageW, b.PageH)
	case b.OverImage:
		return ReasonOverImage
	case len(b.Color) != 4 || len(b.Background) != 4:
		return ReasonColoursUnread
	}
	need := MinContrast
	if b.FontSize >= 24 || b.FontSize >= 18.66 && b.FontWeight >= 700 {
		need = MinContrastLarge
	}
	bg := over(b.Background, []float64{255, 255, 255, 1})
	fg := b.Color
	fg = over([]float64{fg[0], fg[1], fg[2], fg[3] * b.Opacity}, bg)
	if c := Contrast(fg, bg); c < need {
		return fmt.Sprintf(ReasonLowContrast, c, need)
	}
	return ""
}

func finite(vs ...float64) bool {
	for _, v := range vs {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return false
		}
	}
	return true
}

// over composites colour c (with its alpha) over the opaque colour under,
// each value held to its range.
func over(c, under []float64) []float64 {
	a := clamp(c[3], 1)
	mix := func(i int) float64 { return clamp(c[i], 255)*a + clamp(under[i], 255)*(1-a) }
	return []float64{mix(0), mix(1), mix(2), 1}
}

func clamp(v, top float64) float64 { return math.Max(0, math.Min(top, v)) }

// Contrast is the WCAG contrast ratio of two opaque sRGB colours (1 to 21).
func Contrast(a, b []float64) float64 {
	la, lb := luminance(a), luminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

// luminance is WCAG's relative luminance of an sRGB colour.
func luminance(c []float64) float64 {
	lin := func(v float64) float64 {
		v /= 255
		if v <= 0.04045 {
			return v / 12.92
		}
		return math.Pow((v+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(c[0]) + 0.7152*lin(c[1]) + 0.0722*lin(c[2])
}

// Rendered is the Finder of a page as a browser showed it: only text a
// visitor can see counts, and alt, title and aria-label (which the page does
// not show) do not. unseen holds, for every element with text of its own
// that was checked, why it cannot be seen ("" when it can); the text of an
// element not checked (a DOM beyond the size checked) does not count.
func (t *Table) Rendered(doc *goquery.Document, unseen map[*html.Node]string) Finder {
	f := renderedFinder{t: t, doc: doc, unseen: unseen}
	f.v = view{text: f.text, ownText: f.ownText}
	return f
}

type renderedFinder struct {
	t      *Table
	doc    *goquery.Document
	unseen map[*html.Node]string
	v      view
}

func (f renderedFinder) seen(el *html.Node) bool {
	why, checked := f.unseen[el]
	return checked && why == ""
}

// text joins the visible text nodes under the selection.
func (f renderedFinder) text(s *goquery.Selection) string {
	var b strings.Builder
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode && n.Parent != nil && f.seen(n.Parent) {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	for _, n := range s.Nodes {
		walk(n)
	}
	return b.String()
}

func (f renderedFinder) ownText(s *goquery.Selection) string {
	var b strings.Builder
	for _, n := range s.Nodes {
		if !f.seen(n) {
			continue
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type == html.TextNode {
				b.WriteString(c.Data)
			}
		}
	}
	return b.String()
}

func (f renderedFinder) Text(el *goquery.Selection) string { return f.text(el) }

func (f renderedFinder) ForItem(el *goquery.Selection) Result {
	return f.withHidden(el, f.t.forItem(f.doc, el, f.v), func() Result { return f.t.forItem(f.doc, el, markup) })
}

func (f renderedFinder) ForText(el *goquery.Selection) Result {
	return f.withHidden(el, f.t.forText(f.doc, el, f.v), func() Result { return f.t.forText(f.doc, el, markup) })
}

// withHidden adds, to a search that found no visible label, the label the
// markup holds all the same, and why it does not count.
func (f renderedFinder) withHidden(el *goquery.Selection, r Result, inMarkup func() Result) Result {
	if r.Visible {
		return r
	}
	if m := inMarkup(); m.Visible {
		r.Hidden = &Hidden{Found: m.Label, Why: f.why(el, m.Label)}
	}
	return r
}

// why names the reason a label found in the markup is not seen: the
// attribute it is in, or the unseen element nearest the item whose own text
// holds it (the search widens from the item outwards).
func (f renderedFinder) why(el *goquery.Selection, l Found) string {
	switch l.Where {
	case "alt", "title", "aria-label":
		return fmt.Sprintf(ReasonAttribute, l.Where)
	}
	want := strings.ToLower(l.Text)
	for scope := el; scope.Length() > 0; scope = scope.Parent() {
		why := ""
		scope.Find("*").AddSelection(scope).EachWithBreak(func(_ int, s *goquery.Selection) bool {
			n := s.Nodes[0]
			own := ""
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				if c.Type == html.TextNode {
					own += c.Data
				}
			}
			if !strings.Contains(strings.ToLower(strings.Join(strings.Fields(own), " ")), want) ||
				l.Where == "page" && !f.t.page.MatchString(own) {
				return true
			}
			reason, checked := f.unseen[n]
			switch {
			case !checked:
				why = ReasonNotChecked
			case reason != "":
				why = reason
			}
			return why == ""
		})
		if why != "" {
			return why
		}
	}
	return ReasonNotVisible
}
