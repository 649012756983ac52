// Package detectors holds the types every detector returns. Each sub-package is
// one signal family and is a pure function of bytes (or headers / DOM): no I/O of
// its own, no knowledge of the CLI, the scanner or fines.
package detectors

// Evidence is one observation that supports a verdict (AI-made, labelled, ...).
type Evidence struct {
	// Detector is the stable id of the detector that found it: "c2pa", "xmp",
	// "exif", "pngtext", "stealth", "generator", ...
	Detector string `json:"detector"`
	// Detail says what was seen and where, for a person reading the report.
	Detail string `json:"detail"`
	// Generator names the AI tool, when the evidence identifies one.
	Generator string `json:"generator,omitempty"`
	// Strength says how much the evidence can be trusted: "signed-unverified"
	// (a C2PA claim whose signature was not checked), "declared" (unsigned
	// metadata such as XMP), "fingerprint" (a generator's own parameters).
	Strength string `json:"strength,omitempty"`
}

// Verdict of one opt-out mechanism for one agent (SIGNALS.md section 3).
type Verdict string

const (
	Reserved    Verdict = "reserved"
	NotReserved Verdict = "not_reserved"
	Unset       Verdict = "unset"
	Unknown     Verdict = "unknown"
)

// OptOut is one training / text-and-data-mining signal and what it said.
type OptOut struct {
	// Signal is the mechanism: "c2pa.training-mining", "cawg.training-mining",
	// "iptc.plus.DataMining", "robots.txt", "tdmrep", ...
	Signal  string  `json:"signal"`
	Verdict Verdict `json:"verdict"`
	// Agent is the crawler or use the signal names ("GPTBot", "c2pa.ai_training").
	Agent  string `json:"agent,omitempty"`
	Detail string `json:"detail"`
	// NonStandard marks signals honoured although they do not follow their spec.
	NonStandard bool `json:"non_standard,omitempty"`
}

// Provenance summarises the embedded provenance metadata of a media item.
type Provenance struct {
	// C2PA is present | absent | malformed | remote_reference |
	// stripped_reference | legacy_cai.
	C2PA               string   `json:"c2pa"`
	ClaimGenerator     string   `json:"claim_generator,omitempty"`
	Manifests          int      `json:"manifests,omitempty"`
	DigitalSourceType  string   `json:"digital_source_type,omitempty"`
	DigitalSourceTypes []string `json:"all_digital_source_types,omitempty"`
	// Binding is the hard-binding check of the active manifest: match |
	// mismatch | not_checked (with the reason in BindingDetail).
	Binding       string `json:"binding,omitempty"`
	BindingDetail string `json:"binding_detail,omitempty"`
	// Signature is always "unverified": aiaudit reads claims, it does not
	// validate certificates.
	Signature string `json:"signature,omitempty"`
	// Metadata is "present", "none" (no metadata block at all: possibly
	// stripped by a CMS or CDN) or "stripped" (a reference to a manifest that
	// is no longer there).
	Metadata string `json:"metadata"`
}
