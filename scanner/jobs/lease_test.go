package jobs

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Workers competing for one host hold it one at a time, and each starts at
// least the delay after the previous one released it.
func TestLeaseIsExclusiveAndCarriesTheDelay(t *testing.T) {
	c := connect(t, startNATS(t))
	const delay = 30 * time.Millisecond
	type span struct {
		who        string
		start, end time.Time
	}
	var mu sync.Mutex
	var spans []span
	var wg sync.WaitGroup
	for i := range 4 {
		l := &leases{kv: c.leases, me: fmt.Sprintf("w%d", i), ttl: 2 * time.Second}
		wg.Go(func() {
			for range 3 {
				h, err := l.acquire(t.Context(), "Example.org:80", delay, func() {})
				if !assert.NoError(t, err) {
					return
				}
				s := span{who: l.me, start: time.Now()}
				time.Sleep(5 * time.Millisecond)
				s.end = time.Now()
				h.release()
				mu.Lock()
				spans = append(spans, s)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	require.Len(t, spans, 12)
	sort.Slice(spans, func(i, j int) bool { return spans[i].start.Before(spans[j].start) })
	for i := 1; i < len(spans); i++ {
		assert.GreaterOrEqual(t, spans[i].start.Sub(spans[i-1].end), delay, "%s after %s", spans[i].who, spans[i-1].who)
	}
}

// A lease whose holder died (stopped renewing) is taken once it expires,
// and the new holder waits the delay after the expiry: the dead holder may
// have fetched until then.
func TestExpiredLeaseIsTakenAfterExpiryAndDelay(t *testing.T) {
	c := connect(t, startNATS(t))
	dead := &leases{kv: c.leases, me: "dead", ttl: 300 * time.Millisecond}
	h, err := dead.acquire(t.Context(), "h:1", 0, func() {})
	require.NoError(t, err)
	close(h.stop) // stops renewing, as a killed worker does
	<-h.done
	took := time.Now()
	next := &leases{kv: c.leases, me: "next", ttl: time.Second}
	waited := 0
	h2, err := next.acquire(t.Context(), "h:1", 200*time.Millisecond, func() { waited++ })
	require.NoError(t, err)
	defer h2.release()
	assert.GreaterOrEqual(t, time.Since(took), 450*time.Millisecond, "expiry (300ms) plus delay (200ms), give or take the acquire's own time")
	assert.Positive(t, waited)

	// A lease lost to another holder ends its context.
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	e, err := c.leases.Get(ctx, hashKey("h:1"))
	require.NoError(t, err)
	_, err = c.leases.Update(ctx, hashKey("h:1"), []byte(`{"holder":"thief"}`), e.Revision())
	require.NoError(t, err)
	select {
	case <-h2.ctx.Done():
	case <-ctx.Done():
		t.Fatal("a stolen lease did not end its holder's context")
	}
}
