// Package optout is the one training opt-out decision (SIGNALS.md section 3):
// a pure function from what is known about one resource (its site's policy
// files, its response headers, its HTML head, the metadata embedded in it)
// to the evidence of every mechanism and the resource's verdict. `urls`,
// `check` and `crawl` all call Decide, so the three cannot disagree.
package optout

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/aiaudit/aiaudit/detectors"
	"github.com/aiaudit/aiaudit/detectors/aitxt"
	"github.com/aiaudit/aiaudit/detectors/robots"
	"github.com/aiaudit/aiaudit/detectors/robotsmeta"
	"github.com/aiaudit/aiaudit/detectors/tdmrep"
)

// Site is the policy of one origin: its robots.txt, tdmrep.json and ai.txt.
type Site struct {
	// Robots is never nil for a site that was asked: an unreachable
	// robots.txt is robots.ForStatus(0, nil), which reads as unknown.
	Robots *robots.File
	// TDM is nil when /.well-known/tdmrep.json is absent or unreadable;
	// TDMNote then says why it was not used, or what was wrong with it.
	TDM     *tdmrep.File
	TDMNote string
	// AITxt is nil when /ai.txt is absent; AITxtNote then says why, when
	// something other than the file was served in its place.
	AITxt     *aitxt.File
	AITxtNote string
}

// Response is what one fetch of the resource itself showed.
type Response struct {
	Header http.Header
	// Head is the parsed <head> of an HTML resource (nil otherwise).
	Head *robotsmeta.Head
	// Image says whether the resource is an image: noimageai applies to
	// images only.
	Image bool
}

// Facts is everything known about one resource.
type Facts struct {
	// URL is the resource's absolute URL (its path and query are matched
	// against the site's rules).
	URL *url.URL
	// Agents are the crawler tokens evaluated; Explicit says the user named
	// them (each agent's robots.txt verdict is then listed on its own;
	// otherwise those that may crawl are summarised in one line).
	Agents   []string
	Explicit bool
	Site     Site
	// Response is nil when the resource was not fetched (policy-only checks).
	Response *Response
	// Embedded are the opt-outs read from the resource's own metadata (C2PA,
	// CAWG, IPTC); EmbeddedUnread says why they could not all be read.
	Embedded       []detectors.OptOut
	EmbeddedUnread string
	// Failed marks a resource that could not be read: its verdict is
	// unknown unless something reserves it.
	Failed bool
	// Strict counts only conforming signals.
	Strict bool
}

// Decision is a resource's opt-out evidence and verdict: Reserved is nil
// when it could not be determined (unknown is never "allowed").
type Decision struct {
	Evidence []detectors.OptOut
	Reserved *bool
}

// Decide applies every mechanism and the precedence rules. It does no I/O.
func Decide(f Facts) Decision {
	path := Path(f.URL)
	var ev []detectors.OptOut
	if f.Site.Robots != nil {
		ev = robotsEvidence(f.Site.Robots, path, f.Agents, f.Explicit)
		if f.Site.Robots.Truncated {
			// Rules past the cut were not read: said with the evidence.
			ev = append(ev, detectors.OptOut{Signal: "robots.txt", Verdict: detectors.Unset,
				Detail: "robots.txt truncated at 500 KiB (RFC 9309 §2.5): rules after the cut were not read"})
		}
	}
	if f.Site.AITxt != nil {
		ev = append(ev, f.Site.AITxt.OptOut("*", path))
	} else if f.Site.AITxtNote != "" {
		ev = append(ev, detectors.OptOut{Signal: "ai.txt", Verdict: detectors.Unset, Detail: f.Site.AITxtNote, NonStandard: true})
	}
	// TDMRep: tdmrep.json < HTTP header < HTML meta; the more specific
	// source wins and absence never resets (tdmrep.Combine).
	steps := []tdmrep.Decision{{Reservation: tdmrep.Unset, Source: "tdmrep.json"}}
	if f.Site.TDM != nil {
		steps[0] = f.Site.TDM.Evaluate(path)
	}
	if r := f.Response; r != nil {
		for _, a := range f.Agents {
			ev = append(ev, robotsmeta.FromHeaders(r.Header, a, r.Image)...)
		}
		steps = append(steps, robotsmeta.TDMHeaders(r.Header))
		if r.Head != nil {
			for _, a := range f.Agents {
				ev = append(ev, r.Head.OptOuts(a)...)
			}
			steps = append(steps, r.Head.TDM())
		}
	}
	ev = append(ev, f.Embedded...)
	if f.EmbeddedUnread != "" {
		ev = append(ev, detectors.OptOut{Signal: "embedded metadata", Verdict: detectors.Unknown, Detail: f.EmbeddedUnread})
	}
	if r := f.Response; r != nil {
		if link := r.Header.Get("Link"); strings.Contains(link, "c2pa-manifest") {
			ev = append(ev, detectors.OptOut{Signal: "Link rel=c2pa-manifest", Verdict: detectors.Unset, Detail: "remote C2PA manifest referenced (not fetched): " + link})
		}
	}
	if tdm := tdmrep.Combine(steps...); tdm.Reservation != tdmrep.Unset || f.Site.TDM != nil {
		ev = append(ev, tdm.OptOut(f.Strict))
	}
	if f.Site.TDMNote != "" {
		ev = append(ev, detectors.OptOut{Signal: "tdmrep tdmrep.json", Verdict: detectors.Unset, Detail: f.Site.TDMNote, NonStandard: true})
	}
	ev = dedupe(ev)
	return Decision{Evidence: ev, Reserved: Verdict(ev, f.Failed)}
}

// Path is what robots.txt, ai.txt and tdmrep.json rules match: the escaped
// path (at least "/") and the query, an empty one included: "/search?" is
// not "/search" (RFC 9309 §2.2.2 matches the path with its query; RFC 3986
// §6.2.3 keeps the "?" of an empty query), so "Disallow: /search?" covers
// it and "Allow: /w/load.php?" outweighs "Disallow: /w/".
func Path(u *url.URL) string {
	path := u.EscapedPath()
	if path == "" {
		path = "/"
	}
	if u.ForceQuery || u.RawQuery != "" {
		path += "?" + u.RawQuery
	}
	return path
}

// Verdict: reserved when any signal reserves; unknown (nil) when nothing
// reserves but something could not be determined; else not reserved.
func Verdict(ev []detectors.OptOut, failed bool) *bool {
	unknown := failed
	for _, o := range ev {
		switch o.Verdict {
		case detectors.Reserved:
			t := true
			return &t
		case detectors.Unknown:
			unknown = true
		}
	}
	if unknown {
		return nil
	}
	f := false
	return &f
}

// robotsEvidence evaluates robots.txt for every agent asked about. With the
// default (every training agent) only reservations and unknowns are listed,
// one line for the agents each holds for; "allowed" is summarised in one
// line.
func robotsEvidence(f *robots.File, path string, agents []string, explicit bool) []detectors.OptOut {
	var out []detectors.OptOut
	allowed := 0
	for _, a := range agents {
		for _, o := range f.OptOuts(a, path) {
			if !explicit && o.Signal == "robots.txt" && o.Verdict == detectors.NotReserved {
				allowed++
				continue
			}
			out = append(out, o)
		}
	}
	if !explicit {
		// One line per rule, naming its agents, rather than the first
		// agent standing in for all of them.
		merged := out[:0]
		for _, g := range Group(out) {
			if len(g.Agents) > 1 {
				g.Agent, g.Detail = "", g.Detail+"; for "+Who(g.Agents, agents)
			}
			merged = append(merged, g.OptOut)
		}
		out = merged
	}
	if allowed > 0 {
		out = append(out, detectors.OptOut{Signal: "robots.txt", Verdict: detectors.NotReserved,
			Detail: fmt.Sprintf("%d of %d known AI-training agents may crawl this path", allowed, len(agents))})
	}
	return out
}

// dedupe drops evidence repeated word for word, agent included: a signal
// addressed to every agent carries no agent and is listed once; one that
// holds for each agent on its own (a robots.txt group) keeps each agent's
// line, so every agent asked about has its own evidence.
func dedupe(in []detectors.OptOut) []detectors.OptOut {
	seen := map[detectors.OptOut]bool{}
	out := in[:0]
	for _, o := range in {
		if seen[o] {
			continue
		}
		seen[o] = true
		out = append(out, o)
	}
	return out
}

// Grouped is one line of evidence and the agents it holds for.
type Grouped struct {
	detectors.OptOut
	Agents []string
}

// Group merges evidence that differs only in its agent, in first-seen
// order: what a person reads once, with the agents it holds for (the JSON
// keeps one entry per agent).
func Group(ev []detectors.OptOut) []Grouped {
	type key struct {
		line     detectors.OptOut // agent cleared
		anyAgent bool             // a line with no agent stays apart
	}
	var out []Grouped
	at := map[key]int{}
	for _, o := range ev {
		k := key{o, o.Agent == ""}
		k.line.Agent = ""
		i, ok := at[k]
		if !ok {
			i = len(out)
			at[k] = i
			out = append(out, Grouped{OptOut: o})
		}
		if o.Agent != "" {
			out[i].Agents = append(out[i].Agents, o.Agent)
		}
	}
	return out
}

// Who names agents: "all 34 known AI-training agents" when they are every
// one of known (the default list; nil when the user named the agents), "all
// 34 known AI-training agents but GPTBot" when they are most of them, else
// their names.
func Who(agents, known []string) string { return WhoIn(fmt.Sprintf, agents, known) }

// The English shapes of Who, also the message catalogue's keys.
const (
	WhoAll    = "all %d known AI-training agents"
	WhoAllBut = "%s but %s"
)

// WhoIn is Who written with f: fmt.Sprintf for the JSON's English, a
// report printer's T for a person's language.
func WhoIn(f func(format string, args ...any) string, agents, known []string) string {
	if len(known) < 2 || 2*len(agents) <= len(known) {
		return strings.Join(agents, ", ")
	}
	all := f(WhoAll, len(known))
	in := map[string]bool{}
	for _, a := range agents {
		in[a] = true
	}
	var but []string
	for _, k := range known {
		if !in[k] {
			but = append(but, k)
		}
	}
	if len(but) == 0 {
		return all
	}
	return f(WhoAllBut, all, strings.Join(but, ", "))
}
