package robots

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/temoto/robotstxt"

	fixtures "github.com/aiaudit/aiaudit/detectors/testfixtures"
)

func file(t *testing.T, name string) *File {
	return Parse(fixtures.Read(t, "optout/robots", name))
}

func allowed(f *File, agent, path string) bool { return f.Evaluate(agent, path).Allowed }

// The verdicts SOURCES.md gives for each real robots.txt.
func TestRealFiles(t *testing.T) {
	bl := file(t, "ai-robots-txt__blocklist.robots.txt")
	for _, a := range []string{"GPTBot", "ClaudeBot", "CCBot", "Google-Extended", "Applebot-Extended", "OAI-SearchBot", "PerplexityBot", "ChatGPT-User"} {
		assert.False(t, allowed(bl, a, "/"), a)
	}
	assert.True(t, allowed(bl, "Googlebot", "/"))
	assert.True(t, allowed(bl, "bingbot", "/any"))
	// "AI2Bot" is cut to the token "ai": the token matched is reported.
	r := bl.Evaluate("AI2Bot", "/")
	assert.False(t, r.Allowed)
	assert.Equal(t, "ai", r.Group)

	rt := file(t, "rottentomatoes.com.robots.txt")
	for _, a := range []string{"CCBot", "ChatGPT-User", "GPTBot", "Google-Extended", "anthropic-ai", "Omgilibot", "FacebookBot"} {
		assert.False(t, allowed(rt, a, "/m/movie"), a)
	}
	for _, a := range []string{"ClaudeBot", "Applebot-Extended", "Bytespider", "PerplexityBot"} {
		assert.True(t, allowed(rt, a, "/m/movie"), a)
		assert.False(t, allowed(rt, a, "/search"), a)
	}

	sc := file(t, "soundcloud.com.robots.txt")
	assert.False(t, allowed(sc, "GPTBot", "/x"))
	assert.True(t, allowed(sc, "ClaudeBot", "/x"))

	md := file(t, "medium.com.robots.txt")
	assert.False(t, allowed(md, "GPTBot", "/story"), "a Sitemap line does not end a group")
	assert.True(t, allowed(md, "CCBot", "/story"))
	assert.False(t, allowed(md, "CCBot", "/m/signin"))

	bc := file(t, "bandcamp.com.robots.txt")
	for _, a := range []string{"Bytespider", "CCBot", "ClaudeBot", "GPTBot", "Google-Extended"} {
		assert.False(t, allowed(bc, a, "/"), a)
	}
	assert.True(t, allowed(bc, "anthropic-ai", "/album/x"))
	assert.False(t, allowed(bc, "anthropic-ai", "/api/x"))
	assert.True(t, allowed(bc, "anthropic-ai", "/api/currency_data/"), "the longer Allow wins")

	mv := file(t, "massvacation.com.robots.txt")
	assert.False(t, allowed(mv, "ClaudeBot", "/"))
	for _, a := range []string{"GPTBot", "CCBot", "Bytespider", "Amazonbot", "Google-Extended"} {
		assert.True(t, allowed(mv, a, "/"), "%s: full UA strings reduce to the token mozilla", a)
		assert.False(t, allowed(mv, a, "/wp-admin/"), a)
		assert.True(t, allowed(mv, a, "/wp-admin/admin-ajax.php"), a)
	}
	assert.False(t, allowed(mv, "facebookexternalhit", "/"))

	jr := file(t, "jumpingrabbit-template.robots.txt")
	for _, a := range []string{"GPTBot", "CCBot", "Google-Extended", "ClaudeBot"} {
		assert.False(t, allowed(jr, a, "/"), a)
	}
	assert.True(t, allowed(jr, "Bytespider", "/"))
	assert.False(t, allowed(jr, "Bytespider", "/cgi-bin/x"))

	rfc := file(t, "rfc9309-sec5.1.example.robots.txt")
	assert.True(t, allowed(rfc, "foobot", "/example/page.html"))
	assert.False(t, allowed(rfc, "foobot", "/other"))
	assert.False(t, allowed(rfc, "barbot", "/example/page.html"))
	assert.True(t, allowed(rfc, "bazbot", "/other"))
	assert.True(t, allowed(rfc, "quxbot", "/example/page.html"))
	assert.False(t, allowed(rfc, "otherbot", "/x.gif"))
	assert.True(t, allowed(rfc, "otherbot", "/publications/x.gif"))
	assert.False(t, allowed(rfc, "otherbot", "/example/x"))

	gb := file(t, "gummibeer.dev.content-signal.robots.txt")
	prefs := gb.Prefs("GPTBot")
	require.NotEmpty(t, prefs, "a blank line does not end the * group")
	assert.Equal(t, "content-signal", prefs[0].Key)
	assert.Contains(t, prefs[0].Value, "ai-train=no")
}

// Each case where temoto/robotstxt answers differently from RFC 9309: the
// library's answer is shown, and ours must be the RFC's.
func TestFixesAroundTemoto(t *testing.T) {
	cases := []struct {
		name, body, agent, path string
		rfc                     bool
	}{
		{"prefix group selection", "User-agent: GPTBot\nDisallow: /\n", "GPTBot-Image", "/x", true},
		{"short group catches longer agents", "User-agent: a\nDisallow: /\n", "anthropic-ai", "/x", true},
		{"allow wins a tie", "User-agent: *\nDisallow: /page\nAllow: /page\n", "x", "/page", true},
		{"wildcard length is octets", "User-agent: *\nAllow: /*.html\nDisallow: /private/\n", "x", "/private/a.html", false},
		{"percent-encoding normalised", "User-agent: *\nDisallow: /%7Ejoe/\n", "x", "/~joe/index.html", false},
	}
	for _, c := range cases {
		lib, err := robotstxt.FromString(c.body)
		require.NoError(t, err)
		assert.NotEqual(t, c.rfc, lib.TestAgent(c.path, c.agent), "%s: temoto agrees now; drop the fix?", c.name)
		assert.Equal(t, c.rfc, Parse([]byte(c.body)).Evaluate(c.agent, c.path).Allowed, c.name)
	}
}

func TestStatusSemantics(t *testing.T) {
	for _, c := range []struct {
		status  int
		allowed bool
	}{{404, true}, {410, true}, {401, true}, {500, false}, {503, false}, {0, false}} {
		r := ForStatus(c.status, []byte("User-agent: *\nDisallow: /\n")).Evaluate("GPTBot", "/x")
		assert.Equal(t, c.allowed, r.Allowed, c.status)
		assert.NotEmpty(t, r.Reason)
	}
}

func TestHugeAndHostileFiles(t *testing.T) {
	body := strings.Repeat("# padding\n", 60_000) + "User-agent: *\nDisallow: /\n"
	f := Parse([]byte(body))
	assert.True(t, f.Truncated)
	assert.True(t, allowed(f, "GPTBot", "/"), "rules past 500 KiB are ignored")
	bin := Parse([]byte("\x00\xff\xfe User-agent: *\x00\nDisallow: /\xff\n"))
	assert.NotNil(t, bin)
	crlf := Parse([]byte("\xEF\xBB\xBFUser-agent: GPTBot\r\nDisallow: /\r\n"))
	assert.False(t, allowed(crlf, "GPTBot", "/"), "BOM and CRLF")
	assert.True(t, allowed(crlf, "GPTBot", "/robots.txt"), "/robots.txt is always allowed")
}

func TestMatch(t *testing.T) {
	for _, c := range []struct {
		rule, path string
		want       bool
	}{
		{"/", "/anything", true}, {"/fish", "/fish.html", true}, {"/fish", "/Fish", false},
		{"/fish$", "/fish", true}, {"/fish$", "/fish/", false}, {"/*.php", "/a/b.php?x", true},
		{"/*.php$", "/a/b.php?x", false}, {"/a*b*c", "/axxbyyc", true}, {"*", "/", true},
		{"/a*$", "/abc", true}, {"/" + strings.Repeat("*a", 200), "/" + strings.Repeat("a", 300), true},
	} {
		assert.Equal(t, c.want, Match(Normalize(c.rule), Normalize(c.path)), "%s ~ %s", c.rule, c.path)
	}
}

func FuzzParseEvaluate(f *testing.F) {
	f.Add([]byte("User-agent: *\nDisallow: /a*b$\nAllow: /a\nContent-Usage: train-ai=n\n"), "GPTBot", "/ab")
	f.Add([]byte("\xEF\xBB\xBFuser-agent:x\r\ndisallow:%zz"), "x", "/%zz")
	f.Fuzz(func(t *testing.T, body []byte, agent, path string) {
		r := Parse(body).Evaluate(agent, path)
		if r.Rule == "" && !r.Allowed {
			t.Fatalf("disallowed without a rule: %+v", r)
		}
	})
}
