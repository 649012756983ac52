package jumbf

import (
	"encoding/binary"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var suffix = []byte{0x00, 0x11, 0x00, 0x10, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71}

func plain(typ string, payload []byte) []byte {
	out := binary.BigEndian.AppendUint32(nil, uint32(8+len(payload)))
	return append(append(out, typ...), payload...)
}

func super(code, label string, children ...[]byte) []byte {
	d := append(append([]byte(code), suffix...), 3)
	d = append(append(d, label...), 0)
	p := plain("jumd", d)
	for _, c := range children {
		p = append(p, c...)
	}
	return plain("jumb", p)
}

func TestParseNested(t *testing.T) {
	b := super("c2pa", "c2pa", super("c2ma", "urn:c2pa:1", super("c2cl", "c2pa.claim.v2", plain("cbor", []byte{0xa0}))))
	root, err := Parse(b)
	require.NoError(t, err)
	assert.Equal(t, "c2pa", root.TypeCode())
	assert.Equal(t, "c2pa", root.Label)
	m := root.ChildByCode("c2ma")
	require.NotNil(t, m)
	assert.Equal(t, "urn:c2pa:1", m.Label)
	cl := m.Child("c2pa.claim.v2")
	require.NotNil(t, cl)
	assert.Equal(t, []byte{0xa0}, cl.Content("cbor").Payload)
}

func TestXLBoxAndZeroLength(t *testing.T) {
	inner := super("c2ma", "m")
	// Outer box with LBox=1 and a 64-bit XLBox.
	d := append(append([]byte("c2pa"), suffix...), 3)
	d = append(append(d, "c2pa"...), 0)
	payload := append(plain("jumd", d), inner...)
	x := binary.BigEndian.AppendUint32(nil, 1)
	x = append(x, "jumb"...)
	x = binary.BigEndian.AppendUint64(x, uint64(16+len(payload)))
	x = append(x, payload...)
	root, err := Parse(x)
	require.NoError(t, err)
	require.Len(t, root.Children, 1)

	// LBox=0: the box runs to the end.
	z := append(binary.BigEndian.AppendUint32(nil, 0), "jumb"...)
	z = append(z, payload...)
	root, err = Parse(z)
	require.NoError(t, err)
	require.Len(t, root.Children, 1)
}

func TestDamage(t *testing.T) {
	good := super("c2pa", "c2pa", super("c2ma", "one"), super("c2ma", "two", plain("cbor", make([]byte, 100))))
	// Truncated: the first manifest survives, the error says what is missing.
	root, err := Parse(good[:len(good)-50])
	require.Error(t, err)
	assert.Contains(t, err.Error(), "only")
	require.NotNil(t, root)
	assert.Equal(t, "one", root.Children[0].Label)

	for name, b := range map[string][]byte{
		"empty":            {},
		"short header":     {0, 0, 0},
		"LBox < header":    {0, 0, 0, 4, 'j', 'u', 'm', 'b'},
		"no description":   plain("jumb", plain("cbor", nil)),
		"unterminated":     plain("jumb", plain("jumd", append(append([]byte("c2pa"), suffix...), 2, 'a', 'b'))),
		"tiny description": plain("jumb", plain("jumd", []byte{1, 2})),
	} {
		_, err := Parse(b)
		assert.Error(t, err, name)
	}
}

func TestDepthCap(t *testing.T) {
	b := super("c2ma", "leaf")
	for range maxDepth + 5 {
		b = super("c2ma", "n", b)
	}
	_, err := Parse(b)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "nested deeper")
}

func FuzzParse(f *testing.F) {
	f.Add(super("c2pa", "c2pa", super("c2ma", "urn:c2pa:1", super("c2cl", "c2pa.claim", plain("cbor", []byte{0xa0})))))
	f.Add([]byte{0, 0, 0, 1, 'j', 'u', 'm', 'b', 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, b []byte) {
		root, _ := Parse(b)
		var walk func(*Box, int)
		walk = func(x *Box, d int) {
			if d > maxDepth+1 {
				t.Fatalf("depth %d beyond the cap", d)
			}
			for _, c := range x.Children {
				if len(c.Payload) > len(b) {
					t.Fatalf("payload larger than input")
				}
				walk(c, d+1)
			}
		}
		if root != nil {
			walk(root, 0)
		}
	})
}
