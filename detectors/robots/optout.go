package robots

import (
	"fmt"
	"strings"

	"github.com/aiaudit/aiaudit/detectors"
	"github.com/aiaudit/aiaudit/detectors/aipref"
)

// OptOuts turns what robots.txt says about agent and path into opt-out
// evidence: the crawl rule itself, then the AI-preference lines of the
// applying groups. A robots.txt that could not be fetched (5xx, unreachable)
// gives "unknown", never "not reserved".
func (f *File) OptOuts(agent, path string) []detectors.OptOut {
	r := f.Evaluate(agent, path)
	crawl := detectors.OptOut{Signal: "robots.txt", Agent: agent}
	switch {
	case f.disallowAll:
		crawl.Verdict, crawl.Detail = detectors.Unknown, r.Reason
		return []detectors.OptOut{crawl}
	case f.allowAll:
		crawl.Verdict, crawl.Detail = detectors.NotReserved, r.Reason
		return []detectors.OptOut{crawl}
	case !r.Allowed:
		crawl.Verdict = detectors.Reserved
		crawl.Detail = fmt.Sprintf("%s (line %d, group %q)", r.Rule, r.Line, r.Group)
	case r.Rule != "":
		crawl.Verdict = detectors.NotReserved
		crawl.Detail = fmt.Sprintf("%s (line %d, group %q)", r.Rule, r.Line, r.Group)
	default:
		crawl.Verdict = detectors.NotReserved
		crawl.Detail = "no rule matches"
		if r.Group == "" {
			crawl.Detail = "no group applies"
		}
	}
	out := []detectors.OptOut{crawl}
	if !r.Allowed {
		// Preferences apply to crawlable paths only (aipref attach §robots).
		return out
	}
	p := Normalize(path)
	prefs := f.Prefs(agent)
	if o, ok := contentUsage(prefs, p, agent); ok {
		out = append(out, o)
	}
	out = append(out, contentSignals(prefs, agent)...)
	if o, ok := aiTrainingRules(prefs, p, agent); ok {
		out = append(out, o)
	}
	return out
}

// contentUsage applies the Content-Usage rules: the longest matching path
// wins; rules with equally long paths combine most-restrictively.
func contentUsage(prefs []Pref, path, agent string) (detectors.OptOut, bool) {
	best := -1
	var vals []aipref.Value
	var legacyNo []string
	var lines []string
	for _, pr := range prefs {
		if pr.Key != "content-usage" {
			continue
		}
		rulePath, dict := "", pr.Value
		if strings.HasPrefix(dict, "/") {
			rulePath, dict, _ = strings.Cut(dict, " ")
			dict = strings.TrimSpace(dict)
			rulePath = Normalize(rulePath)
			if !Match(rulePath, path) {
				continue
			}
		}
		l := len(rulePath)
		if l < best {
			continue
		}
		if l > best {
			best, vals, legacyNo, lines = l, nil, nil, nil
		}
		parsed, err := aipref.Parse(dict)
		if err != nil {
			lines = append(lines, fmt.Sprintf("line %d unparseable (%v)", pr.Line, err))
			continue
		}
		vals = append(vals, parsed.Get(aipref.TrainAI))
		legacyNo = append(legacyNo, parsed.LegacyNo()...)
		lines = append(lines, fmt.Sprintf("line %d: Content-Usage: %s", pr.Line, pr.Value))
	}
	if best < 0 {
		return detectors.OptOut{}, false
	}
	o := detectors.OptOut{Signal: "robots.txt Content-Usage", Agent: agent, Detail: strings.Join(lines, "; ")}
	switch aipref.Combine(vals...) {
	case aipref.Disallow:
		o.Verdict = detectors.Reserved
	case aipref.Allow:
		o.Verdict = detectors.NotReserved
	default:
		o.Verdict = detectors.Unset
		if len(legacyNo) > 0 {
			o.Verdict, o.NonStandard = detectors.Reserved, true
			o.Detail += "; legacy aipref label " + strings.Join(legacyNo, ", ") + " (earlier draft): intent no-AI, not valid under the current vocabulary"
		}
	}
	return o, true
}

// ContentSignal reads a Cloudflare Content-Signal value ("search=yes,
// ai-train=no"), in robots.txt or a header: ai-train=no reserves, yes allows.
func ContentSignal(v string) detectors.Verdict {
	verdict := detectors.Unset
	for _, kv := range strings.Split(v, ",") {
		k, val, _ := strings.Cut(kv, "=")
		if strings.EqualFold(strings.TrimSpace(k), "ai-train") {
			switch strings.ToLower(strings.TrimSpace(val)) {
			case "no":
				verdict = detectors.Reserved
			case "yes":
				verdict = detectors.NotReserved
			}
		}
	}
	return verdict
}

// contentSignals reads Cloudflare's Content-Signal: ai-train=no reserves.
func contentSignals(prefs []Pref, agent string) []detectors.OptOut {
	var out []detectors.OptOut
	for _, pr := range prefs {
		if pr.Key != "content-signal" {
			continue
		}
		out = append(out, detectors.OptOut{Signal: "robots.txt Content-Signal", Agent: agent, Verdict: ContentSignal(pr.Value),
			Detail: fmt.Sprintf("line %d: Content-Signal: %s", pr.Line, pr.Value)})
	}
	return out
}

// aiTrainingRules reads the non-standard DisallowAITraining/AllowAITraining
// lines (draft-canel-robots-ai-control, expired) like Allow/Disallow.
func aiTrainingRules(prefs []Pref, path, agent string) (detectors.OptOut, bool) {
	var best *Pref
	bestLen := -1
	for i := range prefs {
		pr := &prefs[i]
		if pr.Key != "disallowaitraining" && pr.Key != "allowaitraining" || pr.Value == "" {
			continue
		}
		rp := Normalize(pr.Value)
		if !Match(rp, path) {
			continue
		}
		if len(rp) > bestLen || len(rp) == bestLen && pr.Key == "allowaitraining" {
			best, bestLen = pr, len(rp)
		}
	}
	if best == nil {
		return detectors.OptOut{}, false
	}
	o := detectors.OptOut{Signal: "robots.txt DisallowAITraining", Agent: agent, NonStandard: true,
		Detail: fmt.Sprintf("line %d: %s: %s (non-standard)", best.Line, best.Key, best.Value)}
	o.Verdict = detectors.Reserved
	if best.Key == "allowaitraining" {
		o.Verdict = detectors.NotReserved
	}
	return o, true
}
