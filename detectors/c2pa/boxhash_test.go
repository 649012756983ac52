package c2pa

import (
	"bytes"
	"crypto/sha256"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCheckBoxHash(t *testing.T) {
	// Three boxes and the manifest's: AAAA BBBB [C2PA] CCCC.
	file := []byte("AAAA-bbbb-MANIFEST-cccc")
	boxes := []AssetBox{{"A", 0, 4, nil}, {"B", 5, 4, nil}, {"C2PA", 10, 8, nil}, {"C", 19, 4, nil}}
	sum := func(b []byte) []byte { s := sha256.Sum256(b); return s[:] }
	entries := func() []BoxHashEntry {
		return []BoxHashEntry{
			{Names: []string{"A", "B"}, Hash: sum(file[0:9])}, // a run hashes the bytes between its boxes too
			{Names: []string{"C2PA"}, Hash: []byte{0}},
			{Names: []string{"C"}, Hash: sum(file[19:23])},
		}
	}
	check := func(bh BoxHash, bx []AssetBox) (bool, error) {
		return CheckBoxHash(bytes.NewReader(file), bx, bh)
	}
	ok, err := check(BoxHash{Alg: "sha256", Boxes: entries()}, boxes)
	require.NoError(t, err)
	assert.True(t, ok)

	e := entries()
	e[2].Hash = sum([]byte("other"))
	ok, err = check(BoxHash{Alg: "sha256", Boxes: e}, boxes)
	require.NoError(t, err)
	assert.False(t, ok, "a box whose hash differs")
	e[2].Excluded = true
	ok, _ = check(BoxHash{Alg: "sha256", Boxes: e}, boxes)
	assert.True(t, ok, "an excluded box is not compared")

	ok, _ = check(BoxHash{Alg: "sha256", Boxes: entries()[:2]}, boxes)
	assert.False(t, ok, "a box the entries leave out")
	ok, _ = check(BoxHash{Alg: "sha256", Boxes: append(entries(), BoxHashEntry{Names: []string{"D"}})}, boxes)
	assert.False(t, ok, "an entry for a box the asset does not have")
	ok, _ = check(BoxHash{Alg: "sha256", Boxes: entries()}, []AssetBox{boxes[1], boxes[0], boxes[2], boxes[3]})
	assert.False(t, ok, "boxes out of order")

	// A PNG's signature may be left out of the entries, as the reference
	// allows; listed, it is hashed like any box.
	withSig := append([]AssetBox{{"PNGh", 0, 4, nil}}, boxes[1:]...)
	sigEntries := func() []BoxHashEntry {
		return []BoxHashEntry{{Names: []string{"B"}, Hash: sum(file[5:9])}, entries()[1], entries()[2]}
	}
	ok, err = check(BoxHash{Alg: "sha256", Boxes: sigEntries()}, withSig)
	require.NoError(t, err)
	assert.True(t, ok, "PNGh not listed")
	ok, _ = check(BoxHash{Alg: "sha256", Boxes: append([]BoxHashEntry{{Names: []string{"PNGh"}, Hash: sum(file[0:4])}}, sigEntries()...)}, withSig)
	assert.True(t, ok, "PNGh listed")
	ok, _ = check(BoxHash{Alg: "sha256", Boxes: append([]BoxHashEntry{{Names: []string{"PNGh"}, Hash: sum([]byte("x"))}}, sigEntries()...)}, withSig)
	assert.False(t, ok, "PNGh listed with another hash")

	// A zeroed range is hashed as zeros.
	zeroed := []AssetBox{{"A", 0, 4, []Exclusion{{1, 2}}}, {"B", 5, 4, nil}, boxes[2], boxes[3]}
	e = entries()
	e[0].Hash = sum([]byte("A\x00\x00A-bbbb"))
	ok, err = check(BoxHash{Alg: "sha256", Boxes: e}, zeroed)
	require.NoError(t, err)
	assert.True(t, ok)

	for name, bh := range map[string]BoxHash{
		"no entries":            {},
		"an entry with no name": {Boxes: []BoxHashEntry{{}}},
		"unknown algorithm":     {Alg: "md5", Boxes: entries()},
		"C2PA with other boxes": {Boxes: []BoxHashEntry{entries()[0], {Names: []string{"C2PA", "C"}}}},
	} {
		_, err := check(bh, boxes)
		assert.Error(t, err, name)
	}
	_, err = check(BoxHash{Alg: "sha256", Boxes: entries()}, []AssetBox{{"A", 0, 4, nil}, {"B", 5, 400, nil}, boxes[2], boxes[3]})
	assert.Error(t, err, "a box past the end of the file")
}
