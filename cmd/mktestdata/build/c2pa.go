package build

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"maps"
	"slices"

	"github.com/fxamacker/cbor/v2"
)

// The JUMBF type UUIDs C2PA uses all end in this suffix; the first four bytes
// spell the box's role (ISO 19566-5, C2PA 2.2 section 11).
var uuidSuffix = []byte{0x00, 0x11, 0x00, 0x10, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71}

// Manifest describes one test manifest, signed by Signer.
type Manifest struct {
	// Label is the manifest's label (default urn:c2pa:...0001).
	Label string
	// Signer signs the claim (nil: TestPKI); TimeStamp, when set,
	// time-stamps the signature.
	Signer    *PKI
	TimeStamp *TSA
	// OCSP holds DER OCSP responses stapled in the signature's rVals
	// header; IssuerInChain adds the signer's issuer to x5chain (an OCSP
	// response is checked with it).
	OCSP          [][]byte
	IssuerInChain bool
	// Ingredient, when set, is a manifest put before this one in the store
	// and referred to by a c2pa.ingredient.v3 assertion (parentOf).
	Ingredient        *Manifest
	Generator         string // claim_generator_info name
	Action            string // e.g. c2pa.created
	DigitalSourceType string
	SoftwareAgent     string
	TrainingUse       string // c2pa.ai_training use; "" for no training-mining assertion
	// Boxes, when set, makes the hard binding c2pa.hash.boxes (C2PA 18.7)
	// with these entries, in place of c2pa.hash.data.
	Boxes []BoxHashEntry
	// BMFF, when set, makes the hard binding c2pa.hash.bmff.v3 with this
	// value (C2PA 18.6), in place of c2pa.hash.data.
	BMFF map[string]any
	// Extra holds more assertions, label to CBOR value (e.g. a CAWG
	// training-mining assertion taken from the CAWG spec's example).
	Extra map[string]any
	// Identity, when set, adds a CAWG identity assertion (cawg.identity)
	// signed with an X.509 certificate.
	Identity *Identity
	// Thumbnail, when set, is the JPEG of a c2pa.thumbnail.claim.jpeg
	// assertion: an embedded file (description and binary data boxes).
	Thumbnail []byte
}

// Identity describes a CAWG X.509 identity assertion: its signer payload
// references the manifest's assertions named in Refs, and Signer (nil:
// TestPKI) signs it (sig_type cawg.x509.cose). Edit changes the signer
// payload before it is signed, Tamper the whole assertion after: a test's
// one change.
type Identity struct {
	Signer *PKI
	Refs   []string
	Roles  []string
	Edit   func(*SignerPayload)
	Tamper func(*IdentityAssertion)
}

// IdentityAssertion is the cawg.identity assertion's CBOR.
type IdentityAssertion struct {
	SignerPayload SignerPayload `cbor:"signer_payload"`
	Signature     []byte        `cbor:"signature"`
	Pad1          []byte        `cbor:"pad1"`
	Pad2          []byte        `cbor:"pad2,omitempty"`
}

// SignerPayload is what an identity assertion's signer signs.
type SignerPayload struct {
	ReferencedAssertions []HashedURI `cbor:"referenced_assertions"`
	SigType              string      `cbor:"sig_type"`
	Roles                []string    `cbor:"role,omitempty"`
}

// HashedURI points at an assertion with its hash.
type HashedURI struct {
	URL  string `cbor:"url"`
	Hash []byte `cbor:"hash"`
}

// assertion signs id over the references it names among refs (by label).
func (id Identity) assertion(refs map[string]HashedURI) (IdentityAssertion, error) {
	p := SignerPayload{SigType: "cawg.x509.cose", Roles: id.Roles}
	for _, l := range id.Refs {
		p.ReferencedAssertions = append(p.ReferencedAssertions, HashedURI{URL: refs[l].URL, Hash: slices.Clone(refs[l].Hash)})
	}
	if id.Edit != nil {
		id.Edit(&p)
	}
	payload, err := encMode.Marshal(p)
	if err != nil {
		return IdentityAssertion{}, err
	}
	signer := id.Signer
	if signer == nil {
		if signer, err = TestPKI(); err != nil {
			return IdentityAssertion{}, err
		}
	}
	sig, err := signer.sign(payload, &Manifest{}) // no time-stamp, nothing stapled
	a := IdentityAssertion{SignerPayload: p, Signature: sig, Pad1: make([]byte, 16)}
	if id.Tamper != nil {
		id.Tamper(&a)
	}
	return a, err
}

// BoxHashEntry is one entry of a c2pa.hash.boxes assertion.
type BoxHashEntry struct {
	Names []string `cbor:"names"`
	Hash  []byte   `cbor:"hash"`
	Pad   []byte   `cbor:"pad"`
}

// encMode sorts map keys so that generated files are byte-for-byte stable.
var encMode = func() cbor.EncMode {
	m, err := cbor.EncOptions{Sort: cbor.SortCanonical}.EncMode()
	if err != nil {
		panic(err) // static options: cannot fail
	}
	return m
}()

// jumbfBox frames a plain box.
func jumbfBox(typ string, payload []byte) []byte {
	out := make([]byte, 8, 8+len(payload))
	binary.BigEndian.PutUint32(out, uint32(8+len(payload)))
	copy(out[4:], typ)
	return append(out, payload...)
}

// superbox frames a jumb superbox with its description box.
func superbox(code, label string, children ...[]byte) []byte {
	d := append([]byte(code), uuidSuffix...)
	d = append(d, 0x03) // toggles: requestable + label present
	d = append(append(d, label...), 0)
	payload := jumbfBox("jumd", d)
	for _, c := range children {
		payload = append(payload, c...)
	}
	return jumbfBox("jumb", payload)
}

func cborAssertion(label string, v any) ([]byte, error) {
	b, err := encMode.Marshal(v)
	if err != nil {
		return nil, err
	}
	return superbox("cbor", label, jumbfBox("cbor", b)), nil
}

// Store builds a manifest store whose active manifest is m, with a
// c2pa.hash.data assertion that carries hash and one exclusion range.
func (m Manifest) Store(hash []byte, exclStart, exclLen int) ([]byte, error) {
	var boxes [][]byte
	for ing := m.Ingredient; ing != nil; ing = ing.Ingredient {
		// An ingredient's binding was to its own asset: any hash will do.
		b, err := ing.box(make([]byte, 32), 0, 0)
		if err != nil {
			return nil, err
		}
		boxes = append([][]byte{b}, boxes...)
	}
	b, err := m.box(hash, exclStart, exclLen)
	if err != nil {
		return nil, err
	}
	return superbox("c2pa", "c2pa", append(boxes, b)...), nil
}

func (m Manifest) label() string {
	if m.Label != "" {
		return m.Label
	}
	return "urn:c2pa:00000000-0000-4000-8000-000000000001"
}

// box builds m's manifest superbox.
func (m Manifest) box(hash []byte, exclStart, exclLen int) ([]byte, error) {
	action := map[string]any{
		"action":            m.Action,
		"digitalSourceType": m.DigitalSourceType,
		"softwareAgent":     map[string]any{"name": m.SoftwareAgent, "version": "1.0"},
	}
	actions := map[string]any{"actions": []map[string]any{action}}
	type excl struct {
		Start  int `cbor:"start"`
		Length int `cbor:"length"`
	}
	dataHash := map[string]any{
		"exclusions": []excl{{exclStart, exclLen}},
		"name":       "jumbf manifest",
		"alg":        "sha256",
		"hash":       hash,
		"pad":        []byte{},
	}
	var assertions [][]byte
	labels := []string{"c2pa.actions.v2", "c2pa.hash.data"}
	values := []any{actions, dataHash}
	switch {
	case m.Boxes != nil:
		labels[1], values[1] = "c2pa.hash.boxes", map[string]any{"alg": "sha256", "boxes": m.Boxes}
	case m.BMFF != nil:
		labels[1], values[1] = "c2pa.hash.bmff.v3", m.BMFF
	}
	if m.TrainingUse != "" {
		labels = append(labels, "c2pa.training-mining")
		values = append(values, map[string]any{"entries": map[string]any{
			"c2pa.ai_training":            map[string]string{"use": m.TrainingUse},
			"c2pa.ai_generative_training": map[string]string{"use": m.TrainingUse},
		}})
	}
	for _, l := range slices.Sorted(maps.Keys(m.Extra)) {
		labels = append(labels, l)
		values = append(values, m.Extra[l])
	}
	if m.Ingredient != nil {
		ib, err := m.Ingredient.box(make([]byte, 32), 0, 0)
		if err != nil {
			return nil, err
		}
		sum := sha256.Sum256(ib[8:])
		const label = "c2pa.ingredient.v3"
		ingredient := map[string]any{
			"title": "ingredient", "relationship": "parentOf",
			"activeManifest":    map[string]any{"url": "self#jumbf=/c2pa/" + m.Ingredient.label(), "hash": sum[:]},
			"validationResults": map[string]any{"activeManifest": map[string]any{"success": []any{}, "informational": []any{}, "failure": []any{}}},
		}
		// The action names its ingredient, as C2PA requires of
		// c2pa.opened, c2pa.placed and c2pa.removed (the encoding is
		// canonical: framed again below, the assertion has this hash).
		framed, err := cborAssertion(label, ingredient)
		if err != nil {
			return nil, err
		}
		action["parameters"] = map[string]any{"ingredients": []HashedURI{hashedRef(label, framed)}}
		labels = append(labels, label)
		values = append(values, ingredient)
	}
	var refs []HashedURI
	byLabel := map[string]HashedURI{}
	add := func(l string, v any) error {
		a, err := cborAssertion(l, v)
		if err != nil {
			return err
		}
		assertions = append(assertions, a)
		refs = append(refs, hashedRef(l, a))
		byLabel[l] = refs[len(refs)-1]
		return nil
	}
	for i, l := range labels {
		if err := add(l, values[i]); err != nil {
			return nil, err
		}
	}
	if m.Thumbnail != nil {
		const label = "c2pa.thumbnail.claim.jpeg"
		d := []byte{0x40, 0xCB, 0x0C, 0x32, 0xBB, 0x8A, 0x48, 0x9D, 0xA7, 0x0B, 0x2A, 0xD6, 0xF4, 0x7F, 0x43, 0x69, 0x03} // embedded file type, toggles
		d = append(append(d, label...), 0)
		a := jumbfBox("jumb", slices.Concat(jumbfBox("jumd", d), jumbfBox("bfdb", []byte("\x00image/jpeg\x00")), jumbfBox("bidb", m.Thumbnail)))
		assertions = append(assertions, a)
		refs = append(refs, hashedRef(label, a))
	}
	// The identity assertion comes last: it signs the others' hashes.
	if m.Identity != nil {
		ia, err := m.Identity.assertion(byLabel)
		if err != nil {
			return nil, err
		}
		if err := add("cawg.identity", ia); err != nil {
			return nil, err
		}
	}
	claim, err := encMode.Marshal(map[string]any{
		"instanceID":           "xmp:iid:00000000-0000-4000-8000-00000000c2pa",
		"claim_generator_info": map[string]any{"name": m.Generator, "version": "0.1"},
		"signature":            "self#jumbf=c2pa.signature",
		"created_assertions":   refs,
		"alg":                  "sha256",
	})
	if err != nil {
		return nil, err
	}
	signer := m.Signer
	if signer == nil {
		if signer, err = TestPKI(); err != nil {
			return nil, err
		}
	}
	sig, err := signer.sign(claim, &m)
	if err != nil {
		return nil, err
	}
	return superbox("c2ma", m.label(),
		superbox("c2as", "c2pa.assertions", assertions...),
		superbox("c2cl", "c2pa.claim.v2", jumbfBox("cbor", claim)),
		superbox("c2cs", "c2pa.signature", jumbfBox("cbor", sig)),
	), nil
}

// hashedRef is the claim's hashed URI of an assertion superbox: the hash
// covers the superbox after its header.
func hashedRef(label string, assertion []byte) HashedURI {
	sum := sha256.Sum256(assertion[8:]) // the superbox after its header
	return HashedURI{URL: "self#jumbf=c2pa.assertions/" + label, Hash: sum[:]}
}

// app11 wraps a JUMBF store in one JPEG APP11 segment (CI "JP", En, Z=1).
func app11(store []byte) ([]byte, error) {
	payload := append([]byte{'J', 'P', 0x02, 0x11, 0, 0, 0, 1}, store...)
	if len(payload)+2 > 0xFFFF {
		return nil, fmt.Errorf("test store too large for one APP11 segment")
	}
	seg := []byte{0xFF, 0xEB, 0, 0}
	binary.BigEndian.PutUint16(seg[2:], uint16(len(payload)+2))
	return append(seg, payload...), nil
}

// SignedJPEG embeds m in jpg right after SOI with a correct hard binding: the
// data hash covers every byte except the APP11 segment itself.
func SignedJPEG(jpg []byte, m Manifest) ([]byte, error) {
	return bound(m, func(store []byte) ([]byte, int, int, error) {
		seg, err := app11(store)
		if err != nil {
			return nil, 0, 0, err
		}
		var out bytes.Buffer
		out.Write(jpg[:2])
		out.Write(seg)
		out.Write(jpg[2:])
		return out.Bytes(), 2, len(seg), nil
	})
}

// Transplant moves the APP11 segment of signed (made by SignedJPEG) onto other
// pixels: the manifest is intact, its hard binding no longer matches.
func Transplant(signed, other []byte) []byte {
	segLen := int(binary.BigEndian.Uint16(signed[4:6])) + 2
	var out bytes.Buffer
	out.Write(other[:2])
	out.Write(signed[2 : 2+segLen])
	out.Write(other[2:])
	return out.Bytes()
}
