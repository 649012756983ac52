package crawl

import (
	"fmt"
	"strings"

	"github.com/aiaudit/aiaudit/detectors/notes"

	"github.com/PuerkitoBio/goquery"

	"github.com/aiaudit/aiaudit/detectors/text"
)

const (
	// littleText is the visible text below which a page says almost nothing
	// without its scripts (a heading and a cookie notice).
	littleText = 200
	// manyScripts is the script count that, with little text, marks a page
	// built in the browser even without a known mount point.
	manyScripts = 5
)

// RenderHint says what a script-rendered page means for a static crawl
// and what sees more: the page note, the site note and the run's summary
// line all end with it.
const RenderHint = notes.RenderHint

// mountPoints are the elements single-page-app frameworks render into
// (React, Vue, Next.js, Nuxt, Gatsby, Angular, Svelte starters).
const mountPoints = `#root, #app, #__next, #__nuxt, #___gatsby, #svelte, [data-reactroot], [ng-version], app-root`

// ScriptRendered reports whether a page looks rendered by script: little
// visible text, and an empty framework mount point, many scripts, or a
// <noscript> asking for JavaScript. Such a page's images and links are added
// in the browser, where a static crawl does not see them; why says what was
// seen. A page with text is never flagged, however many scripts it has.
func ScriptRendered(doc *goquery.Document) (why string, ok bool) {
	body := doc.Find("body").Clone()
	body.Find("script, style, noscript, template").Remove()
	visible := strings.Join(strings.Fields(body.Text()), " ")
	if len(visible) >= littleText {
		return "", false
	}
	var signs []string
	if root := doc.Find(mountPoints).First(); root.Length() > 0 {
		signs = append(signs, fmt.Sprintf(notes.ScriptMount, describe(root)))
	}
	if n := doc.Find("script").Length(); n >= manyScripts {
		signs = append(signs, fmt.Sprintf(notes.ScriptCount, n))
	}
	if strings.Contains(strings.ToLower(doc.Find("noscript").Text()), "javascript") {
		signs = append(signs, notes.ScriptNoscript)
	}
	if len(signs) == 0 {
		return "", false
	}
	return fmt.Sprintf(notes.ScriptSigns, len(visible), strings.Join(signs, "; ")), true
}

// describe names an element as a reader of the HTML would: <div id="root">.
func describe(s *goquery.Selection) string {
	d := "<" + goquery.NodeName(s)
	if id, ok := s.Attr("id"); ok {
		d += fmt.Sprintf(" id=%q", text.Clip(id, 40))
	}
	return d + ">"
}
