package robots

import (
	"fmt"
	"strconv"
	"strings"
)

// A reader for the small subset of protobuf text format the conformance
// files use: fields, nested messages in {}, lists in [], enums and
// concatenated C-escaped strings.

type tpValue any // string, or map[string][]tpValue, or []tpValue

type tpParser struct {
	s   string
	pos int
}

func parseTextproto(s string) (map[string][]tpValue, error) {
	p := &tpParser{s: s}
	m, err := p.message("")
	return m, err
}

func (p *tpParser) skip() {
	for p.pos < len(p.s) {
		c := p.s[p.pos]
		switch {
		case c == '#':
			for p.pos < len(p.s) && p.s[p.pos] != '\n' {
				p.pos++
			}
		case c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == ',':
			p.pos++
		default:
			return
		}
	}
}

func (p *tpParser) message(end string) (map[string][]tpValue, error) {
	m := map[string][]tpValue{}
	for {
		p.skip()
		if p.pos >= len(p.s) || (end != "" && strings.HasPrefix(p.s[p.pos:], end)) {
			p.pos += len(end)
			return m, nil
		}
		start := p.pos
		for p.pos < len(p.s) && (p.s[p.pos] == '_' || p.s[p.pos] >= 'a' && p.s[p.pos] <= 'z' || p.s[p.pos] >= 'A' && p.s[p.pos] <= 'Z' || p.s[p.pos] >= '0' && p.s[p.pos] <= '9') {
			p.pos++
		}
		name := p.s[start:p.pos]
		if name == "" {
			return nil, fmt.Errorf("textproto: field name expected at %d", p.pos)
		}
		p.skip()
		if p.pos < len(p.s) && p.s[p.pos] == ':' {
			p.pos++
		}
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		m[name] = append(m[name], v)
	}
}

func (p *tpParser) value() (tpValue, error) {
	p.skip()
	if p.pos >= len(p.s) {
		return nil, fmt.Errorf("textproto: value expected")
	}
	switch p.s[p.pos] {
	case '{':
		p.pos++
		return p.message("}")
	case '[':
		p.pos++
		var list []tpValue
		for {
			p.skip()
			if p.pos < len(p.s) && p.s[p.pos] == ']' {
				p.pos++
				return list, nil
			}
			v, err := p.value()
			if err != nil {
				return nil, err
			}
			list = append(list, v)
		}
	case '"':
		var out strings.Builder
		for p.pos < len(p.s) && p.s[p.pos] == '"' {
			end := p.pos + 1
			for end < len(p.s) && p.s[end] != '"' {
				if p.s[end] == '\\' {
					end++
				}
				end++
			}
			s, err := strconv.Unquote(p.s[p.pos : end+1])
			if err != nil {
				return nil, fmt.Errorf("textproto: %w at %d", err, p.pos)
			}
			out.WriteString(s)
			p.pos = end + 1
			p.skip()
		}
		return out.String(), nil
	default:
		start := p.pos
		for p.pos < len(p.s) && !strings.ContainsRune(" \n\t\r,}]", rune(p.s[p.pos])) {
			p.pos++
		}
		return p.s[start:p.pos], nil
	}
}
