// Package media runs every media detector over one file and combines their
// evidence into verdicts: AI-made or not, machine-readable label, training
// opt-out, provenance. It is a pure function of the bytes it is given (and,
// with --online, of the OCSP answers its Limits.Revocation lookup gets).
package media

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/zeebo/xxh3"

	"github.com/aiaudit/aiaudit/detectors"
	"github.com/aiaudit/aiaudit/detectors/c2pa"
	"github.com/aiaudit/aiaudit/detectors/c2pa/revocation"
	"github.com/aiaudit/aiaudit/detectors/c2pa/status"
	"github.com/aiaudit/aiaudit/detectors/c2pa/trust"
	"github.com/aiaudit/aiaudit/detectors/container"
	"github.com/aiaudit/aiaudit/detectors/exif"
	"github.com/aiaudit/aiaudit/detectors/generators"
	"github.com/aiaudit/aiaudit/detectors/notes"
	"github.com/aiaudit/aiaudit/detectors/stealth"
	"github.com/aiaudit/aiaudit/detectors/text"
	"github.com/aiaudit/aiaudit/detectors/xmp"
)

// Limits caps what one file may cost.
type Limits struct {
	Container container.Limits
	// MaxStealthPixels caps the PNG size decoded for A1111 stealth metadata.
	MaxStealthPixels int
	// MaxStealthBytes caps the PNG file size read whole for that decode.
	MaxStealthBytes int64
	// MaxHashBytes caps the file size whose C2PA hard binding is checked:
	// the check reads the whole file (a video's media data included). It
	// caps each fragment of a fragmented MP4 too.
	MaxHashBytes int64
	// MaxFragments caps the fragment files checked with one init segment.
	MaxFragments int
	// Trust decides which C2PA signers are trusted (nil: the shipped C2PA
	// trust lists).
	Trust *trust.Store
	// Now is the time a C2PA signature without a time-stamp is judged at
	// (zero: the time of the scan).
	Now time.Time
	// Revocation, when set (--online), looks up the OCSP status of C2PA
	// signers whose manifest staples none; nil makes no lookup.
	Revocation revocation.Fetcher
}

func (l Limits) withDefaults() Limits {
	if l.MaxStealthPixels <= 0 {
		l.MaxStealthPixels = 40_000_000
	}
	if l.MaxStealthBytes <= 0 {
		l.MaxStealthBytes = 64 << 20
	}
	if l.MaxHashBytes <= 0 {
		l.MaxHashBytes = 1 << 30
	}
	if l.MaxFragments <= 0 {
		l.MaxFragments = 20_000
	}
	if l.Trust == nil {
		l.Trust = trust.Default()
	}
	if l.Now.IsZero() {
		l.Now = time.Now()
	}
	return l
}

// Source is one file's bytes, read on demand.
type Source struct {
	Name string
	R    io.ReaderAt
	Size int64
	// Fragments are the files that may be the fragments (media segments) of
	// a fragmented MP4 whose init segment this is; they are opened only when
	// its C2PA binding is a Merkle tree over them.
	Fragments []c2pa.Fragment
}

// Result is everything the media detectors concluded about one file.
type Result struct {
	MediaType, Kind string
	AIGenerated     bool
	AIEvidence      []detectors.Evidence
	MachineReadable bool
	LabelEvidence   []detectors.Evidence
	TrainingOptOut  bool
	OptOuts         []detectors.OptOut
	Provenance      detectors.Provenance
	Notes           []string
	// Unread is the error that stopped the asset being read to its end:
	// metadata after it was not seen (nil when it was read whole).
	Unread error
	// Digest identifies the content across scans (see headDigest).
	Digest string
	// Preview is the small picture the asset embeds of itself, nil when
	// none: its active C2PA manifest's claim thumbnail, signed, when the
	// manifest's hard binding matches the bytes. An EXIF thumbnail is not
	// used: editors often leave it showing the picture before a crop or
	// an edit, and a report must show what is published.
	Preview []byte
}

// Analyze inspects asset and the sidecars that sit beside it (<asset>.c2pa,
// <asset>.xmp). Sidecar evidence is attributed to the asset, and a sidecar
// manifest's hard binding is checked against the asset's bytes.
func Analyze(asset Source, sidecars []Source, lim Limits) (*Result, error) {
	lim = lim.withDefaults()
	blocks, err := container.Read(asset.R, asset.Size, lim.Container)
	if err != nil {
		return nil, err
	}
	a := &analysis{res: &Result{MediaType: blocks.MediaType, Kind: blocks.Kind}, asset: asset, lim: lim}
	a.res.Provenance.C2PA = detectors.C2PAAbsent
	a.res.Unread = blocks.Stopped
	a.hashBoxes = assetBoxes(blocks.HashBoxes)
	a.blocks(blocks, "")
	if blocks.PNG != nil {
		// The first rows tell whether a stealth signature is there; only
		// then is the whole image decoded. Where they cannot tell (16-bit,
		// interlaced), an image with alpha is decoded as before.
		signed, err := stealth.Signed(container.HeadReader(asset.R, blocks.Head), asset.Size)
		if signed || (err != nil && blocks.PNG.HasAlpha()) {
			a.stealth(lim)
		}
	}
	for _, sc := range sidecars {
		scBlocks, err := container.Read(sc.R, sc.Size, lim.Container)
		if err != nil {
			a.note(notes.SidecarUnreadable, sc.Name, err)
			continue
		}
		a.blocks(scBlocks, sc.Name)
	}
	a.finish()
	a.res.Preview = a.claimThumbnail
	a.res.Digest = headDigest(blocks.Head, asset.Size)
	return a.res, nil
}

// headDigest is a 128-bit XXH3 of an item's size and first 64 KiB (the head
// the container reader has already read). History and baselines use it as
// the item's identity: the same picture behind a new query string or at a
// new address is the same item, and a different picture at an old address
// is a new one. It is an identity, not a security check (nobody gains by
// forging a collision with their own unlabelled image), so it is the fast
// non-cryptographic hash: SHA-256 of every head cost a files scan a sixth of
// its time. Two files that share size and first 64 KiB but differ later are
// rare enough for this purpose; hashing whole videos is not affordable.
func headDigest(head []byte, size int64) string {
	if len(head) == 0 {
		return ""
	}
	h := xxh3.New()
	var n [8]byte
	binary.LittleEndian.PutUint64(n[:], uint64(size))
	h.Write(n[:])
	h.Write(head)
	sum := h.Sum128().Bytes()
	return "xxh3-head:" + hex.EncodeToString(sum[:])
}

type analysis struct {
	res           *Result
	asset         Source
	lim           Limits
	xmp           xmp.Info
	fields        []generators.Field
	stores        int
	metadata      bool
	dstFromActive string
	dstFallback   string
	dsts          []string
	// hashBoxes are the asset's boxes, for a c2pa.hash.boxes binding.
	hashBoxes []c2pa.AssetBox
	// manifestURIs reference the active manifest from outside XMP (a
	// font's C2PA table); they are read as XMP dcterms:provenance is.
	manifestURIs []string
	// claimThumbnail is the active manifest's, when its binding matches.
	claimThumbnail []byte
}

func (a *analysis) note(format string, args ...any) {
	a.res.Notes = append(a.res.Notes, fmt.Sprintf(format, args...))
}

// blocks runs the detectors over one container's metadata blocks. from names
// the sidecar they came from ("" for the asset itself).
func (a *analysis) blocks(b *container.Blocks, from string) {
	where := func(s string) string {
		if from == "" {
			return s
		}
		return fmt.Sprintf(notes.InSidecar, s, from)
	}
	for _, p := range b.Problems {
		a.note("%s", where(p))
	}
	if len(b.XMP)+len(b.EXIF)+len(b.JUMBF)+len(b.Text) > 0 {
		a.metadata = true
	}
	for _, blk := range b.JUMBF {
		a.jumbf(blk, from, where)
	}
	a.manifestURIs = append(a.manifestURIs, b.ManifestURIs...)
	for _, blk := range b.XMP {
		info, err := xmp.Parse(blk.Data)
		if err != nil {
			a.note(notes.XMPUnreadable, where(blk.Where), err)
			continue
		}
		a.xmp = xmp.Merge(a.xmp, info)
	}
	for _, blk := range b.EXIF {
		f, err := exif.Parse(blk.Data)
		if err != nil {
			a.note(notes.EXIFUnreadable, where(blk.Where), err)
		}
		a.exifFields(f)
	}
	for _, t := range b.Text {
		a.fields = append(a.fields, generators.Field{Source: "png-text", Key: t.Key, Value: t.Value})
	}
}

func (a *analysis) exifFields(f exif.Fields) {
	for _, kv := range [][2]string{
		{"Software", f.Software}, {"Artist", f.Artist}, {"Make", f.Make}, {"Model", f.Model},
		{"ImageDescription", f.ImageDescription}, {"DocumentName", f.DocumentName},
		{"UserComment", f.UserComment}, {"XPComment", f.XPComment},
	} {
		if kv[1] != "" {
			a.fields = append(a.fields, generators.Field{Source: "exif", Key: kv[0], Value: kv[1]})
		}
	}
}

func (a *analysis) jumbf(blk container.Block, from string, where func(string) string) {
	kind, store, err := c2pa.Inspect(blk.Data)
	switch kind {
	case c2pa.KindLegacyCAI:
		if a.res.Provenance.C2PA == detectors.C2PAAbsent {
			a.res.Provenance.C2PA = detectors.C2PALegacyCAI
		}
		a.note(notes.PreStandardCAI, where(blk.Where))
		return
	case c2pa.KindNone, c2pa.KindOther:
		if !blk.C2PAOnly {
			return
		}
		// The container reserves this block for a manifest store: what
		// is there is a broken one.
		if err == nil {
			err = fmt.Errorf("not a C2PA manifest store (a JUMBF superbox labelled c2pa)")
		} else {
			err = fmt.Errorf("not a C2PA manifest store: %w", err)
		}
	}
	a.stores++
	if a.stores == 2 {
		a.note(notes.ManyStores)
	}
	if blk.Malformed != "" || err != nil || store == nil {
		a.res.Provenance.C2PA = detectors.C2PAMalformed
		reason := blk.Malformed
		if err != nil {
			reason = strings.TrimPrefix(strings.TrimSpace(reason+"; "+err.Error()), "; ")
		}
		a.note(notes.StoreMalformed, where(blk.Where), reason)
		if store == nil {
			return
		}
	} else if a.res.Provenance.C2PA != "malformed" {
		a.res.Provenance.C2PA = detectors.C2PAPresent
	}
	a.res.Provenance.Signature = "unverified"
	a.res.Provenance.Manifests += len(store.Manifests)
	for _, p := range store.Problems {
		a.note("%s: %s", where(blk.Where), p)
	}
	v := store.Validate(a.lim.Trust, a.lim.Now, a.lim.Revocation)
	if act := store.Active(); act != nil {
		a.res.Provenance.ClaimGenerator = act.ClaimGenerator
		a.binding(store, act, from, v)
		a.validation(store, v)
		if a.res.Provenance.Binding == detectors.BindingMatch {
			a.claimThumbnail = act.Thumbnail
		}
	}
	a.manifests(store, blk, v)
}

func (a *analysis) manifests(store *c2pa.Store, blk container.Block, v *c2pa.Validation) {
	for i := range store.Manifests {
		m := &store.Manifests[i]
		strength := strengthOf(store, v, m)
		role := "ingredient"
		if m.Active {
			role = "active"
		}
		for _, act := range m.Actions {
			if act.DigitalSourceType == "" {
				continue
			}
			a.dsts = append(a.dsts, act.DigitalSourceType)
			if m.Active && a.dstFromActive == "" {
				a.dstFromActive = act.DigitalSourceType
			}
			if !c2pa.IsAIType(act.DigitalSourceType) {
				continue
			}
			if a.dstFallback == "" {
				a.dstFallback = act.DigitalSourceType
			}
			gen := act.SoftwareAgent
			if gen == "" {
				gen = firstNonEmpty(act.Description, m.ClaimGenerator)
			}
			ev := detectors.Evidence{
				Detector: "c2pa",
				Detail: fmt.Sprintf("%s manifest %q (%s): action %s, digitalSourceType %s%s%s",
					role, m.Label, blk.Where, act.Action, shortDST(act.DigitalSourceType), agentSuffix(act.SoftwareAgent), invalidSuffix(strength)),
				Generator: gen,
				Strength:  strength,
			}
			a.res.AIEvidence = append(a.res.AIEvidence, ev)
			a.res.LabelEvidence = append(a.res.LabelEvidence, detectors.Evidence{
				Detector: "c2pa", Detail: "C2PA manifest declares " + shortDST(act.DigitalSourceType) + invalidSuffix(strength), Strength: strength,
			})
		}
		for _, dst := range m.MetadataSourceTypes {
			a.dsts = append(a.dsts, dst)
			if c2pa.IsAIType(dst) {
				a.res.AIEvidence = append(a.res.AIEvidence, detectors.Evidence{
					Detector: "c2pa", Detail: fmt.Sprintf("%s manifest %q metadata assertion: DigitalSourceType %s%s", role, m.Label, shortDST(dst), invalidSuffix(strength)),
					Generator: m.ClaimGenerator, Strength: strength,
				})
				a.res.LabelEvidence = append(a.res.LabelEvidence, detectors.Evidence{Detector: "c2pa", Detail: "C2PA metadata declares " + shortDST(dst) + invalidSuffix(strength), Strength: strength})
			}
		}
		for _, e := range m.TrainingMining {
			a.res.OptOuts = append(a.res.OptOuts, trainingVerdict(e, role, m.Label, strength))
		}
		if m.Watermarked && m.Active {
			a.note(notes.Watermarked, m.Label)
		}
	}
}

// trainingVerdict maps a C2PA/CAWG training-mining entry to a verdict:
// notAllowed and constrained reserve (SIGNALS.md section 3). An entry from
// a manifest that fails validation still reserves (an unreliable "no" is
// not a "yes"), but says it is unreliable, as AI evidence does.
func trainingVerdict(e c2pa.TrainingEntry, role, label string, strength detectors.Strength) detectors.OptOut {
	v := detectors.Unset
	switch strings.ToLower(e.Use) {
	case "notallowed", "constrained":
		v = detectors.Reserved
	case "allowed":
		v = detectors.NotReserved
	}
	return detectors.OptOut{
		Signal:   e.Assertion,
		Verdict:  v,
		Agent:    e.Key,
		Detail:   fmt.Sprintf("%s manifest %q: %s use=%s%s", role, label, e.Key, e.Use, invalidSuffix(strength)),
		Strength: strength,
	}
}

// binding checks the active manifest's hard binding against the asset bytes
// and records a mismatch among the validation's codes. A sidecar binds to
// the asset beside it; a sidecar scanned alone has nothing to bind to.
func (a *analysis) binding(store *c2pa.Store, act *c2pa.Manifest, from string, v *c2pa.Validation) {
	p := &a.res.Provenance
	if v.Refused(act.Label) {
		p.Binding, p.BindingDetail = detectors.BindingNotChecked, "the manifest is in a form C2PA validators refuse (pre-release or unsupported algorithm)"
		return
	}
	m := store.BindingManifest(act)
	// check says whether the binding holds and, when it says more than
	// "matches"/"does not match", why.
	var check func() (bool, string, error)
	plain := func(f func() (bool, error)) func() (bool, string, error) {
		return func() (bool, string, error) { ok, err := f(); return ok, "", err }
	}
	var mismatch status.Code // the code the reference reports for each kind
	switch {
	case m.DataHash != nil:
		check = plain(func() (bool, error) { return c2pa.CheckDataHash(a.asset.R, a.asset.Size, *m.DataHash) })
		mismatch = status.AssertionDataHashMismatch
	case m.BMFFHash != nil && len(m.BMFFHash.Merkle) > 0 && len(m.BMFFHash.Hash) == 0:
		check = func() (bool, string, error) { return a.checkFragments(*m.BMFFHash) }
		mismatch = status.AssertionBMFFHashMismatch
	case m.BMFFHash != nil:
		check = plain(func() (bool, error) { return c2pa.CheckBMFFHash(a.asset.R, a.asset.Size, *m.BMFFHash) })
		mismatch = status.AssertionBMFFHashMismatch
	case m.BoxHash != nil:
		check = plain(func() (bool, error) {
			boxes, err := a.boxesForHash()
			if err != nil {
				return false, err
			}
			return c2pa.CheckBoxHash(a.asset.R, boxes, *m.BoxHash)
		})
		mismatch = status.AssertionBoxesHashMismatch
	}
	switch {
	case m.BindingKind == "":
		p.Binding, p.BindingDetail = detectors.BindingNotChecked, "the active manifest has no hard binding assertion"
	case check == nil:
		p.Binding, p.BindingDetail = detectors.BindingNotChecked, m.BindingKind+" bindings are not checked yet"
	case a.asset.Size > 0 && from == "" && a.res.MediaType == "application/c2pa":
		p.Binding, p.BindingDetail = detectors.BindingNotChecked, "a sidecar manifest scanned without its asset"
	case a.asset.Size > a.lim.MaxHashBytes:
		p.Binding, p.BindingDetail = detectors.BindingNotChecked, fmt.Sprintf("the file is larger than the %d bytes hashed to check %s", a.lim.MaxHashBytes, m.BindingKind)
	default:
		ok, why, err := check()
		switch {
		case err != nil:
			p.Binding, p.BindingDetail = detectors.BindingNotChecked, m.BindingKind+": "+err.Error()
		case ok:
			p.Binding, p.BindingDetail = detectors.BindingMatch, m.BindingKind+" matches the asset bytes"
			if why != "" {
				p.BindingDetail = m.BindingKind + ": " + why
			}
		case m != act:
			// The parent's exclusion covered the store before the update
			// manifest grew it; the reference moves it onto the store's
			// current range, which the container reader does not report.
			p.Binding, p.BindingDetail = detectors.BindingNotChecked, "the update manifest's binding, inherited from its parent, does not match with the parent's exclusions; the store's current range is not known, so it is not checked"
		default:
			p.Binding, p.BindingDetail = detectors.BindingMismatch, m.BindingKind+" does not match the asset bytes: the manifest was made for other content (copied or the asset was altered)"
			if why != "" {
				p.BindingDetail = m.BindingKind + ": " + why
			}
			v.Add(act.Label, mismatch, p.BindingDetail)
		}
	}
}

// boxesForHash names the asset's boxes for a box hash: those the container
// reader listed, or for a JPEG its segments, which take a walk through the
// whole file and so are listed only now.
func (a *analysis) boxesForHash() ([]c2pa.AssetBox, error) {
	if len(a.hashBoxes) > 0 || a.res.MediaType != "image/jpeg" {
		return a.hashBoxes, nil
	}
	boxes, err := container.JPEGHashBoxes(a.asset.R, a.asset.Size, a.lim.Container)
	if err != nil {
		return nil, fmt.Errorf("the JPEG's segments cannot be named for a box hash: %w", err)
	}
	return assetBoxes(boxes), nil
}

// assetBoxes are the container's boxes as the box-hash check takes them.
func assetBoxes(in []container.HashBox) []c2pa.AssetBox {
	var out []c2pa.AssetBox
	for _, b := range in {
		box := c2pa.AssetBox{Name: b.Name, Offset: b.Offset, Length: b.Length}
		if b.ZeroAt != 0 {
			box.Zeroed = []c2pa.Exclusion{{Start: b.ZeroAt, Length: 4}}
		}
		out = append(out, box)
	}
	return out
}

func (a *analysis) stealth(lim Limits) {
	if a.asset.Size > lim.MaxStealthBytes {
		a.note(notes.StealthTooLarge, lim.MaxStealthBytes)
		return
	}
	buf := make([]byte, a.asset.Size)
	if _, err := a.asset.R.ReadAt(buf, 0); err != nil && err != io.EOF {
		a.note(notes.StealthUnchecked, err)
		return
	}
	hidden, mode, found, err := stealth.DecodePNG(buf, lim.MaxStealthPixels)
	if err != nil {
		if found {
			a.note(notes.StealthUnread, err)
		}
		return
	}
	if !found {
		return
	}
	a.metadata = true
	a.res.AIEvidence = append(a.res.AIEvidence, detectors.Evidence{
		Detector: "stealth", Detail: fmt.Sprintf("A1111 stealth metadata (%s) hidden in pixel low bits: %s", mode, text.Clip(hidden, 120)),
		Generator: "AUTOMATIC1111 (stealth pnginfo)", Strength: detectors.Fingerprint,
	})
}

// finish turns the collected XMP and generator fields into verdicts.
func (a *analysis) finish() {
	r := a.res
	x := a.xmp
	for _, dst := range x.DigitalSourceTypes {
		a.dsts = append(a.dsts, dst)
		if a.dstFallback == "" {
			a.dstFallback = dst
		}
		if c2pa.IsAIType(dst) {
			r.AIEvidence = append(r.AIEvidence, detectors.Evidence{
				Detector: "xmp", Detail: "XMP Iptc4xmpExt:DigitalSourceType " + shortDST(dst),
				Generator: xmpGenerator(x), Strength: detectors.Declared,
			})
			r.LabelEvidence = append(r.LabelEvidence, detectors.Evidence{Detector: "xmp", Detail: "IPTC DigitalSourceType " + shortDST(dst), Strength: detectors.Declared})
		}
	}
	if x.AISystemUsed != "" {
		r.AIEvidence = append(r.AIEvidence, detectors.Evidence{
			Detector: "xmp", Detail: "XMP Iptc4xmpExt:AISystemUsed " + strings.TrimSpace(x.AISystemUsed+" "+x.AISystemVersionUsed),
			Generator: x.AISystemUsed, Strength: detectors.Declared,
		})
	}
	if x.AIGC != "" {
		r.AIEvidence = append(r.AIEvidence, detectors.Evidence{Detector: "xmp", Detail: "XMP AIGC label (GB 45438-2025): " + text.Clip(x.AIGC, 120), Strength: detectors.Declared})
		r.LabelEvidence = append(r.LabelEvidence, detectors.Evidence{Detector: "xmp", Detail: "AIGC implicit label (GB 45438-2025)", Strength: detectors.Declared})
	}
	for _, v := range x.DataMining {
		r.OptOuts = append(r.OptOuts, dataMiningVerdict(v))
	}
	if x.CreatorTool != "" {
		a.fields = append(a.fields, generators.Field{Source: "xmp", Key: "CreatorTool", Value: x.CreatorTool})
	}
	for _, c := range x.Contributors {
		a.fields = append(a.fields, generators.Field{Source: "xmp", Key: "Contributor", Value: c})
	}
	for _, m := range generators.Detect(a.fields) {
		r.AIEvidence = append(r.AIEvidence, detectors.Evidence{Detector: "generator", Detail: m.Detail, Generator: m.Generator, Strength: detectors.Fingerprint})
	}
	r.AIGenerated = len(r.AIEvidence) > 0
	// A label from a manifest that fails validation is not a reliable
	// machine-readable marking (EU AI Act Art. 50(2)).
	r.MachineReadable = slices.ContainsFunc(r.LabelEvidence, func(e detectors.Evidence) bool { return e.Strength != detectors.SignedInvalid })
	for _, o := range r.OptOuts {
		if o.Verdict == detectors.Reserved {
			r.TrainingOptOut = true
		}
	}
	a.provenance()
}

func (a *analysis) provenance() {
	p := &a.res.Provenance
	prov := strings.TrimSpace(a.xmp.Provenance)
	for _, u := range a.manifestURIs {
		prov = firstNonEmpty(prov, u)
	}
	switch {
	case p.C2PA != detectors.C2PAAbsent:
	case strings.HasPrefix(prov, "self#jumbf="):
		p.C2PA = detectors.C2PAStrippedReference
		a.note(notes.ProvenanceGone, text.Clip(prov, 80))
	case strings.HasPrefix(prov, "http://") || strings.HasPrefix(prov, "https://"):
		p.C2PA = detectors.C2PARemoteReference
		a.note(notes.RemoteManifest, prov)
	}
	p.DigitalSourceType = firstNonEmpty(a.dstFromActive, a.dstFallback)
	for _, d := range a.dsts {
		if !slices.Contains(p.DigitalSourceTypes, d) {
			p.DigitalSourceTypes = append(p.DigitalSourceTypes, d)
		}
	}
	slices.Sort(p.DigitalSourceTypes)
	switch {
	case p.C2PA == detectors.C2PAStrippedReference:
		p.Metadata = detectors.MetadataStripped
	case a.metadata:
		p.Metadata = detectors.MetadataPresent
	default:
		p.Metadata = detectors.MetadataNone
		if !a.res.AIGenerated && a.res.Kind != "other" {
			a.note(notes.NoMetadata)
		}
	}
}

// dataMiningVerdict reads IPTC PLUS DataMining: any DMI-PROHIBITED value
// reserves; -GENAIMLTRAINING reserves generative-AI training only.
func dataMiningVerdict(v string) detectors.OptOut {
	term := v[strings.LastIndexAny(v, "/#:")+1:]
	o := detectors.OptOut{Signal: "iptc.plus.DataMining", Verdict: detectors.Unset, Detail: "XMP plus:DataMining " + term}
	switch up := strings.ToUpper(term); {
	case strings.HasPrefix(up, "DMI-PROHIBITED"):
		o.Verdict = detectors.Reserved
		if up == "DMI-PROHIBITED-GENAIMLTRAINING" {
			o.Agent = "generative AI/ML training"
		}
	case strings.HasPrefix(up, "DMI-ALLOWED"):
		o.Verdict = detectors.NotReserved
	}
	return o
}

func xmpGenerator(x xmp.Info) string {
	if x.AISystemUsed != "" {
		return x.AISystemUsed
	}
	for _, c := range x.Contributors {
		if c != "" {
			return c
		}
	}
	return ""
}

func shortDST(dst string) string {
	dst = strings.TrimSpace(dst)
	if i := strings.LastIndexByte(dst, '/'); i >= 0 {
		return dst[i+1:]
	}
	return dst
}

func agentSuffix(agent string) string {
	if agent == "" {
		return ""
	}
	return ", softwareAgent " + agent
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if strings.TrimSpace(v) != "" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// FromBytes is Analyze for an in-memory file (tests, fuzzing, fetched bodies).
func FromBytes(b []byte, lim Limits) (*Result, error) {
	return Analyze(Source{R: bytes.NewReader(b), Size: int64(len(b))}, nil, lim)
}
