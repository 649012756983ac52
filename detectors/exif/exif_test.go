package exif

import (
	"bytes"
	"encoding/binary"
	"runtime"
	"testing"
	"unicode/utf16"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aiaudit/aiaudit/detectors/container"
	fixtures "github.com/aiaudit/aiaudit/detectors/testfixtures"
)

func fields(t *testing.T, name string) Fields {
	t.Helper()
	b := fixtures.Read(t, "media", name)
	bl, err := container.Read(bytes.NewReader(b), int64(len(b)), container.Limits{})
	require.NoError(t, err)
	require.NotEmpty(t, bl.EXIF, name)
	f, err := Parse(bl.EXIF[0].Data)
	require.NoError(t, err, name)
	return f
}

func TestFixtures(t *testing.T) {
	for _, name := range []string{"sd_a1111_usercomment.jpg", "sd_a1111_usercomment.webp"} {
		uc := fields(t, name).UserComment
		assert.Contains(t, uc, "Negative prompt:", name)
		assert.Contains(t, uc, "Steps:", name)
	}
	civ := fields(t, "sd_civitai.jpg")
	assert.Equal(t, "ai", civ.Artist)
	assert.Regexp(t, `^[0-9a-f-]{36}$`, civ.Software)
	assert.Contains(t, civ.UserComment, "Steps:")
	comfy := fields(t, "sd_comfyui_exif.webp")
	assert.Regexp(t, `^Workflow: \{`, comfy.ImageDescription)
	assert.Regexp(t, `^Prompt: \{`, comfy.Make)
	assert.Equal(t, "PENTAX K-3 II", fields(t, "plain_photo_exif.jpg").Model)
	assert.Equal(t, "GIMP 3.0.6", fields(t, "sd_resaved_gimp_stripped.webp").Software)
}

func utf16Bytes(s string, order binary.AppendByteOrder) []byte {
	var out []byte
	for _, u := range utf16.Encode([]rune(s)) {
		out = order.AppendUint16(out, u)
	}
	return out
}

func TestDecodeUserComment(t *testing.T) {
	text := "a duck\nSteps: 20, Sampler: Euler"
	be := append([]byte("UNICODE\x00"), utf16Bytes(text, binary.BigEndian)...)
	le := append([]byte("UNICODE\x00"), utf16Bytes(text, binary.LittleEndian)...)
	// The byte order is taken from the text, whatever the TIFF says.
	assert.Equal(t, text, DecodeUserComment(be, binary.LittleEndian))
	assert.Equal(t, text, DecodeUserComment(le, binary.BigEndian))
	assert.Equal(t, text, DecodeUserComment(append([]byte("ASCII\x00\x00\x00"), text+"\x00\x00"...), nil))
	assert.Equal(t, "short", DecodeUserComment([]byte("short"), nil))
	assert.Equal(t, "", DecodeUserComment(nil, nil))
}

func TestHostile(t *testing.T) {
	for name, b := range map[string][]byte{
		"short":      []byte("II*"),
		"bad ifd":    []byte("II*\x00\xff\xff\xff\x7f"),
		"entry past": []byte("II*\x00\x08\x00\x00\x00\xff\xff"),
		"self loop":  []byte("II*\x00\x08\x00\x00\x00\x01\x00\x69\x87\x04\x00\x01\x00\x00\x00\x08\x00\x00\x00\x00\x00\x00\x00"),
		"huge count": []byte("MM\x00*\x00\x00\x00\x08\x00\x01\x92\x86\x00\x07\x7f\xff\xff\xff\x00\x00\x00\x1a\x00\x00\x00\x00"),
	} {
		assert.NotPanics(t, func() { Parse(b) }, name)
	}
	_, err := Parse(make([]byte, MaxSize+1))
	assert.ErrorContains(t, err, "cap")
}

func FuzzParse(f *testing.F) {
	f.Add([]byte("II*\x00\x08\x00\x00\x00\x01\x00\x69\x87\x04\x00\x01\x00\x00\x00\x1a\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01\x00\x86\x92\x07\x00\x10\x00\x00\x00\x2c\x00\x00\x00\x00\x00\x00\x00UNICODE\x00a\x00b\x00c\x00d\x00"))
	f.Add([]byte("MM\x00*\x00\x00\x00\x08\x00\x01\x01\x31\x00\x02\x00\x00\x00\x04GIM\x00\x00\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		Parse(b) // must not panic or hang; errors are fine
	})
}

func FuzzDecodeUserComment(f *testing.F) {
	f.Add([]byte("UNICODE\x00\x00a\x00b"))
	f.Add([]byte("ASCII\x00\x00\x00abc"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if s := DecodeUserComment(b, binary.BigEndian); len(s) > 3*len(b)+3 {
			t.Fatalf("decoded %d bytes from %d", len(s), len(b))
		}
	})
}

// go-exif allocates count*size before checking it against the data; the
// sanitizer keeps a 26-byte file from asking for gigabytes.
func TestHugeCountDoesNotAllocate(t *testing.T) {
	b := []byte("II*\x00\x08\x00\x00\x00\x01\x00\x0e\x01\x04\x00\xff\xff\xff\x3f\x1a\x00\x00\x00\x00\x00\x00\x00")
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, _ = Parse(b)
	runtime.ReadMemStats(&after)
	assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(8<<20))
	s := sanitize(b)
	assert.Equal(t, uint32(0), binary.LittleEndian.Uint32(s[14:]), "the out-of-bounds entry is emptied")
	assert.Equal(t, b[:14], s[:14], "the rest is untouched")
}

func TestSanitizeCutsLoops(t *testing.T) {
	// IFD0 at 8 with no entries links to itself.
	b := []byte("II*\x00\x08\x00\x00\x00\x00\x00\x08\x00\x00\x00")
	s := sanitize(b)
	assert.Equal(t, uint32(0), binary.LittleEndian.Uint32(s[10:]))
	assert.NotPanics(t, func() { Parse(b) })
}
