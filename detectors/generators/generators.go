// Package generators recognises AI image generators by the parameters they
// write into ordinary metadata (PNG text chunks, EXIF, XMP). The fingerprints
// are data, in generators.json; each row carries samples that must and must
// not match, checked by the tests.
package generators

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"github.com/aiaudit/aiaudit/detectors/text"
)

// Field is one metadata value offered to the matcher.
type Field struct {
	Source string // "png-text", "exif", "xmp"
	Key    string
	Value  string
}

// Match is one fingerprint found.
type Match struct {
	Generator string
	Rule      string
	Detail    string
}

// Condition must be met by one field. Source and Key may list alternatives
// separated by "|".
type Condition struct {
	Source  string `json:"source"`
	Key     string `json:"key"`
	Pattern string `json:"pattern"`
	re      *regexp.Regexp
}

// Row is one fingerprint.
type Row struct {
	ID         string      `json:"id"`
	Generator  string      `json:"generator"`
	FromValue  bool        `json:"generator_from_value"`
	Supersedes []string    `json:"supersedes"`
	All        []Condition `json:"all"`
	Samples    struct {
		Match   [][]Field `json:"match"`
		NoMatch [][]Field `json:"no_match"`
	} `json:"samples"`
}

// Table is the parsed fingerprint table.
type Table struct {
	Listed string `json:"listed"`
	Rows   []Row  `json:"rows"`
}

//go:embed generators.json
var tableJSON []byte

var defaultTable = mustLoad(tableJSON)

// Default returns the embedded table.
func Default() *Table { return defaultTable }

// Load parses and validates a table.
func Load(b []byte) (*Table, error) {
	var t Table
	if err := json.Unmarshal(b, &t); err != nil {
		return nil, fmt.Errorf("generator table: %w", err)
	}
	ids := map[string]bool{}
	for i := range t.Rows {
		r := &t.Rows[i]
		if r.ID == "" || ids[r.ID] {
			return nil, fmt.Errorf("generator table row %d: missing or duplicate id %q", i, r.ID)
		}
		ids[r.ID] = true
		if r.Generator == "" && !r.FromValue {
			return nil, fmt.Errorf("generator table row %q: no generator name", r.ID)
		}
		if len(r.All) == 0 {
			return nil, fmt.Errorf("generator table row %q: no conditions", r.ID)
		}
		for j := range r.All {
			re, err := regexp.Compile(r.All[j].Pattern)
			if err != nil {
				return nil, fmt.Errorf("generator table row %q: %w", r.ID, err)
			}
			r.All[j].re = re
		}
	}
	return &t, nil
}

func mustLoad(b []byte) *Table {
	t, err := Load(b)
	if err != nil {
		panic(err) // the embedded table is checked by the tests
	}
	return t
}

// Detect runs the default table.
func Detect(fields []Field) []Match { return defaultTable.Detect(fields) }

// maxValue bounds how much of one value a pattern sees (RE2 is linear, but a
// megabyte-long workflow JSON need not be scanned whole for a prefix).
const maxValue = 256 << 10

// Detect returns every row that matches, in table order, without the rows
// superseded by a more specific match.
func (t *Table) Detect(fields []Field) []Match {
	var hits []Match
	dropped := map[string]bool{}
	for _, r := range t.Rows {
		detail, value, ok := r.match(fields)
		if !ok {
			continue
		}
		for _, s := range r.Supersedes {
			dropped[s] = true
		}
		gen := r.Generator
		if r.FromValue {
			gen = value
		}
		hits = append(hits, Match{Generator: gen, Rule: r.ID, Detail: detail})
	}
	out := hits[:0]
	for _, h := range hits {
		if !dropped[h.Rule] {
			out = append(out, h)
		}
	}
	return out
}

// match reports whether every condition is met, with a description of the
// fields that met them and the text matched by the last condition.
func (r Row) match(fields []Field) (string, string, bool) {
	var parts []string
	var matched string
	for _, c := range r.All {
		found := false
		for _, f := range fields {
			if !oneOf(c.Source, f.Source, false) || !oneOf(c.Key, f.Key, true) {
				continue
			}
			v := f.Value
			if len(v) > maxValue {
				v = v[:maxValue]
			}
			if m := c.re.FindString(v); m != "" || (c.Pattern == "" && v != "") {
				found = true
				matched = m
				parts = append(parts, fmt.Sprintf("%s %q: %s", f.Source, f.Key, text.Clip(v, 60)))
				break
			}
		}
		if !found {
			return "", "", false
		}
	}
	return strings.Join(parts, "; "), matched, true
}

func oneOf(alternatives, v string, fold bool) bool {
	for _, a := range strings.Split(alternatives, "|") {
		if a == v || (fold && strings.EqualFold(a, v)) {
			return true
		}
	}
	return false
}
