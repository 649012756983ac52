package netguard

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// hooked is a guard whose resolver answers from a table and whose dialer
// records every address it is asked to connect to and refuses anything but
// loopback: a test can never send a packet elsewhere, even if the guard
// under test failed.
func hooked(t *testing.T, names map[string][]string) (*Guard, func() []string) {
	g := New()
	var mu sync.Mutex
	var asked []string
	g.Lookup = func(_ context.Context, host string) ([]netip.Addr, error) {
		var out []netip.Addr
		for _, s := range names[host] {
			out = append(out, netip.MustParseAddr(s))
		}
		if len(out) == 0 {
			return nil, errors.New("no such host (test resolver)")
		}
		return out, nil
	}
	g.Connect = func(ctx context.Context, network, address string) (net.Conn, error) {
		mu.Lock()
		asked = append(asked, address)
		mu.Unlock()
		host, _, _ := net.SplitHostPort(address)
		if a, err := netip.ParseAddr(host); err != nil || !a.IsLoopback() {
			return nil, errors.New("test dialer: refusing to leave loopback")
		}
		return (&net.Dialer{}).DialContext(ctx, network, address)
	}
	return g, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), asked...)
	}
}

func TestRefusedSpacesAreNeverDialled(t *testing.T) {
	g, asked := hooked(t, map[string][]string{
		"metadata.test": {"169.254.169.254"},
		"office.test":   {"10.1.2.3", "192.168.0.10"},
		"cgnat.test":    {"100.64.0.1"},
		"v6local.test":  {"fd00:ec2::254", "fe80::1"},
		"mapped.test":   {"::ffff:127.0.0.1"},
		"admin.test":    {"127.0.0.1"},
	})
	for _, host := range []string{"metadata.test", "office.test", "cgnat.test", "v6local.test", "mapped.test", "admin.test", "169.254.169.254", "::1", "224.0.0.1"} {
		_, err := g.DialContext(context.Background(), "tcp", net.JoinHostPort(host, "80"))
		assert.ErrorIs(t, err, ErrRefused, host)
	}
	assert.Empty(t, asked(), "no refused address was dialled")
}

// A name that resolves to a public address and a private one is dialled at
// the public one only: the checked address is the one connected to.
func TestOnlyTheCheckedAddressIsDialled(t *testing.T) {
	g, asked := hooked(t, map[string][]string{"mixed.test": {"10.0.0.1", "93.184.216.34"}})
	_, err := g.DialContext(context.Background(), "tcp", "mixed.test:443")
	require.Error(t, err, "the test dialer refuses the public address too")
	assert.Equal(t, []string{"93.184.216.34:443"}, asked())
}

// The user's own targets allow their space for the run, and only theirs.
func TestTargetsAllowTheirSpace(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) }))
	defer srv.Close()
	g, asked := hooked(t, map[string][]string{"metadata.test": {"169.254.169.254"}})
	client := &http.Client{Transport: &http.Transport{DialContext: g.DialContext}}
	_, err := client.Get(srv.URL)
	require.ErrorIs(t, err, ErrRefused, "loopback is refused until a target is there")

	host, _, _ := net.SplitHostPort(srv.Listener.Addr().String())
	assert.Equal(t, []string{"loopback"}, g.AllowSpacesOf(context.Background(), []string{host}))
	res, err := client.Get(srv.URL)
	require.NoError(t, err)
	res.Body.Close()
	_, err = g.DialContext(context.Background(), "tcp", "metadata.test:80")
	assert.ErrorIs(t, err, ErrRefused, "allowing loopback does not allow metadata")
	assert.Equal(t, []string{srv.Listener.Addr().String()}, asked())

	g.AllowAll()
	_, err = g.DialContext(context.Background(), "tcp", "metadata.test:80")
	assert.NotErrorIs(t, err, ErrRefused, "--allow-private")
}
