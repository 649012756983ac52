package audit

import (
	"context"
	"fmt"
	"os"

	"github.com/aiaudit/aiaudit/reports"
	"github.com/aiaudit/aiaudit/reports/model"
	"github.com/aiaudit/aiaudit/scanner"
	"github.com/aiaudit/aiaudit/scanner/assets"
)

// maxLibraryProblems is how many unindexed library items are named.
const maxLibraryProblems = 10

// LoadAssets indexes the asset library of --assets: a folder (scanned as
// `aiaudit files` scans it) or a saved `aiaudit files` JSON report of one.
// Items that cannot be indexed are named on the log and left out; a library
// with no image at all is an error (a mistyped path would otherwise match
// nothing, silently).
func LoadAssets(ctx context.Context, path string, log Log) (*assets.Library, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("--assets: %w", err)
	}
	var resources []model.Resource
	if st.IsDir() {
		err = scanner.ScanFiles(ctx, []string{path}, scanner.FilesOptions{Emit: func(r model.Resource) error {
			resources = append(resources, r)
			return nil
		}})
	} else {
		resources, err = savedFiles(path)
	}
	if err != nil {
		return nil, fmt.Errorf("--assets %s: %w", path, err)
	}
	lib, problems := assets.Build(resources)
	if lib.Len() == 0 {
		return nil, fmt.Errorf("--assets %s: no image could be indexed (%d problems)", path, len(problems))
	}
	say := log.Say()
	line := say.T("asset library %s: %d images indexed", path, lib.Len())
	if len(problems) > 0 {
		line += "; " + say.T("%d not indexed", len(problems))
	}
	Summarize(log, line)
	for i, p := range problems {
		if i == maxLibraryProblems {
			Summarize(log, say.T("asset library: %d more not indexed", len(problems)-i))
			break
		}
		Summarize(log, say.T("asset library: %s", say.T(assets.NotIndexed, p.Location, p.Err)))
	}
	return lib, nil
}

// library is the run's asset library, when --assets names one.
func (o Options) library(ctx context.Context) (*assets.Library, error) {
	if o.Assets == "" {
		return nil, nil
	}
	return LoadAssets(ctx, o.Assets, o.Log)
}

// savedFiles reads the resources of a saved `aiaudit files` JSON report.
func savedFiles(path string) ([]model.Resource, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rep, err := reports.Load(f)
	if err != nil {
		return nil, err
	}
	if rep.Scan.Command != "files" {
		return nil, fmt.Errorf("a %q report, not an `aiaudit files` report of the library", rep.Scan.Command)
	}
	return rep.Resources, nil
}
