package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// lease is a host's entry in the leases bucket: who may fetch the host
// until when, and when the host was last fetched. A worker takes it by
// compare-and-swap (create, or update at the revision it read), so two
// workers never hold one host; Last carries the per-host delay from one
// holder to the next, on any machine.
type lease struct {
	Holder  string    `json:"holder,omitempty"` // "" when free
	Expires time.Time `json:"expires,omitzero"`
	Last    time.Time `json:"last,omitzero"`
}

// leases hands out host leases to one worker.
type leases struct {
	kv  jetstream.KeyValue
	me  string
	ttl time.Duration
}

// heldLease is a lease this worker holds; its context ends if the lease is
// lost (not renewed in time), and fetching must stop with it.
type heldLease struct {
	l      *leases
	key    string
	ctx    context.Context
	cancel context.CancelFunc
	mu     sync.Mutex
	rev    uint64
	last   time.Time
	stop   chan struct{}
	done   chan struct{}
}

// leasePoll is how soon a taken lease is looked at again, at first;
// maxLeasePoll at most.
const (
	leasePoll    = 10 * time.Millisecond
	maxLeasePoll = 250 * time.Millisecond
)

// acquire waits until this worker holds host's lease and the host's delay
// since its last fetch (by any worker) has passed. waiting is called each
// time the lease is found taken.
// Errors talking to NATS are retried until ctx ends.
func (l *leases) acquire(ctx context.Context, host string, delay time.Duration, waiting func()) (*heldLease, error) {
	key := hashKey(host)
	poll := leasePoll
	for {
		rev, notBefore, err := l.try(ctx, key, delay)
		if err != nil || rev == 0 {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			waiting()
			sleep(ctx, poll)
			// A busy host is looked at less often the longer it stays
			// busy: hundreds of waiting batches must not flood NATS.
			poll = min(2*poll, maxLeasePoll)
			continue
		}
		h := &heldLease{l: l, key: key, rev: rev, stop: make(chan struct{}), done: make(chan struct{})}
		h.ctx, h.cancel = context.WithCancel(ctx)
		go h.renew()
		if d := time.Until(notBefore); d > 0 {
			sleep(h.ctx, d)
		}
		if h.ctx.Err() != nil {
			h.release()
			return nil, ctx.Err()
		}
		return h, nil
	}
}

// try takes the lease if it is free or expired: the revision now held (0
// when another worker holds it) and when the host may next be fetched.
func (l *leases) try(ctx context.Context, key string, delay time.Duration) (uint64, time.Time, error) {
	now := time.Now()
	e, err := l.kv.Get(ctx, key)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		b, _ := json.Marshal(lease{Holder: l.me, Expires: now.Add(l.ttl)})
		rev, err := l.kv.Create(ctx, key, b)
		if errors.Is(err, jetstream.ErrKeyExists) {
			return 0, now, nil // taken meanwhile
		}
		return rev, now, err
	}
	if err != nil {
		return 0, now, err
	}
	var cur lease
	if json.Unmarshal(e.Value(), &cur) != nil {
		cur = lease{} // unreadable: take it over as free
	}
	if cur.Holder != "" && now.Before(cur.Expires) {
		return 0, now, nil
	}
	notBefore := cur.Last.Add(delay)
	if cur.Holder != "" {
		// Its holder stopped renewing (killed): it may have fetched up
		// to the moment its lease ran out.
		notBefore = later(notBefore, cur.Expires.Add(delay))
	}
	b, _ := json.Marshal(lease{Holder: l.me, Expires: now.Add(l.ttl), Last: cur.Last})
	rev, err := l.kv.Update(ctx, key, b, e.Revision())
	if err != nil {
		return 0, now, nil // another worker was faster (or NATS is away): look again
	}
	return rev, notBefore, nil
}

// renew extends the lease every third of its TTL. If NATS cannot be told
// in time, or another worker holds the lease, the lease's context ends.
func (h *heldLease) renew() {
	defer close(h.done)
	tick := time.NewTicker(h.l.ttl / 3)
	defer tick.Stop()
	valid := time.Now().Add(h.l.ttl)
	for {
		select {
		case <-h.stop:
			return
		case <-h.ctx.Done():
			return
		case <-tick.C:
		}
		now := time.Now()
		b, _ := json.Marshal(lease{Holder: h.l.me, Expires: now.Add(h.l.ttl), Last: h.last})
		h.mu.Lock()
		rev, err := h.l.kv.Update(h.ctx, h.key, b, h.rev)
		if err == nil {
			h.rev, valid = rev, now.Add(h.l.ttl)
		}
		h.mu.Unlock()
		// Stop a third of a TTL before the lease may be taken: the
		// fetches in flight end before another worker starts.
		if err != nil && (errors.Is(err, jetstream.ErrKeyRevisionMismatch) || time.Until(valid) < h.l.ttl/3) {
			h.cancel()
			return
		}
	}
}

// release frees the lease, recording now as the host's last fetch.
func (h *heldLease) release() {
	close(h.stop)
	<-h.done
	lost := h.ctx.Err() != nil
	h.cancel()
	if lost {
		return // not ours any more; its expiry keeps the delay
	}
	b, _ := json.Marshal(lease{Last: time.Now()})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	h.mu.Lock()
	defer h.mu.Unlock()
	// Failing, the lease expires on its own (and the next holder waits
	// out its expiry plus the delay).
	h.l.kv.Update(ctx, h.key, b, h.rev)
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}
