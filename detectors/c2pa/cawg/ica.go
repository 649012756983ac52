package cawg

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/veraison/go-cose"

	"github.com/aiaudit/aiaudit/detectors/c2pa/cosesig"
	"github.com/aiaudit/aiaudit/detectors/c2pa/status"
	"github.com/aiaudit/aiaudit/detectors/c2pa/trust"
)

// An identity claims aggregation (ICA) signature is a tagged COSE_Sign1,
// EdDSA, content type application/vc, whose attached payload is a W3C
// verifiable credential (v2, JSON): an issuer (a DID) says it verified the
// named actor's identities and copies the signer payload into
// credentialSubject.c2paAsset. The issuer's key comes from its DID:
// did:jwk carries it, so it is checked here; did:web publishes it on a web
// server, which aiaudit does not ask (scans make no network request), so
// that signature is reported not checked. Every other check is offline.

// maxNamed caps the verified identities a report lists for one credential.
const maxNamed = 16

const (
	contentTypeVC = "application/vc"
	contextV2     = "https://www.w3.org/ns/credentials/v2"
	contextICA    = "https://cawg.io/identity/1.1/ica/context/"
	typeICA       = "IdentityClaimsAggregationCredential"
)

type credential struct {
	Context    []any           `json:"@context"`
	Type       []string        `json:"type"`
	Issuer     string          `json:"issuer"`
	ValidFrom  *time.Time      `json:"validFrom"`
	ValidUntil *time.Time      `json:"validUntil"`
	Subject    json.RawMessage `json:"credentialSubject"`
}

type subject struct {
	VerifiedIdentities []verifiedIdentity `json:"verifiedIdentities"`
	C2PAAsset          *struct {
		Refs []struct {
			URL  string   `json:"url"`
			Alg  string   `json:"alg"`
			Hash hashText `json:"hash"`
		} `json:"referenced_assertions"`
		SigType string   `json:"sig_type"`
		Roles   []string `json:"role"`
	} `json:"c2paAsset"`
}

// hashText is a credential's copy of a hash: base64 text, written as a
// JSON string or, as the reference implementation writes it, an array of
// the text's bytes.
type hashText string

func (h *hashText) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*h = hashText(s)
		return nil
	}
	var nums []uint8
	if err := json.Unmarshal(b, &nums); err != nil {
		return err
	}
	*h = hashText(nums)
	return nil
}

type verifiedIdentity struct {
	Type       string    `json:"type"`
	Name       string    `json:"name"`
	Username   string    `json:"username"`
	Address    string    `json:"address"`
	URI        string    `json:"uri"`
	VerifiedAt time.Time `json:"verifiedAt"`
	Provider   struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"provider"`
}

// ica checks an ICA signature over signer payload p, in the reference's
// order: the COSE structure and algorithm stop it; the rest is reported
// and checking goes on.
func (r *Result) ica(sig []byte, p signerPayload, anchors *trust.Store, now time.Time) {
	var msg cose.Sign1Message // tagged, as the reference requires
	if err := msg.UnmarshalCBOR(sig); err != nil {
		r.add(status.ICAInvalidCOSESign1, "the credential's COSE_Sign1 is unreadable: %v", err)
		return
	}
	if alg, err := msg.Headers.Protected.Algorithm(); err != nil || alg != cose.AlgorithmEdDSA {
		r.add(status.ICAInvalidAlg, "the credential's signature algorithm is %v; EdDSA is the one supported", msg.Headers.Protected[cose.HeaderLabelAlgorithm])
		return
	}
	if ct, _ := msg.Headers.Protected[cose.HeaderLabelContentType].(string); ct != contentTypeVC {
		r.add(status.ICAInvalidContentType, "the content type header is %v, not %s", msg.Headers.Protected[cose.HeaderLabelContentType], contentTypeVC)
	}
	vc, sub, err := parseCredential(msg.Payload)
	if err != nil {
		r.add(status.ICAInvalidCredential, "%v", err)
		return
	}
	r.Issuer = vc.Issuer
	for i, id := range sub.VerifiedIdentities {
		if i == maxNamed {
			r.Named = append(r.Named, fmt.Sprintf("and %d more", len(sub.VerifiedIdentities)-i))
			break
		}
		r.Named = append(r.Named, id.String())
	}
	r.issuerSignature(&msg, vc.Issuer)
	at, stamped := r.icaTimeStamp(&msg, anchors)
	switch {
	case vc.ValidFrom == nil:
		r.add(status.ICAValidFromMissing, "the credential has no validFrom")
	case now.Before(*vc.ValidFrom):
		r.add(status.ICAValidFromInvalid, "validFrom %s is after the time of the scan", vc.ValidFrom.UTC().Format(time.RFC3339))
	case stamped && at.Before(*vc.ValidFrom):
		r.add(status.ICAValidFromInvalid, "validFrom %s is after the credential's time-stamp %s", vc.ValidFrom.UTC().Format(time.RFC3339), at.UTC().Format(time.RFC3339))
	}
	switch {
	case vc.ValidUntil == nil:
	case now.After(*vc.ValidUntil):
		r.add(status.ICAValidUntilInvalid, "validUntil %s is before the time of the scan", vc.ValidUntil.UTC().Format(time.RFC3339))
	case stamped && at.After(*vc.ValidUntil):
		r.add(status.ICAValidUntilInvalid, "validUntil %s is before the credential's time-stamp %s", vc.ValidUntil.UTC().Format(time.RFC3339), at.UTC().Format(time.RFC3339))
	}
	if !samePayload(p, sub) {
		r.add(status.ICASignerPayloadMismatch, "the credential's c2paAsset differs from the identity assertion's signer payload")
	}
	// No cawg.ica.credential_valid: the reference gives it only for an
	// issuer on its trusted list, and aiaudit has none.
}

// parseCredential reads the credential as the reference's v2 model
// requires it: its contexts and types, an issuer, one subject with the
// verified identities and the signer payload.
func parseCredential(payload []byte) (credential, subject, error) {
	var vc credential
	var sub subject
	if len(payload) == 0 {
		return vc, sub, fmt.Errorf("the COSE_Sign1 carries no credential")
	}
	if err := json.Unmarshal(payload, &vc); err != nil {
		return vc, sub, fmt.Errorf("the credential is not valid JSON of a verifiable credential: %v", err)
	}
	if err := json.Unmarshal(vc.Subject, &sub); err != nil {
		var subs []subject
		if json.Unmarshal(vc.Subject, &subs) != nil || len(subs) == 0 {
			return vc, sub, fmt.Errorf("the credential has no readable credentialSubject")
		}
		sub = subs[0]
	}
	switch {
	case !slices.Contains(vc.Context, any(contextV2)) || !slices.Contains(vc.Context, any(contextICA)):
		return vc, sub, fmt.Errorf("the credential's @context lacks %s or %s", contextV2, contextICA)
	case !slices.Contains(vc.Type, "VerifiableCredential") || !slices.Contains(vc.Type, typeICA):
		return vc, sub, fmt.Errorf("the credential's type is not VerifiableCredential and %s", typeICA)
	case vc.Issuer == "":
		return vc, sub, fmt.Errorf("the credential names no issuer")
	case sub.C2PAAsset == nil:
		return vc, sub, fmt.Errorf("the credential has no c2paAsset")
	case len(sub.VerifiedIdentities) == 0:
		return vc, sub, fmt.Errorf("the credential lists no verified identity")
	}
	for _, id := range sub.VerifiedIdentities {
		if id.Type == "" || id.Provider.ID == "" || id.Provider.Name == "" || id.VerifiedAt.IsZero() {
			return vc, sub, fmt.Errorf("a verified identity lacks its type, provider or verifiedAt")
		}
	}
	return vc, sub, nil
}

// String names a verified identity for a person: who (when it says), of
// which kind, and who verified it.
func (id verifiedIdentity) String() string {
	s := id.Type + " verified by " + id.Provider.Name
	if who := firstOf(id.Name, id.Username, id.Address); who != "" {
		s = who + " (" + s + ")"
	}
	if id.URI != "" {
		s += " " + id.URI
	}
	return s
}

var didSyntax = regexp.MustCompile(`^did:([a-z0-9]+):([A-Za-z0-9._%:-]+)$`)

// issuerSignature finds the issuer's key from its DID and verifies the
// credential's signature with it.
func (r *Result) issuerSignature(msg *cose.Sign1Message, issuer string) {
	did, _, _ := strings.Cut(issuer, "#")
	m := didSyntax.FindStringSubmatch(did)
	switch {
	case m == nil:
		r.add(status.ICAInvalidIssuer, "the issuer %q is not a DID", issuer)
		return
	case m[1] == "web":
		r.add(status.ICADIDUnavailable, "the issuer %s publishes its key on the web (did:web), which aiaudit does not fetch: the credential's signature is not checked", did)
		return
	case m[1] != "jwk":
		r.add(status.ICAInvalidIssuer, "the issuer's DID method %q is not supported (did:jwk, did:web)", m[1])
		return
	}
	key, err := jwkKey(m[2])
	if err != nil {
		r.add(status.ICAInvalidDIDDocument, "the issuer's did:jwk key: %v", err)
		return
	}
	verifier, err := cose.NewVerifier(cose.AlgorithmEdDSA, key)
	if err == nil {
		err = msg.Verify(nil, verifier)
	}
	if err != nil {
		r.add(status.ICASignatureMismatch, "the credential's signature does not verify with the issuer's key: %v", err)
		return
	}
	// aiaudit holds no list of trusted credential issuers, as the
	// reference holds none by default: a self-made did:jwk verifies too.
	r.add(status.ICAUntrustedIssuer, "the signature verifies with the key of %s, an issuer on no trusted list", did)
}

// jwkKey decodes a did:jwk method-specific id: a base64url JWK, an Ed25519
// OKP key being the one the reference supports.
func jwkKey(id string) (ed25519.PublicKey, error) {
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(id, "="))
	if err != nil {
		return nil, err
	}
	var jwk struct{ Kty, Crv, X string }
	if err := json.Unmarshal(raw, &jwk); err != nil {
		return nil, err
	}
	if jwk.Kty != "OKP" || jwk.Crv != "Ed25519" {
		return nil, fmt.Errorf("key type %s %s; Ed25519 (OKP) is the one supported", jwk.Kty, jwk.Crv)
	}
	x, err := base64.RawURLEncoding.DecodeString(jwk.X)
	if err != nil || len(x) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("the key is not a %d-byte base64url value", ed25519.PublicKeySize)
	}
	return ed25519.PublicKey(x), nil
}

// icaTimeStamp reads the credential's RFC 3161 time-stamp, if any. As in
// the reference, any time-stamp authority will do; one that does not
// verify is invalid.
func (r *Result) icaTimeStamp(msg *cose.Sign1Message, anchors *trust.Store) (time.Time, bool) {
	at, findings, ok := cosesig.TimeStamp(msg, msg.Payload, anchors)
	switch {
	case ok:
		r.add(status.ICATimeStampValidated, "time-stamped %s", at.UTC().Format(time.RFC3339))
	case len(findings) > 0:
		r.add(status.ICATimeStampInvalid, "%s", findings[0].Detail)
	}
	return at, ok
}

// samePayload compares the credential's copy of the signer payload with
// the assertion's; a reference without alg takes the credential's, as the
// reference implementation allows.
func samePayload(p signerPayload, sub subject) bool {
	c := sub.C2PAAsset
	if c.SigType != p.SigType || !slices.Equal(c.Roles, p.Roles) || len(c.Refs) != len(p.Refs) {
		return false
	}
	for i, ref := range p.Refs {
		hash, err := base64.StdEncoding.DecodeString(string(c.Refs[i].Hash))
		alg := firstOf(ref.Alg, c.Refs[i].Alg)
		if err != nil || ref.URL != c.Refs[i].URL || alg != c.Refs[i].Alg || !bytes.Equal(hash, ref.Hash) {
			return false
		}
	}
	return true
}

func firstOf(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
