package labels

import (
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/stretchr/testify/assert"
	"golang.org/x/net/html"
)

// shown is a box a visitor sees: black 16px text on white, on the page.
func shown() Box {
	return Box{Displayed: true, Visibility: "visible", Opacity: 1, X: 10, Y: 10, W: 200, H: 20, PageW: 1280, PageH: 2000,
		FontSize: 16, FontWeight: 400, Color: []float64{0, 0, 0, 1}, Background: []float64{255, 255, 255, 1}}
}

func TestUnseen(t *testing.T) {
	assert.Empty(t, Unseen(shown()))
	cases := map[string]struct {
		edit func(*Box)
		want string
	}{
		"display:none":          {func(b *Box) { b.Displayed = false }, "not displayed"},
		"visibility:hidden":     {func(b *Box) { b.Visibility = "hidden" }, "visibility:hidden"},
		"opacity 0":             {func(b *Box) { b.Opacity = 0 }, "transparent"},
		"sr-only 1px box":       {func(b *Box) { b.W, b.H = 1, 1 }, "zero-sized"},
		"left:-9999px":          {func(b *Box) { b.X = -9999 }, "off-screen"},
		"below the page":        {func(b *Box) { b.Y = 2000 }, "off-screen"},
		"1px font":              {func(b *Box) { b.FontSize = 1 }, "font too small"},
		"white on white":        {func(b *Box) { b.Color = []float64{255, 255, 255, 1} }, "low contrast (1.00:1"},
		"light grey 16px":       {func(b *Box) { b.Color = []float64{170, 170, 170, 1} }, "low contrast (2.32:1, minimum 4.5:1)"},
		"faded black":           {func(b *Box) { b.Color = []float64{0, 0, 0, 0.2} }, "low contrast"},
		"half-transparent text": {func(b *Box) { b.Opacity = 0.15 }, "low contrast"},
		"over an image":         {func(b *Box) { b.OverImage = true }, "background image"},
		"unread colour":         {func(b *Box) { b.Color = nil }, "contrast cannot be measured"},
	}
	for name, c := range cases {
		b := shown()
		c.edit(&b)
		assert.Contains(t, Unseen(b), c.want, name)
	}
	// Large text needs 3:1 only: #888 on white is 3.54:1.
	grey := shown()
	grey.Color = []float64{136, 136, 136, 1}
	assert.Contains(t, Unseen(grey), "minimum 4.5:1")
	grey.FontSize = 24
	assert.Empty(t, Unseen(grey), "24px text at 3.54:1 is readable")
	grey.FontSize, grey.FontWeight = 19, 700
	assert.Empty(t, Unseen(grey), "bold 19px text at 3.54:1 is readable")
	// A 9px font is the minimum, included.
	small := shown()
	small.FontSize = MinFontPx
	assert.Empty(t, Unseen(small))
	assert.InDelta(t, 21, Contrast([]float64{0, 0, 0, 1}, []float64{255, 255, 255, 1}), 0.01)
}

func TestRenderedFinderCountsOnlySeenText(t *testing.T) {
	d := doc(t, `<html><body>
<figure id=f1><img id=a src=a.jpg alt="AI-generated image"><figcaption id=c1>AI-generated image</figcaption></figure>
<figure id=f2><img id=b src=b.jpg><figcaption id=c2>AI-generated image</figcaption></figure>
<figure id=f3><img id=c src=c.jpg><figcaption id=c3>Sunset</figcaption></figure>
<p id=notice>All images on this page are AI-generated</p>
</body></html>`)
	node := func(sel string) *html.Node { return d.Find(sel).Nodes[0] }
	unseen := map[*html.Node]string{
		node("#c1"): "visibility:hidden",
		node("#c2"): "",
		node("#c3"): "",
	}
	f := Default().Rendered(d, unseen)

	r := f.ForItem(d.Find("#a"))
	assert.False(t, r.Visible, "alt text and a hidden caption are not seen")
	if assert.NotNil(t, r.Hidden) {
		assert.Equal(t, "alt", r.Hidden.Where)
		assert.Contains(t, r.Hidden.Why, "attribute")
	}

	r = f.ForItem(d.Find("#b"))
	assert.True(t, r.Visible)
	assert.Equal(t, "figcaption", r.Label.Where)
	assert.Nil(t, r.Hidden)

	// The page notice was not checked (no entry): it does not count, and
	// the report says why.
	r = f.ForItem(d.Find("#c"))
	assert.False(t, r.Visible)
	if assert.NotNil(t, r.Hidden) {
		assert.Equal(t, "page", r.Hidden.Where)
		assert.Contains(t, r.Hidden.Why, "not checked")
	}
	unseen[node("#notice")] = ""
	r = f.ForItem(d.Find("#c"))
	assert.True(t, r.Visible, "a visible page notice covers the item")

	// The hidden caption's reason is named.
	delete(unseen, node("#notice"))
	unseen[node("#c2")] = "font too small (1px, minimum 9px)"
	r = f.ForItem(d.Find("#b"))
	if assert.NotNil(t, r.Hidden) {
		assert.Equal(t, "font too small (1px, minimum 9px)", r.Hidden.Why)
	}
	assert.Equal(t, "Sunset", f.Text(d.Find("#f3")))
	assert.Empty(t, f.Text(d.Find("#f2")))

	// The markup finder counts all of it, as the static crawl does.
	m := Default().Markup(d)
	assert.True(t, m.ForItem(d.Find("#a")).Visible)
	assert.Equal(t, "AI-generated image", m.Text(d.Find("#c1")))
}

// Whatever a page's layout says, text counts as seen only when every rule
// holds for it.
func FuzzUnseen(f *testing.F) {
	f.Add(true, "visible", 1.0, 10.0, 10.0, 200.0, 20.0, 1280.0, 2000.0, 16.0, 400.0, 0.0, 0.0, 0.0, 1.0, 255.0, 255.0, 255.0, 1.0, false)
	f.Add(true, "visible", 0.5, -5.0, 0.0, 3.0, 3.0, 10.0, 10.0, 9.0, 700.0, 120.0, 120.0, 120.0, 0.5, 0.0, 0.0, 0.0, 0.2, false)
	f.Fuzz(func(t *testing.T, displayed bool, visibility string, opacity, x, y, w, h, pw, ph, font, weight, r, g, b, a, br, bg, bb, ba float64, overImage bool) {
		box := Box{Displayed: displayed, Visibility: visibility, Opacity: opacity, X: x, Y: y, W: w, H: h, PageW: pw, PageH: ph,
			FontSize: font, FontWeight: weight, Color: []float64{r, g, b, a}, Background: []float64{br, bg, bb, ba}, OverImage: overImage}
		why := Unseen(box)
		if why != "" {
			// Every reason reads back into its format, for the reports
			// to say it in their language.
			r, ok := ParseReason(why)
			if !ok || r.String() != why {
				t.Fatalf("reason %q does not read back: %+v", why, r)
			}
			return
		}
		if !displayed || visibility == "hidden" || visibility == "collapse" || overImage || !finite(opacity, x, y, w, h, font) ||
			opacity < minOpacity || font < MinFontPx || w < minBoxPx || h < minBoxPx || x+w <= 0 || y+h <= 0 || x >= pw || y >= ph {
			t.Fatalf("seen, but a rule fails: %+v", box)
		}
		fg := over([]float64{r, g, b, a * opacity}, over(box.Background, []float64{255, 255, 255, 1}))
		if c := Contrast(fg, over(box.Background, []float64{255, 255, 255, 1})); !(c >= MinContrastLarge) {
			t.Fatalf("seen at contrast %v: %+v", c, box)
		}
	})
}

// A hidden label is one the markup holds, and a page whose every text is
// seen has the labels of its markup, attributes aside.
func FuzzRenderedFinder(f *testing.F) {
	f.Add(`<figure><img src=a alt="AI image"><figcaption>AI-generated image</figcaption></figure><p>All images on this page are AI-generated</p>`, uint64(5))
	f.Add(`<div><img src=a><span>Image created with AI</span></div>`, uint64(0))
	f.Fuzz(func(t *testing.T, page string, hide uint64) {
		if len(page) > 4096 {
			return
		}
		d, err := goquery.NewDocumentFromReader(strings.NewReader(page))
		if err != nil {
			return
		}
		unseen := map[*html.Node]string{}
		d.Find("*").Each(func(i int, s *goquery.Selection) {
			if hide>>(uint(i)%64)&1 == 1 {
				unseen[s.Nodes[0]] = "hidden"
			} else if i%7 != 3 { // some elements unchecked
				unseen[s.Nodes[0]] = ""
			}
		})
		rendered, marked := Default().Rendered(d, unseen), Default().Markup(d)
		d.Find("img").Each(func(_ int, img *goquery.Selection) {
			r, m := rendered.ForItem(img), marked.ForItem(img)
			if r.Hidden != nil && (r.Visible || !m.Visible || r.Hidden.Why == "") {
				t.Fatalf("hidden label %+v: rendered %v, markup %v", r.Hidden, r.Visible, m.Visible)
			}
			if !r.Visible && m.Visible && r.Hidden == nil {
				t.Fatalf("the markup's label %+v is neither seen nor said to be hidden", m.Label)
			}
		})
		for n := range unseen {
			unseen[n] = ""
		}
		d.Find("*").Each(func(_ int, s *goquery.Selection) { unseen[s.Nodes[0]] = "" })
		d.Find("img").RemoveAttr("alt").RemoveAttr("title").RemoveAttr("aria-label").Each(func(_ int, img *goquery.Selection) {
			if r, m := rendered.ForItem(img), marked.ForItem(img); r.Visible != m.Visible || r.Label != m.Label {
				t.Fatalf("all text seen: rendered %+v, markup %+v", r, m)
			}
		})
	})
}
