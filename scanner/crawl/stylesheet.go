package crawl

import (
	"fmt"
	"net/url"
	"slices"
	"sync"

	"github.com/aiaudit/aiaudit/detectors/notes"

	"github.com/PuerkitoBio/goquery"
)

const (
	// maxStylesheet bounds the bytes read of one stylesheet: a framework's
	// whole stylesheet is a few hundred KiB.
	maxStylesheet = 2 << 20
	// maxImportDepth is how many levels of @import are followed from a
	// page's own stylesheets.
	maxImportDepth = 3
	// maxSheetsPerPage bounds the stylesheets read for one page.
	maxSheetsPerPage = 32
)

// sheet is one stylesheet's references, fetched once per crawl however many
// pages use it (a site's stylesheet is on every page).
type sheet struct {
	once sync.Once
	refs []CSSRef
	// problem says why it was not read, or not whole.
	problem string
}

// sheet fetches and reads the stylesheet at u once, through the crawl's
// fetcher (its politeness, timeout and credentials) under the size cap.
// The caller has checked scope and robots.txt.
func (cr *crawler) sheet(u *url.URL) *sheet {
	key := keyOf(u.String())
	cr.mu.Lock()
	s := cr.sheets[key]
	if s == nil {
		s = &sheet{}
		cr.sheets[key] = s
	}
	cr.mu.Unlock()
	s.once.Do(func() {
		resp, err := cr.vet.Fetcher().Get(cr.fileCtx(), u.Host, u.String(), maxStylesheet)
		switch {
		case err != nil:
			s.problem = err.Error()
			return
		case resp.Status != 200:
			s.problem = fmt.Sprintf("HTTP %d", resp.Status)
			return
		case resp.Truncated:
			s.problem = fmt.Sprintf(notes.SheetLarger, maxStylesheet)
		}
		final, err := url.Parse(resp.FinalURL) // relative URLs are relative to the sheet, after redirects
		if err != nil {
			final = u
		}
		s.refs = CSSRefs(string(resp.Body), final)
	})
	return s
}

// stylesheetRefs reads the page's stylesheets (linked, and @imported from
// its style blocks and from them, maxImportDepth levels deep) for the images
// they set. A stylesheet out of scope, forbidden by robots.txt or not
// readable is a note on the page: the images it sets are unknown.
func (cr *crawler) stylesheetRefs(doc *goquery.Document, page *url.URL) ([]Ref, []string) {
	var refs []Ref
	var sheetNotes []string
	todo := Stylesheets(doc, page)
	seen := map[string]bool{}
	read := 0
	for level := 0; ; level++ {
		todo = slices.DeleteFunc(todo, func(l SheetLink) bool { return seen[l.URL] })
		if len(todo) == 0 {
			break
		}
		if level > maxImportDepth {
			sheetNotes = append(sheetNotes, fmt.Sprintf(notes.SheetTooDeep, todo[0].URL, maxImportDepth))
			break
		}
		var next []SheetLink
		for _, l := range todo {
			if seen[l.URL] {
				continue // named twice on this level
			}
			seen[l.URL] = true
			u, err := url.Parse(l.URL)
			if err != nil {
				continue // resolveRef made it; it parses
			}
			why := ""
			switch {
			case read >= maxSheetsPerPage:
				why = fmt.Sprintf(notes.SheetTooMany, maxSheetsPerPage)
			case !cr.scope.Allows(u):
				why = fmt.Sprintf(notes.SheetOutOfScope, u.Host)
			case !cr.allowedByRobots(u):
				why = fmt.Sprintf(notes.SheetRobots, cr.opt.UserAgent)
			}
			if why != "" {
				sheetNotes = append(sheetNotes, fmt.Sprintf(notes.SheetNotRead, l.URL, why))
				continue
			}
			read++
			s := cr.sheet(u)
			if s.problem != "" {
				sheetNotes = append(sheetNotes, fmt.Sprintf(notes.SheetPartly, l.URL, s.problem))
			}
			for _, r := range s.refs {
				if r.Import {
					next = append(next, SheetLink{URL: r.URL, El: l.El})
					continue
				}
				if shown := elementFor(doc, r.Selector, l.El); shown != nil {
					refs = append(refs, Ref{URL: r.URL, Kind: "stylesheet", El: shown})
				}
			}
		}
		todo = next
	}
	return refs, sheetNotes
}
