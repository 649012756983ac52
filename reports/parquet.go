package reports

import (
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"

	"github.com/parquet-go/parquet-go"

	"github.com/aiaudit/aiaudit/detectors"
	"github.com/aiaudit/aiaudit/reports/model"
)

// parquetRowGroup is the rows a Parquet writer buffers before it writes a
// row group: what bounds its memory (a few tens of MB of results), whatever
// the number of rows.
const parquetRowGroup = 64 << 10

func parquetOptions(extra ...parquet.WriterOption) []parquet.WriterOption {
	return append([]parquet.WriterOption{
		parquet.Compression(&parquet.Snappy),
		parquet.MaxRowsPerRowGroup(parquetRowGroup),
		parquet.CreatedBy("aiaudit", "", ""),
	}, extra...)
}

// signalRow is one opt-out signal, the opt_out_evidence of the JSON report.
type signalRow struct {
	Signal      string  `parquet:"signal"`
	Agent       *string `parquet:"agent,optional"`
	Verdict     string  `parquet:"verdict"`
	Detail      string  `parquet:"detail"`
	NonStandard bool    `parquet:"non_standard"`
}

func signalRows(ev []detectors.OptOut) []signalRow {
	rows := make([]signalRow, len(ev))
	for i, e := range ev {
		rows[i] = signalRow{Signal: e.Signal, Agent: nullable(e.Agent), Verdict: string(e.Verdict), Detail: e.Detail, NonStandard: e.NonStandard}
	}
	return rows
}

// nullable is "" as null: a field JSON omits when empty.
func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// URLRow is one vetted URL as the Parquet results hold it: the JSONL
// result's fields, and the input's --keep values.
type URLRow struct {
	URL            string
	TrainingOptOut *bool
	Signals        []detectors.OptOut
	Status         int
	MediaType      string
	Error          string
	// Kept are the values of the --keep columns, in their order.
	Kept []*string
}

// urlRow is the fixed part of a URLRow's Parquet row; the --keep columns
// follow it.
type urlRow struct {
	URL            string      `parquet:"url"`
	TrainingOptOut *bool       `parquet:"training_opt_out,optional"`
	Signals        []signalRow `parquet:"signals,list"`
	Status         *int32      `parquet:"status,optional"`
	MediaType      *string     `parquet:"media_type,optional"`
	Error          *string     `parquet:"error,optional"`
}

// URLParquet writes URLRows as a Parquet file, streaming: rows go out a row
// group at a time.
type URLParquet struct {
	w    *parquet.Writer
	typ  reflect.Type
	keep int
}

// NewURLParquet starts a Parquet results file whose rows hold the --keep
// columns keep, as nullable strings, after the result's own columns.
func NewURLParquet(w io.Writer, keep []string) (*URLParquet, error) {
	fields := reflect.VisibleFields(reflect.TypeFor[urlRow]())
	seen := map[string]bool{}
	for _, f := range fields {
		name, _, _ := strings.Cut(f.Tag.Get("parquet"), ",")
		seen[name] = true
	}
	for i, k := range keep {
		if k == "" || seen[k] {
			return nil, fmt.Errorf("--keep %q: the results already have a column of that name", k)
		}
		seen[k] = true
		fields = append(fields, reflect.StructField{
			Name: "Keep" + strconv.Itoa(i), Type: reflect.TypeFor[*string](),
			Tag: reflect.StructTag(`parquet:` + strconv.Quote(k+",optional")),
		})
	}
	typ := reflect.StructOf(fields)
	schema := parquet.SchemaOf(reflect.New(typ).Interface())
	return &URLParquet{w: parquet.NewWriter(w, parquetOptions(schema)...), typ: typ, keep: len(keep)}, nil
}

// Write adds one row.
func (p *URLParquet) Write(r URLRow) error {
	row := reflect.New(p.typ)
	fixed := urlRow{URL: r.URL, TrainingOptOut: r.TrainingOptOut, Signals: signalRows(r.Signals), MediaType: nullable(r.MediaType), Error: nullable(r.Error)}
	if r.Status != 0 {
		s := int32(r.Status)
		fixed.Status = &s
	}
	v := row.Elem()
	f := reflect.ValueOf(fixed)
	for i := range f.NumField() {
		v.Field(i).Set(f.Field(i))
	}
	for i := range min(p.keep, len(r.Kept)) {
		v.Field(f.NumField() + i).Set(reflect.ValueOf(r.Kept[i]))
	}
	return p.w.Write(row.Interface())
}

// Close writes the last row group and the footer.
func (p *URLParquet) Close() error { return p.w.Close() }

// resourceRow is one resource of a report as Parquet holds it: the main
// fields of the JSON contract's resource, flat enough for a dataframe.
type resourceRow struct {
	Location                string        `parquet:"location"`
	Kind                    string        `parquet:"kind"`
	MediaType               string        `parquet:"media_type"`
	Size                    int64         `parquet:"size"`
	Digest                  *string       `parquet:"digest,optional"`
	AIGenerated             bool          `parquet:"ai_generated"`
	AIEvidence              []evidenceRow `parquet:"ai_evidence,list"`
	LabelledMachineReadable bool          `parquet:"labelled_machine_readable"`
	LabelledVisible         *bool         `parquet:"labelled_visible,optional"`
	C2PA                    *string       `parquet:"c2pa,optional"`
	TrainingOptOut          *bool         `parquet:"training_opt_out,optional"`
	OptOutEvidence          []signalRow   `parquet:"opt_out_evidence,list"`
	Error                   *string       `parquet:"error,optional"`
}

type evidenceRow struct {
	Detector  string  `parquet:"detector"`
	Detail    string  `parquet:"detail"`
	Generator *string `parquet:"generator,optional"`
	Strength  *string `parquet:"strength,optional"`
}

// parquetWriter renders a report as a table of its resources, one row each.
// Findings and exposure are not in it (they are in the JSON report): the
// rows hold what the findings are judged from.
type parquetWriter struct {
	w *parquet.GenericWriter[resourceRow]
}

func newParquetWriter(w io.Writer) *parquetWriter {
	return &parquetWriter{w: parquet.NewGenericWriter[resourceRow](w, parquetOptions()...)}
}

func (p *parquetWriter) Begin(*model.Report) error { return nil }

func (p *parquetWriter) Resource(r model.Resource, _ []model.Finding) error {
	row := resourceRow{Location: r.Location, Kind: r.Kind, MediaType: r.MediaType, Size: r.Size, Digest: nullable(r.Digest),
		AIGenerated: r.AIGenerated, LabelledMachineReadable: r.Labelled.MachineReadable, LabelledVisible: r.Labelled.Visible,
		TrainingOptOut: r.TrainingOptOut, OptOutEvidence: signalRows(r.OptOutEvidence), Error: nullable(r.Error)}
	for _, e := range r.AIEvidence {
		row.AIEvidence = append(row.AIEvidence, evidenceRow{Detector: e.Detector, Detail: e.Detail, Generator: nullable(e.Generator), Strength: nullable(string(e.Strength))})
	}
	if r.Provenance != nil {
		row.C2PA = nullable(string(r.Provenance.C2PA))
	}
	_, err := p.w.Write([]resourceRow{row})
	return err
}

func (p *parquetWriter) Findings([]model.Finding) error { return nil }

func (p *parquetWriter) End(*model.Report) error { return p.w.Close() }
