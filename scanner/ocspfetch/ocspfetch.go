// Package ocspfetch asks a C2PA signer's OCSP responder whether its
// certificate is revoked, for runs with --online: an RFC 6960 request
// POSTed to the URL the certificate names (its AIA OCSP entry). The URL
// comes from the file being scanned, so the lookup goes through the guarded
// dialer (no loopback, private or cloud-metadata address unless
// --allow-private), with a timeout, a body cap and no redirects. Each
// certificate is asked once per run.
package ocspfetch

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync"
	"time"

	"golang.org/x/crypto/ocsp"

	"github.com/aiaudit/aiaudit/detectors/c2pa/revocation"
	"github.com/aiaudit/aiaudit/scanner/internal/netguard"
)

// Options configure the lookups of one run.
type Options struct {
	// Timeout bounds one lookup, body included (default 10s).
	Timeout time.Duration
	// AllowPrivate lets lookups reach loopback, private and other refused
	// address spaces (--allow-private).
	AllowPrivate bool
	UserAgent    string
	// Dial, when set, is given the guarded dialer before the first lookup:
	// tests replace its resolver and connector so that no packet leaves
	// loopback.
	Dial func(*netguard.Guard)
}

// maxCached bounds the per-certificate answers kept in one run.
const maxCached = 4096

// Fetcher looks up OCSP responses; it implements revocation.Fetcher.
type Fetcher struct {
	ctx    context.Context
	opt    Options
	client *http.Client
	mu     sync.Mutex
	cache  map[[32]byte]*answer
}

type answer struct {
	once sync.Once
	der  []byte
	err  error
}

// New returns a fetcher whose lookups end with ctx (the run's: Ctrl-C ends
// a lookup in flight).
func New(ctx context.Context, opt Options) *Fetcher {
	if opt.Timeout <= 0 {
		opt.Timeout = 10 * time.Second
	}
	guard := netguard.New()
	if opt.AllowPrivate {
		guard.AllowAll()
	}
	if opt.Dial != nil {
		opt.Dial(guard)
	}
	tr := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment, // as every fetch of a run
		DialContext:           guard.DialContext,
		TLSHandshakeTimeout:   5 * time.Second,
		ResponseHeaderTimeout: opt.Timeout,
		MaxIdleConnsPerHost:   2,
		DisableCompression:    true, // a DER body is read raw, under the cap
	}
	client := &http.Client{
		Transport: tr,
		Timeout:   opt.Timeout,
		// A responder answers where it is asked; a redirect could point
		// anywhere, and is not followed.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return &Fetcher{ctx: ctx, opt: opt, client: client, cache: map[[32]byte]*answer{}}
}

var _ revocation.Fetcher = (*Fetcher)(nil)

// FetchOCSP asks ee's first OCSP responder about ee; the same certificate
// is asked once per run, and its answer (or error) reused.
func (f *Fetcher) FetchOCSP(ee, issuer *x509.Certificate) ([]byte, error) {
	k := sha256.Sum256(append(append([]byte{}, ee.Raw...), issuer.Raw...))
	f.mu.Lock()
	a := f.cache[k]
	if a == nil {
		if len(f.cache) >= maxCached {
			clear(f.cache)
		}
		a = &answer{}
		f.cache[k] = a
	}
	f.mu.Unlock()
	a.once.Do(func() { a.der, a.err = f.fetch(ee, issuer) })
	return a.der, a.err
}

func (f *Fetcher) fetch(ee, issuer *x509.Certificate) ([]byte, error) {
	if len(ee.OCSPServer) == 0 {
		return nil, errors.New("the certificate names no OCSP responder")
	}
	u, err := url.Parse(ee.OCSPServer[0])
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("the OCSP responder address %q is not an HTTP URL", ee.OCSPServer[0])
	}
	body, err := ocsp.CreateRequest(ee, issuer, nil)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(f.ctx, f.opt.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/ocsp-request")
	req.Header.Set("Accept", "application/ocsp-response")
	if f.opt.UserAgent != "" {
		req.Header.Set("User-Agent", f.opt.UserAgent)
	}
	res, err := f.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("HTTP %d", res.StatusCode)
	}
	der, err := io.ReadAll(io.LimitReader(res.Body, revocation.MaxResponseBytes+1))
	if err != nil {
		return nil, err
	}
	if len(der) > revocation.MaxResponseBytes {
		return nil, fmt.Errorf("the response is larger than %d bytes", revocation.MaxResponseBytes)
	}
	return der, nil
}
