package crawl

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"
)

const (
	// maxJSONLD bounds the bytes of one JSON-LD block read.
	maxJSONLD = 1 << 20
	// maxJSONLDImages bounds the images taken from one block.
	maxJSONLDImages = 1000
	// maxJSONLDDepth bounds how deep the walk goes into nested objects.
	maxJSONLDDepth = 64
)

// JSONLDImages lists the images a JSON-LD block (schema.org structured data)
// names, resolved against base: every "image" value (a URL, a list, an
// object with url or contentUrl) and every ImageObject's url or contentUrl,
// at any depth (@graph, nested items), each once. A block that is not JSON
// or is larger than the cap is an error: the images it names are unknown.
func JSONLDImages(block []byte, base *url.URL) ([]string, error) {
	if len(block) > maxJSONLD {
		return nil, fmt.Errorf("larger than %d bytes: not read", maxJSONLD)
	}
	var v any
	if err := json.Unmarshal(block, &v); err != nil {
		return nil, fmt.Errorf("not valid JSON: %w", err)
	}
	w := jsonLDWalk{base: base, seen: map[string]bool{}}
	w.walk(v, 0)
	return w.out, nil
}

type jsonLDWalk struct {
	base *url.URL
	seen map[string]bool
	out  []string
}

func (w *jsonLDWalk) walk(v any, depth int) {
	if depth > maxJSONLDDepth || len(w.out) >= maxJSONLDImages {
		return
	}
	switch v := v.(type) {
	case []any:
		for _, e := range v {
			w.walk(e, depth+1)
		}
	case map[string]any:
		if isImageObject(v) {
			w.imageObject(v)
		}
		for _, k := range slices.Sorted(maps.Keys(v)) { // in order: the same block lists the same
			e := v[k]
			if term(k) == "image" {
				for _, img := range list(e) {
					switch img := img.(type) {
					case string:
						w.add(img)
					case map[string]any:
						if !isImageObject(img) { // an ImageObject is taken where it is walked
							w.imageObject(img)
						}
					}
				}
			}
			w.walk(e, depth+1)
		}
	}
}

// imageObject takes an image node's url and contentUrl.
func (w *jsonLDWalk) imageObject(m map[string]any) {
	for _, k := range slices.Sorted(maps.Keys(m)) {
		if t := term(k); t != "contentUrl" && t != "url" {
			continue
		}
		for _, s := range list(m[k]) {
			if s, ok := s.(string); ok {
				w.add(s)
			}
		}
	}
}

func (w *jsonLDWalk) add(raw string) {
	u, ok := resolveRef(w.base, raw)
	if ok && !w.seen[u] && len(w.out) < maxJSONLDImages {
		w.seen[u] = true
		w.out = append(w.out, u)
	}
}

// term is a JSON-LD key without its vocabulary ("schema:image",
// "http://schema.org/image": "image").
func term(k string) string {
	if i := strings.LastIndexAny(k, ":/#"); i >= 0 && !strings.HasPrefix(k, "@") {
		return k[i+1:]
	}
	return k
}

// isImageObject reports a node typed ImageObject (or a list holding it).
func isImageObject(m map[string]any) bool {
	for _, t := range list(m["@type"]) {
		if s, ok := t.(string); ok && term(s) == "ImageObject" {
			return true
		}
	}
	return false
}

// list is v as a list: JSON-LD allows one value where it allows many.
func list(v any) []any {
	if l, ok := v.([]any); ok {
		return l
	}
	return []any{v}
}
