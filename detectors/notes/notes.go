// Package notes holds the English formats of the notes the scanner and the
// detectors put on a resource (model.Resource.Notes): one place for every
// wording, so that the JSON keeps the English and a report reads a note
// back (Parse) and says it in its own language, the format being the
// message catalogue's key. A note in a wording not listed here (an older
// scan's, a library's error) is shown as found.
package notes

import (
	"strings"

	"github.com/aiaudit/aiaudit/detectors/formats"
)

// What reading the page (scanner/crawl) notes.
const (
	PageTruncated  = "page larger than %d bytes: read only that far; items after the cut were not seen"
	ScriptRendered = "looks rendered by script (%s): %s"
	// OnPage is what an item's page showed, a detail of reports/model/detail
	// (a label present but not visible).
	OnPage          = "on %s: %s"
	NotInLibrary    = "not compared with the asset library: %s"
	JSONLDUnread    = "JSON-LD block %d %v: the images it names were not seen"
	SheetTooDeep    = "stylesheet %s not read: @import nested deeper than %d levels"
	SheetNotRead    = "stylesheet %s not read: %s; the images it sets were not seen"
	SheetPartly     = "stylesheet %s: %s; the images it sets may not all have been seen"
	SheetTooMany    = "the page uses more than %d stylesheets"
	SheetOutOfScope = "host %s is outside the crawl scope (add it with --extra-host)"
	SheetRobots     = "robots.txt disallows it for %s"
	SheetLarger     = "larger than %d bytes: read only that far"
	// ScriptSigns is why a page looks rendered by script: its visible
	// text and its signs (ScriptMount, ScriptCount, ScriptNoscript) joined
	// by "; ".
	ScriptSigns       = "%d characters of visible text; %s"
	ScriptMount       = "a script mount point %s"
	ScriptCount       = "%d scripts"
	ScriptNoscript    = "<noscript> asks for JavaScript"
	RenderHint        = "a static crawl sees only the HTML the server sends, not the images and links scripts add; --render loads pages in a browser"
	SidecarUnreadable = "sidecar %s unreadable: %v"
)

// What rendering the page in a browser (scanner/render) notes, and why a
// request of the page's was not answered with the site's bytes.
const (
	RenderUnsettled  = "rendering: the page did not settle within %s (%v): what had loaded by then was read"
	RenderTooMany    = "rendering: more than %d elements: the text of the rest was not checked for visibility and counts as no label"
	RenderDialogs    = "rendering: %d dialogs opened by the page were dismissed"
	RenderUnanswered = "rendering: %d browser requests not answered, %s: %s"
	RequestNotGET    = "not a GET request (the crawl only reads)"
	RequestOverCap   = "over %d requests for one page"
	RequestOutside   = "outside the crawl scope"
	RequestRobots    = "disallowed by robots.txt"
	RequestFailed    = "could not be fetched"
	RequestTooLarge  = "larger than %d bytes"
)

// What reading a file's metadata (detectors/media) notes.
const (
	InSidecar        = "%s (sidecar %s)"
	XMPUnreadable    = "%s: XMP unreadable: %v"
	EXIFUnreadable   = "%s: EXIF unreadable: %v"
	PreStandardCAI   = "%s: pre-standard CAI JUMBF (label \"cai\"), not C2PA"
	ManyStores       = "more than one C2PA manifest store: a conforming file has one"
	StoreMalformed   = "%s: C2PA manifest store is malformed: %s"
	Watermarked      = "C2PA manifest %q records an invisible watermark (soft binding)"
	StealthTooLarge  = "PNG larger than %d bytes: stealth metadata not checked"
	StealthUnchecked = "stealth metadata not checked: %v"
	StealthUnread    = "A1111 stealth metadata signature found but unreadable: %v"
	ProvenanceGone   = "XMP dcterms:provenance points at an embedded manifest (%s) that is no longer in the file: provenance was stripped"
	RemoteManifest   = "remote C2PA manifest referenced by XMP dcterms:provenance: %s (not fetched)"
	NoMetadata       = "no metadata at all: it may have been stripped (CMS, CDN, re-encoding), so no AI evidence does not mean not AI-made"
)

// Formats are every note's format, and the formats of the texts a note
// holds (a stylesheet's problem, an unanswered request's reason), for
// Parse and the catalogue's tests. Longer fixed wordings come first, so a
// note is read with the most specific format that writes it back.
var Formats = []string{
	PageTruncated, ScriptRendered, NotInLibrary, JSONLDUnread, SheetTooDeep, SheetNotRead, SheetPartly,
	SheetTooMany, SheetOutOfScope, SheetRobots, SheetLarger, ScriptSigns, ScriptMount, ScriptCount, ScriptNoscript,
	RenderHint, SidecarUnreadable,
	RenderUnsettled, RenderTooMany, RenderDialogs, RenderUnanswered,
	RequestNotGET, RequestOverCap, RequestOutside, RequestRobots, RequestFailed, RequestTooLarge,
	XMPUnreadable, EXIFUnreadable, PreStandardCAI, ManyStores, StoreMalformed, Watermarked,
	StealthTooLarge, StealthUnchecked, StealthUnread, ProvenanceGone, RemoteManifest, NoMetadata,
	InSidecar, OnPage,
}

var set = formats.New(Formats...)

// Parse reads back a note written with one of Formats.
func Parse(note string) (formats.Written, bool) { return set.Parse(note) }

// Split cuts a text made of notes joined by "; " (ScriptSigns' signs) into
// them, when every part is one; a text that is not is not split.
func Split(text string) ([]formats.Written, bool) {
	var out []formats.Written
	for part := range strings.SplitSeq(text, "; ") {
		w, ok := Parse(part)
		if !ok {
			return nil, false
		}
		out = append(out, w)
	}
	return out, true
}
