// Package robots evaluates robots.txt as RFC 9309 specifies, for any crawler
// token, and reads the AI-preference lines that live in robots.txt groups
// (IETF aipref Content-Usage, Cloudflare Content-Signal, DisallowAITraining).
//
// temoto/robotstxt parses the file and gives the status-code semantics
// (FromStatusAndBytes), sitemaps and crawl delays. Where its answer differs
// from RFC 9309 the evaluation here decides, and a test pins each case:
// it selects groups by prefix ("GPTBot-Image" gets the "GPTBot" group, an
// agent "a" group catches every agent starting with a), does not cut
// user-agent values at the first character outside [A-Za-z_-], lets the first
// of two equally long rules win instead of Allow, measures wildcard rules by
// their regexp source rather than their octets, and compares paths without
// RFC 9309's percent-encoding normalisation. Those rules, and line numbers
// for evidence, need the groups themselves, which temoto keeps private.
package robots

import (
	"bytes"
	"strings"
	"time"

	"github.com/temoto/robotstxt"
)

// MaxSize is the part of a robots.txt that is parsed (RFC 9309 §2.5: at least
// 500 kibibytes); the rest is ignored.
const MaxSize = 500 << 10

// Rule is one Allow or Disallow line.
type Rule struct {
	Allow bool
	Path  string // normalised
	Line  int
	Text  string
}

// Pref is one extension line inside a group: Content-Usage, Content-Signal,
// DisallowAITraining or AllowAITraining.
type Pref struct {
	Key   string // lower-case field name
	Value string
	Line  int
}

// Group is one user-agent group.
type Group struct {
	Agents []string // product tokens as matched (lower-case), "*" for any
	Rules  []Rule
	Prefs  []Pref
	Line   int
}

// File is a parsed robots.txt.
type File struct {
	Groups      []*Group
	Sitemaps    []string
	Truncated   bool
	Status      int // HTTP status it came with; 0 when parsed from bytes alone
	allowAll    bool
	disallowAll bool
	lib         *robotstxt.RobotsData
	Notes       []string
	// notAFile says what was served instead of a robots.txt (Absent).
	notAFile string
}

// Parse reads a robots.txt body served with status 200.
func Parse(body []byte) *File { return ForStatus(200, body) }

// ForStatus applies RFC 9309 §2.3.1 to a fetch result: 2xx is parsed; 4xx
// ("unavailable") allows everything; 5xx and unreachable ("unreachable")
// disallow everything. Redirects are followed by the fetcher, not here.
func ForStatus(status int, body []byte) *File {
	f := &File{Status: status}
	switch {
	case status >= 500 || status == 0:
		f.disallowAll = true
		return f
	case status >= 400:
		f.allowAll = true
		return f
	}
	if len(body) > MaxSize {
		body = body[:MaxSize]
		f.Truncated = true
		f.Notes = append(f.Notes, "robots.txt over 500 KiB: only the first 500 KiB were parsed (RFC 9309 §2.5)")
	}
	body = bytes.TrimPrefix(body, []byte("\xEF\xBB\xBF"))
	f.lib, _ = robotstxt.FromStatusAndBytes(status, body)
	if f.lib != nil {
		f.Sitemaps = f.lib.Sitemaps
	}
	f.parse(body)
	return f
}

// Absent is a robots.txt request answered with something that is not a
// robots.txt file (an HTML page a server sends for every path): there is no
// file, so, as for a 4xx answer, every path may be crawled (RFC 9309
// §2.3.1.3). Parsing the page instead could read a "Disallow:" in its text
// as a rule. why says what was served; status stays the one received.
func Absent(status int, why string) *File {
	return &File{Status: status, allowAll: true, notAFile: why}
}

// Unreachable says robots.txt could not be fetched (a 5xx answer, or no
// answer): everything is disallowed, and whether a path may be crawled is
// unknown, not "forbidden".
func (f *File) Unreachable() bool { return f.disallowAll }

// CrawlDelay returns the Crawl-delay of the group temoto picks for agent
// (non-standard; honoured as a politeness hint only).
func (f *File) CrawlDelay(agent string) time.Duration {
	if f.lib == nil {
		return 0
	}
	return f.lib.FindGroup(agent).CrawlDelay
}

func (f *File) parse(body []byte) {
	var cur *Group
	inAgents := false
	for i, raw := range splitLines(body) {
		line := raw
		if h := strings.IndexByte(line, '#'); h >= 0 {
			line = line[:h]
		}
		key, val, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		key = strings.ToLower(strings.TrimSpace(key))
		val = strings.TrimSpace(val)
		n := i + 1
		switch key {
		case "user-agent":
			if !inAgents {
				cur = &Group{Line: n}
				f.Groups = append(f.Groups, cur)
				inAgents = true
			}
			cur.Agents = append(cur.Agents, Token(val))
		case "allow", "disallow":
			inAgents = false
			if cur == nil || val == "" {
				continue // rules before any group, and empty rules, match nothing
			}
			cur.Rules = append(cur.Rules, Rule{Allow: key == "allow", Path: Normalize(val), Line: n, Text: strings.TrimSpace(raw)})
		case "content-usage", "content-signal", "disallowaitraining", "allowaitraining":
			inAgents = false
			if cur != nil {
				cur.Prefs = append(cur.Prefs, Pref{Key: key, Value: val, Line: n})
			}
		case "sitemap", "host", "crawl-delay":
			// Other records: they neither end a group nor start one.
		default:
			// Unknown lines are ignored (RFC 9309 §2.2.4).
		}
	}
}

func splitLines(b []byte) []string {
	s := strings.ReplaceAll(string(b), "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	return strings.Split(s, "\n")
}

// Token cuts a user-agent value to its product token: the leading run of
// [A-Za-z_-] (RFC 9309 §2.2.1), lower-cased. "*" stays "*".
func Token(v string) string {
	v = strings.TrimSpace(v)
	if strings.HasPrefix(v, "*") {
		return "*"
	}
	end := 0
	for end < len(v) {
		c := v[end]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == '-' {
			end++
			continue
		}
		break
	}
	return strings.ToLower(v[:end])
}

// Result says whether a path may be crawled and why.
type Result struct {
	Allowed bool
	// Group is the token of the group that applied ("*" for the catch-all),
	// "" when no group applied.
	Group string
	Rule  string // the deciding line, "" when no rule matched
	Line  int
	// Reason explains verdicts that come from the status code.
	Reason string
}

// Groups returns the groups that apply to agent: all groups naming its token
// (merged, RFC 9309 §2.2.1), else all "*" groups. The token returned is the
// group's.
func (f *File) groupsFor(agent string) ([]*Group, string) {
	tok := Token(agent)
	var own, any []*Group
	for _, g := range f.Groups {
		for _, a := range g.Agents {
			if a == tok && tok != "" {
				own = append(own, g)
				break
			}
			if a == "*" {
				any = append(any, g)
				break
			}
		}
	}
	if len(own) > 0 {
		return own, tok
	}
	if len(any) > 0 {
		return any, "*"
	}
	return nil, ""
}

// Evaluate decides whether agent may crawl path (a URL path with its query).
func (f *File) Evaluate(agent, path string) Result {
	switch {
	case f.disallowAll:
		return Result{Allowed: false, Reason: statusReason(f.Status, "disallow-all")}
	case f.notAFile != "":
		return Result{Allowed: true, Reason: f.notAFile + ": allow-all (RFC 9309 §2.3.1.3)"}
	case f.allowAll:
		return Result{Allowed: true, Reason: statusReason(f.Status, "allow-all")}
	}
	if path == "" {
		path = "/"
	}
	p := Normalize(path)
	if p == "/robots.txt" {
		return Result{Allowed: true, Reason: "/robots.txt is always allowed (RFC 9309 §2.2.2)"}
	}
	groups, tok := f.groupsFor(agent)
	best, bestLen := (*Rule)(nil), -1
	for _, g := range groups {
		for i := range g.Rules {
			r := &g.Rules[i]
			if !Match(r.Path, p) {
				continue
			}
			l := len(r.Path)
			if l > bestLen || l == bestLen && r.Allow && !best.Allow {
				best, bestLen = r, l
			}
		}
	}
	if best == nil {
		return Result{Allowed: true, Group: tok}
	}
	return Result{Allowed: best.Allow, Group: tok, Rule: best.Text, Line: best.Line}
}

// Prefs returns the extension lines of the groups that apply to agent.
func (f *File) Prefs(agent string) []Pref {
	groups, _ := f.groupsFor(agent)
	var out []Pref
	for _, g := range groups {
		out = append(out, g.Prefs...)
	}
	return out
}

func statusReason(status int, what string) string {
	if status == 0 {
		return "robots.txt unreachable: " + what + " (RFC 9309 §2.3.1.4)"
	}
	if status >= 500 {
		return "robots.txt answered " + itoa(status) + ": " + what + " (RFC 9309 §2.3.1.4)"
	}
	return "robots.txt answered " + itoa(status) + ": " + what + " (RFC 9309 §2.3.1.3)"
}

func itoa(n int) string {
	var b [8]byte
	i := len(b)
	for n > 0 || i == len(b) {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}
