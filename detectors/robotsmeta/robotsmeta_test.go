package robotsmeta

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aiaudit/aiaudit/detectors"
	"github.com/aiaudit/aiaudit/detectors/tdmrep"
)

func verdicts(oo []detectors.OptOut) []string {
	var out []string
	for _, o := range oo {
		out = append(out, o.Signal+"="+string(o.Verdict))
	}
	return out
}

func TestHeaders(t *testing.T) {
	h := http.Header{}
	h.Add("X-Robots-Tag", "noai, noimageai")
	h.Add("X-Robots-Tag", "otherbot: noml")
	h.Add("X-Robots-Tag", "noindex")
	h.Add("Content-Usage", "train-ai=n")
	h.Add("Content-Signal", "search=yes, ai-train=no")
	h.Add("Tdm-Reservation", "1")
	page := verdicts(FromHeaders(h, "GPTBot", false))
	assert.Equal(t, []string{"X-Robots-Tag=reserved", "X-Robots-Tag=unset", "Content-Usage header=reserved", "Content-Signal header=reserved"}, page,
		"noimageai is for images, otherbot's noml is not for GPTBot, noindex is reported apart")
	img := verdicts(FromHeaders(h, "GPTBot", true))
	assert.Contains(t, img, "X-Robots-Tag=reserved")
	assert.Len(t, img, 5)
	assert.Len(t, verdicts(FromHeaders(h, "otherbot", false)), 5, "the agent form addresses otherbot")
	assert.Equal(t, tdmrep.ReservedFlag, TDMHeaders(h).Reservation)
}

func TestHeadMeta(t *testing.T) {
	page := `<!doctype html><html><head>
	<meta name="robots" content="noai, noimageai">
	<meta name="GPTBot" content="noml">
	<meta name="tdm-reservation" content="1"><meta name="tdm-policy" content="https://example.com/p.json">
	</head><body><meta name="robots" content="noindex"></body>`
	h := ParseHead(strings.NewReader(page), 1<<20)
	assert.Equal(t, []string{"meta robots=reserved", "meta gptbot=reserved"}, verdicts(h.OptOuts("GPTBot")))
	assert.Equal(t, []string{"meta robots=reserved"}, verdicts(h.OptOuts("CCBot")))
	d := h.TDM()
	assert.Equal(t, tdmrep.ReservedFlag, d.Reservation)
	assert.Equal(t, "https://example.com/p.json", d.Policy)
}

func TestBrokenAndHugeHTML(t *testing.T) {
	h := ParseHead(strings.NewReader(`<head><meta name=robots content=noai><meta name="x" content=`), 1<<20)
	require.Len(t, h.Robots, 1)
	big := "<head>" + strings.Repeat("<!-- padding -->", 100000) + `<meta name="robots" content="noai">`
	h = ParseHead(strings.NewReader(big), 64<<10)
	assert.Empty(t, h.Robots, "only the first bytes are read")
}

func FuzzParseHead(f *testing.F) {
	f.Add(`<head><meta name="robots" content="gptbot: noai"></head>`)
	f.Fuzz(func(t *testing.T, s string) {
		ParseHead(strings.NewReader(s), 1<<16).OptOuts("GPTBot")
	})
}
