package text

import (
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
)

func TestClip(t *testing.T) {
	assert.Equal(t, "a b", Clip(" a\n\tb ", 10))
	assert.Equal(t, "abcd…", Clip("abcdefgh", 5))
	got := Clip("жжжжжжжж", 4)
	assert.Equal(t, "жжж…", got)
	assert.True(t, utf8.ValidString(got), "never cuts inside a rune")
}

func TestLatin1(t *testing.T) {
	assert.Equal(t, "café", Latin1([]byte("caf\xe9")))
	assert.Equal(t, "café", Latin1([]byte("café")))
}
