package digestset

import (
	"encoding/binary"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zeebo/xxh3"
)

func key(i uint64) Key {
	return xxh3.Hash128(binary.LittleEndian.AppendUint64(nil, i)).Bytes()
}

// The set answers as a map would, values included, through many spills and
// merges, with a Bloom filter so small that nearly every lookup of a
// spilled key's neighbours is a false positive that the disk must refute.
func TestSetMatchesMap(t *testing.T) {
	for _, bloom := range []int{8, 1 << 10, 1 << 16} {
		s := New(50, bloom)
		defer s.Close()
		want := map[Key]uint64{}
		rng := rand.New(rand.NewPCG(1, uint64(bloom)))
		for step := range 8000 {
			k := key(rng.Uint64N(4000)) // many keys come back
			_, had := want[k]
			added, err := s.AddValue(k, uint64(step))
			require.NoError(t, err)
			require.Equal(t, !had, added, "step %d", step)
			if !had {
				want[k] = uint64(step) // a key keeps its first value
			}
			probe := key(rng.Uint64N(8000))
			v, has, err := s.Get(probe)
			require.NoError(t, err)
			wantV, wantHas := want[probe]
			require.Equal(t, wantHas, has, "step %d: Get", step)
			require.Equal(t, wantV, v, "step %d: value", step)
		}
		assert.Equal(t, len(want), s.Len())
		assert.NotEmpty(t, s.runs, "keys spilled to disk")
		assert.LessOrEqual(t, len(s.mem), 50, "at most memKeys in memory")
		for k, wantV := range want {
			v, has, err := s.Get(k)
			require.NoError(t, err)
			require.True(t, has)
			require.Equal(t, wantV, v)
		}
	}
}

// Crossing the threshold moves the keys to one run on disk and empties the
// map; equal-sized runs merge, so runs stay logarithmic in the keys.
func TestSpillThreshold(t *testing.T) {
	s := New(100, 0)
	defer s.Close()
	for i := range 99 {
		added, err := s.Add(key(uint64(i)))
		require.NoError(t, err)
		require.True(t, added)
	}
	assert.Empty(t, s.runs, "below the threshold nothing is on disk")
	assert.Nil(t, s.bloom, "and no filter is allocated")
	_, err := s.Add(key(99))
	require.NoError(t, err)
	require.Len(t, s.runs, 1)
	assert.Equal(t, 100, s.runs[0].n)
	assert.Empty(t, s.mem)
	added, err := s.Add(key(42))
	require.NoError(t, err)
	assert.False(t, added, "a spilled key is still there")
	for i := 100; i < 100*37; i++ {
		_, err := s.Add(key(uint64(i)))
		require.NoError(t, err)
	}
	// 37 spills: runs of 32, 4 and 1 (times 100) after merging.
	var sizes []int
	for _, r := range s.runs {
		sizes = append(sizes, r.n)
	}
	assert.Equal(t, []int{3200, 400, 100}, sizes)
	for i := range 100 * 37 {
		has, err := s.Has(key(uint64(i)))
		require.NoError(t, err)
		require.True(t, has, "key %d", i)
	}
	has, err := s.Has(key(1 << 40))
	require.NoError(t, err)
	assert.False(t, has)
}

// A key the filter says may be there, but that is not, is refuted on disk:
// with the filter full, every absent key is such a false positive.
func TestBloomFalsePositiveIsConfirmedOnDisk(t *testing.T) {
	s := New(10, 8)
	defer s.Close()
	for i := range 1000 {
		_, err := s.Add(key(uint64(i)))
		require.NoError(t, err)
	}
	for i := range s.bloom {
		s.bloom[i] = ^uint64(0)
	}
	for i := 1000; i < 3000; i++ {
		has, err := s.Has(key(uint64(i)))
		require.NoError(t, err)
		require.False(t, has, "key %d was never added", i)
	}
}

// Keys sharing a cache slot do not answer for each other.
func TestRecentCacheIsExact(t *testing.T) {
	s := New(2, 8)
	defer s.Close()
	a := Key{1}
	b := Key{2} // same last 8 bytes as a: same cache slot
	_, err := s.Add(a)
	require.NoError(t, err)
	_, err = s.Add(Key{3})
	require.NoError(t, err)
	has, err := s.Has(a) // found on disk: cached
	require.NoError(t, err)
	require.True(t, has)
	has, err = s.Has(b)
	require.NoError(t, err)
	assert.False(t, has)
}

// FuzzSet drives a set with a tiny memory and filter through the operations
// the input spells, against a map.
func FuzzSet(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 1, 0, 200, 7, 7, 7})
	f.Add([]byte("the quick brown fox jumps over the lazy dog, again and again"))
	f.Fuzz(func(t *testing.T, ops []byte) {
		s := New(3, 8)
		defer s.Close()
		want := map[Key]uint64{}
		for i, op := range ops {
			k := key(uint64(op & 0x3f))
			wantV, had := want[k]
			if op&0x40 != 0 {
				v, has, err := s.Get(k)
				if err != nil || has != had || v != wantV {
					t.Fatalf("Get(%d) = %d, %v, %v; want %d, %v", op&0x3f, v, has, err, wantV, had)
				}
				continue
			}
			added, err := s.AddValue(k, uint64(i))
			if err != nil || added == had {
				t.Fatalf("AddValue(%d) = %v, %v; present before: %v", op&0x3f, added, err, had)
			}
			if !had {
				want[k] = uint64(i)
			}
		}
		if s.Len() != len(want) {
			t.Fatalf("Len %d, want %d", s.Len(), len(want))
		}
	})
}
