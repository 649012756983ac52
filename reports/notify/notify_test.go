package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aiaudit/aiaudit/reports/i18n"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func findings(n int) []Finding {
	out := make([]Finding, n)
	for i := range out {
		out[i] = Finding{Rule: "kz.aap.456.2", Severity: "violation", Location: fmt.Sprintf("https://example.kz/img/%d.jpg on https://example.kz/", i), Message: "unlabelled AI image"}
	}
	return out
}

// sleeps records requested waits instead of spending real time.
type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.d = append(s.d, d)
	s.mu.Unlock()
	return ctx.Err()
}

func (s *sleeps) got() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.d...)
}

func TestPostRetriesThenSucceeds(t *testing.T) {
	var n atomic.Int32
	var body []byte
	var ctype, ua string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		switch n.Add(1) {
		case 1:
			w.WriteHeader(http.StatusServiceUnavailable)
		case 2:
			w.WriteHeader(http.StatusInternalServerError)
		default:
			body, ctype, ua = b, r.Header.Get("Content-Type"), r.Header.Get("User-Agent")
			w.WriteHeader(http.StatusOK)
		}
	}))
	defer srv.Close()

	m := Build(nil, "https://example.kz/", 7, 6, true, findings(3), 3, 2, 40, "/tmp/r.html")
	s := &sleeps{}
	err := Post(context.Background(), srv.URL+"/hooks/secret", m, Options{Backoff: 5 * time.Millisecond, Sleep: s.sleep, UserAgent: "test-agent"})
	require.NoError(t, err)
	assert.EqualValues(t, 3, n.Load())
	assert.Equal(t, []time.Duration{5 * time.Millisecond, 10 * time.Millisecond}, s.got(), "exponential backoff")
	assert.Equal(t, "application/json", ctype)
	assert.Equal(t, "test-agent", ua)

	var got Message
	require.NoError(t, json.Unmarshal(body, &got))
	assert.Equal(t, m, got)
	assert.Equal(t, "aiaudit", got.Tool)
	assert.Equal(t, "https://example.kz/", got.Target)
	assert.EqualValues(t, 7, got.ScanID)
	assert.EqualValues(t, 6, got.Previous)
	assert.Equal(t, 3, got.New)
	assert.Equal(t, 2, got.Fixed)
	assert.Equal(t, 40, got.Unchanged)
	assert.True(t, got.Complete)
	assert.Len(t, got.Findings, 3)
	assert.False(t, got.NewTruncated)
	assert.Equal(t, "/tmp/r.html", got.Report)

	var raw map[string]any
	require.NoError(t, json.Unmarshal(body, &raw))
	for _, k := range []string{"text", "tool", "target", "scan_id", "previous_scan", "new", "fixed", "unchanged", "complete", "new_findings", "report"} {
		assert.Contains(t, raw, k)
	}
}

func TestPostGivesUpAfterAttempts(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		http.Error(w, "down for maintenance", http.StatusBadGateway)
	}))
	defer srv.Close()

	err := Post(context.Background(), srv.URL, Build(nil, "t", 0, 0, true, nil, 0, 0, 0, ""), Options{Attempts: 3, Backoff: 5 * time.Millisecond})
	require.Error(t, err)
	assert.EqualValues(t, 3, n.Load())
	assert.Contains(t, err.Error(), "3 attempts")
	assert.Contains(t, err.Error(), "502")
	var se *StatusError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, http.StatusBadGateway, se.Code)
}

func TestPostDoesNotRetryClientError(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.WriteHeader(http.StatusBadRequest)
		_, _ = io.WriteString(w, "invalid_payload "+strings.Repeat("x", 1000))
	}))
	defer srv.Close()

	s := &sleeps{}
	err := Post(context.Background(), srv.URL, Build(nil, "t", 0, 0, true, nil, 0, 0, 0, ""), Options{Backoff: 5 * time.Millisecond, Sleep: s.sleep})
	require.Error(t, err)
	assert.EqualValues(t, 1, n.Load())
	assert.Empty(t, s.got())
	assert.Contains(t, err.Error(), "1 attempt:")
	assert.Contains(t, err.Error(), "400")
	assert.Contains(t, err.Error(), "invalid_payload")
	var se *StatusError
	require.ErrorAs(t, err, &se)
	assert.Len(t, se.Body, 200)
}

func TestPostRetriesTooManyRequestsWithRetryAfterZero(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()

	s := &sleeps{}
	err := Post(context.Background(), srv.URL, Build(nil, "t", 0, 0, true, nil, 0, 0, 0, ""), Options{Backoff: time.Hour, Sleep: s.sleep})
	require.NoError(t, err)
	assert.EqualValues(t, 2, n.Load())
	assert.Equal(t, []time.Duration{0}, s.got(), "Retry-After: 0 overrides the backoff")
}

func TestPostCapsRetryAfter(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch n.Add(1) {
		case 1:
			w.Header().Set("Retry-After", "3600")
			w.WriteHeader(http.StatusServiceUnavailable)
		case 2:
			w.Header().Set("Retry-After", time.Now().Add(2*time.Hour).UTC().Format(http.TimeFormat))
			w.WriteHeader(http.StatusTooManyRequests)
		default:
			w.WriteHeader(http.StatusOK)
		}
	}))
	defer srv.Close()

	s := &sleeps{}
	err := Post(context.Background(), srv.URL, Build(nil, "t", 0, 0, true, nil, 0, 0, 0, ""), Options{Backoff: 5 * time.Millisecond, MaxWait: 50 * time.Millisecond, Sleep: s.sleep})
	require.NoError(t, err)
	assert.Equal(t, []time.Duration{50 * time.Millisecond, 50 * time.Millisecond}, s.got())
}

// A cancellation while Post waits between attempts ends the wait (the real
// timer, an hour long) and Post, without another attempt. The cancel comes
// from inside the wait, once the first attempt has been answered, so the
// test does not depend on how fast that attempt is: a fixed delay before
// cancelling failed on a loaded machine, where it fired before the first
// request reached the server.
func TestPostCancelledDuringWait(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer srv.Close()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var waits []time.Duration
	opt := Options{Backoff: time.Hour, MaxWait: 2 * time.Hour, Sleep: func(ctx context.Context, d time.Duration) error {
		waits = append(waits, d)
		go cancel()
		return sleep(ctx, d)
	}}
	done := make(chan error, 1)
	go func() { done <- Post(ctx, srv.URL, Build(nil, "t", 0, 0, true, nil, 0, 0, 0, ""), opt) }()
	select {
	case err := <-done:
		assert.ErrorIs(t, err, context.Canceled)
	case <-time.After(time.Minute):
		t.Fatal("Post still waits an hour after it was cancelled")
	}
	assert.Equal(t, []time.Duration{time.Hour}, waits, "one wait, the backoff after the first attempt")
	assert.EqualValues(t, 1, n.Load(), "no attempt after the cancellation")
}

func TestPostCancelledBeforeStart(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { n.Add(1) }))
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := Post(ctx, srv.URL, Build(nil, "t", 0, 0, true, nil, 0, 0, 0, ""), Options{})
	assert.ErrorIs(t, err, context.Canceled)
	assert.Zero(t, n.Load())
}

func TestPostInvalidURL(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { n.Add(1) }))
	defer srv.Close()
	for u, shown := range map[string]string{
		"ftp://x": `"ftp://x"`, "not a url": `"…"`, "": `"…"`, "http://": `"http://"`,
		"https:///path": `"https:///…"`, "://x": `"://x"`,
	} {
		err := Post(context.Background(), u, Build(nil, "t", 0, 0, true, nil, 0, 0, 0, ""), Options{Client: srv.Client()})
		require.Error(t, err, u)
		assert.Contains(t, err.Error(), "invalid webhook URL "+shown, u)
	}
	assert.Zero(t, n.Load())
}

// A webhook URL carries its secret in its path (and query): no message
// shows more than its scheme and host.
func TestCheckURLErrorsShowOnlySchemeAndHost(t *testing.T) {
	for raw, shown := range map[string]string{
		"ftp://hooks.example/services/T0/B0/SECRET":          "ftp://hooks.example/…",
		"hooks.example/services/SECRET":                      "…",
		"http:///services/SECRET":                            "http:///…",
		"https://hooks.example/services/%zz/SECRET":          "https://hooks.example/…",
		"https://hooks.example:port/services/SECRET":         "https://hooks.example:port/…",
		"https://user:SECRET@hooks.example:port/x?SECRET":    "https://hooks.example:port/…",
		"https://hooks.example/\x00SECRET\n":                 "https://hooks.example/…",
		`https://hooks.example\services\SECRET`:              "https://hooks.example/…",
		"https://hooks example?token=SECRET":                 "https://hooks example/…",
		"gopher://user:SECRET@hooks.example/services/SECRET": "gopher://hooks.example/…",
	} {
		_, err := CheckURL(raw)
		require.Error(t, err, raw)
		assert.NotContains(t, err.Error(), "SECRET", raw)
		assert.Contains(t, err.Error(), fmt.Sprintf("%q", shown), raw)
	}
	assert.Equal(t, "https://hooks.example/…", Redact("https://hooks.example/services/SECRET"))
	assert.Equal(t, "https://hooks.example", Redact("https://hooks.example"))
}

// The webhook client follows no redirect: a 307 or 308 would re-POST the
// payload to wherever the receiver (or whoever controls it) points, and
// even a redirect to the same host is refused, so the URL configured is
// the one that answers. The error names the target by scheme and host,
// and is not retried.
func TestPostDoesNotFollowRedirects(t *testing.T) {
	var elsewhere atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { elsewhere.Add(1) }))
	defer other.Close()
	var n atomic.Int32
	var target string
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		http.Redirect(w, r, target, http.StatusTemporaryRedirect)
	}))
	defer hook.Close()
	for _, tc := range []struct {
		target, shown string
		code          int
	}{
		{other.URL + "/collect/SECRET2", other.URL + "/…", http.StatusTemporaryRedirect},
		{"/services/SECRET3", hook.URL + "/…", http.StatusPermanentRedirect},
	} {
		n.Store(0)
		target = tc.target
		s := &sleeps{}
		err := Post(context.Background(), hook.URL+"/services/SECRET", Build(nil, "t", 0, 0, true, findings(1), 1, 0, 0, ""),
			Options{Client: hook.Client(), Sleep: s.sleep})
		require.Error(t, err, tc.target)
		assert.Contains(t, err.Error(), "redirect", tc.target)
		assert.Contains(t, err.Error(), fmt.Sprintf("%q", tc.shown), tc.target)
		assert.NotContains(t, err.Error(), "SECRET", tc.target)
		assert.EqualValues(t, 1, n.Load(), "a redirect is not retried")
	}
	assert.Zero(t, elsewhere.Load(), "the payload never reached the other host")
}

func TestPostHangingServerBoundedByClientTimeout(t *testing.T) {
	var n atomic.Int32
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		// Reading the body lets the server notice the client hanging up.
		_, _ = io.Copy(io.Discard, r.Body)
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer srv.Close()
	defer close(release) // runs first, so Close never waits on a handler

	start := time.Now()
	err := Post(context.Background(), srv.URL+"/hooks/T000/B000/secret-token", Build(nil, "t", 0, 0, true, nil, 0, 0, 0, ""),
		Options{Client: &http.Client{Timeout: 100 * time.Millisecond}, Attempts: 2, Backoff: 5 * time.Millisecond})
	require.Error(t, err)
	assert.Less(t, time.Since(start), 3*time.Second)
	assert.EqualValues(t, 2, n.Load())
	assert.Contains(t, err.Error(), "2 attempts")
	assert.NotContains(t, err.Error(), "secret-token", "webhook secrets must not reach logs")
}

func TestBuildTruncates(t *testing.T) {
	m := Build(nil, "crawl https://example.kz/", 2, 1, true, findings(150), 150, 2, 40, "")
	assert.Equal(t, 150, m.New)
	assert.Len(t, m.Findings, 100)
	assert.True(t, m.NewTruncated)

	lines := strings.Split(m.Text, "\n")
	require.Len(t, lines, 12)
	assert.Equal(t, "aiaudit: 150 new findings on crawl https://example.kz/ (2 fixed, 40 unchanged)", lines[0])
	assert.Equal(t, "- [violation] kz.aap.456.2 https://example.kz/img/0.jpg on https://example.kz/", lines[1])
	assert.Equal(t, "… and 140 more", lines[11])

	// The caller loaded the first 100 of 5,000 new findings.
	m = Build(nil, "t", 2, 1, true, findings(100), 5000, 0, 0, "")
	assert.Equal(t, 5000, m.New)
	assert.True(t, m.NewTruncated)
	assert.Contains(t, m.Text, "… and 4,990 more")
}

func TestBuildSmall(t *testing.T) {
	m := Build(nil, "https://example.kz/", 0, 0, true, findings(1), 1, 0, 0, "")
	assert.Equal(t, "aiaudit: 1 new finding on https://example.kz/ (0 fixed, 0 unchanged)\n- [violation] kz.aap.456.2 https://example.kz/img/0.jpg on https://example.kz/", m.Text)
	assert.False(t, m.NewTruncated)

	m = Build(nil, "https://example.kz/", 0, 0, true, nil, 0, 3, 5, "")
	assert.Equal(t, "aiaudit: 0 new findings on https://example.kz/ (3 fixed, 5 unchanged)", m.Text)
	b, err := json.Marshal(m)
	require.NoError(t, err)
	assert.Contains(t, string(b), `"new_findings":[]`)
	assert.NotContains(t, string(b), "scan_id")
	assert.NotContains(t, string(b), "report")
}

func TestBuildIncompleteAndHostileText(t *testing.T) {
	f := []Finding{{Rule: "r", Severity: "warning", Location: "https://x/a\n- [fake] line"}}
	m := Build(nil, "https://x/", 0, 0, false, f, 1, 0, 0, "")
	assert.Contains(t, strings.SplitN(m.Text, "\n", 2)[0], "incomplete")
	assert.Len(t, strings.Split(m.Text, "\n"), 2, "a newline in a field must not add a line")
	assert.False(t, m.Complete)
}

func TestBuildCopiesFindings(t *testing.T) {
	f := findings(2)
	m := Build(nil, "t", 0, 0, true, f, 2, 0, 0, "")
	f[0].Rule = "changed"
	assert.Equal(t, "kz.aap.456.2", m.Findings[0].Rule)
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	assert.Equal(t, time.Duration(-1), retryAfter("", now))
	assert.Equal(t, time.Duration(-1), retryAfter("soon", now))
	assert.Equal(t, time.Duration(-1), retryAfter("-5", now))
	assert.Equal(t, 0*time.Second, retryAfter("0", now))
	assert.Equal(t, 120*time.Second, retryAfter(" 120 ", now))
	assert.Equal(t, 24*time.Hour, retryAfter("99999999999999", now))
	assert.Equal(t, 30*time.Second, retryAfter(now.Add(30*time.Second).Format(http.TimeFormat), now))
	assert.Equal(t, time.Duration(0), retryAfter(now.Add(-time.Minute).Format(http.TimeFormat), now))
}

func TestBackoffCapped(t *testing.T) {
	o := Options{Backoff: time.Second, MaxWait: 5 * time.Second}
	assert.Equal(t, time.Second, backoff(o, 1))
	assert.Equal(t, 2*time.Second, backoff(o, 2))
	assert.Equal(t, 4*time.Second, backoff(o, 3))
	assert.Equal(t, 5*time.Second, backoff(o, 4))
	assert.Equal(t, 5*time.Second, backoff(o, 1000))
}

// The chat text speaks the scan's language, its plurals and numbers the
// language's; the payload's keys, rule IDs and locations stay as they are,
// and lang says which language the text is in.
func TestBuildInEveryLanguage(t *testing.T) {
	for lang, want := range map[string][]string{
		"ru": {"aiaudit: 12 новых находок на https://example.kz/ (исправлено: 2, без изменений: 1\u00a0040) — сканирование не завершено, результаты могут быть неполными",
			"- [нарушение] kz.aap.456.2 https://example.kz/img/0.jpg on https://example.kz/",
			"… и ещё 2", "принято базовой линией: 3",
			"не перепроверено: 4 (их страницу не удалось загрузить): не считаются исправленными"},
		"kk": {"aiaudit: https://example.kz/ бойынша 12 жаңа табылған (түзетілгені: 2, өзгеріссіз: 1\u00a0040) — сканерлеу аяқталмады, нәтижелер толық болмауы мүмкін",
			"- [бұзушылық] kz.aap.456.2 https://example.kz/img/0.jpg on https://example.kz/",
			"… және тағы 2", "базалық сызық қабылдағаны: 3",
			"қайта тексерілмегені: 4 (беті жүктелмеді): түзетілген деп есептелмейді"},
	} {
		say, err := i18n.New(lang)
		require.NoError(t, err)
		m := Build(say, "https://example.kz/", 2, 1, false, findings(12), 12, 2, 1040, "").WithHeldBack(3, 4)
		lines := strings.Split(m.Text, "\n")
		require.Len(t, lines, 14, m.Text)
		assert.Equal(t, want[0], lines[0])
		assert.Equal(t, want[1], lines[1])
		assert.Equal(t, want[2:], lines[11:])
		for _, l := range append(lines[:1], lines[11:]...) {
			for _, w := range []string{"new", "finding", "fixed", "unchanged", "incomplete", "more", "accepted", "baseline", "re-checked", "fetched"} {
				assert.NotContains(t, l, w, "%s: English left in %q", lang, l)
			}
		}
		assert.NotContains(t, lines[1], "violation", lang)
		b, err := json.Marshal(m)
		require.NoError(t, err)
		assert.Contains(t, string(b), `"lang":"`+lang+`"`)
		assert.Contains(t, string(b), `"severity":"violation"`, "the payload's values stay English")
		assert.Contains(t, string(b), `"new_findings":[`)
	}
}
