package agents

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDefaultList(t *testing.T) {
	l := Default()
	assert.Equal(t, "2026-11-24", l.Listed)
	assert.Greater(t, l.Len(), 100)
	for tok, want := range map[string]string{
		"GPTBot": Training, "gptbot": Training, "CCBot": Training, "ClaudeBot": Training,
		"Google-Extended": Training, "Applebot-Extended": Training, "anthropic-ai": Training,
		"Bytespider": Training, "PerplexityBot": Search, "OAI-SearchBot": Search, "ChatGPT-User": Assistant,
	} {
		a, ok := l.Lookup(tok)
		require.True(t, ok, tok)
		assert.Equal(t, want, a.Purpose, tok)
	}
	_, ok := l.Lookup("Googlebot")
	assert.False(t, ok, "search engines that do not train are not AI agents here")
	assert.GreaterOrEqual(t, len(l.WithPurpose(Training)), 25)
}

func TestExtendAndErrors(t *testing.T) {
	l, err := Default().Extend([]Agent{{Token: "NewBot", Operator: "X", Purpose: Training}})
	require.NoError(t, err)
	a, ok := l.Lookup("newbot")
	require.True(t, ok)
	assert.Equal(t, "X", a.Operator)
	_, ok = Default().Lookup("newbot")
	assert.False(t, ok, "the default list is not changed")
	_, err = Default().Extend([]Agent{{Token: "B", Purpose: "scraping"}})
	assert.ErrorContains(t, err, "unknown purpose")
	_, err = Parse([]byte("only-one-field\n"))
	assert.ErrorContains(t, err, "line 1")
}
