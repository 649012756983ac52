package crawl

import (
	"fmt"
	"math/rand"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The queue is first in, first out whatever is in memory and whatever was
// spilled, across interleaved adds and pops and after the file drains.
func TestSpillQueueKeepsOrder(t *testing.T) {
	q := newSpillQueue(3, 1000)
	defer q.close()
	rng := rand.New(rand.NewSource(1))
	next, want := 0, 0
	for step := 0; step < 2000; step++ {
		if rng.Intn(3) > 0 {
			require.NoError(t, q.AddRequest([]byte(fmt.Sprintf("req-%d", next))))
			next++
		} else {
			b, err := q.GetRequest()
			if want == next {
				assert.ErrorIs(t, err, errQueueEmpty)
				continue
			}
			require.NoError(t, err)
			assert.Equal(t, fmt.Sprintf("req-%d", want), string(b))
			want++
		}
		n, _ := q.QueueSize()
		require.Equal(t, next-want, n)
	}
	assert.NotNil(t, q.file, "more than 3 requests were waiting at some point: some were spilled")
	for want < next {
		b, err := q.GetRequest()
		require.NoError(t, err)
		assert.Equal(t, fmt.Sprintf("req-%d", want), string(b))
		want++
	}
	_, err := q.GetRequest()
	assert.ErrorIs(t, err, errQueueEmpty)
}

func TestSpillQueueIsCapped(t *testing.T) {
	q := newSpillQueue(2, 5)
	defer q.close()
	for i := 0; i < 5; i++ {
		require.NoError(t, q.AddRequest([]byte{byte(i)}))
	}
	assert.Error(t, q.AddRequest([]byte{9}), "over the cap")
	assert.LessOrEqual(t, len(q.head), 2, "at most memLimit requests in memory")
}
