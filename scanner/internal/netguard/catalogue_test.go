package netguard

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aiaudit/aiaudit/reports/i18n"
)

// A crawl names the refused spaces it may reach on stderr in the run's
// language: every space's name is catalogued.
func TestRefusedSpacesAreCatalogued(t *testing.T) {
	c, err := i18n.Load()
	require.NoError(t, err)
	for _, s := range Refused {
		for _, lang := range i18n.Langs {
			assert.Contains(t, c[lang], s.Name, "%s: no translation of the address space %q", lang, s.Name)
		}
	}
}
