package tdmrep

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aiaudit/aiaudit/detectors"
	fixtures "github.com/aiaudit/aiaudit/detectors/testfixtures"
)

func parse(t *testing.T, name string) *File {
	f, err := ParseFile(fixtures.Read(t, "optout/tdmrep", name))
	require.NoError(t, err, name)
	return f
}

func TestRealFiles(t *testing.T) {
	w3c := parse(t, "w3c-spec.example-multi-rule.tdmrep.json")
	assert.Equal(t, ReservedFlag, w3c.Evaluate("/directory-a/x.html").Reservation)
	d := w3c.Evaluate("/directory-b/html/page.html")
	assert.Equal(t, ReservedFlag, d.Reservation)
	assert.Equal(t, "https://provider.com/policies/policy.json", d.Policy)
	assert.Equal(t, NotReserved, w3c.Evaluate("/directory-b/images/x.jpg").Reservation)
	assert.Equal(t, Unset, w3c.Evaluate("/directory-b/images/x.png").Reservation)
	assert.Equal(t, Unset, w3c.Evaluate("/other").Reservation)

	for _, name := range []string{"healsdata.reserved-all.tdmrep.json", "itcop.reserved-with-policy.tdmrep.json", "nineplus.reserved-with-policy.tdmrep.json"} {
		d := parse(t, name).Evaluate("/any/path")
		assert.Equal(t, ReservedFlag, d.Reservation, name)
		assert.False(t, d.NonConforming, name)
	}
	assert.Equal(t, "https://itcop.org/licence/0pn-mrt-1.0.json", parse(t, "itcop.reserved-with-policy.tdmrep.json").Evaluate("/").Policy)
	assert.Equal(t, NotReserved, parse(t, "xlr8harder.not-reserved.tdmrep.json").Evaluate("/x").Reservation)

	byron := parse(t, "byron.INVALID-object-no-reservation.tdmrep.json")
	assert.Equal(t, Unset, byron.Evaluate("/").Reservation)
	assert.NotEmpty(t, byron.Problems)

	koji := parse(t, "koji-blog.INVALID-underscore-keys.tdmrep.json")
	d = koji.Evaluate("/post")
	assert.Equal(t, ReservedFlag, d.Reservation, "probable reservation, malformed")
	assert.True(t, d.NonConforming)
	assert.Equal(t, detectors.Reserved, d.OptOut(false).Verdict)
	assert.Equal(t, detectors.Unset, d.OptOut(true).Verdict, "--strict counts conforming signals only")

	vibe := parse(t, "vibeslop.INVALID-wrapped-array.tdmrep.json")
	d = vibe.Evaluate("/")
	assert.Equal(t, NotReserved, d.Reservation)
	assert.True(t, d.NonConforming)
}

func TestFirstVersusLongest(t *testing.T) {
	f, err := ParseFile([]byte(`[{"location":"/","tdm-reservation":0},{"location":"/private/","tdm-reservation":1}]`))
	require.NoError(t, err)
	d := f.Evaluate("/private/x")
	assert.True(t, d.Ambiguous)
	assert.Equal(t, ReservedFlag, d.Reservation)
	assert.Equal(t, NotReserved, f.Evaluate("/public").Reservation)
}

func TestPrecedence(t *testing.T) {
	file := Decision{Reservation: ReservedFlag, Source: "tdmrep.json"}
	header := FromValues("header", "", "")
	meta := FromValues("meta", "0", "")
	got := Combine(file, header, meta)
	assert.Equal(t, NotReserved, got.Reservation, "the more specific source wins, not the more restrictive")
	assert.Equal(t, "meta", got.Source)
	assert.Equal(t, ReservedFlag, Combine(file, header).Reservation, "absence never resets")
	bad := FromValues("header", "yes", "")
	assert.Equal(t, Unset, bad.Reservation)
	assert.Contains(t, bad.Detail, "protocol error")
}

func TestBadJSON(t *testing.T) {
	_, err := ParseFile([]byte("{not json"))
	assert.Error(t, err)
	f, err := ParseFile([]byte(`"a string"`))
	require.NoError(t, err)
	assert.NotEmpty(t, f.Problems)
	_, err = ParseFile(make([]byte, MaxFile+1))
	assert.Error(t, err)
}

func FuzzParseFile(f *testing.F) {
	f.Add([]byte(`[{"location":"/*.jpg$","tdm-reservation":1,"tdm-policy":"https://x"}]`))
	f.Add([]byte(`{"tdm_reservation":"1"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		file, err := ParseFile(b)
		if err != nil {
			return
		}
		d := file.Evaluate("/a/b.jpg")
		if d.Reservation < Unset || d.Reservation > ReservedFlag {
			t.Fatalf("reservation %d", d.Reservation)
		}
	})
}
