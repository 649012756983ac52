package aitxt

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/aiaudit/aiaudit/detectors"
	fixtures "github.com/aiaudit/aiaudit/detectors/testfixtures"
)

func TestDialects(t *testing.T) {
	block := Parse(fixtures.Read(t, "optout/aitxt", "spawning-generator-block-all.ai.txt"))
	assert.True(t, block.Spawning)
	for _, p := range []string{"/", "/a.jpg", "/deep/page.html"} {
		assert.Equal(t, detectors.Reserved, block.OptOut("GPTBot", p).Verdict, p)
	}
	md := Parse(fixtures.Read(t, "optout/aitxt", "sabintsev.com.NOT-SPAWNING-markdown.ai.txt"))
	assert.False(t, md.Spawning)
	o := md.OptOut("GPTBot", "/")
	assert.Equal(t, detectors.Unset, o.Verdict)
	assert.Contains(t, o.Detail, "not in Spawning")
	kv := Parse(fixtures.Read(t, "optout/aitxt", "andrewtrodriguez.NOT-SPAWNING-keyvalue.ai.txt"))
	assert.NotEqual(t, detectors.Reserved, kv.OptOut("GPTBot", "/").Verdict, "an ad-hoc permission is not a reservation")
}

func TestExtensionRules(t *testing.T) {
	f := Parse([]byte("# Spawning AI\nUser-Agent: *\nDisallow: *.jpg\nDisallow: *.png\n"))
	assert.Equal(t, detectors.Reserved, f.OptOut("x", "/img/a.jpg").Verdict)
	assert.Equal(t, detectors.Unset, f.OptOut("x", "/page.html").Verdict)
}

func TestLineEndsAndBOM(t *testing.T) {
	// Lone-CR line ends are robots.txt EOLs too (RFC 9309 §2.2): such a file
	// used to fail the grammar check and read as "not evaluated".
	cr := Parse([]byte("# Spawning AI\rUser-Agent: *\rDisallow: /\r"))
	assert.True(t, cr.Spawning)
	assert.Equal(t, detectors.Reserved, cr.OptOut("*", "/a.jpg").Verdict)
	// A byte-order mark before the only record does not hide it.
	bom := Parse([]byte("\xEF\xBB\xBFUser-Agent: *"))
	assert.True(t, bom.Spawning)
	assert.Equal(t, "no ai.txt rule matches", bom.OptOut("*", "/").Detail)
}
