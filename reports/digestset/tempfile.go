package digestset

import (
	"fmt"
	"os"
)

// TempFile is a new unlinked temp file for what a run keeps on disk instead
// of in memory (a digest set's runs, a crawl's frontier, a report's
// findings): the OS frees it however the run ends. what names its contents
// in the error.
func TempFile(what string) (*os.File, error) {
	f, err := os.CreateTemp("", "aiaudit-spill-*")
	if err != nil {
		return nil, fmt.Errorf("%s spill file: %w", what, err)
	}
	os.Remove(f.Name())
	return f, nil
}
