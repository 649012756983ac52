package urls

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// connListener hands the connections a demultiplexer gives it to a server.
type connListener struct {
	addr   net.Addr
	conns  chan net.Conn
	closed chan struct{}
	once   sync.Once
}

func (l *connListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.closed:
		return nil, net.ErrClosed
	}
}

func (l *connListener) Close() error   { l.once.Do(func() { close(l.closed) }); return nil }
func (l *connListener) Addr() net.Addr { return l.addr }

// peekedConn is a connection whose first bytes were read to route it.
type peekedConn struct {
	net.Conn
	r *bufio.Reader
}

func (c peekedConn) Read(p []byte) (int, error) { return c.r.Read(p) }

// dualServer serves plain HTTP and HTTPS on one loopback host:port (a TLS
// handshake starts with byte 0x16), each with its own handler, as a site
// may answer http:// and https:// differently. It returns both base URLs
// and a vetter option that trusts the test certificate.
func dualServer(t *testing.T, plain, secure http.Handler) (httpURL, httpsURL string, trust func(*Vetter)) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	mk := func() *connListener {
		return &connListener{addr: ln.Addr(), conns: make(chan net.Conn), closed: make(chan struct{})}
	}
	pl, tl := mk(), mk()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				br := bufio.NewReader(c)
				b, err := br.Peek(1)
				if err != nil {
					c.Close()
					return
				}
				to := pl
				if b[0] == 0x16 {
					to = tl
				}
				select {
				case to.conns <- peekedConn{c, br}:
				case <-to.closed:
					c.Close()
				}
			}()
		}
	}()
	ps := httptest.NewUnstartedServer(plain)
	ps.Listener.Close()
	ps.Listener = pl
	ps.Start()
	ts := httptest.NewUnstartedServer(secure)
	ts.Listener.Close()
	ts.Listener = tl
	ts.StartTLS()
	t.Cleanup(func() { ln.Close(); ps.Close(); ts.Close() })
	tlsConfig := ts.Client().Transport.(*http.Transport).TLSClientConfig
	return "http://" + ln.Addr().String(), "https://" + ln.Addr().String(), func(v *Vetter) {
		v.fetch.client.Transport.(*http.Transport).TLSClientConfig = tlsConfig
	}
}

// robotsOnly answers robots.txt with body and every other path with a page.
func robotsOnly(hits *counter, body string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.add(r.URL.Path)
		switch r.URL.Path {
		case "/robots.txt":
			fmt.Fprint(w, body)
		case "/.well-known/tdmrep.json", "/ai.txt":
			http.NotFound(w, r)
		default:
			fmt.Fprint(w, "page")
		}
	})
}

// RFC 9309 §2.3: robots.txt applies to its scheme, host and port. An
// https:// URL on a host:port read before over http:// gets its own file.
func TestPolicyIsPerOrigin(t *testing.T) {
	plainHits, secureHits := &counter{}, &counter{}
	httpURL, httpsURL, trust := dualServer(t,
		robotsOnly(plainHits, "User-agent: GPTBot\nDisallow: /\n"),
		robotsOnly(secureHits, "User-agent: GPTBot\nAllow: /\n"))
	v := NewVetter(Options{Depth: Policy, Agents: []string{"GPTBot"}, Fetch: FetchOptions{Timeout: 5 * time.Second}})
	trust(v)

	r := v.Vet(context.Background(), httpURL+"/page")
	require.Empty(t, r.Error)
	assert.True(t, isTrue(r.TrainingOptOut), "http:// disallows GPTBot: %+v", r)
	r = v.Vet(context.Background(), httpsURL+"/page")
	require.Empty(t, r.Error)
	assert.True(t, isFalse(r.TrainingOptOut), "https:// allows GPTBot, by its own robots.txt: %+v", r)
	assert.Equal(t, 1, plainHits.get("/robots.txt"))
	assert.Equal(t, 1, secureHits.get("/robots.txt"), "each origin's robots.txt is read once")

	r = v.Vet(context.Background(), httpURL+"/other")
	assert.True(t, isTrue(r.TrainingOptOut), "and each is cached apart: %+v", r)
	assert.Equal(t, 1, plainHits.get("/robots.txt"))

	// Politeness (--host-concurrency, --delay, giving a host up) stays per
	// host:port: one server, whichever scheme it is asked over.
	v.fetch.mu.Lock()
	defer v.fetch.mu.Unlock()
	assert.Len(t, v.fetch.hosts, 1)
}
