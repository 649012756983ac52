package crawl

import (
	"encoding/csv"
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/andybalholm/cascadia"

	"github.com/aiaudit/aiaudit/reports/model"
)

// Declared lists content the team knows is AI-made (exported from a CMS):
// a URL alone means the whole page or media file; with a CSS selector, the
// elements it selects on that page. AI text has no byte-level fingerprint,
// so declaration is how it enters the audit.
type Declared map[string][]string

// ReadDeclared reads "url[,selector]" rows; a header row is skipped; rows
// that are not absolute URLs or whose selector does not compile are errors
// naming the line.
func ReadDeclared(r io.Reader) (Declared, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.Comment = '#'
	d := Declared{}
	for line := 1; ; line++ {
		rec, err := cr.Read()
		if err == io.EOF {
			return d, nil
		}
		if err != nil {
			return nil, fmt.Errorf("declared line %d: %w", line, err)
		}
		if len(rec) == 0 || strings.TrimSpace(rec[0]) == "" {
			continue
		}
		raw := strings.TrimSpace(rec[0])
		if line == 1 && !strings.Contains(raw, "://") {
			continue // header
		}
		u, err := url.Parse(raw)
		if err != nil || u.Host == "" {
			return nil, fmt.Errorf("declared line %d: %q is not an absolute URL", line, model.StripUserinfo(raw))
		}
		key := normalize(u) // as pages are known
		sel := ""
		if len(rec) > 1 {
			sel = strings.TrimSpace(rec[1])
		}
		if sel != "" {
			if _, err := cascadia.Compile(sel); err != nil {
				return nil, fmt.Errorf("declared line %d: selector %q: %w", line, sel, err)
			}
		}
		d[key] = append(d[key], sel)
	}
}
