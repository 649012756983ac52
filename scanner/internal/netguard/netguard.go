// Package netguard is the one dialer of every outgoing connection the
// scanners make. It resolves the host itself and connects only to an address
// it has checked, so a page cannot steer a crawl to the cloud metadata
// service, a loopback admin port or the office network (server-side request
// forgery), and a DNS answer that changes between check and connect
// (rebinding) changes nothing: the checked address is the one dialled.
package netguard

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"sync"
	"time"
)

// Space is a named range of addresses the guard refuses by default.
type Space struct {
	Name     string
	Prefixes []netip.Prefix
}

func prefixes(s ...string) []netip.Prefix {
	out := make([]netip.Prefix, len(s))
	for i, p := range s {
		out[i] = netip.MustParsePrefix(p)
	}
	return out
}

// Refused are the address spaces no fetch may reach unless the run allows
// them. Cloud metadata (169.254.169.254, fd00:ec2::254) lies in link-local
// and unique-local space.
var Refused = []Space{
	{"loopback", prefixes("127.0.0.0/8", "::1/128")},
	{"private (RFC 1918)", prefixes("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")},
	{"unique local (RFC 4193)", prefixes("fc00::/7")},
	{"link-local (cloud metadata)", prefixes("169.254.0.0/16", "fe80::/10")},
	{"carrier-grade NAT", prefixes("100.64.0.0/10")},
	{"multicast", prefixes("224.0.0.0/4", "ff00::/8")},
	{"unspecified or reserved", prefixes("0.0.0.0/8", "::/128", "240.0.0.0/4")},
}

// ErrRefused is wrapped by the errors of refused connections.
var ErrRefused = errors.New("address refused")

// Guard dials after checking the resolved address.
type Guard struct {
	mu      sync.RWMutex
	allowed map[string]bool // names of Refused spaces allowed for this run
	all     bool            // --allow-private

	// Lookup and Connect are the two steps of a dial; tests replace them
	// (a resolver that answers what the test says, a dialer that refuses
	// anything but loopback), so no test sends a packet elsewhere.
	Lookup  func(ctx context.Context, host string) ([]netip.Addr, error)
	Connect func(ctx context.Context, network, address string) (net.Conn, error)
}

// New returns a guard that refuses every space in Refused.
func New() *Guard {
	d := &net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}
	return &Guard{
		allowed: map[string]bool{},
		Lookup: func(ctx context.Context, host string) ([]netip.Addr, error) {
			return net.DefaultResolver.LookupNetIP(ctx, "ip", host)
		},
		Connect: d.DialContext,
	}
}

// AllowAll turns the guard off (--allow-private).
func (g *Guard) AllowAll() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.all = true
}

// AllowSpacesOf allows, for this run, the refused spaces the user's own
// targets are in (a crawl of an intranet site, a list of loopback URLs):
// the user asked for them. It returns the names of the spaces it allowed, to
// be said.
func (g *Guard) AllowSpacesOf(ctx context.Context, hosts []string) []string {
	var names []string
	for _, h := range hosts {
		addrs, err := g.resolve(ctx, h)
		if err != nil {
			continue // unresolvable now: its fetch will say so
		}
		for _, a := range addrs {
			if sp := spaceOf(a); sp != "" {
				g.mu.Lock()
				if !g.allowed[sp] {
					g.allowed[sp] = true
					names = append(names, sp)
				}
				g.mu.Unlock()
			}
		}
	}
	return names
}

// spaceOf names the refused space an address is in ("" for none).
func spaceOf(a netip.Addr) string {
	a = a.Unmap()
	for _, sp := range Refused {
		for _, p := range sp.Prefixes {
			if p.Contains(a) {
				return sp.Name
			}
		}
	}
	return ""
}

// Check says whether a connection to a may be made.
func (g *Guard) Check(a netip.Addr) error {
	sp := spaceOf(a)
	if sp == "" {
		return nil
	}
	g.mu.RLock()
	defer g.mu.RUnlock()
	if g.all || g.allowed[sp] {
		return nil
	}
	return fmt.Errorf("%w: %s is %s space (a fetch may not reach it; --allow-private allows it)", ErrRefused, a.Unmap(), sp)
}

func (g *Guard) resolve(ctx context.Context, host string) ([]netip.Addr, error) {
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if a, err := netip.ParseAddr(host); err == nil {
		return []netip.Addr{a}, nil
	}
	return g.Lookup(ctx, host)
}

// DialContext resolves address's host, refuses the addresses Check
// refuses, and connects to the first allowed one that answers.
func (g *Guard) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(address)
	if err != nil {
		return nil, err
	}
	addrs, err := g.resolve(ctx, host)
	if err != nil {
		return nil, err
	}
	var firstErr error
	for _, a := range addrs {
		if err := g.Check(a); err != nil {
			if firstErr == nil {
				firstErr = fmt.Errorf("%s: %w", host, err)
			}
			continue
		}
		conn, err := g.Connect(ctx, network, net.JoinHostPort(a.Unmap().String(), port))
		if err == nil {
			return conn, nil
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	if firstErr == nil {
		firstErr = fmt.Errorf("%s: no address", host)
	}
	return nil, firstErr
}
