package i18n

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMoneyAndNumbersByLocale(t *testing.T) {
	for _, c := range []struct {
		lang, kzt, eur, big string
	}{
		{"en", "1,730,000 KZT", "2,940.00 EUR", "15,000,000.00 EUR"},
		{"ru", "1\u00a0730\u00a0000\u00a0₸", "2\u00a0940,00\u00a0€", "15\u00a0000\u00a0000,00\u00a0€"},
		{"kk", "1\u00a0730\u00a0000\u00a0₸", "2\u00a0940,00\u00a0€", "15\u00a0000\u00a0000,00\u00a0€"},
	} {
		p, err := New(c.lang)
		require.NoError(t, err)
		assert.Equal(t, c.kzt, p.KZT(1_730_000), c.lang)
		assert.Equal(t, c.eur, p.EUR("2940.00"), c.lang)
		assert.Equal(t, c.big, p.EUR("15000000.00"), c.lang, "exact digits, no float rounding")
	}
}

// Russian chooses among one, few and many by the number's last digits;
// Kazakh and English among one and other.
func TestPluralForms(t *testing.T) {
	ru, err := New("ru")
	require.NoError(t, err)
	for n, want := range map[int]string{1: "проверен 1 объект", 2: "проверено 2 объекта", 5: "проверено 5 объектов", 11: "проверено 11 объектов", 21: "проверен 21 объект", 22: "проверено 22 объекта"} {
		assert.Equal(t, want, ru.T("%d scanned", n))
	}
	en, err := New("en")
	require.NoError(t, err)
	assert.Equal(t, "1 item raises it", en.T("%d item(s) raise it", 1))
	assert.Equal(t, "3 items raise it", en.T("%d item(s) raise it", 3))
}

func TestLanguageFromEnvironment(t *testing.T) {
	for env, want := range map[[3]string]string{
		{"", "", "ru_KZ.UTF-8"}:      "ru",
		{"", "", "kk_KZ.UTF-8"}:      "kk",
		{"kk_KZ", "", "ru_RU.UTF-8"}: "kk", // LC_ALL wins
		{"", "ru_RU", "en_US.UTF-8"}: "ru", // then LC_MESSAGES
		{"", "", "de_DE.UTF-8"}:      "en", // not ours: English
		{"", "", "C.UTF-8"}:          "en",
		{"", "", ""}:                 "en",
	} {
		got := FromEnv(func(k string) string {
			return map[string]string{"LC_ALL": env[0], "LC_MESSAGES": env[1], "LANG": env[2]}[k]
		})
		assert.Equal(t, want, got, "%v", env)
	}
	_, err := New("de")
	assert.ErrorContains(t, err, "accepted: en, ru, kk")
}

// A translation must take the arguments of its key: a missing, extra or
// different verb is reported, reordered ones are fine.
func TestCheckFindsBrokenTranslations(t *testing.T) {
	c := Catalogue{
		"en": {"%d of %s": {Text: "%d of %s"}, "n %d": {Arg: 1, Plural: map[string]string{"one": "n %d", "other": "n %d"}}},
		"ru": {"%d of %s": {Text: "%[2]s: %[1]d"}, "n %d": {Arg: 1, Plural: map[string]string{"one": "n %d", "other": "n %d"}}},
		"kk": {"%d of %s": {Text: "%s"}},
	}
	errs := c.Check()
	var msgs []string
	for _, e := range errs {
		msgs = append(msgs, e.Error())
	}
	assert.Contains(t, msgs, `kk: "%s" has verbs [1:s], its key [1:d 2:s]`)
	assert.Contains(t, msgs, `kk: no translation of "n %d"`)
	assert.Contains(t, msgs, `ru: "n %d" has plural forms [one other], the language has [few many one other]`)
	assert.Len(t, errs, 3, "%v", msgs)
}
