package i18n

import (
	"errors"
	"fmt"
	"io/fs"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// wrapper is a usage or flag error: its text is its inner error's.
type wrapper struct{ error }

func (w wrapper) Unwrap() error { return w.error }

// An Error is said in the printer's language through the wrappers and
// joins a usage error makes, its error arguments too; an error with words
// of its own around another, and a library's, as they come.
func TestErrorInEveryLanguage(t *testing.T) {
	ru, err := New("ru")
	require.NoError(t, err)
	bad := Errorf("--%s %q is not supported (accepted: %s)", "format", "htm", "table, json")
	assert.Equal(t, `--format "htm" is not supported (accepted: table, json)`, bad.Error())
	assert.Equal(t, `--format "htm" не поддерживается (допустимо: table, json)`, ru.Error(bad))

	joined := wrapper{errors.Join(wrapper{bad}, Errorf("--render-budget needs --render"), fs.ErrNotExist)}
	assert.Equal(t, "--format \"htm\" не поддерживается (допустимо: table, json)\n--render-budget требует --render\nfile does not exist", ru.Error(joined))

	inner := Errorf("--rules: %v", Errorf("--%s must be positive (got %s)", "delay", "0s"))
	assert.Equal(t, "--rules: --delay должен быть положительным (получено 0s)", ru.Error(inner))
	assert.ErrorIs(t, Errorf("--declared: %v", fs.ErrPermission), fs.ErrPermission)

	worded := fmt.Errorf("x.yaml line 3: %w", bad)
	assert.Equal(t, worded.Error(), ru.Error(worded), "words of another's around it: as it comes")
	assert.Equal(t, "", ru.Error(nil))
	assert.Equal(t, bad.Error(), English().Error(bad))
}
