package c2pa

import (
	"bytes"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	fixtures "github.com/aiaudit/aiaudit/detectors/testfixtures"
)

// bmffStore finds the C2PA uuid box of a BMFF file and inspects the store
// in it (the container package does this in production; the test keeps the
// c2pa package on its own).
func bmffStore(t *testing.T, b []byte) *Manifest {
	t.Helper()
	budget := maxBMFFBoxes
	top, err := bmffChildren(bytes.NewReader(b), 0, int64(len(b)), &budget)
	require.NoError(t, err)
	for _, bx := range top {
		if bx.typ != "uuid" || !bytes.Equal(b[bx.off+8:bx.off+24], c2paUUID) {
			continue
		}
		body := b[bx.off+bx.hdr+4 : bx.off+bx.size] // FullBox version and flags
		purpose, rest, _ := bytes.Cut(body, []byte{0})
		require.Equal(t, "manifest", string(purpose))
		_, st, err := Inspect(rest[8:]) // after the merkle offset
		require.NoError(t, err)
		return st.Active()
	}
	t.Fatal("no C2PA uuid box")
	return nil
}

var c2paUUID = []byte{0xD8, 0xFE, 0xC3, 0xD6, 0x1B, 0x0E, 0x48, 0x3C, 0x92, 0x97, 0x58, 0x28, 0x87, 0x7E, 0xC4, 0x81}

func boxAt(t *testing.T, b []byte, path ...string) bmffBox {
	t.Helper()
	budget := maxBMFFBoxes
	top, err := bmffChildren(bytes.NewReader(b), 0, int64(len(b)), &budget)
	require.NoError(t, err)
	found, err := bmffFind(bytes.NewReader(b), top, path, &budget)
	require.NoError(t, err)
	require.NotEmpty(t, found, "%v", path)
	return found[0]
}

func check(t *testing.T, b []byte, m *Manifest) bool {
	t.Helper()
	ok, err := CheckBMFFHash(bytes.NewReader(b), int64(len(b)), *m.BMFFHash)
	require.NoError(t, err)
	return ok
}

// Real files made by other tools (c2patool, an origo HEIC writer) carry
// c2pa.hash.bmff.v2 bindings: they must match as shipped, survive changes to
// the bytes the binding excludes, and fail when covered bytes change or
// boxes move.
func TestBMFFHashOnRealFiles(t *testing.T) {
	heic := fixtures.Read(t, "media", "c2pa_heic_notrain.heic")
	m := bmffStore(t, heic)
	require.NotNil(t, m.BMFFHash)
	assert.Equal(t, "c2pa.hash.bmff.v2", m.BMFFHash.Label)
	assert.True(t, check(t, heic, m), "as shipped")

	excluded := bytes.Clone(heic)
	ftyp := boxAt(t, excluded, "ftyp")
	excluded[ftyp.off+12]++ // ftyp's minor version: excluded by "/ftyp"
	assert.True(t, check(t, excluded, m), "an excluded box may change")

	altered := bytes.Clone(heic)
	mdat := boxAt(t, altered, "mdat")
	altered[mdat.off+mdat.size-1] ^= 0xFF
	assert.False(t, check(t, altered, m), "one pixel byte changed")

	video := fixtures.Read(t, "media", "c2pa_video.mp4")
	vm := bmffStore(t, video)
	require.NotNil(t, vm.BMFFHash)
	assert.True(t, check(t, video, vm), "as shipped, with nested and subset exclusions")

	// stco's chunk offsets (from byte 16 of the box on) are excluded: they
	// change when a manifest is inserted.
	offsets := bytes.Clone(video)
	stco := boxAt(t, offsets, "moov", "trak", "mdia", "minf", "stbl", "stco")
	offsets[stco.off+stco.size-1]++
	assert.True(t, check(t, offsets, vm), "a subset-excluded range may change")
	offsets[stco.off+8]++ // but not its version and flags
	assert.False(t, check(t, offsets, vm))

	// A box moved: the same bytes at another offset no longer match, since
	// each box's offset is hashed before it.
	free := boxAt(t, video, "free")
	moved := append(bytes.Clone(video[:free.off]), 0, 0, 0, 8, 'f', 'r', 'e', 'e')
	moved = append(moved, video[free.off:]...)
	assert.False(t, check(t, moved, vm), "boxes shifted by an inserted box")

	// The manifest moved onto other media: the store of the HEIC does not
	// bind the video's boxes.
	assert.False(t, check(t, video, m), "a manifest transplanted onto other content")

	fmp4 := fixtures.Read(t, "media", "c2pa_fmp4_init.mp4")
	fm := bmffStore(t, fmp4)
	_, err := CheckBMFFHash(bytes.NewReader(fmp4), int64(len(fmp4)), *fm.BMFFHash)
	assert.ErrorIs(t, err, ErrFragmentsNeeded, "a Merkle hash over fragments in other files needs them")
}

// The C2PA 1.x c2pa.hash.bmff of the reference implementation's legacy.mp4
// hashes the file minus its exclusions with no box offsets: it matches as
// shipped, still matches when only excluded bytes move (the manifest box
// moved to the end), and fails when covered bytes change or when read the
// v2 way.
func TestBMFFHashV1(t *testing.T) {
	legacy := fixtures.Read(t, "c2pa-rs", "sdk/tests/fixtures/legacy.mp4")
	m := bmffStore(t, legacy)
	require.NotNil(t, m.BMFFHash)
	require.Equal(t, BMFFHashV1, m.BMFFHash.Label)
	assert.True(t, check(t, legacy, m), "as shipped")

	var store bmffBox
	budget := maxBMFFBoxes
	top, err := bmffChildren(bytes.NewReader(legacy), 0, int64(len(legacy)), &budget)
	require.NoError(t, err)
	for _, bx := range top {
		if bx.typ == "uuid" && bytes.Equal(legacy[bx.off+8:bx.off+24], c2paUUID) {
			store = bx
		}
	}
	require.NotZero(t, store.size)
	moved := append(bytes.Clone(legacy[:store.off]), legacy[store.off+store.size:]...)
	moved = append(moved, legacy[store.off:store.off+store.size]...)
	assert.True(t, check(t, moved, m), "v1 does not bind offsets: an excluded box may move")

	altered := bytes.Clone(legacy)
	mdat := boxAt(t, altered, "mdat")
	altered[mdat.off+mdat.size/2] ^= 0xFF
	assert.False(t, check(t, altered, m), "one sample byte changed")

	asV2 := *m
	v2 := *m.BMFFHash
	v2.Label = "c2pa.hash.bmff.v2"
	asV2.BMFFHash = &v2
	assert.False(t, check(t, legacy, &asV2), "the v1 hash read with v2 offsets")
}

func TestBMFFHashRejectsBrokenBoxes(t *testing.T) {
	bh := BMFFHash{Alg: "sha256", Hash: make([]byte, 32), Exclusions: []BMFFExclusion{{XPath: "/moov/trak"}}}
	for name, b := range map[string][]byte{
		"size past the end": {0, 0, 0, 99, 'm', 'o', 'o', 'v'},
		"size below header": {0, 0, 0, 4, 'm', 'o', 'o', 'v'},
		"64-bit size cut":   {0, 0, 0, 1, 'm', 'd', 'a', 't', 0, 0},
		"child past parent": {0, 0, 0, 16, 'm', 'o', 'o', 'v', 0, 0, 0, 64, 't', 'r', 'a', 'k'},
	} {
		_, err := CheckBMFFHash(bytes.NewReader(b), int64(len(b)), bh)
		assert.Error(t, err, name)
	}
	_, err := CheckBMFFHash(bytes.NewReader(nil), 0, BMFFHash{Alg: "md5", Hash: []byte{1}})
	assert.ErrorContains(t, err, "md5")
	_, err = CheckBMFFHash(bytes.NewReader(nil), 0, BMFFHash{Alg: "sha256"})
	assert.ErrorContains(t, err, "no hash")
	flags := BMFFHash{Alg: "sha256", Hash: []byte{1}, Exclusions: []BMFFExclusion{{XPath: "/moov", Flags: []byte{1, 0, 0}}}}
	_, err = CheckBMFFHash(bytes.NewReader([]byte{0, 0, 0, 8, 'm', 'o', 'o', 'v'}), 8, flags)
	assert.ErrorIs(t, err, ErrBMFFUnsupported, "a flags predicate is not guessed at")
}

func FuzzCheckBMFFHash(f *testing.F) {
	f.Add([]byte{0, 0, 0, 16, 'f', 't', 'y', 'p', 'h', 'e', 'i', 'c', 0, 0, 0, 0, 0, 0, 0, 8, 'm', 'd', 'a', 't'})
	f.Add([]byte{0, 0, 0, 24, 'm', 'o', 'o', 'v', 0, 0, 0, 16, 't', 'r', 'a', 'k', 0, 0, 0, 8, 's', 't', 'c', 'o'})
	f.Add([]byte{0, 0, 0, 1, 'm', 'd', 'a', 't', 0, 0, 0, 0, 0, 0, 0, 16})
	f.Add([]byte{0, 0, 0, 28, 'm', 'e', 't', 'a', 0, 0, 0, 0, 0, 0, 0, 16, 'i', 'l', 'o', 'c', 1, 0, 0, 0, 0, 0, 0, 0})
	version := int64(0)
	length := int64(8)
	bh := BMFFHash{Alg: "sha256", Hash: make([]byte, 32), Exclusions: []BMFFExclusion{
		{XPath: "/ftyp"},
		{XPath: "/uuid", Data: []BMFFData{{Offset: 8, Value: c2paUUID}}},
		{XPath: "/moov/trak/stco", Subset: []Exclusion{{Start: 16, Length: 0}, {Start: 4, Length: 2}}},
		{XPath: "/meta/iloc", Version: &version},
		{XPath: "/mdat", Length: &length},
	}}
	v1 := bh
	v1.Label = BMFFHashV1
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, h := range []BMFFHash{bh, v1} {
			// No input hashes to all zeros: a match would be a bug.
			ok, err := CheckBMFFHash(bytes.NewReader(b), int64(len(b)), h)
			if ok || err != nil && errors.Is(err, ErrBMFFUnsupported) {
				t.Fatalf("%s: ok=%v err=%v", h.Label, ok, err)
			}
		}
	})
}
