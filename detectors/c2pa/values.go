package c2pa

import (
	"fmt"
	"sort"
)

// Helpers that read decoded CBOR/JSON without trusting its shape.

func asMap(v any) map[string]any {
	switch t := v.(type) {
	case map[string]any:
		return t
	case map[any]any:
		out := make(map[string]any, len(t))
		for k, val := range t {
			out[fmt.Sprint(k)] = val
		}
		return out
	}
	return nil
}

func asSlice(v any) []any {
	s, _ := v.([]any)
	return s
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

func bytesOf(v any) []byte {
	b, _ := v.([]byte)
	return b
}

func integer(v any) int64 {
	switch t := v.(type) {
	case uint64:
		if t > 1<<62 {
			return -1
		}
		return int64(t)
	case int64:
		return t
	case float64:
		return int64(t)
	}
	return -1
}

func sortEntries(e []TrainingEntry) {
	sort.Slice(e, func(i, j int) bool { return e[i].Key < e[j].Key })
}
