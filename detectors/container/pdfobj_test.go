package container

import (
	"regexp"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
)

// The patterns pdfObject and pdfIndirectInt replace: they must find what
// these find.
func objectPattern(num, gen string) *regexp.Regexp {
	return regexp.MustCompile(`(?:^|[\r\n\s])` + num + `\s+` + gen + `\s+obj\b`)
}

func indirectPattern(num, gen string) *regexp.Regexp {
	return regexp.MustCompile(`(?:^|[\r\n\s])` + num + `\s+` + gen + `\s+obj\s+(\d+)\s+endobj`)
}

// checkObjectSearch asserts that the literal searches agree with the
// patterns on b.
func checkObjectSearch(t *testing.T, b []byte, num, gen string) {
	end, ok := pdfObject(b, num, gen)
	loc := objectPattern(num, gen).FindIndex(b)
	assert.Equal(t, loc != nil, ok, "%q: found", b)
	if loc != nil && ok {
		assert.Equal(t, loc[1], end, "%q: where the header ends", b)
	}
	v, ok := pdfIndirectInt(b, num, gen)
	m := indirectPattern(num, gen).FindSubmatch(b)
	want, err := 0, error(nil)
	if m != nil {
		want, err = strconv.Atoi(string(m[1]))
	}
	assert.Equal(t, m != nil && err == nil, ok, "%q: indirect integer found", b)
	if ok {
		assert.Equal(t, want, v, "%q: indirect integer", b)
	}
}

func TestPDFObjectSearch(t *testing.T) {
	for _, b := range []string{
		"12 0 obj", "12 0 obj\n<<>>", "x12 0 obj 12 0 obj", "112 0 obj", "12 00 obj", "12  0\r\nobj", "12 0 objx 12 0 obj",
		"\n12 0 obj 345 endobj", "12 0 obj 7\nendobj", "12 0 obj <<>> endobj 12 0 obj 9 endobj", "12 0 obj9 endobj",
		"12 0 obj 9endobj", "12 0 0 obj", "12 0 obj_", "12\t0\fobj", "", "12", "12 0", "12 0 ob",
	} {
		checkObjectSearch(t, []byte(b), "12", "0")
	}
	checkObjectSearch(t, []byte("0 0 0 obj 5 endobj"), "0", "0")
}

func FuzzPDFObjectSearch(f *testing.F) {
	f.Add([]byte("1 0 obj 5 endobj"), uint8(1), uint8(0))
	f.Add([]byte(" 10 0 obj\n<<>>\nendobj 1 0 obj 3 endobj"), uint8(1), uint8(0))
	f.Fuzz(func(t *testing.T, b []byte, num, gen uint8) {
		checkObjectSearch(t, b, strconv.Itoa(int(num)), strconv.Itoa(int(gen)))
	})
}
