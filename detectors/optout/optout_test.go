package optout

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aiaudit/aiaudit/detectors"
	"github.com/aiaudit/aiaudit/detectors/aitxt"
	"github.com/aiaudit/aiaudit/detectors/robots"
	"github.com/aiaudit/aiaudit/detectors/robotsmeta"
	"github.com/aiaudit/aiaudit/detectors/tdmrep"
)

func mustURL(t *testing.T, s string) *url.URL {
	u, err := url.Parse(s)
	require.NoError(t, err)
	return u
}

func head(html string) *robotsmeta.Head {
	h := robotsmeta.ParseHead(strings.NewReader(html), 1<<20)
	return &h
}

func verdict(d Decision) string {
	switch {
	case d.Reserved == nil:
		return "unknown"
	case *d.Reserved:
		return "reserved"
	}
	return "allowed"
}

func TestDecidePrecedence(t *testing.T) {
	tdmFile, err := tdmrep.ParseFile([]byte(`[{"location": "/tdm/*", "tdm-reservation": 1}, {"location": "/free/*", "tdm-reservation": 0}]`))
	require.NoError(t, err)
	site := Site{Robots: robots.Parse([]byte("User-agent: CCBot\nDisallow: /private/\n")), TDM: tdmFile}
	hdr := func(kv ...string) http.Header {
		h := http.Header{}
		for i := 0; i+1 < len(kv); i += 2 {
			h.Add(kv[i], kv[i+1])
		}
		return h
	}
	cases := []struct {
		name, url string
		site      Site
		resp      *Response
		embedded  []detectors.OptOut
		unread    string
		failed    bool
		strict    bool
		want      string
	}{
		{name: "nothing reserves", url: "https://x.kz/a", site: site, want: "allowed"},
		{name: "robots.txt disallows one agent", url: "https://x.kz/private/a", site: site, want: "reserved"},
		{name: "tdmrep.json reserves", url: "https://x.kz/tdm/a", site: site, want: "reserved"},
		{name: "the header reserves where the file says nothing", url: "https://x.kz/a", site: site,
			resp: &Response{Header: hdr("Tdm-Reservation", "1")}, want: "reserved"},
		{name: "the header overrules the file", url: "https://x.kz/tdm/a", site: site,
			resp: &Response{Header: hdr("Tdm-Reservation", "0")}, want: "allowed"},
		{name: "the page's meta overrules the file", url: "https://x.kz/tdm/a", site: site,
			resp: &Response{Header: hdr(), Head: head(`<meta name="tdm-reservation" content="0">`)}, want: "allowed"},
		{name: "the page's meta overrules the header", url: "https://x.kz/a", site: site,
			resp: &Response{Header: hdr("Tdm-Reservation", "0"), Head: head(`<meta name="tdm-reservation" content="1">`)}, want: "reserved"},
		{name: "absence never resets", url: "https://x.kz/tdm/a", site: site,
			resp: &Response{Header: hdr(), Head: head(`<title>no tdm meta</title>`)}, want: "reserved"},
		{name: "X-Robots-Tag noai", url: "https://x.kz/a", site: site, resp: &Response{Header: hdr("X-Robots-Tag", "noai")}, want: "reserved"},
		{name: "noimageai does not apply to a page", url: "https://x.kz/a", site: site, resp: &Response{Header: hdr("X-Robots-Tag", "noimageai")}, want: "allowed"},
		{name: "noimageai applies to an image", url: "https://x.kz/a.jpg", site: site, resp: &Response{Header: hdr("X-Robots-Tag", "noimageai"), Image: true}, want: "reserved"},
		{name: "embedded metadata reserves", url: "https://x.kz/a.jpg", site: site,
			embedded: []detectors.OptOut{{Signal: "iptc.plus.DataMining", Verdict: detectors.Reserved}}, want: "reserved"},
		{name: "embedded metadata unread is unknown", url: "https://x.kz/a.jpg", site: site, unread: "body over the cap", want: "unknown"},
		{name: "a failed resource is unknown", url: "https://x.kz/a", site: site, failed: true, want: "unknown"},
		{name: "a failed resource that is reserved is reserved", url: "https://x.kz/private/a", site: site, failed: true, want: "reserved"},
		{name: "an unreachable robots.txt is unknown", url: "https://x.kz/a", site: Site{Robots: robots.ForStatus(0, nil)}, want: "unknown"},
		{name: "ai.txt in robots grammar", url: "https://x.kz/a", site: Site{Robots: robots.Parse(nil), AITxt: aitxt.Parse([]byte("User-Agent: *\nDisallow: /\n"))}, want: "reserved"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := Decide(Facts{URL: mustURL(t, c.url), Agents: []string{"GPTBot", "CCBot"}, Explicit: true, Site: c.site,
				Response: c.resp, Embedded: c.embedded, EmbeddedUnread: c.unread, Failed: c.failed, Strict: c.strict})
			assert.Equal(t, c.want, verdict(d), "%+v", d.Evidence)
		})
	}
}

// A signal every agent shares is listed once, not once per agent.
func TestDecideEvidenceIsListedOnce(t *testing.T) {
	d := Decide(Facts{URL: mustURL(t, "https://x.kz/a"), Agents: []string{"GPTBot", "CCBot"}, Explicit: true,
		Site: Site{Robots: robots.Parse(nil)}, Response: &Response{Header: http.Header{"X-Robots-Tag": {"noai"}}}})
	xrobots := 0
	for _, o := range d.Evidence {
		if o.Signal == "X-Robots-Tag" {
			xrobots++
		}
	}
	assert.Equal(t, 1, xrobots)

	// Default agents: the ones that may crawl are summarised in one line.
	d = Decide(Facts{URL: mustURL(t, "https://x.kz/a"), Agents: []string{"GPTBot", "CCBot"}, Site: Site{Robots: robots.Parse([]byte("User-agent: CCBot\nDisallow: /\n"))}})
	require.Len(t, d.Evidence, 2)
	assert.Equal(t, detectors.Reserved, d.Evidence[0].Verdict)
	assert.Equal(t, "1 of 2 known AI-training agents may crawl this path", d.Evidence[1].Detail)
}

func TestStrictIgnoresNonConformingReservations(t *testing.T) {
	f, err := tdmrep.ParseFile([]byte(`[{"location": "/*", "tdm_reservation": 1}]`))
	require.NoError(t, err)
	facts := Facts{URL: mustURL(t, "https://x.kz/a"), Agents: []string{"GPTBot"}, Site: Site{Robots: robots.Parse(nil), TDM: f}}
	assert.Equal(t, "reserved", verdict(Decide(facts)), "a clear intent counts by default")
	facts.Strict = true
	assert.Equal(t, "allowed", verdict(Decide(facts)))
}

func TestPathKeepsTheQuery(t *testing.T) {
	assert.Equal(t, "/", Path(mustURL(t, "https://x.kz")))
	assert.Equal(t, "/a%20b?q=1", Path(mustURL(t, "https://x.kz/a%20b?q=1")))
	assert.Equal(t, "/search?", Path(mustURL(t, "https://x.kz/search?")), "an empty query keeps its ?")
	assert.Equal(t, "/search", Path(mustURL(t, "https://x.kz/search")))
}

// A robots.txt cut at the RFC 9309 minimum says so in every item's evidence.
func TestTruncatedRobotsIsSaid(t *testing.T) {
	big := []byte("User-agent: *\nAllow: /\n" + strings.Repeat("# padding\n", 60_000))
	d := Decide(Facts{URL: mustURL(t, "https://x.kz/a"), Agents: []string{"GPTBot"}, Site: Site{Robots: robots.Parse(big)}})
	var details []string
	for _, o := range d.Evidence {
		details = append(details, o.Detail)
	}
	assert.Contains(t, strings.Join(details, "\n"), "truncated at 500 KiB")
}

// Cases where aiaudit disagreed with an RFC 9309 reference parser on real
// robots.txt files (issue 18): an empty query is part of the path, so
// "/search?" is not "/search".
func TestEmptyQueryIsMatched(t *testing.T) {
	search := robots.Parse([]byte("User-agent: *\nDisallow: /search?\n"))               // 360kuai.com, indeed, flipkart, ebay.com.au, ...
	wiki := robots.Parse([]byte("User-agent: *\nAllow: /w/load.php?\nDisallow: /w/\n")) // wikipedia
	oneAgent := robots.Parse([]byte("User-agent: GPTBot\nDisallow: /search?\n"))
	cases := []struct {
		name   string
		file   *robots.File
		url    string
		agents []string
		want   string
	}{
		{"bare ? is disallowed", search, "https://x.kz/search?", []string{"GPTBot"}, "reserved"},
		{"a query is disallowed", search, "https://x.kz/search?q=a", []string{"GPTBot"}, "reserved"},
		{"no ? is not", search, "https://x.kz/search", []string{"GPTBot"}, "allowed"},
		{"the longer Allow with ? wins", wiki, "https://x.kz/w/load.php?", []string{"GPTBot"}, "allowed"},
		{"and with a query", wiki, "https://x.kz/w/load.php?modules=site", []string{"GPTBot"}, "allowed"},
		{"without ? Disallow: /w/ holds", wiki, "https://x.kz/w/load.php", []string{"GPTBot"}, "reserved"},
		{"per agent: GPTBot", oneAgent, "https://x.kz/search?", []string{"GPTBot"}, "reserved"},
		{"per agent: CCBot", oneAgent, "https://x.kz/search?", []string{"CCBot"}, "allowed"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := Decide(Facts{URL: mustURL(t, c.url), Agents: c.agents, Explicit: true, Site: Site{Robots: c.file}})
			assert.Equal(t, c.want, verdict(d), "%+v", d.Evidence)
		})
	}
}

// Every agent asked about has its own robots.txt entry, also when several
// fall to the same group (the entries differ only in their agent).
func TestEveryAgentHasItsOwnRobotsEvidence(t *testing.T) {
	agents := []string{"GPTBot", "CCBot", "ClaudeBot", "Google-Extended", "anthropic-ai", "Bytespider", "PerplexityBot"}
	for _, file := range []string{"User-agent: *\nDisallow: /\n", "User-agent: *\nAllow: /\n", "User-agent: *\nContent-Usage: train-ai=n\n", ""} {
		d := Decide(Facts{URL: mustURL(t, "https://x.kz/a"), Agents: agents, Explicit: true, Site: Site{Robots: robots.Parse([]byte(file))}})
		var got []string
		for _, o := range d.Evidence {
			if o.Signal == "robots.txt" {
				got = append(got, o.Agent)
			}
		}
		assert.Equal(t, agents, got, "robots.txt %q", file)
	}
}

// With the default agents a rule that holds for many is one line naming
// them, not the first agent standing in for all.
func TestDefaultAgentsShareOneNamedLine(t *testing.T) {
	agents := []string{"AI2Bot", "CCBot", "GPTBot"}
	d := Decide(Facts{URL: mustURL(t, "https://x.kz/a"), Agents: agents, Site: Site{Robots: robots.Parse([]byte("User-agent: *\nDisallow: /\n"))}})
	require.Len(t, d.Evidence, 1, "%+v", d.Evidence)
	assert.Empty(t, d.Evidence[0].Agent)
	assert.Equal(t, `Disallow: / (line 2, group "*"); for all 3 known AI-training agents`, d.Evidence[0].Detail)

	// A rule for one agent keeps that agent.
	d = Decide(Facts{URL: mustURL(t, "https://x.kz/a"), Agents: agents, Site: Site{Robots: robots.Parse([]byte("User-agent: GPTBot\nDisallow: /\n"))}})
	require.Len(t, d.Evidence, 2, "%+v", d.Evidence)
	assert.Equal(t, "GPTBot", d.Evidence[0].Agent)
	assert.Equal(t, `Disallow: / (line 2, group "gptbot")`, d.Evidence[0].Detail)
	assert.Equal(t, "2 of 3 known AI-training agents may crawl this path", d.Evidence[1].Detail)
}

func TestGroupAndWho(t *testing.T) {
	ev := []detectors.OptOut{
		{Signal: "robots.txt", Agent: "GPTBot", Verdict: detectors.Reserved, Detail: "d"},
		{Signal: "X-Robots-Tag", Verdict: detectors.Reserved, Detail: "noai"},
		{Signal: "robots.txt", Agent: "CCBot", Verdict: detectors.Reserved, Detail: "d"},
		{Signal: "robots.txt", Agent: "ClaudeBot", Verdict: detectors.NotReserved, Detail: "d"},
	}
	g := Group(ev)
	require.Len(t, g, 3)
	assert.Equal(t, []string{"GPTBot", "CCBot"}, g[0].Agents)
	assert.Empty(t, g[1].Agents)
	assert.Equal(t, []string{"ClaudeBot"}, g[2].Agents)
	assert.Equal(t, "GPTBot, CCBot", Who(g[0].Agents, nil))
	assert.Equal(t, "all 2 known AI-training agents", Who(g[0].Agents, []string{"CCBot", "GPTBot"}))
	assert.Equal(t, "ClaudeBot", Who(g[2].Agents, []string{"CCBot", "GPTBot"}))
	assert.Equal(t, "all 3 known AI-training agents but GPTBot", Who([]string{"CCBot", "ClaudeBot"}, []string{"CCBot", "GPTBot", "ClaudeBot"}))
}
