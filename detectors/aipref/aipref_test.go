package aipref

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParse(t *testing.T) {
	p, err := Parse("train-ai=n, search=y")
	require.NoError(t, err)
	assert.Equal(t, Disallow, p.Get(TrainAI))
	assert.Equal(t, Allow, p.Get(Search))

	p, err = Parse(`train-ai=y, train-ai`)
	require.NoError(t, err)
	assert.Equal(t, Unknown, p.Get(TrainAI), "the last duplicate wins; a bare key is boolean true, not y")

	p, err = Parse(`train-ai="n";x=1, search=?1, foo=n`)
	require.NoError(t, err)
	assert.Equal(t, Unknown, p.Get(TrainAI), "a string is not the token n")
	assert.Equal(t, Unknown, p.Get(Search))
	assert.Equal(t, Disallow, p.Get("foo"), "unknown keys are kept but do not count")

	p, err = Parse("ai=n, train-genai=n")
	require.NoError(t, err)
	assert.Equal(t, Unknown, p.Get(TrainAI))
	assert.ElementsMatch(t, []string{"ai=n", "train-genai=n"}, p.LegacyNo())
}

func TestSyntaxErrorsMakeEverythingUnknown(t *testing.T) {
	for _, s := range []string{"Train-AI=n", "train-ai=n search=y", "train-ai=n,", "=n", `train-ai="n`, "train-ai=(n)", "train-ai=n, /path"} {
		p, err := Parse(s)
		assert.Error(t, err, s)
		assert.Equal(t, Unknown, p.Get(TrainAI), s)
	}
}

func TestCombine(t *testing.T) {
	assert.Equal(t, Disallow, Combine(Allow, Disallow, Unknown))
	assert.Equal(t, Allow, Combine(Unknown, Allow))
	assert.Equal(t, Unknown, Combine())
}

func FuzzParse(f *testing.F) {
	f.Add("train-ai=n, search=y;q=1")
	f.Add(`a="x\"y", b=:AA==:, c=?0, d=-1.5`)
	f.Fuzz(func(t *testing.T, s string) {
		p, err := Parse(s)
		if err != nil && len(p.Values) != 0 {
			t.Fatal("values returned with an error")
		}
	})
}
