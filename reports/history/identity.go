package history

import (
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"path/filepath"
	"strings"

	"github.com/aiaudit/aiaudit/reports/model"
)

// Key is a finding's identity at its place: the rule and the location with
// query strings and fragments removed (a cache-busting parameter or an
// anchor does not make an old finding new) and file paths made relative to
// the scanned folder (a baseline survives moving the folder), plus the
// content digest, so a different picture at an old address is a new finding.
func Key(f model.Finding, roots []string) string {
	return f.Rule + "|" + Place(f.Location, roots) + "|" + f.Content
}

// keyHash is what the database stores of a key: fixed-size, so the index
// that diffs use stays small however long the URLs are.
func keyHash(k string) string {
	sum := sha256.Sum256([]byte(k))
	return hex.EncodeToString(sum[:16])
}

// Place is a location stripped of what does not change what it points at.
// Crawl locations read "ITEM on PAGE"; declared text adds " [selector #n]".
func Place(loc string, roots []string) string {
	parts := strings.Split(loc, " on ")
	for i, p := range parts {
		parts[i] = placeOf(p, roots)
	}
	return strings.Join(parts, " on ")
}

func placeOf(s string, roots []string) string {
	head, sel, hasSel := strings.Cut(s, " [")
	if u, err := url.Parse(head); err == nil && u.Host != "" {
		u.RawQuery, u.ForceQuery, u.Fragment, u.RawFragment = "", false, "", ""
		head = u.String()
	} else {
		head = relative(head, roots)
	}
	if hasSel {
		return head + " [" + sel
	}
	return head
}

// relative makes a scanned file's path relative to the root it was found
// under (the root's own name kept, so two roots stay apart).
func relative(p string, roots []string) string {
	for _, r := range roots {
		r = filepath.Clean(r)
		if rel, err := filepath.Rel(filepath.Dir(r), p); err == nil && (p == r || strings.HasPrefix(p, r+string(filepath.Separator))) {
			return filepath.ToSlash(rel)
		}
	}
	return filepath.ToSlash(p)
}
