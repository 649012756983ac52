package c2pa

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aiaudit/aiaudit/cmd/mktestdata/build"
	fixtures "github.com/aiaudit/aiaudit/detectors/testfixtures"
)

func checkFragments(t *testing.T, init []byte, bh BMFFHash, frags ...Fragment) FragmentsResult {
	t.Helper()
	res, err := CheckBMFFFragments(bytes.NewReader(init), int64(len(init)), bh, frags)
	require.NoError(t, err)
	return res
}

func states(res FragmentsResult) map[string]FragmentState {
	out := map[string]FragmentState{}
	for _, f := range res.Fragments {
		out[f.Name] = f.State
	}
	return out
}

// The reference implementation's DASH init segment and its one fragment:
// the manifest stores the middle layer (3 nodes) of a tree over 11
// fragments, so dash1.m4s's proof walks two layers up. Read alone the init
// segment cannot be checked; with the fragment it matches, and a changed
// byte in the fragment's samples or in the init segment's moov does not.
func TestFragmentsOfReferenceDASH(t *testing.T) {
	init := fixtures.Read(t, "c2pa-rs", "sdk/tests/fixtures/dashinit.mp4")
	frag := fixtures.Read(t, "c2pa-rs", "sdk/tests/fixtures/dash1.m4s")
	bh := *bmffStore(t, init).BMFFHash
	require.Len(t, bh.Merkle, 1)
	require.Len(t, bh.Merkle[0].Hashes, 3)

	_, err := CheckBMFFHash(bytes.NewReader(init), int64(len(init)), bh)
	assert.ErrorIs(t, err, ErrFragmentsNeeded)

	res := checkFragments(t, init, bh, FragmentOf("dash1.m4s", frag))
	assert.True(t, res.InitMatch)
	assert.Equal(t, map[string]FragmentState{"dash1.m4s": FragmentMatch}, states(res))
	assert.EqualValues(t, 11, res.Leaves)
	assert.EqualValues(t, 1, res.Matched)
	assert.Contains(t, res.Missing, "leaf 1 of tree 1/1")

	tampered := bytes.Clone(frag)
	tampered[len(tampered)-100] ^= 1 // a sample byte in mdat
	res = checkFragments(t, init, bh, FragmentOf("dash1.m4s", tampered))
	assert.Equal(t, map[string]FragmentState{"dash1.m4s": FragmentMismatch}, states(res))

	moov := boxAt(t, init, "moov")
	badInit := bytes.Clone(init)
	badInit[moov.off+moov.size-1] ^= 1
	res = checkFragments(t, badInit, bh, FragmentOf("dash1.m4s", frag))
	assert.False(t, res.InitMatch)
}

func signedFMP4(t *testing.T, n, stored, uniqueID int) (build.FragmentedMP4, BMFFHash) {
	t.Helper()
	f, err := build.SignedFragmentedMP4(build.Manifest{Generator: "fmp4-test", Action: "c2pa.created"}, n, stored, uniqueID)
	require.NoError(t, err)
	bh := bmffStore(t, f.Init).BMFFHash
	require.NotNil(t, bh)
	return f, *bh
}

// A fragmented MP4 signed in the test, its tree stored at every layer from
// the leaves to the root: every fragment matches, and one changed byte in
// any fragment makes that fragment, and only it, a mismatch.
func TestFragmentsSignedInTest(t *testing.T) {
	for _, n := range []int{1, 2, 5, 8} {
		for stored := 0; stored <= 4; stored++ {
			f, bh := signedFMP4(t, n, stored, 7)
			var frags []Fragment
			for i, b := range f.Fragments {
				frags = append(frags, FragmentOf(fmt.Sprintf("seg%d.m4s", i), b))
			}
			res := checkFragments(t, f.Init, bh, frags...)
			require.True(t, res.InitMatch, "n=%d stored=%d", n, stored)
			assert.EqualValues(t, n, res.Matched, "n=%d stored=%d: %+v", n, stored, res.Fragments)
			assert.Empty(t, res.Missing)
			for i := range f.Fragments {
				bad := bytes.Clone(f.Fragments[i])
				bad[len(bad)-1] ^= 0x20
				tampered := append([]Fragment(nil), frags...)
				tampered[i] = FragmentOf(fmt.Sprintf("seg%d.m4s", i), bad)
				got := states(checkFragments(t, f.Init, bh, tampered...))
				for j := range f.Fragments {
					want := FragmentMatch
					if j == i {
						want = FragmentMismatch
					}
					assert.Equal(t, want, got[fmt.Sprintf("seg%d.m4s", j)], "n=%d stored=%d tampered %d", n, stored, i)
				}
			}
		}
	}
}

// Missing fragments are named, not mismatched; another rendition's fragment
// (another uniqueId) is set aside; a fragment from the same tree but not
// signed (a forged extra leaf), swapped fragments, and broken files are each
// told apart.
func TestFragmentsMissingExtraAndBroken(t *testing.T) {
	f, bh := signedFMP4(t, 4, 99, 1) // root only
	other, _ := signedFMP4(t, 4, 99, 2)
	res := checkFragments(t, f.Init, bh, FragmentOf("a.m4s", f.Fragments[0]), FragmentOf("c.m4s", f.Fragments[2]))
	assert.Equal(t, map[string]FragmentState{"a.m4s": FragmentMatch, "c.m4s": FragmentMatch}, states(res))
	assert.Equal(t, []string{"leaf 1 of tree 1/1", "leaf 3 of tree 1/1"}, res.Missing)

	res = checkFragments(t, f.Init, bh, FragmentOf("a.m4s", f.Fragments[0]), FragmentOf("other.m4s", other.Fragments[0]),
		FragmentOf("plain.m4s", []byte{0, 0, 0, 8, 'm', 'd', 'a', 't'}))
	assert.Equal(t, map[string]FragmentState{"a.m4s": FragmentMatch, "other.m4s": FragmentForeign, "plain.m4s": FragmentForeign}, states(res))

	// other.m4s relabelled as a leaf of this tree: a forged extra fragment.
	forged := bytes.Replace(bytes.Clone(other.Fragments[0]), []byte("huniqueId\x02"), []byte("huniqueId\x01"), 1)
	require.NotEqual(t, other.Fragments[0], forged)
	res = checkFragments(t, f.Init, bh, FragmentOf("forged.m4s", forged))
	assert.Equal(t, FragmentMismatch, states(res)["forged.m4s"])

	// A fragment whose leaf box names another position in the tree.
	moved := bytes.Replace(bytes.Clone(f.Fragments[1]), []byte("hlocation\x01"), []byte("hlocation\x02"), 1)
	require.NotEqual(t, f.Fragments[1], moved)
	res = checkFragments(t, f.Init, bh, FragmentOf("moved.m4s", moved))
	assert.Equal(t, FragmentMismatch, states(res)["moved.m4s"])

	res = checkFragments(t, f.Init, bh,
		FragmentOf("cut.m4s", f.Fragments[0][:len(f.Fragments[0])-3]),
		Fragment{Name: "gone.m4s", Open: func() (r io.ReaderAt, n int64, c func() error, err error) { return nil, 0, nil, os.ErrNotExist }})
	assert.Equal(t, map[string]FragmentState{"cut.m4s": FragmentUnreadable, "gone.m4s": FragmentUnreadable}, states(res))

	_, err := CheckBMFFFragments(bytes.NewReader(f.Init), int64(len(f.Init)), BMFFHash{Alg: "sha256"}, nil)
	assert.Error(t, err, "no Merkle tree")
	withHash := bh
	withHash.Hash = make([]byte, 32)
	_, err = CheckBMFFFragments(bytes.NewReader(f.Init), int64(len(f.Init)), withHash, nil)
	assert.ErrorContains(t, err, "whole-file hash")
}

// verify agrees with a tree built independently (build's test-data
// builder) for every leaf and every stored layer, and rejects a wrong leaf,
// a wrong sibling, a short proof and an index outside the tree.
func TestMerkleVerify(t *testing.T) {
	for n := 1; n <= 13; n++ {
		var leaves [][]byte
		for i := range n {
			s := sha256.Sum256([]byte{byte(i)})
			leaves = append(leaves, s[:])
		}
		layers := build.MerkleLayers(leaves)
		for stored := range layers {
			m := MerkleMap{Count: int64(n), Hashes: layers[stored]}
			for i := range n {
				proof := build.MerkleProof(layers, i, stored)
				l := merkleLeaf{Location: int64(i), Hashes: proof}
				require.True(t, m.verify("sha256", leaves[i], l), "n=%d stored=%d leaf %d", n, stored, i)
				assert.False(t, m.verify("sha256", leaves[(i+1)%n], l) && n > 1, "another leaf")
				if len(proof) > 0 {
					bad := merkleLeaf{Location: int64(i), Hashes: append([][]byte{bytes.Repeat([]byte{1}, 32)}, proof[1:]...)}
					assert.False(t, m.verify("sha256", leaves[i], bad), "a wrong sibling")
					short := merkleLeaf{Location: int64(i), Hashes: proof[:len(proof)-1]}
					assert.False(t, m.verify("sha256", leaves[i], short), "a short proof")
				}
			}
			assert.False(t, m.verify("sha256", leaves[0], merkleLeaf{Location: int64(n)}))
			assert.False(t, m.verify("sha256", leaves[0], merkleLeaf{Location: -1}))
		}
	}
}

// FuzzFragmentLeaves feeds arbitrary bytes as a fragment: they never panic,
// never match a tree they are not a leaf of, and whatever leaves parse keep
// their caps. The seeds are real fragments, so mutations reach the CBOR.
func FuzzFragmentLeaves(f *testing.F) {
	fx, err := build.SignedFragmentedMP4(build.Manifest{Generator: "fuzz"}, 3, 1, 5)
	if err != nil {
		f.Fatal(err)
	}
	for _, b := range fx.Fragments {
		f.Add(b)
	}
	f.Add([]byte{0, 0, 0, 8, 'u', 'u', 'i', 'd'})
	bh := BMFFHash{Label: "c2pa.hash.bmff.v3", Alg: "sha256", Exclusions: []BMFFExclusion{
		{XPath: "/uuid", Data: []BMFFData{{Offset: 8, Value: c2paBoxUUID}}},
	}, Merkle: []MerkleMap{{UniqueID: 5, LocalID: 1, Count: 3, InitHash: []byte{1}, Hashes: [][]byte{make([]byte, 32)}}}}
	f.Fuzz(func(t *testing.T, b []byte) {
		leaves, err := fragmentLeaves(bytes.NewReader(b), int64(len(b)))
		if err != nil && leaves != nil {
			t.Fatalf("leaves with an error: %v", err)
		}
		for _, l := range leaves {
			if len(l.Hashes) > maxMerkleProof {
				t.Fatalf("a proof of %d hashes passed the cap", len(l.Hashes))
			}
		}
		covered := map[[2]int64]map[int64]bool{}
		fc := checkFragment(FragmentOf("f", b), bh, covered)
		// The stored root is all zeros: nothing hashes to it.
		if fc.State == FragmentMatch || len(covered) != 0 {
			t.Fatalf("matched a tree of zeros: %+v", fc)
		}
		if err != nil && fc.State != FragmentUnreadable {
			t.Fatalf("parse error %v but state %s", err, fc.State)
		}
	})
}
