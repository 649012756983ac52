package labels

import (
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEveryPhraseHasSamples(t *testing.T) {
	tab := Default()
	langs := map[string]bool{}
	for _, p := range tab.Phrases {
		langs[p.Lang] = true
		require.NotEmpty(t, p.Samples, p.Pattern)
		require.NotEmpty(t, p.Not, p.Pattern)
		one := &Table{Phrases: []Phrase{p}, PageScope: tab.PageScope}
		require.NoError(t, one.compile())
		for _, s := range p.Samples {
			_, _, ok := one.Match(s)
			assert.True(t, ok, "%s should match %q", p.Pattern, s)
		}
		for _, s := range p.Not {
			_, _, ok := tab.Match(s)
			assert.False(t, ok, "no phrase should match %q", s)
		}
	}
	assert.Equal(t, map[string]bool{"en": true, "ru": true, "kk": true, "de": true}, langs)
	for _, s := range tab.PageScope.Samples {
		assert.True(t, tab.page.MatchString(s), s)
	}
}

func doc(t *testing.T, html string) *goquery.Document {
	d, err := goquery.NewDocumentFromReader(strings.NewReader(html))
	require.NoError(t, err)
	return d
}

func TestPositionsAndLanguages(t *testing.T) {
	cases := map[string]struct {
		html, where, lang string
	}{
		"alt en":          {`<img id=x src=a.jpg alt="AI-generated portrait">`, "alt", "en"},
		"title de":        {`<img id=x src=a.jpg title="Bild: KI-generiert">`, "title", "de"},
		"aria-label ru":   {`<img id=x src=a.jpg aria-label="Изображение сгенерировано ИИ">`, "aria-label", "ru"},
		"describedby kk":  {`<img id=x src=a.jpg aria-describedby="d1"><p id=d1>ЖИ көмегімен жасалған сурет</p>`, "aria-describedby", "kk"},
		"figcaption en":   {`<figure><img id=x src=a.jpg><figcaption>Made with AI</figcaption></figure>`, "figcaption", "en"},
		"container de":    {`<div class=card><img id=x src=a.jpg><span>Mit KI erstellt</span></div>`, "container", "de"},
		"page notice ru":  {`<p>Все изображения на этой странице созданы с помощью ИИ.</p><div><img id=x src=a.jpg></div>`, "page", "ru"},
		"video poster kk": {`<div><video id=x poster=p.jpg></video><small>Жасанды интеллект арқылы жасалған</small></div>`, "container", "kk"},
	}
	for name, c := range cases {
		d := doc(t, c.html)
		r := Default().ForItem(d, d.Find("#x"))
		assert.True(t, r.Visible, name)
		assert.Equal(t, c.where, r.Label.Where, name)
		assert.Equal(t, c.lang, r.Label.Lang, name)
	}
}

func TestNoLabel(t *testing.T) {
	d := doc(t, `<main><h1>Our team</h1><div><img id=x src=a.jpg alt="Portrait of our CEO"></div>
	<p>This page uses cookies.</p><div class=big>`+strings.Repeat("filler text ", 100)+` AI-generated somewhere far away</div></main>`)
	r := Default().ForItem(d, d.Find("#x"))
	assert.False(t, r.Visible)
	assert.Equal(t, []string{"alt", "title", "aria-label", "container", "page"}, r.Looked)
	// A label on another item's caption is not this item's label.
	d = doc(t, `<figure><img id=a src=a.jpg><figcaption>AI-generated</figcaption></figure><figure><img id=b src=b.jpg><figcaption>Photo: J. Doe</figcaption></figure>`)
	assert.True(t, Default().ForItem(d, d.Find("#a")).Visible)
	assert.False(t, Default().ForItem(d, d.Find("#b")).Visible)
}

func TestExtendAndBadTables(t *testing.T) {
	tab, err := Default().Extend([]Phrase{{Lang: "fr", Pattern: `généré par (l'?)?IA`}})
	require.NoError(t, err)
	_, _, ok := tab.Match("Image générée par IA")
	assert.False(t, ok, "accents differ: générée is not généré")
	_, _, ok = tab.Match("généré par IA")
	assert.True(t, ok)
	_, err = Default().Extend([]Phrase{{Lang: "x", Pattern: "("}})
	assert.Error(t, err)
	_, err = Load([]byte("{"))
	assert.Error(t, err)
}
