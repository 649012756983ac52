package reports

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/aiaudit/aiaudit/reports/model"
)

// Load reads a saved JSON report. A report of another schema version is an
// error that names both versions.
func Load(r io.Reader) (*model.Report, error) {
	var head struct {
		Schema string `json:"schema"`
	}
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(b, &head); err != nil {
		return nil, fmt.Errorf("not an aiaudit JSON report: %w", err)
	}
	if head.Schema != model.Schema {
		return nil, fmt.Errorf("the saved scan has schema %q; this aiaudit reads %q", head.Schema, model.Schema)
	}
	var rep model.Report
	if err := json.Unmarshal(b, &rep); err != nil {
		return nil, fmt.Errorf("aiaudit report: %w", err)
	}
	return &rep, nil
}
