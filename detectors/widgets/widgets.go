// Package widgets recognises AI chat assistants embedded in a page (a table
// of their embed URLs, as data) and whether the page tells visitors they talk
// to an AI. Only the page's HTML is read: the widget's own interface is
// rendered by its script and is not seen here.
package widgets

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"regexp"

	"github.com/PuerkitoBio/goquery"
)

// Widget is one AI chat assistant.
type Widget struct {
	Name    string `json:"name"`
	Pattern string `json:"pattern"`
	re      *regexp.Regexp
}

// Table is the widget list.
type Table struct {
	Listed      string   `json:"listed"`
	Widgets     []Widget `json:"widgets"`
	Disclosures string   `json:"disclosures"`
	disclosure  *regexp.Regexp
}

//go:embed widgets.json
var widgetsJSON []byte

var defaultTable = func() *Table {
	t, err := Load(widgetsJSON)
	if err != nil {
		panic(err) // the embedded table is checked by the tests
	}
	return t
}()

// Default returns the embedded table.
func Default() *Table { return defaultTable }

// Load parses a widget table.
func Load(b []byte) (*Table, error) {
	var t Table
	if err := json.Unmarshal(b, &t); err != nil {
		return nil, fmt.Errorf("widget table: %w", err)
	}
	for i := range t.Widgets {
		re, err := regexp.Compile(t.Widgets[i].Pattern)
		if err != nil {
			return nil, fmt.Errorf("widget %q: %w", t.Widgets[i].Name, err)
		}
		t.Widgets[i].re = re
	}
	re, err := regexp.Compile(t.Disclosures)
	if err != nil {
		return nil, fmt.Errorf("widget disclosures: %w", err)
	}
	t.disclosure = re
	return &t, nil
}

// Found is an embedded assistant.
type Found struct {
	Name, URL string
	// Disclosed is the page text that tells visitors about the AI, if any.
	Disclosed string
}

// Find lists the AI chat assistants a page embeds (script, iframe, link)
// and whether its text discloses them.
func (t *Table) Find(doc *goquery.Document) []Found {
	var out []Found
	seen := map[string]bool{}
	doc.Find("script[src], iframe[src], link[href], script:not([src])").Each(func(_ int, s *goquery.Selection) {
		ref := s.AttrOr("src", s.AttrOr("href", ""))
		if ref == "" {
			ref = s.Text() // inline loaders name the script URL in their code
			if len(ref) > 16<<10 {
				ref = ref[:16<<10]
			}
		}
		for _, w := range t.Widgets {
			if !seen[w.Name] && w.re.MatchString(ref) {
				seen[w.Name] = true
				u := ref
				if len(u) > 200 {
					u = w.re.FindString(ref)
				}
				out = append(out, Found{Name: w.Name, URL: u})
			}
		}
	})
	if len(out) > 0 {
		text := doc.Find("body").Text()
		if m := t.disclosure.FindString(text); m != "" {
			for i := range out {
				out[i].Disclosed = m
			}
		}
	}
	return out
}
