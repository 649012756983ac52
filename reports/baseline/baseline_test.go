package baseline

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aiaudit/aiaudit/reports/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const sample = `# accepted findings
accepted:
  - rule: kz.aap.456.2
    location: https://a.kz/img/hero.jpg on https://a.kz/
    reason: licensed stock photo
    until: 2027-03-31
  - rule: "*"
    location: https://a.kz/blog/*
    reason: blog migrates in Q1
    until: 2026-10-01
  - rule: ai.unmarked
    location: corpus/*.png
    content: xxh3-head:aa
    reason: vendor images, vendor marks them
    until: 2027-01-01
`

func finding(rule, loc, content string) model.Finding {
	return model.Finding{Rule: rule, Location: loc, Content: content, Severity: model.SeverityViolation}
}

func TestApply(t *testing.T) {
	b, err := Parse("baseline.yaml", []byte(sample))
	require.NoError(t, err)
	now := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	fs := []model.Finding{
		finding("kz.aap.456.2", "https://a.kz/img/hero.jpg?v=3 on https://a.kz/#top", "x"), // accepted; query and anchor ignored
		finding("eu.ai-act.50", "https://a.kz/img/hero.jpg on https://a.kz/", "x"),         // another rule: kept
		finding("kz.aap.456.2", "https://a.kz/img/other.jpg on https://a.kz/", "y"),        // another image: kept
		finding("kz.aap.456.2", "https://a.kz/blog/post-1", "z"),                           // entry expired: comes back
		finding("ai.unmarked", "/data/corpus/1.png", "xxh3-head:aa"),                       // accepted: relative place and content match
		finding("ai.unmarked", "/data/corpus/2.png", "xxh3-head:bb"),                       // same place pattern, other content: kept
	}
	r := b.Apply(fs, []string{"/data/corpus"}, now)
	assert.Equal(t, 2, r.Suppressed)
	var kept []string
	for _, f := range r.Kept {
		kept = append(kept, f.Rule+" "+f.Location)
	}
	assert.Equal(t, []string{
		"eu.ai-act.50 https://a.kz/img/hero.jpg on https://a.kz/",
		"kz.aap.456.2 https://a.kz/img/other.jpg on https://a.kz/",
		"kz.aap.456.2 https://a.kz/blog/post-1",
		"ai.unmarked /data/corpus/2.png",
	}, kept)
	require.Len(t, r.Expired, 1)
	assert.Contains(t, r.Expired[0].String(), "line 7")
	assert.Contains(t, r.Expired[0].String(), "blog migrates in Q1")

	// Accepted through the whole "until" day, not after it.
	lastDay := time.Date(2027, 3, 31, 23, 59, 0, 0, time.UTC)
	assert.Equal(t, 1, b.Apply(fs[:1], nil, lastDay).Suppressed)
	assert.Equal(t, 0, b.Apply(fs[:1], nil, lastDay.Add(time.Hour)).Suppressed)
}

func TestParseErrorsNameTheLine(t *testing.T) {
	for name, c := range map[string]struct{ yaml, want string }{
		"bad date":     {"accepted:\n  - rule: r\n    location: l\n    reason: x\n    until: 2027-13-01\n", "b.yaml:5: accepted entry 1: until \"2027-13-01\" is not a date: want YYYY-MM-DD"},
		"no reason":    {"accepted:\n  - rule: r\n    location: l\n    until: 2027-01-01\n", "b.yaml:2: accepted entry 1: \"reason\" is required"},
		"unknown key":  {"accepted:\n  - rule: r\n    locaton: l\n", "[3:5] unknown field \"locaton\""},
		"wrong type":   {"accepted: yes\n", "b.yaml: [1:11]"},
		"no until":     {"accepted:\n  - rule: r\n    location: l\n    reason: x\n", "b.yaml:2: accepted entry 1: \"until\" is required"},
		"second entry": {"accepted:\n  - {rule: r, location: l, reason: x, until: 2027-01-01}\n  - rule: r\n    location: l\n    reason: x\n    until: 31.12.2026\n", "b.yaml:6: accepted entry 2: until \"31.12.2026\""},
		"syntax":       {"accepted:\n  - rule: [\n", "b.yaml:"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Parse("b.yaml", []byte(c.yaml))
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
		})
	}
}

// A file that is no baseline at all (a JPEG given by mistake, a plain word,
// another tool's YAML) is named as such with its path and what was expected,
// not with a YAML decoder's "string was used where mapping is expected".
func TestNotABaselineFile(t *testing.T) {
	jpeg := append([]byte{0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 'J', 'F', 'I', 'F', 0}, bytes.Repeat([]byte{0x80, 0}, 64)...)
	for name, c := range map[string]struct {
		src  []byte
		want string
	}{
		"binary":         {jpeg, "it holds binary data"},
		"binary, UTF-8":  {[]byte("accepted: []\n\x00\x01"), "it holds binary data"},
		"a plain string": {[]byte("hello world\n"), "it is a single value"},
		"a list":         {[]byte("- rule: r\n"), "it is a list"},
		"other YAML":     {[]byte("jurisdiction: kz\nformat: json\n"), `it has no "accepted" list (its keys: jurisdiction, format)`},
	} {
		t.Run(name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "b.yaml")
			require.NoError(t, os.WriteFile(p, c.src, 0o644))
			_, err := Load(p)
			require.Error(t, err)
			assert.Contains(t, err.Error(), p+": not a baseline YAML file: "+c.want)
			assert.Contains(t, err.Error(), `want "accepted:" and a list of entries`, "what was expected")
			assert.NotContains(t, err.Error(), "mapping is expected")
		})
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "b.yaml")
	require.NoError(t, os.WriteFile(p, []byte(sample), 0o644))
	b, err := Load(p)
	require.NoError(t, err)
	assert.Len(t, b.Accepted, 3)
	_, err = Load(filepath.Join(dir, "missing.yaml"))
	assert.Error(t, err)
	big := filepath.Join(dir, "big.yaml")
	require.NoError(t, os.WriteFile(big, make([]byte, maxSize+1), 0o644))
	_, err = Load(big)
	assert.ErrorContains(t, err, "more than")
	for _, doc := range []string{"", "accepted: []\n", "# nothing accepted yet\n"} {
		empty, err := Parse("e.yaml", []byte(doc))
		require.NoError(t, err, "%q", doc)
		assert.Empty(t, empty.Accepted)
		assert.Equal(t, "e.yaml", empty.Path, "%q", doc)
	}
}

func TestGlob(t *testing.T) {
	assert.True(t, glob("a*c", "abbbc"))
	assert.True(t, glob("*", ""))
	assert.True(t, glob("https://a.kz/*/x.jpg on *", "https://a.kz/p/q/x.jpg on https://a.kz/"))
	assert.False(t, glob("a*c", "abd"))
	assert.False(t, glob("ab*ba", "aba"), "prefix and suffix may not overlap")
	assert.False(t, glob("exact", "exact-not"))
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(sample))
	f.Add([]byte("accepted:\n  - until: 2027-13-01\n"))
	f.Add([]byte("accepted: [1, 2, {rule: *}]"))
	f.Fuzz(func(t *testing.T, b []byte) {
		bl, err := Parse("f.yaml", b)
		if err == nil {
			bl.Apply([]model.Finding{{Rule: "r", Location: "https://a.kz/x?q on https://a.kz/"}}, []string{"/x"}, time.Now())
		}
	})
}

// What Write writes, Parse reads back, and it accepts the findings it was
// written from (and not another item at the same place).
func TestWriteRoundTrip(t *testing.T) {
	fs := []model.Finding{
		finding("kz.aap.456.2", "https://a.kz/img/x.jpg?v=1 on https://a.kz/#top", "xxh3-head:1"),
		finding("kz.aap.456.2", "https://a.kz/img/x.jpg?v=1 on https://a.kz/#top", "xxh3-head:1"), // twice: one entry
		finding("eu.ai-act.50.1", `https://a.kz/"quoted": page`, ""),
	}
	var buf bytes.Buffer
	until := time.Date(2027, 6, 30, 0, 0, 0, 0, time.UTC)
	require.NoError(t, Write(&buf, fs, "accepted at rollout: see ticket #12", until))
	b, err := Parse("b.yaml", buf.Bytes())
	require.NoError(t, err, buf.String())
	require.Len(t, b.Accepted, 2)
	assert.Equal(t, "2027-06-30", b.Accepted[0].Until)
	assert.Equal(t, "accepted at rollout: see ticket #12", b.Accepted[1].Reason)
	r := b.Apply(fs, nil, until)
	assert.Equal(t, 3, r.Suppressed)
	other := finding("kz.aap.456.2", "https://a.kz/img/x.jpg on https://a.kz/", "xxh3-head:2")
	assert.Len(t, b.Apply([]model.Finding{other}, nil, until).Kept, 1, "another picture at the same place is not accepted")

	buf.Reset()
	require.NoError(t, Write(&buf, nil, "r", until))
	b, err = Parse("empty.yaml", buf.Bytes())
	require.NoError(t, err)
	assert.Empty(t, b.Accepted)
}
