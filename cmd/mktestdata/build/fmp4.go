package build

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
)

// c2paUUID is the extended type of C2PA's BMFF uuid boxes (C2PA A.4).
var c2paUUID = []byte{0xD8, 0xFE, 0xC3, 0xD6, 0x1B, 0x0E, 0x48, 0x3C, 0x92, 0x97, 0x58, 0x28, 0x87, 0x7E, 0xC4, 0x81}

// c2paUUIDBox frames a C2PA uuid box: the uuid, FullBox version and flags,
// the purpose NUL-terminated, then payload.
func c2paUUIDBox(purpose string, payload []byte) []byte {
	body := append(append([]byte{}, c2paUUID...), 0, 0, 0, 0)
	body = append(append(body, purpose...), 0)
	return isoBox("uuid", append(body, payload...))
}

// bmffV2Hash is the c2pa.hash.bmff.v2/v3 hash of a file made of top-level
// boxes, where the boxes that skip says are excluded: every other box is
// hashed as its offset (8 bytes, big-endian) and its bytes.
func bmffV2Hash(boxes [][]byte, skip func(box []byte) bool) []byte {
	h := sha256.New()
	off := 0
	for _, b := range boxes {
		if !skip(b) {
			var mark [8]byte
			binary.BigEndian.PutUint64(mark[:], uint64(off))
			h.Write(mark[:])
			h.Write(b)
		}
		off += len(b)
	}
	return h.Sum(nil)
}

// isExcluded mirrors the exclusions SignedFragmentedMP4 writes: ftyp, mfra
// and C2PA uuid boxes.
func isExcluded(b []byte) bool {
	typ := string(b[4:8])
	return typ == "ftyp" || typ == "mfra" || typ == "uuid" && string(b[8:24]) == string(c2paUUID)
}

// MerkleLayers builds a C2PA Merkle tree from its leaves: each layer pairs
// nodes left to right and hashes left||right; an odd last node passes up
// unchanged. layers[0] is the leaves, the last layer the root.
func MerkleLayers(leaves [][]byte) [][][]byte {
	layers := [][][]byte{leaves}
	for cur := leaves; len(cur) > 1; cur = layers[len(layers)-1] {
		var up [][]byte
		for i := 0; i < len(cur); i += 2 {
			if i+1 == len(cur) {
				up = append(up, cur[i])
				continue
			}
			sum := sha256.Sum256(append(append([]byte{}, cur[i]...), cur[i+1]...))
			up = append(up, sum[:])
		}
		layers = append(layers, up)
	}
	return layers
}

// MerkleProof lists the siblings of leaf i from the leaves up to (not
// including) layer top.
func MerkleProof(layers [][][]byte, i, top int) [][]byte {
	proof := [][]byte{}
	for _, layer := range layers[:top] {
		if s := i ^ 1; s < len(layer) {
			proof = append(proof, layer[s])
		}
		i /= 2
	}
	return proof
}

// FragmentedMP4 is a signed fragmented MP4 as DASH keeps it: an init
// segment holding the manifest, and one file per fragment.
type FragmentedMP4 struct {
	Init      []byte
	Fragments [][]byte
}

// SignedFragmentedMP4 signs m over n fragments with a c2pa.hash.bmff.v3
// Merkle binding (C2PA 18.6.3): the manifest stores the init segment's hash
// and the layer `stored` of the tree over the fragments' hashes (0: the
// leaves; the last layer is the root); each fragment carries a C2PA merkle
// uuid box with its leaf index and its proof up to that layer. uniqueID
// tells renditions apart.
func SignedFragmentedMP4(m Manifest, n, stored, uniqueID int) (FragmentedMP4, error) {
	if n < 1 {
		return FragmentedMP4{}, fmt.Errorf("a fragmented MP4 needs a fragment")
	}
	ftyp := isoBox("ftyp", []byte("iso6\x00\x00\x00\x00iso6dash"))
	moov := isoBox("moov", isoBox("mvex", isoBox("trex", make([]byte, 24))))
	initHash := bmffV2Hash([][]byte{ftyp, moov}, isExcluded)

	// A fragment's leaf hash covers its boxes' offsets, which follow its
	// merkle box: that box is sized first with a proof of zero hashes of
	// the final length, then filled in.
	type leafBox struct {
		UniqueID int      `cbor:"uniqueId"`
		LocalID  int      `cbor:"localId"`
		Location int      `cbor:"location"`
		Hashes   [][]byte `cbor:"hashes"`
	}
	zero := make([][]byte, n)
	for i := range zero {
		zero[i] = make([]byte, sha256.Size)
	}
	depth := len(MerkleLayers(zero)) - 1
	stored = min(max(stored, 0), depth)
	bodies := make([][][]byte, n) // each fragment's boxes after its merkle box
	leaves := make([][]byte, n)
	merkleBox := func(i int, proof [][]byte) ([]byte, error) {
		b, err := encMode.Marshal(leafBox{UniqueID: uniqueID, LocalID: 1, Location: i, Hashes: proof})
		return c2paUUIDBox("merkle", b), err
	}
	for i := range n {
		styp := isoBox("styp", []byte("msdh\x00\x00\x00\x00msdhmsix"))
		seq := binary.BigEndian.AppendUint32([]byte{0, 0, 0, 0}, uint32(i+1))
		moof := isoBox("moof", isoBox("mfhd", seq))
		mdat := isoBox("mdat", []byte(fmt.Sprintf("rendition %d, fragment %d of %d: samples %x", uniqueID, i, n, sha256.Sum256(seq))))
		bodies[i] = [][]byte{styp, moof, mdat}
		placeholder, err := merkleBox(i, MerkleProof(MerkleLayers(zero), i, stored))
		if err != nil {
			return FragmentedMP4{}, err
		}
		leaves[i] = bmffV2Hash([][]byte{styp, placeholder, moof, mdat}, isExcluded)
	}
	layers := MerkleLayers(leaves)
	out := FragmentedMP4{}
	for i := range n {
		box, err := merkleBox(i, MerkleProof(layers, i, stored))
		if err != nil {
			return FragmentedMP4{}, err
		}
		b := bodies[i]
		out.Fragments = append(out.Fragments, concat(b[0], box, b[1], b[2]))
	}
	m.BMFF = map[string]any{
		"alg":  "sha256",
		"name": "fragmented mp4",
		"exclusions": []map[string]any{
			{"xpath": "/ftyp"},
			{"xpath": "/uuid", "data": []map[string]any{{"offset": 8, "value": c2paUUID}}},
			{"xpath": "/mfra"},
		},
		"merkle": []map[string]any{{
			"uniqueId": uniqueID, "localId": 1, "count": n, "alg": "sha256",
			"initHash": initHash, "hashes": layers[stored],
		}},
	}
	store, err := m.Store(nil, 0, 0)
	if err != nil {
		return FragmentedMP4{}, err
	}
	// The manifest box follows moov, so moov's offset, and with it the
	// init hash, do not depend on the store's size.
	manifest := c2paUUIDBox("manifest", append(make([]byte, 8), store...))
	out.Init = concat(ftyp, moov, manifest)
	return out, nil
}

func concat(parts ...[]byte) []byte {
	var out []byte
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}
