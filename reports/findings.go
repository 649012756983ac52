package reports

import (
	"fmt"
	"strings"

	"github.com/aiaudit/aiaudit/detectors"
)

// Finding rules for media. The fine-exposure step maps them to articles.
const (
	// RuleAIUnmarked: AI-made, but no machine-readable AI marking (EU AI Act
	// Art. 50(2); KZ AI law Art. 21.2 asks for a clear label).
	RuleAIUnmarked = "ai.unmarked"
	// RuleAIMarked: AI-made and marked; listed so the inventory is complete.
	RuleAIMarked = "ai.marked"
	// RuleBindingMismatch: a C2PA manifest that does not belong to these bytes.
	RuleBindingMismatch = "c2pa.binding_mismatch"
	// RuleC2PAMalformed: a broken manifest store; its claims cannot be read.
	RuleC2PAMalformed = "c2pa.malformed"
	// RuleProvenanceStripped: the file says it had a manifest that is gone.
	RuleProvenanceStripped = "provenance.stripped"
	// RuleTrainingReserved: the rights holder reserved the item against AI training.
	RuleTrainingReserved = "training.reserved"
)

// MediaFindings derives the findings for one scanned media resource.
func MediaFindings(r Resource) []Finding {
	if r.Error != "" {
		return nil
	}
	var out []Finding
	add := func(rule string, sev Severity, format string, args ...any) {
		out = append(out, Finding{Rule: rule, Severity: sev, Location: r.Location, Message: fmt.Sprintf(format, args...), Content: r.Digest})
	}
	if r.AIGenerated {
		why := evidenceSummary(r)
		if r.Labelled.MachineReadable {
			add(RuleAIMarked, SeverityInfo, "AI-made (%s) and marked machine-readably", why)
		} else {
			add(RuleAIUnmarked, SeverityWarning, "AI-made (%s) but carries no machine-readable AI marking (IPTC DigitalSourceType or C2PA): EU AI Act Art. 50(2), KZ AI law Art. 21.2", why)
		}
	}
	if p := r.Provenance; p != nil {
		if p.Binding == "mismatch" {
			add(RuleBindingMismatch, SeverityWarning, "C2PA manifest (claim generator %q) does not match these bytes: it was copied from other content or the content was altered", p.ClaimGenerator)
		}
		switch p.C2PA {
		case "malformed":
			add(RuleC2PAMalformed, SeverityWarning, "C2PA manifest store is malformed; its claims could not be read in full")
		case "stripped_reference":
			add(RuleProvenanceStripped, SeverityInfo, "XMP says a C2PA manifest was embedded, but it has been stripped")
		}
	}
	if r.TrainingOptOut != nil && *r.TrainingOptOut {
		add(RuleTrainingReserved, SeverityInfo, "reserved against AI training by %s (KZ AI law Art. 23; EU DSM Art. 4(3))", ReservedBy(r.OptOutEvidence))
	}
	return out
}

// ReservedBy names the signals (and agents) that reserve an item, once each.
func ReservedBy(ev []detectors.OptOut) string {
	var sigs []string
	for _, o := range ev {
		if o.Verdict == detectors.Reserved {
			sigs = append(sigs, o.Signal+" "+o.Agent)
		}
	}
	return strings.Join(uniq(sigs), ", ")
}

func evidenceSummary(r Resource) string {
	var parts []string
	for _, e := range r.AIEvidence {
		s := e.Detector
		if e.Generator != "" {
			s += ": " + e.Generator
		}
		parts = append(parts, s)
	}
	return strings.Join(uniq(parts), "; ")
}

func uniq(in []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range in {
		s = strings.TrimSpace(s)
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// Count adds one resource and its findings to the summary.
func (s *Summary) Count(r Resource, fs []Finding) {
	s.Resources++
	if r.Error != "" {
		s.Errors++
		return
	}
	if r.AIGenerated {
		s.AIGenerated++
		if !r.Labelled.MachineReadable {
			s.AIUnmarked++
		}
	}
	if r.Labelled.MachineReadable {
		s.MachineLabelled++
	}
	if r.TrainingOptOut != nil && *r.TrainingOptOut {
		s.TrainingOptOut++
	}
	if r.Provenance != nil && r.Provenance.Metadata != "present" {
		s.NoMetadata++
	}
	s.AddFindings(fs)
}

// AddFindings counts findings by severity.
func (s *Summary) AddFindings(fs []Finding) {
	if s.FindingsBySeverity == nil {
		s.FindingsBySeverity = map[Severity]int{}
	}
	for _, f := range fs {
		s.FindingsBySeverity[f.Severity]++
	}
}

// Highest returns the highest severity counted.
func (s *Summary) Highest() Severity {
	var best Severity
	for sev, n := range s.FindingsBySeverity {
		if n > 0 && sev.Rank() > best.Rank() {
			best = sev
		}
	}
	return best
}
