package audit

import (
	"fmt"
	"iter"
	"time"

	"github.com/aiaudit/aiaudit/reports/model"
	"github.com/aiaudit/aiaudit/scanner/urls"
)

// ListResults writes results vetted elsewhere (the workers of a distributed
// job) the way a list run writes its own: the results output (uo.Results,
// or the Stdout of opt.Output) in uo.Format, the reserved and allowed lists,
// and the summary to opt.Log. evaluated are the agents the results were
// decided for; took is how long the vetting took.
func ListResults(opt Options, uo URLOptions, results iter.Seq2[urls.Result, error], evaluated []string, took time.Duration) (Outcome, error) {
	if err := uo.checkFormat(); err != nil {
		return Outcome{}, err
	}
	out, err := openURLOutputs(uo, opt.Output.Stdout)
	if err != nil {
		return Outcome{}, err
	}
	defer out.close()
	for r, err := range results {
		if err != nil {
			return Outcome{}, fmt.Errorf("reading the results: %w", err)
		}
		if err := out.emit(r); err != nil {
			return Outcome{}, err
		}
	}
	if err := out.close(); err != nil {
		return Outcome{}, err
	}
	t := out.tally
	printTally(opt.Log, t, evaluated, uo.Vet.Agents, took, false, uo.Results)
	if t.noneVetted() {
		warnNoneVetted(opt.Log, t)
	}
	return Outcome{Incomplete: t.unknown > 0, Summary: model.Summary{Resources: t.total, TrainingOptOut: t.reserved, Errors: t.errors}}, nil
}
