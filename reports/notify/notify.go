// Package notify tells a team about a scheduled scan by posting a JSON
// summary to an incoming webhook.
//
// Nightly scans of the same site mostly find the same things again. If every
// run posted every finding, people would learn to ignore the channel, so the
// message is built around what is new since the previous scan; fixed and
// unchanged findings are only counted. Chat webhooks (Slack, Mattermost,
// Rocket.Chat, Teams) show the top-level "text" field and ignore the rest;
// other consumers read the structured fields.
//
// A notification is a side effect of a scan that has already been stored, so
// Post tries hard (retries with backoff, honouring Retry-After) but is
// bounded in time, and never retries a request the receiver has rejected.
package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/aiaudit/aiaudit/reports/i18n"
	"github.com/aiaudit/aiaudit/reports/model"
)

const (
	// maxFindings keeps the payload small enough for webhook receivers that
	// cap request sizes; the full list lives in the report.
	maxFindings = 100
	// maxTextLines keeps the chat message readable on a phone.
	maxTextLines = 10
	// maxDrain bounds how much of a response we read: receivers may answer
	// with large HTML error pages, and reading lets the connection be reused.
	maxDrain = 64 << 10
	// maxErrBody is enough of a receiver's answer to see why it refused.
	maxErrBody = 200
)

// Finding is one new finding as sent to the webhook.
type Finding struct {
	Rule     string `json:"rule"`
	Severity string `json:"severity"`
	Location string `json:"location"`
	Message  string `json:"message"`
}

// Message is the webhook payload.
type Message struct {
	Text      string `json:"text"`
	Tool      string `json:"tool"`
	Target    string `json:"target"`
	ScanID    int64  `json:"scan_id,omitempty"`
	Previous  int64  `json:"previous_scan,omitempty"`
	New       int    `json:"new"`
	Fixed     int    `json:"fixed"`
	Unchanged int    `json:"unchanged"`
	// Accepted (by a baseline) and NotRechecked (their page could not be
	// fetched again) are neither new nor fixed.
	Accepted     int       `json:"accepted,omitempty"`
	NotRechecked int       `json:"not_rechecked,omitempty"`
	Complete     bool      `json:"complete"`
	Findings     []Finding `json:"new_findings"`
	NewTruncated bool      `json:"new_findings_truncated,omitempty"`
	Report       string    `json:"report,omitempty"`
	// Lang is the language of Text (en, ru, kk); the keys and the other
	// values stay English for the machines that read them.
	Lang string `json:"lang"`
}

// Build assembles the message for one scan, its text written by say (the
// scan's language; nil is English). newCount is the number of new
// findings, of which newF may hold only the first ones (a caller with a
// million new findings loads a hundred): New always reports the true count.
func Build(say *i18n.Printer, target string, scanID, previous int64, complete bool, newF []Finding, newCount, fixed, unchanged int, report string) Message {
	newCount = max(newCount, len(newF))
	if say == nil {
		say = i18n.English()
	}
	m := Message{
		Lang:      say.Lang,
		Tool:      "aiaudit",
		Target:    target,
		ScanID:    scanID,
		Previous:  previous,
		New:       newCount,
		Fixed:     fixed,
		Unchanged: unchanged,
		Complete:  complete,
		Report:    report,
	}
	n := min(len(newF), maxFindings)
	// A copy, so later changes to the caller's slice cannot alter a message
	// that may still be waiting for a retry; never nil, so consumers get []
	// rather than null.
	m.Findings = append(make([]Finding, 0, n), newF[:n]...)
	m.NewTruncated = newCount > n
	m.Text = buildText(say, m, newF)
	return m
}

// WithHeldBack adds the findings that are neither new nor fixed.
func (m Message) WithHeldBack(accepted, notRechecked int) Message {
	m.Accepted, m.NotRechecked = accepted, notRechecked
	say := i18n.For(m.Lang)
	if accepted > 0 {
		m.Text += "\n" + say.T("%d accepted by the baseline", accepted)
	}
	if notRechecked > 0 {
		m.Text += "\n" + say.T("%d not re-checked (their page could not be fetched): not counted as fixed", notRechecked)
	}
	return m
}

func buildText(say *i18n.Printer, m Message, newF []Finding) string {
	var b strings.Builder
	b.WriteString(say.T("aiaudit: %d new findings on %s (%d fixed, %d unchanged)", m.New, oneLine(m.Target), m.Fixed, m.Unchanged))
	if !m.Complete {
		// Without this, a crawl cut short would read as "all clear".
		b.WriteString(say.T(" — scan incomplete, results may be partial"))
	}
	for _, f := range newF[:min(len(newF), maxTextLines)] {
		// The long explanatory Message is left to the structured field and
		// the report; one short line per finding is what fits in chat.
		fmt.Fprintf(&b, "\n- [%s] %s %s", say.Text(oneLine(f.Severity)), oneLine(f.Rule), oneLine(f.Location))
	}
	if extra := m.New - min(len(newF), maxTextLines); extra > 0 {
		b.WriteString("\n" + say.T("… and %d more", extra))
	}
	return b.String()
}

// oneLine stops a value with line breaks (a URL from a hostile page, say)
// from faking extra lines in the chat message.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// Options tunes Post. The zero value is usable.
type Options struct {
	// Client defaults to one with a 10s timeout, so a receiver that never
	// answers cannot stall a nightly job.
	Client *http.Client
	// Attempts is the total number of tries, default 4.
	Attempts int
	// Backoff is the first wait between tries, doubled each retry; default 1s.
	Backoff time.Duration
	// MaxWait caps a single wait, including one asked for by Retry-After, so
	// a receiver cannot park the job for hours; default 60s.
	MaxWait time.Duration
	// UserAgent defaults to "aiaudit-notify".
	UserAgent string
	// Sleep waits d or until ctx is done, returning ctx.Err() in that case.
	// It exists so tests can observe waits without spending real time;
	// nil means a real timer.
	Sleep func(ctx context.Context, d time.Duration) error
}

// StatusError is a non-2xx answer from the webhook.
type StatusError struct {
	Code   int
	Status string // e.g. "400 Bad Request"
	Body   string // at most 200 bytes of the response body
}

func (e *StatusError) Error() string {
	s := "webhook answered " + e.Status
	if e.Body != "" {
		s += ": " + e.Body
	}
	return s
}

// Post sends m to the webhook at rawURL. It returns nil once the receiver
// answers 2xx, and otherwise an error saying how many attempts were made and
// why the last one failed.
func Post(ctx context.Context, rawURL string, m Message, opt Options) error {
	u, err := CheckURL(rawURL)
	if err != nil {
		return err
	}
	body, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("notify: encoding message: %w", err)
	}
	opt = opt.withDefaults()

	var last error
	attempt := 0
	for attempt < opt.Attempts {
		if err := ctx.Err(); err != nil {
			return giveUp(attempt, err)
		}
		attempt++
		retry, wait, err := try(ctx, opt, u, body)
		if err == nil {
			return nil
		}
		last = err
		if ctx.Err() != nil {
			// The failure was our own cancellation, not the receiver's.
			return giveUp(attempt, ctx.Err())
		}
		if !retry || attempt == opt.Attempts {
			break
		}
		if wait < 0 {
			wait = backoff(opt, attempt)
		}
		if err := opt.Sleep(ctx, wait); err != nil {
			return giveUp(attempt, err)
		}
	}
	return giveUp(attempt, last)
}

func giveUp(attempts int, cause error) error {
	plural := "s"
	if attempts == 1 {
		plural = ""
	}
	return fmt.Errorf("notify: webhook post failed after %d attempt%s: %w", attempts, plural, cause)
}

// CheckURL parses a webhook URL: http or https, with a host. Its errors
// show the URL as Redact does.
func CheckURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		// url.Parse's message quotes the whole URL: only its reason is kept.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, i18n.Errorf("notify: invalid webhook URL %q: %v", Redact(raw), err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, i18n.Errorf("notify: invalid webhook URL %q: scheme must be http or https", Redact(raw))
	}
	if u.Host == "" {
		return nil, i18n.Errorf("notify: invalid webhook URL %q: no host", Redact(raw))
	}
	return u, nil
}

// Redact is how a webhook URL is shown anywhere (errors, logs, the
// history's record of the flags): its scheme and host, and "/…" for
// whatever followed, since an incoming webhook carries its secret in the
// path or query; credentials go as model.StripUserinfo has it. A value
// with no scheme shows as "…". It works on the text, so that a URL
// url.Parse refuses is redacted too.
func Redact(raw string) string {
	scheme, rest, ok := strings.Cut(model.StripUserinfo(raw), "://")
	if !ok {
		return "…"
	}
	host := rest
	if end := strings.IndexAny(rest, "/?#\\"); end >= 0 {
		host = rest[:end]
	}
	shown := scheme + "://" + host
	if len(host) < len(rest) {
		shown += "/…"
	}
	return shown
}

func (o Options) withDefaults() Options {
	if o.Client == nil {
		o.Client = &http.Client{Timeout: 10 * time.Second}
	}
	// No redirect is followed, to another host or the same: a 307 or 308
	// would post the payload again wherever it points. A copy, so the
	// caller's client is left as it was.
	c := *o.Client
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	o.Client = &c
	if o.Attempts <= 0 {
		o.Attempts = 4
	}
	if o.Backoff <= 0 {
		o.Backoff = time.Second
	}
	if o.MaxWait <= 0 {
		o.MaxWait = 60 * time.Second
	}
	if o.UserAgent == "" {
		o.UserAgent = "aiaudit-notify"
	}
	if o.Sleep == nil {
		o.Sleep = sleep
	}
	return o
}

// try makes one request. wait is the delay the receiver asked for via
// Retry-After, or negative when it did not say.
func try(ctx context.Context, opt Options, u *url.URL, body []byte) (retry bool, wait time.Duration, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(body))
	if err != nil {
		return false, -1, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", opt.UserAgent)
	resp, err := opt.Client.Do(req)
	if err != nil {
		return true, -1, redact(err)
	}
	defer resp.Body.Close()
	head := make([]byte, maxErrBody)
	n, _ := io.ReadFull(resp.Body, head)
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxDrain-int64(n)))

	if resp.StatusCode >= 200 && resp.StatusCode <= 299 {
		return false, 0, nil
	}
	if loc := resp.Header.Get("Location"); resp.StatusCode >= 300 && resp.StatusCode <= 399 && loc != "" {
		// Not followed (withDefaults) and not retried: the URL is wrong.
		target := loc
		if t, err := u.Parse(loc); err == nil {
			target = t.String()
		}
		return false, -1, fmt.Errorf("webhook answered %s, a redirect to %q: not followed (the payload goes to the configured URL only; configure the one it names if it is yours)", resp.Status, Redact(target))
	}
	serr := &StatusError{Code: resp.StatusCode, Status: resp.Status, Body: strings.TrimSpace(string(head[:n]))}
	switch c := resp.StatusCode; {
	case c == http.StatusRequestTimeout, c == http.StatusTooEarly, c == http.StatusTooManyRequests, c >= 500:
		wait := retryAfter(resp.Header.Get("Retry-After"), time.Now())
		if wait > opt.MaxWait {
			wait = opt.MaxWait
		}
		return true, wait, serr
	default:
		return false, -1, serr
	}
}

// redact drops the path and query from the URL in a transport error: the
// secret of most incoming webhooks is in the path, and these errors end up
// in logs.
func redact(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		cp := *ue
		cp.URL = Redact(ue.URL)
		return &cp
	}
	return err
}

// retryAfter parses a Retry-After value (delay in seconds or an HTTP date).
// It returns -1 when the header is absent or unusable, so the caller falls
// back to its own backoff.
func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return -1
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return -1
		}
		// Avoid overflow on absurd values; the caller caps anyway.
		if secs > int64(24*time.Hour/time.Second) {
			return 24 * time.Hour
		}
		return time.Duration(secs) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0)
	}
	return -1
}

// backoff is the wait after the given (1-based) failed attempt. It is capped
// by MaxWait as well, which also keeps the doubling from overflowing.
func backoff(opt Options, attempt int) time.Duration {
	d := opt.Backoff
	for i := 1; i < attempt && d < opt.MaxWait; i++ {
		d *= 2
	}
	return min(d, opt.MaxWait)
}

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
