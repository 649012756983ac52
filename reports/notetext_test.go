package reports

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aiaudit/aiaudit/detectors/notes"
	"github.com/aiaudit/aiaudit/reports/i18n"
	"github.com/aiaudit/aiaudit/reports/model"
	"github.com/aiaudit/aiaudit/reports/model/detail"
)

// A resource's note is said in the report's language when the scanner
// wrote it with one of its formats, the notes and details inside it too;
// values (URLs, file names, errors) and a note in another wording are
// shown as found.
func TestNotesInEveryLanguage(t *testing.T) {
	hidden := detail.Hidden{Where: "figcaption", Text: "AI", Why: "not displayed (display:none)"}.Write(fmt.Sprintf)
	cases := []struct {
		note     string
		ru, kk   string
		valueish []string // parts shown as found in every language
	}{
		{fmt.Sprintf(notes.PageTruncated, 10485760),
			"страница больше 10\u00a0485\u00a0760 байт: прочитано только до этого предела; объекты после обрезки не проверены",
			"бет 10\u00a0485\u00a0760 байттан үлкен: тек сол шекке дейін оқылды; кесілген жерден кейінгі нысандар қаралмады", nil},
		{fmt.Sprintf(notes.RenderDialogs, 2), "отрисовка: закрыто 2 диалога, открытых страницей", "көрсету: бет ашқан 2 диалог терезесі жабылды", nil},
		{fmt.Sprintf(notes.RenderUnanswered, 5, fmt.Sprintf(notes.RequestTooLarge, 1024), "https://cdn.example.kz/a.js"),
			"отрисовка: 5 запросов браузера остались без ответа, больше 1\u00a0024 байт: https://cdn.example.kz/a.js",
			"көрсету: браузердің 5 сұрауына жауап берілмеді, 1\u00a0024 байттан үлкен: https://cdn.example.kz/a.js", []string{"https://cdn.example.kz/a.js"}},
		{fmt.Sprintf(notes.XMPUnreadable, fmt.Sprintf(notes.InSidecar, "APP1", "a.xmp"), "unexpected EOF"),
			"APP1 (файл-спутник a.xmp): XMP не читается: unexpected EOF",
			"APP1 (a.xmp серік файлы): XMP оқылмайды: unexpected EOF", []string{"unexpected EOF"}},
		{fmt.Sprintf(notes.OnPage, "https://example.kz/", hidden),
			"на https://example.kz/: пометка есть, но её не видно: figcaption \"AI\" (не отображается (display:none))",
			"https://example.kz/ бетінде: белгі бар, бірақ көрінбейді: figcaption \"AI\" (көрсетілмейді (display:none))", nil},
		{fmt.Sprintf(notes.Watermarked, "urn:c2pa:1"), "в манифесте C2PA \"urn:c2pa:1\" записан невидимый водяной знак (soft binding)",
			"C2PA \"urn:c2pa:1\" манифесінде көрінбейтін су белгісі жазылған (soft binding)", nil},
		{fmt.Sprintf(notes.ScriptRendered, fmt.Sprintf(notes.ScriptSigns, 12, fmt.Sprintf(notes.ScriptMount, `<div id="root">`)+"; "+fmt.Sprintf(notes.ScriptCount, 5)), notes.RenderHint),
			"похоже, построена скриптом (12 символов видимого текста; точка монтирования скрипта <div id=\"root\">; 5 скриптов): статический обход видит только HTML, который отдаёт сервер, но не изображения и ссылки, добавленные скриптами; --render загружает страницы в браузере",
			"скриптпен құрылған сияқты (көрінетін мәтіннің 12 таңбасы; скрипт орнатылатын элемент <div id=\"root\">; 5 скрипт): статикалық аралау тек сервер жіберетін HTML-ді көреді, скриптер қосқан суреттер мен сілтемелерді көрмейді; --render беттерді браузерде жүктейді", nil},
		{notes.NoMetadata,
			"метаданных нет совсем: их могли удалить (CMS, CDN, перекодирование), поэтому отсутствие признаков ИИ не значит, что объект создан не ИИ",
			"метадеректер мүлде жоқ: олар жойылған болуы мүмкін (CMS, CDN, қайта кодтау), сондықтан ЖИ белгілерінің болмауы нысанды ЖИ жасамағанын білдірмейді", nil},
	}
	english := []string{"page", "bytes", "script", "characters", "visible", "static", "rendering", "dialogs", "requests", "larger", "sidecar", "unreadable", "label", "manifest", "metadata", "records", "on https"}
	for _, c := range cases {
		for lang, want := range map[string]string{"ru": c.ru, "kk": c.kk} {
			p, err := i18n.New(lang)
			require.NoError(t, err)
			got := noteText(p, c.note)
			assert.Equal(t, want, got, "%s: %s", lang, c.note)
			for _, v := range c.valueish {
				got = strings.ReplaceAll(got, v, "")
			}
			for _, w := range english {
				assert.NotContains(t, got, w, "%s: English left in %q", lang, got)
			}
		}
		// English says the scanner's words, its numbers grouped.
		assert.Equal(t, strings.ReplaceAll(c.note, ",", ""), strings.ReplaceAll(noteText(i18n.English(), c.note), ",", ""))
	}
	for _, odd := range []string{"page larger than 10 bytes", "the scanner's own words, unknown", "%s: %d"} {
		p, err := i18n.New("ru")
		require.NoError(t, err)
		assert.Equal(t, odd, noteText(p, odd), "a wording no format has is shown as found")
	}
}

// The terminal table's NOTE column says the note in the report's
// language; JSON keeps the scanner's English.
func TestTableNoteInEveryLanguage(t *testing.T) {
	render := func(format, lang string) string {
		var buf bytes.Buffer
		w, err := NewWriter(format, &buf, Options{Lang: lang, All: true})
		require.NoError(t, err)
		rep := &model.Report{Schema: model.Schema, Scan: model.Scan{Command: "files", Complete: true}}
		require.NoError(t, w.Begin(rep))
		r := model.Resource{Location: "a.png", Kind: "image", Notes: []string{notes.NoMetadata}}
		require.NoError(t, w.Resource(r, nil))
		require.NoError(t, w.End(rep))
		return buf.String()
	}
	assert.Contains(t, render("table", "ru"), "метаданных нет совсем: их могли удали")
	assert.NotContains(t, render("table", "ru"), "no metadata")
	assert.Contains(t, render("table", "kk"), "метадеректер мүлде жоқ: олар жойылған")
	assert.NotContains(t, render("table", "kk"), "no metadata")
	assert.Contains(t, render("table", "en"), "no metadata at all")
	assert.Contains(t, render("json", "ru"), notes.NoMetadata, "JSON keeps the scanner's English")
}
