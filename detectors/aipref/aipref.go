// Package aipref reads IETF AI-preference statements (Content-Usage, in an
// HTTP header or a robots.txt rule): an RFC 9651 Dictionary whose members are
// usage categories with the Token y or n. Current vocabulary: train-ai,
// search. Labels of earlier drafts (ai, genai, train-genai, bots, tdm, ...)
// are unknown keys today, but the owner's intent is plain: they are reported
// as legacy.
package aipref

import (
	"errors"
	"fmt"
	"strings"
)

// Value is one category's preference.
type Value int

const (
	Unknown  Value = iota
	Allow          // y
	Disallow       // n
)

func (v Value) String() string {
	return [...]string{"unknown", "y", "n"}[v]
}

// Current categories (draft-ietf-aipref-vocab-05 and later).
const (
	TrainAI = "train-ai"
	Search  = "search"
)

// legacy maps labels of earlier drafts to whether saying n to them means
// "no AI training" (all of these do, in the owner's intent).
var legacy = map[string]bool{
	"ai": true, "genai": true, "train-genai": true, "bots": true, "tdm": true,
	"all": true, "ai-use": true, "ai-output": true, "inference": true,
}

// Prefs is one parsed statement.
type Prefs struct {
	Values map[string]Value // every member key with its value
	// Legacy lists old-draft labels set to n or y, as "ai=n".
	Legacy []string
}

// Get returns the value of a category.
func (p Prefs) Get(cat string) Value { return p.Values[cat] }

// LegacyNo reports an old-draft label set to n: a clear "no AI" intent that
// the current vocabulary does not recognise.
func (p Prefs) LegacyNo() []string {
	var out []string
	for _, l := range p.Legacy {
		if strings.HasSuffix(l, "=n") {
			out = append(out, l)
		}
	}
	return out
}

// Parse reads an RFC 9651 Dictionary. Any syntax error (including upper-case
// keys, which RFC 9651 forbids) makes the whole statement unknown: the error
// says why.
func Parse(s string) (Prefs, error) {
	p := Prefs{Values: map[string]Value{}}
	in := strings.TrimLeft(s, " \t")
	for in != "" {
		key, rest, err := parseKey(in)
		if err != nil {
			return Prefs{Values: map[string]Value{}}, err
		}
		in = rest
		val := Unknown
		if strings.HasPrefix(in, "=") {
			var item string
			item, in, err = parseItem(in[1:])
			if err != nil {
				return Prefs{Values: map[string]Value{}}, fmt.Errorf("%s: %w", key, err)
			}
			switch item {
			case "y":
				val = Allow
			case "n":
				val = Disallow
			}
		}
		// Parameters are ignored (RFC 9651 allows them on every member).
		for strings.HasPrefix(in, ";") {
			in = strings.TrimLeft(in[1:], " ")
			if _, in, err = parseKey(in); err != nil {
				return Prefs{Values: map[string]Value{}}, err
			}
			if strings.HasPrefix(in, "=") {
				if _, in, err = parseItem(in[1:]); err != nil {
					return Prefs{Values: map[string]Value{}}, err
				}
			}
		}
		p.Values[key] = val // the last duplicate wins
		in = strings.TrimLeft(in, " \t")
		if in == "" {
			break
		}
		if in[0] != ',' {
			return Prefs{Values: map[string]Value{}}, fmt.Errorf("expected ',' at %q", clip(in))
		}
		in = strings.TrimLeft(in[1:], " \t")
		if in == "" {
			return Prefs{Values: map[string]Value{}}, errors.New("trailing comma")
		}
	}
	for k, v := range p.Values {
		if legacy[k] && v != Unknown {
			p.Legacy = append(p.Legacy, k+"="+v.String())
		}
	}
	return p, nil
}

func parseKey(in string) (string, string, error) {
	if in == "" || !(in[0] >= 'a' && in[0] <= 'z' || in[0] == '*') {
		return "", in, fmt.Errorf("a key must start with a lower-case letter or '*' at %q", clip(in))
	}
	i := 1
	for i < len(in) {
		c := in[i]
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.' || c == '*' {
			i++
			continue
		}
		break
	}
	return in[:i], in[i:], nil
}

// parseItem reads a bare item (token, integer, decimal, string, byte
// sequence or boolean) and returns a token's text, or "" for other types.
func parseItem(in string) (string, string, error) {
	if in == "" {
		return "", in, errors.New("missing value")
	}
	switch c := in[0]; {
	case c == '"':
		for i := 1; i < len(in); i++ {
			switch in[i] {
			case '\\':
				i++
			case '"':
				return "", in[i+1:], nil
			}
		}
		return "", in, errors.New("unterminated string")
	case c == ':':
		if j := strings.IndexByte(in[1:], ':'); j >= 0 {
			return "", in[j+2:], nil
		}
		return "", in, errors.New("unterminated byte sequence")
	case c == '?':
		if len(in) > 1 && (in[1] == '0' || in[1] == '1') {
			return "", in[2:], nil
		}
		return "", in, errors.New("bad boolean")
	case c == '-' || c >= '0' && c <= '9':
		i := 1
		for i < len(in) && (in[i] >= '0' && in[i] <= '9' || in[i] == '.') {
			i++
		}
		return "", in[i:], nil
	case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '*':
		i := 1
		for i < len(in) && isTokenChar(in[i]) {
			i++
		}
		return in[:i], in[i:], nil
	case c == '(':
		return "", in, errors.New("inner lists are not a preference")
	}
	return "", in, fmt.Errorf("bad value at %q", clip(in))
}

func isTokenChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~:/", c) >= 0
}

func clip(s string) string {
	if len(s) > 20 {
		return s[:20] + "…"
	}
	return s
}

// Combine merges several statements that apply to the same content (vocab
// "Combining Preferences"): any n wins, else any y, else unknown. This is the
// opposite of TDMRep, where the most specific source wins.
func Combine(vals ...Value) Value {
	out := Unknown
	for _, v := range vals {
		switch {
		case v == Disallow:
			return Disallow
		case v == Allow:
			out = Allow
		}
	}
	return out
}
