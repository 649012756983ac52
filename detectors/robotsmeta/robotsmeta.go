// Package robotsmeta reads the per-response opt-out signals: X-Robots-Tag
// headers and <meta name="robots"> (or <meta name="AGENT">) tags with the AI
// directives noai, noimageai and noml; IETF Content-Usage and Cloudflare
// Content-Signal headers; and the TDMRep headers and meta tags. noindex is
// reported apart: it is a search directive, not an AI one.
package robotsmeta

import (
	"fmt"
	"io"
	"net/http"
	"strings"

	"golang.org/x/net/html"

	"github.com/aiaudit/aiaudit/detectors"
	"github.com/aiaudit/aiaudit/detectors/aipref"
	"github.com/aiaudit/aiaudit/detectors/robots"
	"github.com/aiaudit/aiaudit/detectors/tdmrep"
)

// Directive is one robots directive and the agent it is addressed to ("" for
// every agent).
type Directive struct {
	Agent, Name, Source string
}

// parseDirectives reads "noai, noimageai" or "gptbot: noai, noml".
func parseDirectives(v, source, agentDefault string) []Directive {
	agent := agentDefault
	if k, rest, ok := strings.Cut(v, ":"); ok && !strings.ContainsAny(k, ", ") {
		// "unavailable_after: date" is a directive with a value, not an agent.
		if !strings.EqualFold(strings.TrimSpace(k), "unavailable_after") {
			agent, v = strings.TrimSpace(k), rest
		}
	}
	var out []Directive
	for _, d := range strings.Split(v, ",") {
		d = strings.ToLower(strings.TrimSpace(d))
		if d != "" {
			out = append(out, Directive{Agent: agent, Name: d, Source: source})
		}
	}
	return out
}

// verdictFor turns directives into evidence for agent; image says whether
// the resource is an image (noimageai applies to images only).
func verdictFor(ds []Directive, agent string, image bool) []detectors.OptOut {
	var out []detectors.OptOut
	for _, d := range ds {
		if d.Agent != "" && !strings.EqualFold(d.Agent, agent) && d.Agent != "robots" {
			continue
		}
		// A directive for every agent names none: it is one line of
		// evidence, not one per agent asked about.
		o := detectors.OptOut{Signal: d.Source, Detail: d.Source + ": " + d.Name}
		if d.Agent != "" && d.Agent != "robots" {
			o.Agent, o.Detail = agent, fmt.Sprintf("%s: %s: %s", d.Source, d.Agent, d.Name)
		}
		switch d.Name {
		case "noai", "noml":
			o.Verdict, o.NonStandard = detectors.Reserved, true
		case "noimageai":
			if !image {
				continue
			}
			o.Verdict, o.NonStandard = detectors.Reserved, true
		case "noindex", "none":
			o.Verdict, o.Detail = detectors.Unset, o.Detail+" (a search directive, not an AI opt-out)"
		default:
			continue
		}
		out = append(out, o)
	}
	return out
}

// FromHeaders reads the opt-out headers of one response.
func FromHeaders(h http.Header, agent string, image bool) []detectors.OptOut {
	var ds []Directive
	for _, v := range h.Values("X-Robots-Tag") {
		ds = append(ds, parseDirectives(v, "X-Robots-Tag", "")...)
	}
	out := verdictFor(ds, agent, image)
	for _, v := range h.Values("Content-Usage") {
		out = append(out, contentUsage(v))
	}
	for _, v := range h.Values("Content-Signal") {
		out = append(out, contentSignal(v))
	}
	return out
}

// TDMHeaders reads tdm-reservation / tdm-policy response headers.
func TDMHeaders(h http.Header) tdmrep.Decision {
	return tdmrep.FromValues("header", h.Get("Tdm-Reservation"), h.Get("Tdm-Policy"))
}

// contentUsage and contentSignal read headers addressed to every agent:
// their evidence names none.
func contentUsage(v string) detectors.OptOut {
	o := detectors.OptOut{Signal: "Content-Usage header", Detail: "Content-Usage: " + v, Verdict: detectors.Unset}
	p, err := aipref.Parse(v)
	switch {
	case err != nil:
		o.Detail += " (unparseable: " + err.Error() + "; every preference unknown)"
	case p.Get(aipref.TrainAI) == aipref.Disallow:
		o.Verdict = detectors.Reserved
	case p.Get(aipref.TrainAI) == aipref.Allow:
		o.Verdict = detectors.NotReserved
	case len(p.LegacyNo()) > 0:
		o.Verdict, o.NonStandard = detectors.Reserved, true
		o.Detail += " (legacy aipref label: intent no-AI)"
	}
	return o
}

func contentSignal(v string) detectors.OptOut {
	return detectors.OptOut{Signal: "Content-Signal header", Detail: "Content-Signal: " + v, Verdict: robots.ContentSignal(v)}
}

// Head is what the <head> of an HTML page says about opt-outs.
type Head struct {
	Robots         []Directive
	TDMReservation string
	TDMPolicy      string
	HasTDM         bool
}

// ParseHead tokenises HTML up to <body> (or maxBytes) and collects the meta
// tags that carry opt-outs. Broken HTML is read as far as it goes.
func ParseHead(r io.Reader, maxBytes int64) Head {
	var h Head
	z := html.NewTokenizer(io.LimitReader(r, maxBytes))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return h
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			switch string(name) {
			case "body":
				return h
			case "meta":
				if !hasAttr {
					continue
				}
				var mname, content string
				for {
					k, v, more := z.TagAttr()
					switch string(k) {
					case "name":
						mname = strings.ToLower(strings.TrimSpace(string(v)))
					case "content":
						content = string(v)
					}
					if !more {
						break
					}
				}
				switch mname {
				case "":
				case "tdm-reservation":
					h.TDMReservation, h.HasTDM = content, true
				case "tdm-policy":
					h.TDMPolicy, h.HasTDM = content, true
				case "robots":
					h.Robots = append(h.Robots, parseDirectives(content, "meta robots", "")...)
				default:
					// <meta name="GPTBot" content="noai">: directives for one agent.
					for _, d := range parseDirectives(content, "meta "+mname, mname) {
						if d.Name == "noai" || d.Name == "noimageai" || d.Name == "noml" || d.Name == "noindex" {
							h.Robots = append(h.Robots, d)
						}
					}
				}
			}
		}
	}
}

// OptOuts turns the head's robots directives into evidence for agent.
func (h Head) OptOuts(agent string) []detectors.OptOut {
	return verdictFor(h.Robots, agent, false)
}

// TDM returns the head's TDMRep step.
func (h Head) TDM() tdmrep.Decision {
	if !h.HasTDM {
		return tdmrep.Decision{Reservation: tdmrep.Unset, Source: "meta"}
	}
	return tdmrep.FromValues("meta", h.TDMReservation, h.TDMPolicy)
}
