// Package tdmrep implements the W3C TDM Reservation Protocol: the site file
// /.well-known/tdmrep.json, the tdm-reservation / tdm-policy HTTP headers and
// HTML meta tags, and their precedence (file < header < meta < embedded; the
// more specific source wins and absence never resets a value).
package tdmrep

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/aiaudit/aiaudit/detectors"
	"github.com/aiaudit/aiaudit/detectors/robots"
)

// MaxFile caps the tdmrep.json parsed.
const MaxFile = 1 << 20

// Reservation values; Unset when no source says anything valid.
const (
	Unset        = -1
	NotReserved  = 0
	ReservedFlag = 1
)

// Rule is one entry of tdmrep.json.
type Rule struct {
	Location    string
	Reservation int
	Policy      string
	Index       int
}

// File is a parsed tdmrep.json.
type File struct {
	Rules []Rule
	// Problems are protocol errors; the file may still carry an intent.
	Problems []string
	// Intent is set for a malformed file whose meaning is still clear (an
	// object instead of an array, underscore keys, "1" as a string): counted
	// as a non-conforming reservation unless the caller is strict.
	Intent *Decision
}

// Decision is what one source, or the combination, says for a resource.
type Decision struct {
	Reservation   int
	Policy        string
	Source        string // "tdmrep.json", "header", "meta", "embedded"
	Detail        string
	NonConforming bool
	// Ambiguous: "first matching rule" and "longest location" disagree
	// (the spec's wording allows both); the reservation is taken.
	Ambiguous bool
}

// ParseFile reads tdmrep.json. Broken JSON is an error; a JSON value of the
// wrong shape is not (it is a File with Problems and perhaps an Intent).
func ParseFile(b []byte) (*File, error) {
	if len(b) > MaxFile {
		return nil, fmt.Errorf("tdmrep.json over %d bytes", MaxFile)
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return nil, fmt.Errorf("tdmrep.json is not JSON: %w", err)
	}
	f := &File{}
	switch t := v.(type) {
	case []any:
		f.rules(t, false)
	case map[string]any:
		if inner, ok := t["tdmrep"].([]any); ok {
			f.Problems = append(f.Problems, "the rules are wrapped in an object {\"tdmrep\": [...]}; the protocol wants a bare array")
			f.rules(inner, true)
			break
		}
		f.Problems = append(f.Problems, "an object where the protocol wants an array of rules")
		if r, ok := reservation(t); ok {
			f.Intent = &Decision{Reservation: r, Policy: policy(t), Source: "tdmrep.json", NonConforming: true,
				Detail: "malformed tdmrep.json (object, not array) with a clear intent"}
		} else {
			f.Problems = append(f.Problems, "no tdm-reservation: the intent can only be read by a person")
		}
	default:
		f.Problems = append(f.Problems, "tdmrep.json holds neither an array nor an object")
	}
	return f, nil
}

func (f *File) rules(items []any, nonConforming bool) {
	for i, it := range items {
		m, ok := it.(map[string]any)
		if !ok {
			f.Problems = append(f.Problems, fmt.Sprintf("rule %d is not an object", i))
			continue
		}
		loc, _ := m["location"].(string)
		r, ok := reservation(m)
		if loc == "" || !ok {
			f.Problems = append(f.Problems, fmt.Sprintf("rule %d lacks a location or a tdm-reservation of 0 or 1", i))
			continue
		}
		if _, exact := m["tdm-reservation"].(float64); !exact {
			nonConforming = true
			f.Problems = append(f.Problems, fmt.Sprintf("rule %d spells tdm-reservation in a non-conforming way", i))
		}
		f.Rules = append(f.Rules, Rule{Location: loc, Reservation: r, Policy: policy(m), Index: i})
	}
	if nonConforming && len(f.Rules) > 0 && f.Intent == nil {
		f.Intent = &Decision{Reservation: Unset, Source: "tdmrep.json", NonConforming: true}
	}
}

// reservation reads tdm-reservation, tolerating the spellings seen in the
// wild (underscore key, "1", true) so their intent can be reported.
func reservation(m map[string]any) (int, bool) {
	for _, k := range []string{"tdm-reservation", "tdm_reservation"} {
		switch v := m[k].(type) {
		case float64:
			if v == 0 || v == 1 {
				return int(v), true
			}
		case string:
			if v == "0" || v == "1" {
				return int(v[0] - '0'), true
			}
		case bool:
			if v {
				return 1, true
			}
			return 0, true
		}
	}
	return Unset, false
}

func policy(m map[string]any) string {
	for _, k := range []string{"tdm-policy", "tdm_policy"} {
		if s, ok := m[k].(string); ok {
			return s
		}
	}
	return ""
}

// Evaluate finds the rule for a path. The spec says "the most specific match
// ... is the first in sequence"; implementations use the longest location.
// Both are computed; when they disagree the result is flagged and the
// reservation is taken.
func (f *File) Evaluate(path string) Decision {
	p := robots.Normalize(path)
	var first, longest *Rule
	for i := range f.Rules {
		r := &f.Rules[i]
		loc := robots.Normalize(r.Location)
		if !robots.Match(loc, p) {
			continue
		}
		if first == nil {
			first = r
		}
		if longest == nil || len(loc) > len(robots.Normalize(longest.Location)) {
			longest = r
		}
	}
	nonConf := f.Intent != nil && f.Intent.NonConforming
	if first == nil {
		if f.Intent != nil && f.Intent.Reservation != Unset {
			return *f.Intent
		}
		return Decision{Reservation: Unset, Source: "tdmrep.json", Detail: "no rule matches " + path}
	}
	pick := first
	d := Decision{Source: "tdmrep.json", NonConforming: nonConf}
	if first != longest && first.Reservation != longest.Reservation {
		d.Ambiguous = true
		if longest.Reservation == ReservedFlag {
			pick = longest
		}
	}
	d.Reservation, d.Policy = pick.Reservation, pick.Policy
	d.Detail = fmt.Sprintf("rule %d location %q: tdm-reservation %d", pick.Index, pick.Location, pick.Reservation)
	if d.Ambiguous {
		d.Detail += fmt.Sprintf(" (first-match rule %d and longest-location rule %d disagree; the reservation is taken)", first.Index, longest.Index)
	}
	return d
}

// FromValues reads a header or meta pair. Values other than 0 and 1 are
// protocol errors and leave the reservation unset.
func FromValues(source, res, pol string) Decision {
	d := Decision{Reservation: Unset, Source: source}
	switch strings.TrimSpace(res) {
	case "1":
		d.Reservation = ReservedFlag
	case "0":
		d.Reservation = NotReserved
	case "":
	default:
		d.Detail = fmt.Sprintf("tdm-reservation %q is not 0 or 1 (protocol error: unset)", res)
	}
	d.Policy = strings.TrimSpace(pol)
	if d.Detail == "" && d.Reservation != Unset {
		d.Detail = fmt.Sprintf("%s tdm-reservation %d", source, d.Reservation)
	}
	return d
}

// Combine applies the processing priority: each later step (file, header,
// meta, embedded) overrides the earlier ones where it says something; an
// unset step never resets.
func Combine(steps ...Decision) Decision {
	out := Decision{Reservation: Unset}
	for _, s := range steps {
		if s.Reservation != Unset {
			out.Reservation, out.Source, out.Detail, out.NonConforming, out.Ambiguous = s.Reservation, s.Source, s.Detail, s.NonConforming, s.Ambiguous
			out.Policy = s.Policy
		} else if s.Policy != "" && out.Policy == "" {
			out.Policy = s.Policy
		}
	}
	return out
}

// OptOut turns a decision into evidence. With strict, non-conforming
// reservations do not count.
func (d Decision) OptOut(strict bool) detectors.OptOut {
	o := detectors.OptOut{Signal: "tdmrep " + d.Source, Detail: d.Detail, NonStandard: d.NonConforming}
	switch {
	case d.Reservation == ReservedFlag && !(strict && d.NonConforming):
		o.Verdict = detectors.Reserved
	case d.Reservation == NotReserved:
		o.Verdict = detectors.NotReserved
	default:
		o.Verdict = detectors.Unset
	}
	if d.Policy != "" {
		o.Detail += "; policy " + d.Policy
	}
	return o
}
