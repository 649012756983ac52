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
