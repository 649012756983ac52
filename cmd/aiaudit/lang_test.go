package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aiaudit/aiaudit/reports/i18n"
	"github.com/aiaudit/aiaudit/scanner/jobs"
)

// englishWords are words of the English stderr lines; none may be left in
// a line written in Russian or Kazakh (URLs, flags, file names and the
// scanned page's own text aside, which these tests keep free of them).
var englishWords = []string{"crawled", "page", "media", "skipped", "note:", "exit ", "findings", "report written", "vetted", "reserved",
	"accepted", "asset library", "indexed", "progress", "job ", "using the", "priced", "written in", "instead", "interrupted",
	"known", "signal", "look rendered", "static crawl", "stopped", "canceled", "pulling", "scanning", " of ", " left", "clean"}

// stderrLines are the "aiaudit: " lines of stderr, without the prefix,
// with URLs, paths and flag names cut out so that only words are checked.
func stderrLines(stderr string, cut ...string) []string {
	var out []string
	for _, l := range strings.Split(stderr, "\n") {
		l, ok := strings.CutPrefix(l, "aiaudit: ")
		if !ok {
			continue
		}
		for _, c := range cut {
			l = strings.ReplaceAll(l, c, "")
		}
		out = append(out, l)
	}
	return out
}

// noEnglish asserts that no stderr line holds an English word.
func noEnglish(t *testing.T, lang, stderr string, cut ...string) {
	t.Helper()
	for _, l := range stderrLines(stderr, cut...) {
		for _, w := range englishWords {
			assert.NotContains(t, strings.ToLower(l), w, "%s: English left in %q", lang, l)
		}
	}
}

// The crawl's own stderr lines (the address spaces it was let into, what it
// crawled, script-rendered pages, the exit code's meaning) in Russian and
// Kazakh; JSON log lines stay English whatever --lang says.
func TestCrawlStderrInEveryLanguage(t *testing.T) {
	site := aiSite(t)
	spa := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, `<html><body><div id="root"></div><script src="/app.js"></script><a href="/shop">shop</a></body></html>`)
	}))
	defer spa.Close()
	for lang, want := range map[string][]string{
		"ru": {
			"примечание: в этом запуске запросы могут обращаться к адресам из диапазонов loopback, потому что там находятся начальные хосты",
			"обойдена 1 страница, 2 медиаобъекта; 0 адресов пропущено: robots.txt запрещает их для aiaudit",
			"код выхода 1: есть находки уровня --fail-on или выше",
			"обойдено 2 страницы, 0 медиаобъектов; 0 адресов пропущено: robots.txt запрещает их для aiaudit",
			"2 страницы, похоже, построены скриптом (например, " + spa.URL + "/): статический обход видит только HTML, который отдаёт сервер, но не изображения и ссылки, добавленные скриптами; --render загружает страницы в браузере",
			"код выхода 0: чисто",
		},
		"kk": {
			"ескерту: бұл іске қосуда сұраулар loopback ауқымдарындағы мекенжайларға жетуі мүмкін, себебі бастапқы хосттар сонда",
			"1 бет аралды, 2 медиа нысан; robots.txt aiaudit-ке тыйым салғандықтан 0 URL өткізілді",
			"шығу коды 1: --fail-on деңгейіндегі немесе одан жоғары табылғандар бар",
			"2 бет скриптпен құрылған сияқты (мысалы, " + spa.URL + "/): статикалық аралау тек сервер жіберетін HTML-ді көреді",
			"шығу коды 0: таза",
		},
	} {
		dir := t.TempDir()
		code, _, stderr := runIn(t, "", "crawl", site.URL+"/", "--delay", "0", "-f", "json", "-o", filepath.Join(dir, "r.json"), "--no-history", "--lang", lang)
		require.Equal(t, exitFindings, code, stderr)
		code, _, stderr2 := runIn(t, "", "crawl", spa.URL+"/", "--delay", "0", "-f", "json", "-o", filepath.Join(dir, "s.json"), "--no-history", "--lang", lang)
		require.Equal(t, exitClean, code, stderr2)
		all := stderr + stderr2
		for _, w := range want {
			assert.Contains(t, all, "aiaudit: "+w, lang)
		}
		noEnglish(t, lang, all, site.URL, spa.URL, dir, "(json)", "robots.txt", "--render", "--fail-on", "HTML", "aiaudit-", "aiaudit", "loopback")
	}

	// A machine reads JSON log lines: their messages stay English.
	code, _, stderr := runIn(t, "", "crawl", site.URL+"/", "--delay", "0", "-o", filepath.Join(t.TempDir(), "r.json"), "--no-history", "--lang", "ru", "--log-format", "json")
	require.Equal(t, exitFindings, code, stderr)
	lines := jsonLines(t, stderr)
	assert.Equal(t, "crawled 1 page, 2 media items; 0 URLs skipped because robots.txt forbids them to aiaudit", lineWith(t, lines, "crawled ")["msg"])
	assert.Equal(t, "exit 1: findings at or above --fail-on", lines[len(lines)-1]["msg"])
	assert.NotContains(t, stderr, "обойден")
}

// Russian chooses among one, few and many by the count's last digits:
// 1 and 21 are "one", 2 and 22 "few", 5, 11 and 12 "many".
func TestRussianPluralsOfTheStderrLines(t *testing.T) {
	ru, err := i18n.New("ru")
	require.NoError(t, err)
	for n, want := range map[int]string{
		1: "обойдена 1 страница", 2: "обойдено 2 страницы", 5: "обойдено 5 страниц", 11: "обойдено 11 страниц",
		12: "обойдено 12 страниц", 21: "обойдена 21 страница", 22: "обойдено 22 страницы", 111: "обойдено 111 страниц",
	} {
		assert.Equal(t, want, ru.T("crawled %d pages", n))
	}
	for n, want := range map[int]string{1: "1 находка принята до 2027-01-01", 2: "2 находки приняты до 2027-01-01",
		5: "5 находок принято до 2027-01-01", 21: "21 находка принята до 2027-01-01"} {
		assert.Equal(t, want, ru.T("%d findings accepted until %s", n, "2027-01-01"))
	}
	for n, want := range map[int]string{1: "проверен 1 адрес", 2: "проверено 2 адреса", 5: "проверено 5 адресов", 21: "проверен 21 адрес"} {
		assert.True(t, strings.HasPrefix(ru.T("vetted %d URLs in %s (%.0f/s) for %s: %s", n, "1s", 1.0, "x", "y"), want+" за 1s"), n)
	}
	for n, want := range map[int]string{1: "1 файл", 3: "3 файла", 5: "5 файлов", 21: "21 файл"} {
		assert.Equal(t, want, ru.T("%d files", n))
	}
	en := i18n.English()
	assert.Equal(t, "crawled 1 page", en.T("crawled %d pages", 1))
	assert.Equal(t, "crawled 21 pages", en.T("crawled %d pages", 21))
}

// urls: the tally, the signals, the progress line, in Russian and Kazakh.
func TestURLsStderrInEveryLanguage(t *testing.T) {
	srv := optoutSite(t)
	list := srv.URL + "/open\n" + srv.URL + "/private/a\n" + srv.URL + "/meta.html\n"
	for lang, want := range map[string][]string{
		"ru": {"проверено 3 адреса за ", "для любого из ", " известных агентов обучения ИИ: запрещено 3, не запрещено 0, неизвестно 0 (ошибок 0)", "запреты по сигналам: "},
		"kk": {"3 URL тексерілді (", "белгілі ", " ЖИ-оқыту агентінің кез келгені үшін): тыйым салынған 3, тыйым салынбаған 0, белгісіз 0 (қателер 0)", "сигналдар бойынша тыйымдар: "},
	} {
		code, _, stderr := runIn(t, list, "urls", "-", "--delay", "0", "--allow-private", "--no-history", "--lang", lang)
		require.Equal(t, exitClean, code, stderr)
		for _, w := range want {
			assert.Contains(t, stderr, w, lang)
		}
		noEnglish(t, lang, stderr, "robots.txt", "meta", "x-robots-tag", "tdmrep", "noai", "ai.txt")
	}

	ru, err := i18n.New("ru")
	require.NoError(t, err)
	var buf bytes.Buffer
	p := newProgress("auto", "URLs", &buf, ru)
	p.last = p.last.Add(-logInterval)
	p.update(21, 100)
	assert.Contains(t, buf.String(), "aiaudit: ход работы: 21 адрес (")
	assert.Contains(t, buf.String(), ", 21 из 100, осталось около ")
	noEnglish(t, "ru", buf.String())
}

// report: what it keeps from the saved scan and what it changes, said in
// the language it writes, which is the saved scan's unless --lang says
// otherwise.
func TestReportStderrInEveryLanguage(t *testing.T) {
	srv := aiSite(t)
	saved := filepath.Join(t.TempDir(), "scan.json")
	code, _, stderr := runIn(t, "", "crawl", srv.URL+"/", "-f", "json", "-o", saved, "--delay", "0", "--no-history", "--company-size", "large", "--fail-on", "none", "--lang", "ru")
	require.Equal(t, exitClean, code, stderr)

	// No --lang: the saved scan's Russian.
	code, _, stderr = runIn(t, "", "report", saved, "-f", "markdown", "--fail-on", "none", "--company-size", "small")
	require.Equal(t, exitClean, code, stderr)
	assert.Contains(t, stderr, "aiaudit: взяты из сохранённой проверки: jurisdiction, employees, ")
	assert.Contains(t, stderr, "aiaudit: штрафы рассчитаны иначе, чем в сохранённой проверке: --company-size small вместо сохранённого large")
	noEnglish(t, "ru", stderr, "jurisdiction", "employees", "income-kzt", "turnover-eur", "balance-sheet-eur", "role", "counting", "year", "company-size", "small", "large")

	code, _, stderr = runIn(t, "", "report", saved, "-f", "markdown", "--fail-on", "none", "--lang", "kk")
	require.Equal(t, exitClean, code, stderr)
	assert.Contains(t, stderr, "aiaudit: --lang kk тілінде жазылды, сақталған тексерудің тілі (ru) емес")
	assert.Contains(t, stderr, "aiaudit: сақталған тексеруден алынды: jurisdiction, company-size")
	noEnglish(t, "kk", stderr, "jurisdiction", "employees", "income-kzt", "turnover-eur", "balance-sheet-eur", "role", "counting", "year", "company-size")
}

// baseline: how many findings were accepted, with the plural the count
// takes.
func TestBaselineStderrInEveryLanguage(t *testing.T) {
	srv := aiSite(t)
	dir := t.TempDir()
	saved := filepath.Join(dir, "scan.json")
	code, _, stderr := runIn(t, "", "crawl", srv.URL+"/", "-f", "json", "-o", saved, "--delay", "0", "--no-history", "--fail-on", "none")
	require.Equal(t, exitClean, code, stderr)
	for lang, want := range map[string]string{
		"en": "aiaudit: 1 finding accepted until 2027-01-01\naiaudit: exit 0: clean\n",
		"ru": "aiaudit: 1 находка принята до 2027-01-01\naiaudit: код выхода 0: чисто\n",
		"kk": "aiaudit: 1 табылған 2027-01-01 дейін қабылданды\naiaudit: шығу коды 0: таза\n",
	} {
		code, _, stderr := runIn(t, "", "baseline", saved, "--reason", "reviewed", "--until", "2027-01-01", "--min-severity", "violation",
			"-o", filepath.Join(dir, lang+".yaml"), "--lang", lang)
		require.Equal(t, exitClean, code, stderr)
		assert.Equal(t, want, stderr, lang)
	}
	code, _, stderr = runIn(t, "", "baseline", saved, "--reason", "reviewed", "--until", "2027-01-01", "--lang", "de")
	assert.Equal(t, exitError, code)
	assert.Contains(t, stderr, `--lang "de" is not supported`)
}

// The asset library's lines, each unindexed item's too, in Russian.
func TestAssetLibraryStderrInRussian(t *testing.T) {
	lib := libraryOf(t, "sd_civitai.jpg")
	require.NoError(t, os.Symlink(filepath.Join(lib, "gone.jpg"), filepath.Join(lib, "link.jpg")))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, `<html><body></body></html>`)
	}))
	defer srv.Close()
	code, _, stderr := runIn(t, "", "crawl", srv.URL+"/", "-f", "json", "--delay", "0", "--no-history", "--assets", lib, "--lang", "ru")
	require.Equal(t, exitClean, code, stderr)
	assert.Contains(t, stderr, "aiaudit: библиотека ресурсов "+lib+": проиндексировано 1 изображение; не проиндексировано 1\n")
	assert.Contains(t, stderr, "aiaudit: библиотека ресурсов: "+filepath.Join(lib, "link.jpg")+": не проиндексировано: broken symlink")
}

// job and worker: what was submitted, where a job stands (job status, on
// stdout), that a job is unfinished or canceled, and the worker's own
// lines, in Russian and Kazakh.
func TestJobLinesInEveryLanguage(t *testing.T) {
	nats := embeddedNATS(t)
	site := optoutSite(t)
	list := site.URL + "/open\n" + site.URL + "/private/a\n"
	code, _, stderr := runIn(t, list, "job", "submit", "-", "--nats", nats, "--job", "ru-job", "--delay", "0", "--allow-private", "--lang", "ru")
	require.Equal(t, exitClean, code, stderr)
	assert.Contains(t, stderr, "aiaudit: задание ru-job отправлено: адресов 2, пакетов 1; запустите обработчики: aiaudit worker --nats "+nats+"\n")

	code, out, stderr := runIn(t, "", "job", "status", "ru-job", "--nats", nats, "--lang", "ru")
	require.Equal(t, exitClean, code, stderr)
	assert.Regexp(t, `^задание ru-job \(выполняется, aiaudit [^)]+\): готово 0 из 2, в работе 0, в очереди \d+, ошибок 0, отброшено после всех попыток 0; 0[,.]0 адресов/с, до завершения неизвестно\n$`, out)

	code, _, stderr = runIn(t, "", "job", "results", "ru-job", "--nats", nats, "--lang", "ru")
	assert.Equal(t, exitIncomplete, code, stderr)
	assert.Contains(t, stderr, "aiaudit: задание ru-job не завершено: пока есть результаты для 0 из 2 адресов\n")

	// The worker says, in Kazakh, which job it takes work from.
	ctx, cancel := context.WithCancel(context.Background())
	var buf bytes.Buffer
	werr := &syncWriter{w: &buf}
	done := make(chan int)
	go func() {
		done <- run(ctx, []string{"worker", "--nats", nats, "--job", "ru-job", "--name", "kk-worker", "--lang", "kk"}, strings.NewReader(""), &bytes.Buffer{}, werr)
	}()
	waitStatus(t, nats, "ru-job", time.Minute, func(st jobs.Status) bool { return st.Finished })
	cancel()
	<-done
	assert.Contains(t, werr.String(), "aiaudit: ru-job тапсырмасының жұмысы алынуда\n")
	noEnglish(t, "kk", werr.String(), "ru-job")

	code, out, stderr = runIn(t, "", "job", "status", "ru-job", "--nats", nats, "--lang", "kk")
	require.Equal(t, exitClean, code, stderr)
	assert.Contains(t, out, "ru-job тапсырмасы (аяқталды, aiaudit ")
	assert.Contains(t, out, "): 2/2 дайын, ")
	assert.Regexp(t, `ЖҰМЫСШЫ +ДАЙЫН +ӨҢДЕЛУДЕ +БАЙЛАНЫСТА\nkk-worker +2 +0 +(иә|жоқ)\n`, out)

	code, _, stderr = runIn(t, "", "job", "cancel", "ru-job", "--nats", nats, "--purge", "--lang", "kk")
	require.Equal(t, exitClean, code, stderr)
	assert.Equal(t, "aiaudit: ru-job тапсырмасы тоқтатылды және жойылды\n", stderr)
}

// A --lang no catalogue has is refused by every command that takes it, and
// by config check for the config file.
func TestUnknownLangIsRefusedEverywhere(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "aiaudit.yaml")
	require.NoError(t, os.WriteFile(cfg, []byte("lang: de\n"), 0o644))
	code, _, stderr := runIn(t, "", "config", "check", cfg)
	assert.Equal(t, exitError, code, stderr)
	assert.Contains(t, stderr, cfg+`:1: key "lang": --lang "de" is not supported (accepted: en, ru, kk)`)
	code, _, stderr = runIn(t, "", "urls", "-", "--config", cfg)
	assert.Equal(t, exitError, code, stderr)
	assert.Contains(t, stderr, cfg+`:1: key "lang": --lang "de" is not supported`)
	for _, args := range [][]string{{"files", "."}, {"urls", "-"}, {"history"}, {"job", "cancel", "x"}, {"worker"}, {"queue", "serve"}} {
		code, _, stderr := runIn(t, "", append(args, "--lang", "fr")...)
		assert.Equal(t, exitError, code, "%v", args)
		assert.Contains(t, stderr, `--lang "fr" is not supported`, "%v", args)
	}
}

// check's verdict, table header, verdict words and agent names in Russian
// and Kazakh; the signal names and details are the scanner's words.
func TestCheckInEveryLanguage(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			fmt.Fprint(w, "User-agent: GPTBot\nDisallow: /\n")
			return
		}
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, `<html><body>hello</body></html>`)
	}))
	defer srv.Close()
	for lang, want := range map[string][]string{
		"ru": {"вердикт: запрещено (агенты: все 34 известных агента обучения ИИ; --check headers)",
			"СИГНАЛ", "ВЕРДИКТ", "ПОДРОБНОСТИ", "АГЕНТЫ", "не запрещено", "все 34 известных агента обучения ИИ, кроме GPTBot",
			"не задано (нестандартный сигнал)"},
		"kk": {"қорытынды: тыйым (агенттер: барлық 34 белгілі ЖИ-оқыту агенті; --check headers)",
			"СИГНАЛ", "ҚОРЫТЫНДЫ", "ТОЛЫҒЫРАҚ", "АГЕНТТЕР", "тыйым жоқ", "барлық 34 белгілі ЖИ-оқыту агенті, GPTBot қоспағанда",
			"берілмеген (стандартты емес сигнал)"},
		"en": {"verdict: reserved (for all 34 known AI-training agents; --check headers)",
			"SIGNAL", "VERDICT", "DETAIL", "AGENTS", "not_reserved", "all 34 known AI-training agents but GPTBot", "unset (non-standard)"},
	} {
		code, out, stderr := runIn(t, "", "check", srv.URL+"/", "--lang", lang)
		require.Equal(t, exitClean, code, stderr)
		for _, w := range want {
			assert.Contains(t, out, w, lang)
		}
		if lang == "en" {
			continue
		}
		// The verdict line and each row's verdict and agents: no English
		// left (the signal names and details are the scanner's words).
		for _, w := range []string{"verdict", "for ", "known", "agents", "but ", "reserved", "unset", "non-standard", "SIGNAL", "DETAIL"} {
			assert.NotContains(t, strings.Split(out, "\n")[1], w, lang)
			for _, row := range strings.Split(out, "\n")[3:] {
				if _, rest, ok := strings.Cut(row, "  "); ok {
					verdict, _, _ := strings.Cut(strings.TrimSpace(rest), "  ")
					assert.NotContains(t, verdict, w, "%s: %q", lang, row)
				}
				assert.NotContains(t, row, "AI-training agents", lang)
			}
		}
	}
}

// The webhook's text speaks the scan's --lang; its keys and values stay
// English.
func TestNotifyInScanLanguage(t *testing.T) {
	for lang, want := range map[string]string{"ru": "aiaudit: 1 новая находка на ", "kk": " бойынша 1 жаңа табылған (түзетілгені: 0, өзгеріссіз: 0)"} {
		got := make(chan map[string]any, 1)
		hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			var m map[string]any
			json.NewDecoder(r.Body).Decode(&m)
			got <- m
		}))
		site := aiSite(t)
		db := filepath.Join(t.TempDir(), "h.db")
		code, _, stderr := runIn(t, "", "crawl", site.URL+"/", "--db", db, "--delay", "0", "--notify", hook.URL, "--fail-on", "none", "--lang", lang)
		hook.Close()
		require.Equal(t, exitClean, code, stderr)
		m := <-got
		text := m["text"].(string)
		assert.Contains(t, text, want, lang)
		assert.NotContains(t, text, "new finding", lang)
		assert.Equal(t, lang, m["lang"])
		assert.EqualValues(t, 1, m["new"])
		assert.Equal(t, "violation", m["new_findings"].([]any)[0].(map[string]any)["severity"])
	}
}

// Usage errors aiaudit composes speak --lang, every problem on its line;
// with --log-format json the msg stays English.
func TestUsageErrorsInEveryLanguage(t *testing.T) {
	args := []string{"crawl", "http://127.0.0.1:1/", "--format", "htm", "--role", "boss", "--render-budget", "1s"}
	for lang, want := range map[string][]string{
		"ru": {`aiaudit: --format "htm" не поддерживается (допустимо: `, `aiaudit: --role "boss" не поддерживается (допустимо: `, "или несколько через запятую)", "aiaudit: --render-budget требует --render"},
		"kk": {`aiaudit: --format "htm" қолдау көрсетілмейді (рұқсат етілгені: `, `aiaudit: --role "boss" қолдау көрсетілмейді (рұқсат етілгені: `, "немесе үтірмен бөлінген бірнешеуі)", "aiaudit: --render-budget үшін --render керек"},
		"en": {`aiaudit: --format "htm" is not supported (accepted: `, `aiaudit: --role "boss" is not supported (accepted: `, "or several joined by commas)", "aiaudit: --render-budget needs --render"},
	} {
		code, _, stderr := runIn(t, "", append(args, "--lang", lang)...)
		require.Equal(t, exitError, code, stderr)
		for _, w := range want {
			assert.Contains(t, stderr, w, lang)
		}
		if lang != "en" {
			for _, l := range stderrLines(stderr) {
				for _, w := range []string{"is not", "supported", "accepted", "several", "joined", "needs", "exit", "usage"} {
					assert.NotContains(t, l, w, "%s: English left in %q", lang, l)
				}
			}
		}
	}
	code, _, stderr := runIn(t, "", append(args, "--lang", "ru", "--log-format", "json")...)
	require.Equal(t, exitError, code, stderr)
	assert.Contains(t, stderr, `--format \"htm\" is not supported`, "JSON log lines stay English")
	code, _, stderr = runIn(t, "", "crawl", "http://127.0.0.1:1/", "--notify", "ftp://nowhere/SECRET", "--no-history", "--lang", "ru")
	require.Equal(t, exitError, code, stderr)
	assert.Contains(t, stderr, "aiaudit: --notify сообщает о новых находках: нужна история (уберите --no-history)\n")
	assert.Contains(t, stderr, `aiaudit: --notify: notify: неверный URL вебхука "ftp://nowhere/…": схема должна быть http или https`)
}

// The table's NOTE column says the scanner's note in --lang (here a page
// that looks rendered by script); the JSON keeps the English note.
func TestTableNoteFromCrawlInEveryLanguage(t *testing.T) {
	spa := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, `<html><body><div id="root"></div><script src="/app.js"></script></body></html>`)
	}))
	defer spa.Close()
	for lang, want := range map[string]string{"ru": "похоже, построена скриптом (", "kk": "скриптпен құрылған сияқты (көрінетін"} {
		code, out, stderr := runIn(t, "", "crawl", spa.URL+"/", "--delay", "0", "--no-history", "--all", "--lang", lang)
		require.Equal(t, exitClean, code, stderr)
		assert.Contains(t, out, want, lang)
		assert.NotContains(t, out, "looks rendered", lang)
		assert.NotContains(t, out, "characters", lang)
	}
	code, out, stderr := runIn(t, "", "crawl", spa.URL+"/", "--delay", "0", "--no-history", "--format", "json", "--lang", "ru")
	require.Equal(t, exitClean, code, stderr)
	assert.Contains(t, out, `"looks rendered by script (`)
}
