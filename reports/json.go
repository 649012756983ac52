package reports

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/aiaudit/aiaudit/reports/digestset"
	"github.com/aiaudit/aiaudit/reports/model"
)

// jsonWriter streams the DESIGN.md contract. Findings are spilled to a temp
// file while resources stream, then copied after them: the output is one JSON
// document and memory stays flat.
type jsonWriter struct {
	w         *bufio.Writer
	n         int
	spill     *os.File
	spillBuf  *bufio.Writer
	nFindings int
}

func (j *jsonWriter) Begin(r *model.Report) error {
	f, err := digestset.TempFile("findings")
	if err != nil {
		return err
	}
	j.spill, j.spillBuf = f, bufio.NewWriter(f)
	fmt.Fprintf(j.w, "{\n  \"schema\": %s,\n  \"tool\": %s,\n  \"resources\": [", mustJSON(r.Schema), mustJSON(r.Tool))
	return nil
}

func (j *jsonWriter) Resource(r model.Resource, fs []model.Finding) error {
	b, err := indentResource(r)
	if err != nil {
		return err
	}
	if j.n > 0 {
		j.w.WriteByte(',')
	}
	j.n++
	j.w.WriteString("\n    ")
	j.w.Write(b)
	return j.Findings(fs)
}

// thumbnailMark stands in for a resource's thumbnail while the resource is
// indented: the thumbnail, a few KB of base64, is most of the resource's
// bytes, and indenting scans every byte once more. It is spliced in after,
// where the mark is: under the key at the resource's own depth, after a
// newline, which no string value holds unescaped.
const (
	thumbnailMark = "\x00thumbnail"
	thumbnailKey  = "\n      \"thumbnail\": "
)

var markedThumbnail = []byte(thumbnailKey + mustJSON(thumbnailMark))

// indentResource is json.MarshalIndent(r, "    ", "  "), byte for byte.
func indentResource(r model.Resource) ([]byte, error) {
	thumb := r.Thumbnail
	if thumb == "" {
		return json.MarshalIndent(r, "    ", "  ")
	}
	r.Thumbnail = thumbnailMark
	b, err := json.MarshalIndent(r, "    ", "  ")
	if err != nil {
		return nil, err
	}
	q, err := json.Marshal(thumb)
	if err != nil {
		return nil, err
	}
	at := bytes.Index(b, markedThumbnail)
	if at < 0 {
		return nil, errors.New("resource thumbnail: its mark is not where json put it") // encoding/json's layout changed
	}
	return slices.Concat(b[:at+len(thumbnailKey)], q, b[at+len(markedThumbnail):]), nil
}

func (j *jsonWriter) Findings(fs []model.Finding) error {
	for _, f := range fs {
		b, err := json.MarshalIndent(f, "    ", "  ")
		if err != nil {
			return err
		}
		if j.nFindings > 0 {
			j.spillBuf.WriteByte(',')
		}
		j.nFindings++
		j.spillBuf.WriteString("\n    ")
		j.spillBuf.Write(b)
	}
	return nil
}

func (j *jsonWriter) End(r *model.Report) error {
	defer j.spill.Close()
	if j.n > 0 {
		j.w.WriteString("\n  ")
	}
	j.w.WriteString("],\n  \"findings\": [")
	if err := j.spillBuf.Flush(); err != nil {
		return fmt.Errorf("findings spill: %w", err)
	}
	if _, err := j.spill.Seek(0, io.SeekStart); err != nil {
		return err
	}
	if _, err := io.Copy(j.w, j.spill); err != nil {
		return err
	}
	if j.nFindings > 0 {
		j.w.WriteString("\n  ")
	}
	sites, exposure := r.Sites, r.Exposure
	if sites == nil {
		sites = []model.Site{}
	}
	if exposure == nil {
		exposure = []model.Exposure{}
	}
	fmt.Fprintf(j.w, "],\n  \"sites\": %s,\n  \"exposure\": %s,\n", indentJSON(sites), indentJSON(exposure))
	if r.Disclaimer != "" {
		fmt.Fprintf(j.w, "  \"disclaimer\": %s,\n", mustJSON(r.Disclaimer))
	}
	if r.Profile != nil {
		fmt.Fprintf(j.w, "  \"profile\": %s,\n", indentJSON(r.Profile))
	}
	if r.Lang != "" {
		fmt.Fprintf(j.w, "  \"lang\": %s,\n", mustJSON(r.Lang))
	}
	if r.Basis != nil {
		fmt.Fprintf(j.w, "  \"exposure_basis\": %s,\n", indentJSON(r.Basis))
	}
	if r.Changes != nil {
		fmt.Fprintf(j.w, "  \"changes\": %s,\n", indentJSON(r.Changes))
	}
	if r.Baseline != nil {
		fmt.Fprintf(j.w, "  \"baseline\": %s,\n", indentJSON(r.Baseline))
	}
	fmt.Fprintf(j.w, "  \"summary\": %s,\n  \"scan\": %s\n}\n", indentJSON(r.Summary), indentJSON(r.Scan))
	return j.w.Flush()
}

// writeJSONDiff writes the diff's three arrays: new, fixed, unchanged.
func writeJSONDiff(w io.Writer, d *model.Diff) error {
	_, err := io.WriteString(w, indentJSON(d)+"\n")
	return err
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only for our own plain structs: cannot fail
	}
	return string(b)
}

func indentJSON(v any) string { return indentedJSON(v, 2) }

// indentedJSON is v indented by two spaces a level, at depth spaces.
func indentedJSON(v any, depth int) string {
	b, err := json.MarshalIndent(v, strings.Repeat(" ", depth), "  ")
	if err != nil {
		panic(err) // only for our own plain structs: cannot fail
	}
	return string(b)
}
