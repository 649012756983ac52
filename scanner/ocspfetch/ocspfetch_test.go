package ocspfetch

import (
	"context"
	"crypto/x509"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/ocsp"

	"github.com/aiaudit/aiaudit/cmd/mktestdata/build"
	"github.com/aiaudit/aiaudit/detectors/c2pa/revocation"
	"github.com/aiaudit/aiaudit/detectors/c2pa/status"
	"github.com/aiaudit/aiaudit/scanner/internal/netguard"
)

// signerAt is a test CA and a signer whose certificate names url as its
// OCSP responder, with the responder the CA delegated OCSP signing to.
func signerAt(t *testing.T, url string) (*build.PKI, *build.OCSPResponder) {
	pki, r, err := build.NewOCSPPKI("Online", 21, url)
	require.NoError(t, err)
	return pki, r
}

// responder is a loopback OCSP responder (127.0.0.1 only) that says the
// signer was revoked, counting the requests it reads.
func responder(t *testing.T) (pki *build.PKI, asked *atomic.Int32) {
	asked = new(atomic.Int32)
	h := &handler{}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	pki, r := signerAt(t, srv.URL+"/ocsp")
	h.Handler = r.Handler(ocsp.Response{Status: ocsp.Revoked, RevokedAt: time.Now().Add(-time.Hour), ThisUpdate: time.Now().Add(-time.Minute), NextUpdate: time.Now().Add(time.Hour)}, asked)
	return pki, asked
}

// handler is set once the server's URL, which the certificate names, is known.
type handler struct{ http.Handler }

func TestLookupAtLoopbackResponder(t *testing.T) {
	pki, hits := responder(t)
	f := New(context.Background(), Options{AllowPrivate: true, UserAgent: "aiaudit-test"})
	chain := []*x509.Certificate{pki.Signer, pki.Root}
	v := revocation.Check(map[any]any{}, chain, time.Now(), false, f)
	assert.Equal(t, status.SigningCredentialRevoked, v.Code, v.Detail)
	assert.Contains(t, v.Detail, "asked http://127.0.0.1:")

	// The same certificate is asked once per run.
	v = revocation.Check(map[any]any{}, chain, time.Now(), false, f)
	assert.Equal(t, status.SigningCredentialRevoked, v.Code)
	assert.EqualValues(t, 1, hits.Load())
}

// A certificate's OCSP URL is the scanned file's to choose: loopback,
// private and metadata addresses are refused unless --allow-private.
func TestLookupRefusesInternalAddresses(t *testing.T) {
	pki, hits := responder(t)
	_, err := New(context.Background(), Options{}).FetchOCSP(pki.Signer, pki.Root)
	require.ErrorIs(t, err, netguard.ErrRefused)
	assert.Zero(t, hits.Load(), "the loopback responder was never reached")

	var mu sync.Mutex
	var connected []string
	hook := func(g *netguard.Guard) {
		g.Lookup = func(_ context.Context, host string) ([]netip.Addr, error) {
			return map[string][]netip.Addr{
				"ocsp.intranet.test": {netip.MustParseAddr("10.1.2.3")},
				"metadata.test":      {netip.MustParseAddr("169.254.169.254")},
				"ocsp.public.test":   {netip.MustParseAddr("203.0.113.7")},
			}[host], nil
		}
		g.Connect = func(_ context.Context, network, address string) (net.Conn, error) {
			mu.Lock()
			connected = append(connected, address)
			mu.Unlock()
			return nil, errors.New("test dialer: refusing to leave loopback")
		}
	}
	for _, host := range []string{"ocsp.intranet.test", "metadata.test"} {
		other, _ := signerAt(t, "http://"+host+"/")
		_, err := New(context.Background(), Options{Dial: hook}).FetchOCSP(other.Signer, other.Root)
		require.ErrorIs(t, err, netguard.ErrRefused, host)
	}
	assert.Empty(t, connected, "refused before any connection")

	// A public address passes the guard and reaches the dialer, which
	// the test's hook refuses: nothing leaves the machine.
	public, _ := signerAt(t, "http://ocsp.public.test/")
	_, err = New(context.Background(), Options{Dial: hook}).FetchOCSP(public.Signer, public.Root)
	require.ErrorContains(t, err, "refusing to leave loopback")
	assert.Equal(t, []string{"203.0.113.7:80"}, connected)
}

func TestLookupCapsAndErrors(t *testing.T) {
	for name, tc := range map[string]struct {
		handler http.HandlerFunc
		err     string
	}{
		"huge body": {func(w http.ResponseWriter, _ *http.Request) { w.Write(make([]byte, revocation.MaxResponseBytes+1)) }, "larger than"},
		"HTTP 500":  {func(w http.ResponseWriter, _ *http.Request) { http.Error(w, "down", 500) }, "HTTP 500"},
		"redirect": {func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "http://169.254.169.254/", http.StatusFound)
		}, "HTTP 302"},
	} {
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(tc.handler)
			defer srv.Close()
			pki, _ := signerAt(t, srv.URL)
			_, err := New(context.Background(), Options{AllowPrivate: true, Timeout: 200 * time.Millisecond}).FetchOCSP(pki.Signer, pki.Root)
			require.ErrorContains(t, err, tc.err)
		})
	}
	release := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { <-release }))
	defer slow.Close()
	defer close(release) // before the server closes: it waits for its handlers
	pki, _ := signerAt(t, slow.URL)
	_, err := New(context.Background(), Options{AllowPrivate: true, Timeout: 200 * time.Millisecond}).FetchOCSP(pki.Signer, pki.Root)
	var timeout net.Error
	require.ErrorAs(t, err, &timeout)
	assert.True(t, timeout.Timeout(), "%v", err)

	pki, _ = signerAt(t, "ldap://ocsp.example.test/")
	_, err = New(context.Background(), Options{AllowPrivate: true}).FetchOCSP(pki.Signer, pki.Root)
	require.ErrorContains(t, err, "not an HTTP URL")
}
