package reports

import (
	"bytes"
	"context"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aiaudit/aiaudit/detectors"
	"github.com/aiaudit/aiaudit/reports/model"
)

// readArrow reads a Parquet file with Apache Arrow's Go reader (another
// implementation than the writer's) into one record of its columns.
func readArrow(t *testing.T, data []byte) arrow.Table {
	t.Helper()
	tbl, err := pqarrow.ReadTable(context.Background(), bytes.NewReader(data), nil, pqarrow.ArrowReadProperties{}, memory.NewGoAllocator())
	require.NoError(t, err)
	t.Cleanup(tbl.Release)
	return tbl
}

// column returns a table's column by name as one array.
func column(t *testing.T, tbl arrow.Table, name string) arrow.Array {
	t.Helper()
	idx := tbl.Schema().FieldIndices(name)
	require.Len(t, idx, 1, "column %s in %s", name, tbl.Schema())
	chunks := tbl.Column(idx[0]).Data().Chunks()
	arr, err := array.Concatenate(chunks, memory.NewGoAllocator())
	require.NoError(t, err)
	t.Cleanup(arr.Release)
	return arr
}

func ptr[T any](v T) *T { return &v }

// URL results written as Parquet read back, value for value, with Arrow's
// reader: unknown stays null (never false), signals are a list of structs
// as in JSON, kept columns follow; rows past one row group arrive whole.
func TestURLParquetReadsBackWithArrow(t *testing.T) {
	rows := []URLRow{
		{URL: "https://a.kz/1", TrainingOptOut: ptr(true), Status: 200, MediaType: "text/html", Kept: []*string{ptr("a cat"), ptr("7")},
			Signals: []detectors.OptOut{{Signal: "robots.txt", Agent: "GPTBot", Verdict: detectors.Reserved, Detail: "Disallow: /"}, {Signal: "tdmrep", Verdict: detectors.NotReserved, Detail: "no file", NonStandard: true}}},
		{URL: "https://a.kz/2", TrainingOptOut: ptr(false), Kept: []*string{nil, ptr("8")}},
		{URL: "https://b.kz/3", Error: "connection refused", Kept: []*string{ptr("x"), nil}},
	}
	for len(rows) < parquetRowGroup+10 {
		rows = append(rows, URLRow{URL: "https://c.kz/more", TrainingOptOut: ptr(false), Kept: []*string{nil, nil}})
	}
	var buf bytes.Buffer
	w, err := NewURLParquet(&buf, []string{"caption", "sample_id"})
	require.NoError(t, err)
	for _, r := range rows {
		require.NoError(t, w.Write(r))
	}
	require.NoError(t, w.Close())

	tbl := readArrow(t, buf.Bytes())
	require.EqualValues(t, len(rows), tbl.NumRows())
	var names []string
	for _, f := range tbl.Schema().Fields() {
		names = append(names, f.Name)
	}
	assert.Equal(t, []string{"url", "training_opt_out", "signals", "status", "media_type", "error", "caption", "sample_id"}, names)

	url := column(t, tbl, "url").(*array.String)
	opt := column(t, tbl, "training_opt_out").(*array.Boolean)
	status := column(t, tbl, "status").(*array.Int32)
	mt := column(t, tbl, "media_type").(*array.String)
	errs := column(t, tbl, "error").(*array.String)
	caption := column(t, tbl, "caption").(*array.String)
	sid := column(t, tbl, "sample_id").(*array.String)
	assert.Equal(t, "https://a.kz/1", url.Value(0))
	assert.True(t, opt.Value(0))
	assert.False(t, opt.IsNull(1))
	assert.False(t, opt.Value(1))
	assert.True(t, opt.IsNull(2), "unknown is null, never false")
	assert.Equal(t, int32(200), status.Value(0))
	assert.True(t, status.IsNull(1))
	assert.Equal(t, "text/html", mt.Value(0))
	assert.True(t, errs.IsNull(0))
	assert.Equal(t, "connection refused", errs.Value(2))
	assert.Equal(t, "a cat", caption.Value(0))
	assert.True(t, caption.IsNull(1))
	assert.Equal(t, "8", sid.Value(1))
	assert.True(t, sid.IsNull(2))
	assert.Equal(t, "https://c.kz/more", url.Value(len(rows)-1))

	signals := column(t, tbl, "signals").(*array.List)
	elems := signals.ListValues().(*array.Struct)
	st := elems.DataType().(*arrow.StructType)
	field := func(name string) arrow.Array {
		i, ok := st.FieldIdx(name)
		require.True(t, ok, name)
		return elems.Field(i)
	}
	start, end := signals.ValueOffsets(0)
	require.EqualValues(t, 2, end-start)
	assert.Equal(t, "robots.txt", field("signal").(*array.String).Value(int(start)))
	assert.Equal(t, "GPTBot", field("agent").(*array.String).Value(int(start)))
	assert.True(t, field("agent").IsNull(int(start)+1), "no agent is null, as JSON omits it")
	assert.Equal(t, "reserved", field("verdict").(*array.String).Value(int(start)))
	assert.Equal(t, "Disallow: /", field("detail").(*array.String).Value(int(start)))
	assert.True(t, field("non_standard").(*array.Boolean).Value(int(start)+1))
	start, end = signals.ValueOffsets(1)
	assert.Zero(t, end-start)
}

// A --keep column that has an output column's name is refused: it would
// hide the result.
func TestURLParquetRefusesKeepThatClashes(t *testing.T) {
	_, err := NewURLParquet(&bytes.Buffer{}, []string{"caption", "url"})
	assert.ErrorContains(t, err, `--keep "url": the results already have a column of that name`)
}

// files -f parquet is one row per file, read back with Arrow's reader.
func TestResourceParquetReadsBackWithArrow(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, renderSample(&buf, "parquet"))
	tbl := readArrow(t, buf.Bytes())
	want := sample()
	require.EqualValues(t, len(want), tbl.NumRows())
	loc := column(t, tbl, "location").(*array.String)
	ai := column(t, tbl, "ai_generated").(*array.Boolean)
	opt := column(t, tbl, "training_opt_out").(*array.Boolean)
	errs := column(t, tbl, "error").(*array.String)
	for i, r := range want {
		assert.Equal(t, r.Location, loc.Value(i))
		assert.Equal(t, r.AIGenerated, ai.Value(i))
		if r.TrainingOptOut == nil {
			assert.True(t, opt.IsNull(i), r.Location)
		} else {
			assert.Equal(t, *r.TrainingOptOut, opt.Value(i), r.Location)
		}
		assert.Equal(t, r.Error == "", errs.IsNull(i))
	}
	_ = model.Schema
}
