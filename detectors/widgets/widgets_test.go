package widgets

import (
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func find(t *testing.T, html string) []Found {
	d, err := goquery.NewDocumentFromReader(strings.NewReader(html))
	require.NoError(t, err)
	return Default().Find(d)
}

func TestWidgets(t *testing.T) {
	f := find(t, `<html><body><p>Ask us anything</p><script src="https://www.chatbase.co/embed.min.js" id="x"></script></body></html>`)
	require.Len(t, f, 1)
	assert.Equal(t, "Chatbase", f[0].Name)
	assert.Empty(t, f[0].Disclosed)

	f = find(t, `<body><p>Наш ИИ-ассистент ответит на вопросы</p><script>(function(){var s=document.createElement('script');s.src='https://cdn.botpress.cloud/webchat/v2/inject.js'})()</script></body>`)
	require.Len(t, f, 1)
	assert.Equal(t, "Botpress Webchat", f[0].Name)
	assert.NotEmpty(t, f[0].Disclosed)

	for _, disc := range []string{"Chat with our AI assistant", "Unser KI-Assistent hilft", "ЖИ көмекшісі сұрақтарға жауап береді"} {
		f = find(t, `<body><p>`+disc+`</p><iframe src="https://www.chatbase.co/chatbot-iframe/abc"></iframe></body>`)
		require.Len(t, f, 1, disc)
		assert.NotEmpty(t, f[0].Disclosed, disc)
	}
	assert.Empty(t, find(t, `<body><script src="https://www.googletagmanager.com/gtag/js"></script></body>`))
}

func TestEveryWidgetPatternMatchesItsName(t *testing.T) {
	for _, w := range Default().Widgets {
		assert.NotNil(t, w.re, w.Name)
	}
	_, err := Load([]byte(`{"widgets":[{"name":"x","pattern":"("}],"disclosures":"a"}`))
	assert.Error(t, err)
}
