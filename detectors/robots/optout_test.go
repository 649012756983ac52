package robots

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aiaudit/aiaudit/detectors"
	fixtures "github.com/aiaudit/aiaudit/detectors/testfixtures"
)

func verdicts(oo []detectors.OptOut) map[string]detectors.Verdict {
	m := map[string]detectors.Verdict{}
	for _, o := range oo {
		m[o.Signal] = o.Verdict
	}
	return m
}

// The aipref attach draft's own example, with its answers.
func TestAIPrefAttachExample(t *testing.T) {
	f := Parse(fixtures.Read(t, "optout/robots", "ietf-aipref-attach-05.example.robots.txt"))
	v := verdicts(f.OptOuts("SomeBot", "/test"))
	assert.Equal(t, detectors.NotReserved, v["robots.txt"])
	assert.Equal(t, detectors.Reserved, v["robots.txt Content-Usage"], "train-ai=n for /test")
	v = verdicts(f.OptOuts("SomeBot", "/never/test"))
	assert.Equal(t, detectors.Reserved, v["robots.txt"])
	assert.NotContains(t, v, "robots.txt Content-Usage", "no preference on a path that may not be crawled")
	v = verdicts(f.OptOuts("SomeBot", "/ai-ok/test"))
	assert.Equal(t, detectors.NotReserved, v["robots.txt Content-Usage"], "the longest path wins")
	v = verdicts(f.OptOuts("ExampleBot", "/anything"))
	assert.Equal(t, detectors.NotReserved, v["robots.txt Content-Usage"])
}

func TestContentSignalFiles(t *testing.T) {
	gb := Parse(fixtures.Read(t, "optout/robots", "gummibeer.dev.content-signal.robots.txt"))
	assert.Equal(t, detectors.Reserved, verdicts(gb.OptOuts("GPTBot", "/"))["robots.txt Content-Signal"])
	up := Parse(fixtures.Read(t, "optout/robots", "uploads.sh.content-signal-optin.robots.txt"))
	v := verdicts(up.OptOuts("GPTBot", "/"))
	assert.Equal(t, detectors.NotReserved, v["robots.txt Content-Signal"], "an explicit opt-in")
	assert.Equal(t, detectors.Reserved, verdicts(up.OptOuts("GPTBot", "/invite"))["robots.txt"])
}

func TestLegacyAndNonStandardLines(t *testing.T) {
	f := Parse([]byte("User-agent: *\nContent-Usage: ai=n\nDisallowAITraining: /\nAllowAITraining: /public/\n"))
	oo := f.OptOuts("GPTBot", "/x")
	v := verdicts(oo)
	assert.Equal(t, detectors.Reserved, v["robots.txt Content-Usage"])
	assert.Equal(t, detectors.Reserved, v["robots.txt DisallowAITraining"])
	for _, o := range oo {
		if o.Signal != "robots.txt" {
			assert.True(t, o.NonStandard, o.Signal)
		}
	}
	assert.Equal(t, detectors.NotReserved, verdicts(f.OptOuts("GPTBot", "/public/a"))["robots.txt DisallowAITraining"])
}

func TestUnreachableIsUnknown(t *testing.T) {
	oo := ForStatus(503, nil).OptOuts("GPTBot", "/")
	require.Len(t, oo, 1)
	assert.Equal(t, detectors.Unknown, oo[0].Verdict)
	assert.Contains(t, oo[0].Detail, "503")
	oo = ForStatus(404, nil).OptOuts("GPTBot", "/")
	assert.Equal(t, detectors.NotReserved, oo[0].Verdict)
}
