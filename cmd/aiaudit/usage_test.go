package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aiaudit/aiaudit/reports/i18n"
)

// usageFormats are the functions that make a usage or flag error from a
// catalogued format.
var usageFormats = map[string]bool{"flagErrorf": true, "FlagErrorf": true, "Errorf": true, "bad": true}

// Every usage and flag error aiaudit composes (flagErrorf, audit.FlagErrorf,
// i18n.Errorf) has a catalogue entry, so --lang ru or kk never falls back
// to English for one of them, including the errors no test provokes.
func TestEveryUsageErrorIsCatalogued(t *testing.T) {
	c, err := i18n.Load()
	require.NoError(t, err)
	found := 0
	for _, dir := range []string{".", "../../reports/audit", "../../reports/notify"} {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		require.NoError(t, err)
		for _, name := range files {
			if strings.HasSuffix(name, "_test.go") {
				continue
			}
			src, err := os.ReadFile(name)
			require.NoError(t, err)
			f, err := parser.ParseFile(token.NewFileSet(), name, src, 0)
			require.NoError(t, err)
			ast.Inspect(f, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok {
					return true
				}
				var fn string
				switch e := call.Fun.(type) {
				case *ast.Ident:
					fn = e.Name
				case *ast.SelectorExpr:
					if x, ok := e.X.(*ast.Ident); !ok || (x.Name != "audit" && x.Name != "i18n") {
						return true
					}
					fn = e.Sel.Name
				}
				if !usageFormats[fn] {
					return true
				}
				for _, a := range call.Args[:min(2, len(call.Args))] {
					if lit, ok := a.(*ast.BasicLit); ok && lit.Kind == token.STRING {
						format, err := strconv.Unquote(lit.Value)
						require.NoError(t, err)
						if format != "" && strings.ContainsAny(format, " %") {
							found++
							_, ok := c["en"][format]
							assert.True(t, ok, "%s: %q has no catalogue entry", name, format)
						}
					}
				}
				return true
			})
		}
	}
	assert.Greater(t, found, 30, "the usage errors were found")
}
