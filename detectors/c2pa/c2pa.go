// Package c2pa reads C2PA manifest stores far enough to say what they claim:
// every manifest (active and ingredients), v1 and v2 claims, actions with
// their digital source type and software agent, training-and-data-mining
// assertions, and the hard binding. Validate (validate.go) then checks what
// the store's bytes can prove: claim signatures, the hashes of assertions and
// ingredient manifests. Hand-written over the jumbf package and
// fxamacker/cbor, because no maintained Go C2PA reader exists.
package c2pa

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"github.com/fxamacker/cbor/v2"

	"github.com/aiaudit/aiaudit/detectors/jumbf"
)

// Kind says what a JUMBF box is.
type Kind int

const (
	KindNone      Kind = iota // the bytes are not a JUMBF superbox
	KindC2PA                  // a C2PA manifest store (type code c2pa)
	KindLegacyCAI             // the pre-standard CAI format (label "cai")
	KindOther                 // some other JUMBF content
)

// Store is the decoded content of a manifest store.
type Store struct {
	Manifests []Manifest
	Problems  []string
}

// Manifest is what one manifest claims.
type Manifest struct {
	Label  string
	Active bool // the last manifest in the store (C2PA 2.2 §10.4.3)
	// Update marks an update manifest (c2um): it has no hard binding of
	// its own and inherits its parent's (Parent, the parentOf ingredient's
	// manifest label).
	Update         bool
	Parent         string
	ClaimVersion   int
	ClaimGenerator string
	Title          string
	Actions        []Action
	TrainingMining []TrainingEntry
	DataHash       *DataHash
	BMFFHash       *BMFFHash
	BoxHash        *BoxHash
	// BindingKind is the label of the hard-binding assertion, if any.
	BindingKind         string
	MetadataSourceTypes []string
	Watermarked         bool
	// Thumbnail is the claim thumbnail's bytes (c2pa.thumbnail.claim.*, an
	// embedded JPEG or PNG): the asset as signed, as the signer shows it.
	Thumbnail []byte

	signed signedParts
}

// signedParts are the bytes of a manifest as they sit in the file, which
// validation hashes and verifies.
type signedParts struct {
	body       []byte // the manifest superbox after its header
	claim      []byte // the claim's CBOR: the signature's payload
	claimJSON  bool   // a JSON claim: the pre-1.0 format
	signature  []byte // the c2pa.signature box's COSE_Sign1 (nil: no box)
	alg        string // the claim's default hash algorithm
	refs       []hashedURI
	redacted   []string
	assertions map[string]assertionBox // by label as stored (with __N)
	// ingredients are the ingredient assertions' manifest references.
	ingredients []ingredientRef
	// ingredientActions are the actions that bring ingredients in.
	ingredientActions []ingredientAction
}

// ingredientAction is a c2pa.opened, c2pa.placed or c2pa.removed action and
// the ingredient assertions its parameters name.
type ingredientAction struct {
	action string
	named  bool     // parameters has "ingredients" (or the 1.x "ingredient")
	urls   []string // the hashed URIs' urls
}

// hashedURI is a reference with the hash of what it points at.
type hashedURI struct {
	URL, Alg string
	Hash     []byte
}

type assertionBox struct {
	body, content []byte // the superbox after its header; its content box's payload
}

type ingredientRef struct {
	assertion    string
	manifest     *hashedURI // nil: the ingredient has no manifest
	relationship string
}

// Action is one entry of a c2pa.actions assertion.
type Action struct {
	Action, SoftwareAgent, DigitalSourceType, Description string
}

// TrainingEntry is one entry of a c2pa.training-mining or cawg.training-mining
// assertion: Key is the use ("cawg.ai_generative_training"), Use its answer.
type TrainingEntry struct {
	Assertion, Key, Use string
}

// DataHash is the c2pa.hash.data hard binding: a hash over the asset bytes
// minus the exclusion ranges (where the store itself sits).
type DataHash struct {
	Alg        string
	Hash       []byte
	Exclusions []Exclusion
}

type Exclusion struct {
	Start, Length int64
}

// BMFFHashV1 labels the C2PA 1.x BMFF hash, hashed without box offsets.
const BMFFHashV1 = "c2pa.hash.bmff"

// BMFFHash is the c2pa.hash.bmff (v1), .v2 and .v3 hard binding of MP4, MOV, HEIF and
// AVIF files: a hash over the file's top-level boxes minus the excluded
// ones (the manifest's own uuid box, ftyp, mfra, ...), each box preceded by
// its file offset.
type BMFFHash struct {
	Label      string
	Alg        string
	Hash       []byte
	Exclusions []BMFFExclusion
	// Merkle holds the trees of a binding over the fragments of a
	// fragmented MP4, which needs the fragments to check
	// (CheckBMFFFragments).
	Merkle []MerkleMap
}

// BMFFExclusion selects boxes by path ("/uuid", "/moov/trak") and optional
// predicates on their bytes; Subset, when set, excludes only those byte
// ranges of the box.
type BMFFExclusion struct {
	XPath   string
	Length  *int64
	Data    []BMFFData
	Subset  []Exclusion // Start is the offset inside the box
	Version *int64
	Flags   []byte
	Exact   *bool
}

// BMFFData requires Value at Offset from the start of the box.
type BMFFData struct {
	Offset int64
	Value  []byte
}

// decMode caps what hostile CBOR may allocate.
var decMode = func() cbor.DecMode {
	m, err := cbor.DecOptions{
		MaxNestedLevels:  32,
		MaxArrayElements: 65536,
		MaxMapPairs:      65536,
		DupMapKey:        cbor.DupMapKeyQuiet,
		TimeTag:          cbor.DecTagOptional,
	}.DecMode()
	if err != nil {
		panic(err) // static options: cannot fail
	}
	return m
}()

var suffixN = regexp.MustCompile(`__\d+$`)

// baseLabel strips the __N suffix C2PA adds to repeated assertion labels.
func baseLabel(l string) string { return suffixN.ReplaceAllString(l, "") }

var manifestCodes = map[string]bool{"c2ma": true, "c2um": true, "c2md": true, "c2tm": true, "c2cm": true}

// Inspect classifies a JUMBF box and, for a C2PA store, decodes every
// manifest. A non-nil error means the store is malformed; whatever could be
// read is still returned.
func Inspect(b []byte) (Kind, *Store, error) {
	root, err := jumbf.Parse(b)
	if root != nil && root.Type != "jumb" {
		return KindNone, nil, fmt.Errorf("not a JUMBF superbox (box type %q)", root.Type)
	}
	if root == nil {
		if len(b) >= 8 && string(b[4:8]) == "jumb" {
			return KindC2PA, nil, fmt.Errorf("unreadable JUMBF: %w", err)
		}
		return KindNone, nil, err
	}
	switch {
	case root.TypeCode() == "c2pa" || root.Label == "c2pa":
	case root.Label == "cai" || root.TypeCode() == "cacb":
		return KindLegacyCAI, nil, err
	default:
		return KindOther, nil, err
	}
	st := &Store{}
	for _, c := range root.Children {
		if c.Type != "jumb" {
			continue
		}
		if !manifestCodes[c.TypeCode()] {
			st.Problems = append(st.Problems, fmt.Sprintf("unexpected box %q (type %s) in the manifest store", c.Label, c.TypeCode()))
			continue
		}
		st.Manifests = append(st.Manifests, st.manifest(c))
	}
	if n := len(st.Manifests); n > 0 {
		st.Manifests[n-1].Active = true
	} else if err == nil {
		err = fmt.Errorf("the manifest store holds no manifest")
	}
	return KindC2PA, st, err
}

// BindingManifest is the manifest whose hard binding binds m to the asset:
// m itself, or for an update manifest its parent's (C2PA 2.2 section
// 10.3.3), followed a bounded number of steps.
func (s *Store) BindingManifest(m *Manifest) *Manifest {
	for range 8 {
		if !m.Update || m.BindingKind != "" {
			return m
		}
		p := s.byLabel(m.Parent)
		if p == nil {
			return m
		}
		m = p
	}
	return m
}

// Active returns the active manifest, or nil.
func (s *Store) Active() *Manifest {
	for i := range s.Manifests {
		if s.Manifests[i].Active {
			return &s.Manifests[i]
		}
	}
	return nil
}

func (s *Store) problem(m *Manifest, format string, args ...any) {
	s.Problems = append(s.Problems, fmt.Sprintf("manifest %q: ", m.Label)+fmt.Sprintf(format, args...))
}

func (s *Store) manifest(box *jumbf.Box) Manifest {
	m := Manifest{Label: box.Label, ClaimVersion: 1, Update: box.TypeCode() == "c2um"}
	m.signed.body = box.Body
	if box.TypeCode() == "c2cm" {
		s.problem(&m, "compressed manifest (brob) not decoded")
		return m
	}
	if claim := box.ChildByCode("c2cl"); claim != nil {
		if claim.Label == "c2pa.claim.v2" {
			m.ClaimVersion = 2
		}
		if c := claim.Content("cbor"); c != nil {
			m.signed.claim = c.Payload
		} else if claim.Content("json") != nil {
			m.signed.claimJSON = true
		}
		if v, err := decodeContent(claim); err != nil {
			s.problem(&m, "claim: %v", err)
		} else {
			m.readClaim(v)
		}
	} else {
		s.problem(&m, "no claim box")
	}
	if sig := box.ChildByCode("c2cs"); sig != nil {
		m.signed.signature = []byte{}
		if c := sig.Content("cbor"); c != nil {
			m.signed.signature = c.Payload
		}
	}
	if as := box.ChildByCode("c2as"); as != nil {
		m.signed.assertions = map[string]assertionBox{}
		for _, a := range as.Children {
			if a.Type != "jumb" {
				continue
			}
			ab := assertionBox{body: a.Body}
			for _, c := range a.Children {
				if c.Type != "jumd" && c.Type != "jumb" && ab.content == nil {
					ab.content = c.Payload
				}
			}
			m.signed.assertions[a.Label] = ab
			if strings.HasPrefix(baseLabel(a.Label), "c2pa.thumbnail.claim.") {
				if data := a.Content("bidb"); data != nil {
					m.Thumbnail = data.Payload
				}
			}
			v, err := decodeContent(a)
			if err != nil {
				s.problem(&m, "assertion %q: %v", a.Label, err)
				continue
			}
			m.readAssertion(baseLabel(a.Label), v)
			if strings.HasPrefix(baseLabel(a.Label), "c2pa.ingredient") {
				ing := readIngredient(a.Label, v)
				m.signed.ingredients = append(m.signed.ingredients, ing)
				if ing.relationship == "parentOf" && ing.manifest != nil {
					m.Parent, _ = jumbf.SplitURI(ing.manifest.URL)
				}
			}
		}
	}
	return m
}

// decodeContent decodes the cbor or json content box of a superbox.
func decodeContent(box *jumbf.Box) (any, error) {
	if c := box.Content("cbor"); c != nil {
		var v any
		if err := decMode.Unmarshal(c.Payload, &v); err != nil {
			return nil, err
		}
		return v, nil
	}
	if c := box.Content("json"); c != nil {
		var v any
		if err := json.Unmarshal(c.Payload, &v); err != nil {
			return nil, err
		}
		return v, nil
	}
	return nil, nil // embedded files (thumbnails) and others carry no claims
}

func (m *Manifest) readClaim(v any) {
	c := asMap(v)
	gen := str(c["claim_generator"])
	info := c["claim_generator_info"]
	if arr, ok := info.([]any); ok && len(arr) > 0 {
		info = arr[0]
	}
	// v1 claims must carry the claim_generator string; v2 claims only have
	// claim_generator_info. The string wins when both exist, as it is what
	// the signer wrote for people.
	if im := asMap(info); im != nil && gen == "" {
		gen = strings.TrimSpace(str(im["name"]) + " " + str(im["version"]))
	}
	m.ClaimGenerator = gen
	m.Title = str(c["dc:title"])
	m.signed.alg = str(c["alg"])
	for _, key := range []string{"assertions", "created_assertions", "gathered_assertions"} {
		for _, r := range asSlice(c[key]) {
			m.signed.refs = append(m.signed.refs, readHashedURI(r))
		}
	}
	for _, r := range asSlice(c["redacted_assertions"]) {
		m.signed.redacted = append(m.signed.redacted, str(r))
	}
}

func readHashedURI(v any) hashedURI {
	h := asMap(v)
	return hashedURI{URL: str(h["url"]), Alg: str(h["alg"]), Hash: bytesOf(h["hash"])}
}

// readIngredient reads the manifest an ingredient assertion points at:
// c2pa_manifest (v1, v2) or activeManifest (v3).
func readIngredient(label string, v any) ingredientRef {
	a := asMap(v)
	ref := ingredientRef{assertion: label, relationship: str(a["relationship"])}
	for _, key := range []string{"activeManifest", "c2pa_manifest"} {
		if m := asMap(a[key]); m != nil {
			h := readHashedURI(m)
			ref.manifest = &h
			break
		}
	}
	return ref
}

func readIngredientAction(action string, params map[string]any) ingredientAction {
	a := ingredientAction{action: action}
	if v, ok := params["ingredients"]; ok {
		a.named = true
		for _, r := range asSlice(v) {
			a.urls = append(a.urls, str(asMap(r)["url"]))
		}
	} else if v, ok := params["ingredient"]; ok {
		a.named = true
		a.urls = []string{str(asMap(v)["url"])}
	}
	return a
}

func (m *Manifest) readAssertion(label string, v any) {
	a := asMap(v)
	switch {
	case label == "c2pa.actions" || label == "c2pa.actions.v2":
		for _, item := range asSlice(a["actions"]) {
			am := asMap(item)
			act := Action{
				Action:            str(am["action"]),
				SoftwareAgent:     agent(am["softwareAgent"]),
				DigitalSourceType: strings.TrimSpace(str(am["digitalSourceType"])),
				Description:       str(am["description"]),
			}
			if act.Description == "" {
				act.Description = str(asMap(am["parameters"])["description"])
			}
			if strings.HasPrefix(act.Action, "c2pa.watermarked") {
				m.Watermarked = true
			}
			if act.Action == "c2pa.opened" || act.Action == "c2pa.placed" || act.Action == "c2pa.removed" {
				m.signed.ingredientActions = append(m.signed.ingredientActions, readIngredientAction(act.Action, asMap(am["parameters"])))
			}
			m.Actions = append(m.Actions, act)
		}
	case label == "c2pa.training-mining" || label == "cawg.training-mining":
		for key, e := range asMap(a["entries"]) {
			m.TrainingMining = append(m.TrainingMining, TrainingEntry{Assertion: label, Key: fmt.Sprint(key), Use: str(asMap(e)["use"])})
		}
		sortEntries(m.TrainingMining)
	case label == "c2pa.hash.data":
		m.BindingKind = label
		dh := &DataHash{Alg: firstOf(str(a["alg"]), m.signed.alg), Hash: bytesOf(a["hash"])}
		for _, e := range asSlice(a["exclusions"]) {
			em := asMap(e)
			dh.Exclusions = append(dh.Exclusions, Exclusion{Start: integer(em["start"]), Length: integer(em["length"])})
		}
		m.DataHash = dh
	case label == BMFFHashV1 || label == "c2pa.hash.bmff.v2" || label == "c2pa.hash.bmff.v3":
		m.BindingKind = label
		bh := &BMFFHash{Label: label, Alg: firstOf(str(a["alg"]), m.signed.alg), Hash: bytesOf(a["hash"]), Merkle: readMerkleMaps(a["merkle"])}
		for _, e := range asSlice(a["exclusions"]) {
			em := asMap(e)
			ex := BMFFExclusion{XPath: str(em["xpath"]), Flags: bytesOf(em["flags"])}
			// Absent and null both mean "no such predicate".
			if v := em["length"]; v != nil {
				n := integer(v)
				ex.Length = &n
			}
			if v := em["version"]; v != nil {
				n := integer(v)
				ex.Version = &n
			}
			if v, ok := em["exact"].(bool); ok {
				ex.Exact = &v
			}
			for _, d := range asSlice(em["data"]) {
				dm := asMap(d)
				ex.Data = append(ex.Data, BMFFData{Offset: integer(dm["offset"]), Value: bytesOf(dm["value"])})
			}
			for _, sub := range asSlice(em["subset"]) {
				sm := asMap(sub)
				ex.Subset = append(ex.Subset, Exclusion{Start: integer(sm["offset"]), Length: integer(sm["length"])})
			}
			bh.Exclusions = append(bh.Exclusions, ex)
		}
		m.BMFFHash = bh
	case label == "c2pa.hash.boxes":
		m.BindingKind = label
		m.BoxHash = readBoxHash(a)
		m.BoxHash.Alg = firstOf(m.BoxHash.Alg, m.signed.alg) // an assertion naming none takes its claim's
	case strings.HasPrefix(label, "c2pa.hash.bmff") || label == "c2pa.hash.collection.data":
		m.BindingKind = label
	case label == "c2pa.soft-binding":
		m.Watermarked = true
	case label == "c2pa.metadata" || strings.HasSuffix(label, ".metadata") || strings.HasPrefix(label, "stds.iptc"):
		findValues(v, "Iptc4xmpExt:DigitalSourceType", &m.MetadataSourceTypes, 0)
	}
}

// agent renders softwareAgent: a string in v1 claims, a map {name, version}
// in v2.
func agent(v any) string {
	if s, ok := v.(string); ok {
		return strings.TrimSpace(s)
	}
	m := asMap(v)
	return strings.TrimSpace(str(m["name"]) + " " + str(m["version"]))
}

// findValues collects every string value under key, at any depth of JSON-LD.
func findValues(v any, key string, out *[]string, depth int) {
	if depth > 32 {
		return
	}
	switch t := v.(type) {
	case map[any]any:
		for k, val := range t {
			if fmt.Sprint(k) == key {
				if s := str(val); s != "" {
					*out = append(*out, strings.TrimSpace(s))
				} else if id := str(asMap(val)["@id"]); id != "" {
					*out = append(*out, strings.TrimSpace(id))
				}
			}
			findValues(val, key, out, depth+1)
		}
	case map[string]any:
		for k, val := range t {
			if k == key {
				if s := str(val); s != "" {
					*out = append(*out, strings.TrimSpace(s))
				} else if id := str(asMap(val)["@id"]); id != "" {
					*out = append(*out, strings.TrimSpace(id))
				}
			}
			findValues(val, key, out, depth+1)
		}
	case []any:
		for _, val := range t {
			findValues(val, key, out, depth+1)
		}
	}
}

// The three IPTC digital source types that mean generative AI (SIGNALS.md),
// plus C2PA's own term for generated data.
var aiTerms = map[string]bool{
	"trainedalgorithmicmedia":              true,
	"compositewithtrainedalgorithmicmedia": true,
	"compositesynthetic":                   true,
	"trainedalgorithmicdata":               true,
}

// IsAIType reports whether a digital source type URI (http or https, any
// surrounding white space) declares generative-AI content.
func IsAIType(dst string) bool {
	dst = strings.TrimSpace(dst)
	i := strings.LastIndexAny(dst, "/#")
	term := strings.ToLower(dst[i+1:])
	if !aiTerms[term] {
		return false
	}
	host := strings.ToLower(dst)
	for _, p := range []string{"http://", "https://"} {
		host = strings.TrimPrefix(host, p)
	}
	return strings.HasPrefix(host, "cv.iptc.org/newscodes/digitalsourcetype/") || strings.HasPrefix(host, "c2pa.org/digitalsourcetype/") || i < 0
}
