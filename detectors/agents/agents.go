// Package agents is the embedded, dated list of AI crawler tokens with their
// operator and purpose. "Reserved against any known AI-training agent" means
// reserved for one of the training tokens here. A config file can extend it.
package agents

import (
	"bufio"
	"bytes"
	_ "embed"
	"fmt"
	"sort"
	"strings"
)

// Purpose of a crawler.
const (
	Training    = "training"
	Search      = "search"
	Assistant   = "assistant"
	DataScraper = "data-scraper"
	Other       = "other"
)

// Agent is one crawler token.
type Agent struct {
	Token    string `json:"token" yaml:"token"`
	Operator string `json:"operator" yaml:"operator"`
	Purpose  string `json:"purpose" yaml:"purpose"`
}

// List is a set of agents keyed by lower-case token.
type List struct {
	Listed string
	byTok  map[string]Agent
}

//go:embed agents.tsv
var tsv []byte

var defaultList = mustParse(tsv)

// Default returns the embedded list.
func Default() *List { return defaultList }

func mustParse(b []byte) *List {
	l, err := Parse(b)
	if err != nil {
		panic(err) // the embedded list is checked by the tests
	}
	return l
}

// Parse reads "token<TAB>operator<TAB>purpose" lines; "#" starts a comment,
// and a "# listed: DATE" comment dates the list.
func Parse(b []byte) (*List, error) {
	l := &List{byTok: map[string]Agent{}}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if rest, ok := strings.CutPrefix(line, "# listed:"); ok {
			l.Listed = strings.TrimSpace(strings.SplitN(rest, ",", 2)[0])
			continue
		}
		if strings.HasPrefix(line, "#") || strings.TrimSpace(line) == "" {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 3 || f[0] == "" {
			return nil, fmt.Errorf("agents line %d: want token, operator, purpose separated by tabs", n)
		}
		if err := l.add(Agent{Token: f[0], Operator: f[1], Purpose: f[2]}); err != nil {
			return nil, fmt.Errorf("agents line %d: %w", n, err)
		}
	}
	return l, sc.Err()
}

func (l *List) add(a Agent) error {
	switch a.Purpose {
	case Training, Search, Assistant, DataScraper, Other:
	default:
		return fmt.Errorf("agent %q: unknown purpose %q (accepted: training, search, assistant, data-scraper, other)", a.Token, a.Purpose)
	}
	l.byTok[strings.ToLower(a.Token)] = a
	return nil
}

// Extend returns a new list with extra agents added or replaced.
func (l *List) Extend(extra []Agent) (*List, error) {
	out := &List{Listed: l.Listed, byTok: make(map[string]Agent, len(l.byTok)+len(extra))}
	for k, v := range l.byTok {
		out.byTok[k] = v
	}
	for _, a := range extra {
		if err := out.add(a); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Lookup finds an agent by token, case-insensitively.
func (l *List) Lookup(token string) (Agent, bool) {
	a, ok := l.byTok[strings.ToLower(token)]
	return a, ok
}

// WithPurpose lists the agents of one purpose, sorted by token.
func (l *List) WithPurpose(p string) []Agent {
	var out []Agent
	for _, a := range l.byTok {
		if a.Purpose == p {
			out = append(out, a)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Token < out[j].Token })
	return out
}

// All lists every agent, sorted by token.
func (l *List) All() []Agent {
	out := make([]Agent, 0, len(l.byTok))
	for _, a := range l.byTok {
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Token < out[j].Token })
	return out
}

// Len is the number of agents.
func (l *List) Len() int { return len(l.byTok) }
