// Package i18n prints the human-readable reports in English, Russian and
// Kazakh. Messages are catalogued as data (locales/*.json, keyed by the
// English text, plural forms by CLDR category) and loaded into
// golang.org/x/text's catalogue, which also formats numbers by locale.
// Machine formats (JSON, JSONL, SARIF, CSV column names) stay English.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"math/big"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"

	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/message/catalog"
	"golang.org/x/text/number"
)

// Langs are the languages reports are written in; the first is the
// fallback.
var Langs = []string{"en", "ru", "kk"}

// Forms are the CLDR plural categories each language uses for integers.
var Forms = map[string][]string{
	"en": {"one", "other"},
	"ru": {"one", "few", "many", "other"},
	"kk": {"one", "other"},
}

//go:embed locales/*.json
var files embed.FS

// Entry is one message in one language: a plain text, or a plural that
// chooses its form by the numeric argument Arg (1-based).
type Entry struct {
	Text   string
	Arg    int
	Plural map[string]string
}

// UnmarshalJSON reads "text" or {"arg": 1, "one": ..., "other": ...}.
func (e *Entry) UnmarshalJSON(b []byte) error {
	if err := json.Unmarshal(b, &e.Text); err == nil {
		return nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return fmt.Errorf("a message is a string or an object of plural forms: %w", err)
	}
	e.Arg, e.Plural = 1, map[string]string{}
	for k, v := range m {
		if k == "arg" {
			if err := json.Unmarshal(v, &e.Arg); err != nil {
				return fmt.Errorf("arg: %w", err)
			}
			continue
		}
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			return fmt.Errorf("plural form %q: %w", k, err)
		}
		e.Plural[k] = s
	}
	return nil
}

// Catalogue is every language's messages, by English key.
type Catalogue map[string]map[string]Entry

// Load reads the embedded catalogues.
func Load() (Catalogue, error) {
	c := Catalogue{}
	for _, lang := range Langs {
		b, err := files.ReadFile(path.Join("locales", lang+".json"))
		if err != nil {
			return nil, err
		}
		m := map[string]Entry{}
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, fmt.Errorf("locales/%s.json: %w", lang, err)
		}
		c[lang] = m
	}
	return c, nil
}

var verb = regexp.MustCompile(`%(\[(\d+)\])?[-+# 0]*\d*(\.\d+)?([a-zA-Z%])`)

// Verbs lists a message's arguments as "position:verb" in position order
// ("%[2]d ... %[1]s" is [1:s 2:d]), so a translation that reorders its
// arguments still takes the same ones as its English key.
func Verbs(s string) []string {
	var out []string
	next := 1
	for _, m := range verb.FindAllStringSubmatch(s, -1) {
		if m[4] == "%" {
			continue
		}
		if m[2] != "" {
			fmt.Sscan(m[2], &next)
		}
		out = append(out, fmt.Sprintf("%d:%s", next, m[4]))
		next++
	}
	slices.Sort(out)
	return out
}

// Check reports every problem of a catalogue: a key missing in a
// language, a translation whose verbs differ from its key's, plural forms
// that are not the language's.
func (c Catalogue) Check() []error {
	var errs []error
	keys := map[string]bool{}
	for _, m := range c {
		for k := range m {
			keys[k] = true
		}
	}
	sorted := make([]string, 0, len(keys))
	for k := range keys {
		sorted = append(sorted, k)
	}
	sort.Strings(sorted)
	for _, lang := range Langs {
		for _, k := range sorted {
			e, ok := c[lang][k]
			if !ok {
				errs = append(errs, fmt.Errorf("%s: no translation of %q", lang, k))
				continue
			}
			want := Verbs(k)
			texts := []string{e.Text}
			if e.Plural != nil {
				texts = nil
				var forms []string
				for f, t := range e.Plural {
					forms = append(forms, f)
					texts = append(texts, t)
				}
				sort.Strings(forms)
				need := slices.Sorted(slices.Values(Forms[lang]))
				if !slices.Equal(forms, need) {
					errs = append(errs, fmt.Errorf("%s: %q has plural forms %v, the language has %v", lang, k, forms, need))
				}
				if e.Arg < 1 || e.Arg > len(want) {
					errs = append(errs, fmt.Errorf("%s: %q chooses its plural by argument %d of %d", lang, k, e.Arg, len(want)))
				}
			}
			for _, t := range texts {
				if got := Verbs(t); !slices.Equal(got, want) {
					errs = append(errs, fmt.Errorf("%s: %q has verbs %v, its key %v", lang, t, got, want))
				}
			}
		}
	}
	return errs
}

var (
	builtOnce sync.Once
	built     *catalog.Builder
	buildErr  error
	// known is every catalogued key; misses records the keys asked for
	// that no catalogue has, so a test can fail on an untranslated text.
	known  map[string]bool
	misses sync.Map
)

// builder loads the catalogues once into x/text's catalogue.
func builder() (*catalog.Builder, error) {
	builtOnce.Do(func() {
		c, err := Load()
		if err != nil {
			buildErr = err
			return
		}
		if errs := c.Check(); len(errs) > 0 {
			buildErr = fmt.Errorf("message catalogue: %w", errs[0])
			return
		}
		known = map[string]bool{}
		for k := range c["en"] {
			known[k] = true
		}
		b := catalog.NewBuilder(catalog.Fallback(language.English))
		for lang, m := range c {
			tag := language.MustParse(lang)
			for k, e := range m {
				if e.Plural == nil {
					buildErr = b.SetString(tag, k, e.Text)
				} else {
					var cases []any
					for _, f := range Forms[lang] {
						cases = append(cases, pluralForm[f], e.Plural[f])
					}
					buildErr = b.Set(tag, k, plural.Selectf(e.Arg, "", cases...))
				}
				if buildErr != nil {
					return
				}
			}
		}
		built = b
	})
	return built, buildErr
}

var pluralForm = map[string]plural.Form{"one": plural.One, "few": plural.Few, "many": plural.Many, "other": plural.Other}

// Printer writes one language.
type Printer struct {
	Lang string
	p    *message.Printer
}

// New returns the printer for a language of Langs.
func New(lang string) (*Printer, error) {
	if !slices.Contains(Langs, lang) {
		return nil, fmt.Errorf("language %q is not supported (accepted: %s)", lang, strings.Join(Langs, ", "))
	}
	b, err := builder()
	if err != nil {
		return nil, err
	}
	return &Printer{Lang: lang, p: message.NewPrinter(language.MustParse(lang), message.Catalog(b))}, nil
}

// English is the printer every machine-facing text and every fallback
// uses.
func English() *Printer {
	p, err := New("en")
	if err != nil {
		panic(err) // the embedded catalogue is checked by the tests
	}
	return p
}

// For is the printer for a language of Langs, English for any other (a
// language a saved scan names that this build has no catalogue for).
func For(lang string) *Printer {
	p, err := New(lang)
	if err != nil {
		return English()
	}
	return p
}

// T translates a catalogued message and formats its arguments, numbers
// by the language's rules. A message not in the catalogue is printed as
// given (text from scanned content, details).
func (p *Printer) T(key string, args ...any) string {
	if !known[key] {
		misses.Store(key, true)
	}
	return p.p.Sprintf(key, args...)
}

// Misses lists the texts asked for that no catalogue holds.
func Misses() []string {
	var out []string
	misses.Range(func(k, _ any) bool { out = append(out, k.(string)); return true })
	sort.Strings(out)
	return out
}

// Int writes a whole number with the language's digit grouping.
func (p *Printer) Int(n int64) string { return p.p.Sprint(number.Decimal(n)) }

// KZT writes tenge: "1,730,000 KZT" in English, "1 730 000 ₸" in Russian
// and Kazakh.
func (p *Printer) KZT(n int64) string {
	if p.Lang == "en" {
		return p.Int(n) + " KZT"
	}
	return p.Int(n) + "\u00a0₸"
}

// EUR writes a decimal euro string ("2940.00") as "2,940.00 EUR" or
// "2 940,00 €", exactly: the digits are the string's, only the separators
// are the language's.
func (p *Printer) EUR(dec string) string {
	whole, frac, _ := strings.Cut(dec, ".")
	n, ok := new(big.Int).SetString(whole, 10)
	if !ok || !n.IsInt64() {
		return dec + " EUR"
	}
	s := p.Int(n.Int64())
	if frac != "" {
		s += map[bool]string{true: ".", false: ","}[p.Lang == "en"] + frac
	}
	if p.Lang == "en" {
		return s + " EUR"
	}
	return s + "\u00a0€"
}

// FromEnv picks the language from LC_ALL, LC_MESSAGES or LANG ("ru_KZ.UTF-8"
// is Russian), falling back to English.
func FromEnv(getenv func(string) string) string {
	for _, v := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		val := getenv(v)
		if val == "" {
			continue
		}
		lang := strings.ToLower(strings.FieldsFunc(val, func(r rune) bool { return r == '_' || r == '.' || r == '-' || r == '@' })[0])
		if slices.Contains(Langs, lang) {
			return lang
		}
		return "en"
	}
	return "en"
}

// Text translates a catalogued text that takes no arguments and may hold
// a "%" (data from the fine tables).
func (p *Printer) Text(s string) string { return p.T(strings.ReplaceAll(s, "%", "%%")) }
