package aitxt

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/aiaudit/aiaudit/detectors"
	"github.com/aiaudit/aiaudit/detectors/robots"
)

// FuzzParseOptOut reads hostile ai.txt bodies and evaluates them for an
// agent and path.
func FuzzParseOptOut(f *testing.F) {
	for _, s := range []struct{ body, agent, path string }{
		{"", "*", "/"},
		{"# Spawning AI\n# Prevent datasets from using the following file types\n\nUser-Agent: *\nDisallow: /\nDisallow: *\n", "*", "/a.jpg"},
		{"# Spawning AI\nUser-Agent: *\nDisallow: *.jpg\nDisallow: *.png\nAllow: /public/\n", "GPTBot", "/public/a.jpg"},
		{"\xEF\xBB\xBFUser-Agent: *\r\nAllow: /\r\n", "*", "/x"},
		{"# Spawning AI\rUser-Agent: *\rDisallow: /\r", "*", "/"}, // old Mac line ends
		{"# ai.txt - AI Agent Permissions\n\nUser-agent: *\nFull-access: yes\nTraining: yes\n", "*", "/"},
		{"# AI policy\n\n- **Training:** not allowed\n- User-agent: *\n", "*", "/"},
		{"User-agent: GPTBot\nDisallow: /private # comment\n\nUser-agent: *\nAllow: /\n", "GPTBot-Image", "/private/x?y=1"},
		// Huge values, one at a time: robots.Match is O(len(rule)·len(path)).
		{"User-agent: *\nDisallow: /" + strings.Repeat("a", 64<<10) + "\n", "*", "/aaa"},
		{"User-agent: *\nDisallow: /a*$\n", "*", "/" + strings.Repeat("a", 64<<10)},
		{"User-agent: *\nDisallow: /%E4%BD%A0*$\n", "*", "/你好"},
		{"User-agent: *\nDisallow: /\n", "*", "/robots.txt"},
	} {
		f.Add([]byte(s.body), s.agent, s.path)
	}

	f.Fuzz(func(t *testing.T, body []byte, agent, path string) {
		file := Parse(body)
		o := file.OptOut(agent, path)

		// Always one of the defined verdicts, and never Unknown: a body in
		// hand is never "could not tell" (that is for a fetch that failed,
		// decided by the caller).
		require.Contains(t, []detectors.Verdict{detectors.Reserved, detectors.NotReserved, detectors.Unset}, o.Verdict)
		require.Equal(t, "ai.txt", o.Signal)
		require.Equal(t, agent, o.Agent)
		require.True(t, o.NonStandard)
		require.NotEmpty(t, o.Detail)

		switch o.Verdict {
		case detectors.Reserved, detectors.NotReserved:
			// Only a file read in robots.txt grammar is evaluated: content the
			// parser could not read (Markdown, key: value, noise) is never
			// "reserved" nor "not reserved", only Unset.
			require.True(t, file.Spawning)
			// The verdict quotes the deciding rule, a line of the part of
			// the body that is read.
			head := body[:min(len(body), robots.MaxSize)]
			require.True(t, bytes.Contains(head, []byte(o.Detail)), "detail %q not in the body", o.Detail)
			want := "disallow"
			if o.Verdict == detectors.NotReserved {
				want = "allow"
			}
			require.True(t, strings.HasPrefix(strings.ToLower(o.Detail), want), "%s from %q", o.Verdict, o.Detail)
		}

		// Deterministic: the same bytes and question give the same answer.
		require.Equal(t, o, Parse(body).OptOut(agent, path))

		// Line ends and a byte-order mark are not content: the same rules
		// written with LF, CRLF or CR (all three are robots.txt EOLs, RFC
		// 9309 §2.2), with or without a BOM, mean the same.
		lf := strings.ReplaceAll(strings.ReplaceAll(string(body), "\r\n", "\n"), "\r", "\n")
		lf = strings.TrimPrefix(lf, "\xEF\xBB\xBF")
		for _, v := range []string{
			lf,
			strings.ReplaceAll(lf, "\n", "\r\n"),
			strings.ReplaceAll(lf, "\n", "\r"),
			"\xEF\xBB\xBF" + lf,
		} {
			if len(v) > robots.MaxSize || len(body) > robots.MaxSize {
				continue // the cut falls elsewhere
			}
			g := Parse([]byte(v))
			require.Equal(t, file.Spawning, g.Spawning, "%q vs %q", body, v)
			require.Equal(t, o, g.OptOut(agent, path), "%q vs %q", body, v)
		}
	})
}
