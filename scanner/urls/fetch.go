// Package urls vets lists of URLs for AI-training opt-outs at corpus scale:
// streaming input, a per-host policy cache (robots.txt, tdmrep.json, ai.txt
// fetched once per host), per-host politeness, retries with backoff, dead-host
// short-circuiting, and a verdict with its evidence for every URL.
package urls

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aiaudit/aiaudit/reports/model"
	"github.com/aiaudit/aiaudit/scanner/internal/bodycap"
	"github.com/aiaudit/aiaudit/scanner/internal/netguard"
)

// FetchOptions configures the polite HTTP client.
type FetchOptions struct {
	UserAgent       string
	Timeout         time.Duration // per request, body included (trickling servers)
	Retries         int           // on 429/503 and network errors
	HostConcurrency int           // requests in flight per host
	HostDelay       time.Duration // minimum gap between requests to one host
	DeadAfter       int           // consecutive failures before a host is given up
	MaxRedirects    int
	MaxRetryAfter   time.Duration
	// AllowPrivate lets fetches reach loopback, private, link-local and
	// other refused address spaces (--allow-private); by default only the
	// spaces the user's own targets are in are allowed (see AllowTargets).
	AllowPrivate bool
}

func (o FetchOptions) withDefaults() FetchOptions {
	if o.UserAgent == "" {
		o.UserAgent = "aiaudit/0.1 (+https://github.com/aiaudit/aiaudit)"
	}
	if o.Timeout <= 0 {
		o.Timeout = 15 * time.Second
	}
	if o.Retries < 0 {
		o.Retries = 0
	}
	if o.HostConcurrency <= 0 {
		o.HostConcurrency = 2
	}
	if o.DeadAfter <= 0 {
		o.DeadAfter = 3
	}
	if o.MaxRedirects <= 0 {
		o.MaxRedirects = 5
	}
	if o.MaxRetryAfter <= 0 {
		o.MaxRetryAfter = 30 * time.Second
	}
	return o
}

// Response is a fetched resource, its body capped.
type Response struct {
	Status    int
	Header    http.Header
	Body      []byte
	Truncated bool
	FinalURL  string
}

// Fetcher is the shared polite client.
type Fetcher struct {
	opt    FetchOptions
	client *http.Client
	guard  *netguard.Guard
	mu     sync.Mutex
	hosts  map[string]*hostState
	// targets are the hosts whose address space has been allowed (the
	// channel closes once it has).
	targets map[string]chan struct{}
	creds   credentials
}

type hostState struct {
	sem      chan struct{}
	mu       sync.Mutex
	next     time.Time
	failures int
	dead     error
}

// ErrHostDead is wrapped by errors for URLs of a host that was given up on.
var ErrHostDead = errors.New("host given up")

// NewFetcher builds a client with its own transport (connection reuse per
// host, bounded idle connections).
func NewFetcher(opt FetchOptions) *Fetcher {
	opt = opt.withDefaults()
	guard := netguard.New()
	if opt.AllowPrivate {
		guard.AllowAll()
	}
	tr := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           guard.DialContext,
		MaxIdleConns:          1024,
		MaxIdleConnsPerHost:   opt.HostConcurrency,
		IdleConnTimeout:       30 * time.Second,
		TLSHandshakeTimeout:   5 * time.Second,
		ResponseHeaderTimeout: opt.Timeout,
		// Compressed bodies are decoded by the fetcher itself (once, below
		// the caps, with bodycap's ratio stop), not transparently.
		DisableCompression: true,
	}
	f := &Fetcher{opt: opt, guard: guard, hosts: map[string]*hostState{}, targets: map[string]chan struct{}{}}
	// The one place --timeout is applied: every fetch of a run goes
	// through this client or one made by Client (the crawler's pages).
	f.client = &http.Client{
		Transport: tr,
		Timeout:   opt.Timeout,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= opt.MaxRedirects {
				return fmt.Errorf("more than %d redirects (a loop?)", opt.MaxRedirects)
			}
			f.Authorize(req.Header, req.URL)
			if check, ok := req.Context().Value(redirectKey{}).(func(*url.URL) error); ok {
				return check(req.URL)
			}
			return nil
		},
	}
	return f
}

type redirectKey struct{}

// WithRedirectCheck makes every redirect of the fetches made under ctx pass
// check before it is followed (a crawl's scope and robots.txt).
func WithRedirectCheck(ctx context.Context, check func(*url.URL) error) context.Context {
	return context.WithValue(ctx, redirectKey{}, check)
}

// DialContext is the guarded dialer, for other clients of the same run
// (the crawler's colly collector).
func (f *Fetcher) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	return f.guard.DialContext(ctx, network, address)
}

// Guard gives tests the dialer's resolve and connect hooks.
func (f *Fetcher) Guard() *netguard.Guard { return f.guard }

// AllowTargets allows, for this run, the address spaces of hosts the user
// named (start URLs, the hosts of a URL list): a crawl of an intranet site
// is what its user asked for; a link to one from a public page is not. It
// returns the spaces newly allowed.
func (f *Fetcher) AllowTargets(ctx context.Context, hosts ...string) []string {
	var allowed []string
	for _, h := range hosts {
		f.mu.Lock()
		done, seen := f.targets[h]
		if !seen {
			done = make(chan struct{})
			f.targets[h] = done
		}
		f.mu.Unlock()
		if seen {
			// Another fetch of this host is allowing it: its requests must
			// wait, or they would be refused in the meantime.
			<-done
			continue
		}
		allowed = append(allowed, f.guard.AllowSpacesOf(ctx, []string{h})...)
		close(done)
	}
	return allowed
}

// Client is an HTTP client for a library that makes its own requests (the
// crawler's colly): it fetches as the Fetcher does, with the same
// transport (connections, timeouts) and the same per-request timeout, body
// included. Redirects and cookies are the caller's to set, and each of its
// requests and redirects passes through Authorize.
func (f *Fetcher) Client() *http.Client {
	return &http.Client{Transport: f.client.Transport, Timeout: f.client.Timeout}
}

// UseCredentials keeps the user:password of a URL the user gave (a start
// URL, a line of a list) for that URL's origin, and returns the URL
// without them (model.StripUserinfo). Every request to that origin
// (scheme, host and port) then carries them as HTTP basic auth, robots.txt
// and media included; no request to another origin does, redirects
// included. The last credentials given for an origin are the ones used.
func (f *Fetcher) UseCredentials(raw string) string {
	clean := model.StripUserinfo(raw)
	if clean == raw {
		return raw
	}
	if u, err := url.Parse(raw); err == nil && u.User != nil && u.Host != "" {
		f.creds.set(u, u.User)
	}
	return clean
}

// Authorize readies a request to u for sending: u loses any userinfo (a
// redirect's Location may hold some: they are neither sent nor reported,
// as model.StripUserinfo has it), and h carries the credentials given for
// u's origin as basic auth, or none (a header a redirect copied from
// another origin goes). Every request of a run passes here: the fetcher's
// and its redirects, the crawler's pages and their redirects.
func (f *Fetcher) Authorize(h http.Header, u *url.URL) {
	u.User = nil
	h.Del("Authorization")
	if ui := f.creds.of(u); ui != nil {
		pass, _ := ui.Password()
		h.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(ui.Username()+":"+pass)))
	}
}

// credentials are the user:password given per origin.
type credentials struct {
	mu sync.RWMutex
	by map[string]*url.Userinfo
}

func (c *credentials) set(u *url.URL, ui *url.Userinfo) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.by == nil {
		c.by = map[string]*url.Userinfo{}
	}
	c.by[originKey(u)] = ui
}

func (c *credentials) of(u *url.URL) *url.Userinfo {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.by[originKey(u)]
}

// originKey is scheme://host:port in lower case, the port always written:
// http://x and http://X:80 are one origin.
func originKey(u *url.URL) string {
	scheme := strings.ToLower(u.Scheme)
	port := u.Port()
	if port == "" {
		switch scheme {
		case "http":
			port = "80"
		case "https":
			port = "443"
		}
	}
	return scheme + "://" + strings.ToLower(u.Hostname()) + ":" + port
}

func (f *Fetcher) host(h string) *hostState {
	f.mu.Lock()
	defer f.mu.Unlock()
	s := f.hosts[h]
	if s == nil {
		s = &hostState{sem: make(chan struct{}, f.opt.HostConcurrency)}
		f.hosts[h] = s
	}
	return s
}

// Dead returns the error a host was given up with, or nil.
func (f *Fetcher) Dead(host string) error {
	s := f.host(host)
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.dead
}

// Get fetches url, reading at most maxBody bytes of the (decompressed) body.
// header is an optional list of name, value pairs sent with the request.
func (f *Fetcher) Get(ctx context.Context, host, url string, maxBody int64, header ...string) (*Response, error) {
	s := f.host(host)
	var lastErr error
	for attempt := 0; attempt <= f.opt.Retries; attempt++ {
		if err := f.Dead(host); err != nil {
			return nil, err
		}
		resp, wait, err := f.once(ctx, s, url, maxBody, header)
		if err == nil && wait == 0 {
			return resp, nil
		}
		if err != nil {
			lastErr = err
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			if f.failed(s, host, err) {
				return nil, f.Dead(host)
			}
			if attempt == f.opt.Retries {
				break
			}
			wait = backoff(attempt)
		} else {
			lastErr = fmt.Errorf("HTTP %d after %d tries", resp.Status, attempt+1)
			if attempt == f.opt.Retries {
				return resp, nil // the caller sees the 429/503 status
			}
		}
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return nil, lastErr
}

func backoff(attempt int) time.Duration { return time.Duration(250<<attempt) * time.Millisecond }

// failed counts a network failure; it reports true when the host is now
// given up on, so one dead host cannot stall a million-URL run.
func (f *Fetcher) failed(s *hostState, host string, err error) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures++
	if s.failures >= f.opt.DeadAfter && s.dead == nil {
		s.dead = fmt.Errorf("%w: %s failed %d times in a row (last: %v)", ErrHostDead, host, s.failures, err)
	}
	return s.dead != nil
}

// once makes one request under the host's concurrency and rate limits. A
// 429 or 503 answer returns how long to wait before the next try.
func (f *Fetcher) once(ctx context.Context, s *hostState, url string, maxBody int64, header []string) (*Response, time.Duration, error) {
	select {
	case s.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, 0, ctx.Err()
	}
	defer func() { <-s.sem }()
	if f.opt.HostDelay > 0 {
		s.mu.Lock()
		now := time.Now()
		at := s.next
		if at.Before(now) {
			at = now
		}
		s.next = at.Add(f.opt.HostDelay)
		s.mu.Unlock()
		if d := time.Until(at); d > 0 {
			select {
			case <-time.After(d):
			case <-ctx.Done():
				return nil, 0, ctx.Err()
			}
		}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, 0, err
	}
	req.Header.Set("User-Agent", f.opt.UserAgent)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	f.Authorize(req.Header, req.URL)
	if req.Header.Get("Range") == "" {
		req.Header.Set("Accept-Encoding", "gzip")
	}
	res, err := f.client.Do(req)
	if err != nil {
		return nil, 0, err
	}
	bodycap.Decode(res, false)
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, maxBody+1))
	if err != nil {
		return nil, 0, fmt.Errorf("reading the body: %w", err)
	}
	s.mu.Lock()
	s.failures = 0
	s.mu.Unlock()
	r := &Response{Status: res.StatusCode, Header: res.Header, Body: body, FinalURL: res.Request.URL.String()}
	if int64(len(body)) > maxBody {
		r.Body, r.Truncated = body[:maxBody], true
	}
	if res.StatusCode == http.StatusTooManyRequests || res.StatusCode == http.StatusServiceUnavailable {
		return r, retryAfter(res.Header.Get("Retry-After"), f.opt.MaxRetryAfter), nil
	}
	return r, 0, nil
}

// retryAfter reads Retry-After (seconds or an HTTP date), capped.
func retryAfter(v string, limit time.Duration) time.Duration {
	d := time.Second
	if secs, err := strconv.Atoi(v); err == nil && secs >= 0 {
		d = time.Duration(secs) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		d = time.Until(t)
	}
	return max(min(d, limit), 10*time.Millisecond)
}
