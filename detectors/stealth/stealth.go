// Package stealth reads the "stealth pnginfo" that an AUTOMATIC1111 extension
// hides in the least significant bits of a PNG's pixels: metadata-only tools
// see nothing. Bits run column by column (x outer, y inner), most significant
// bit first: a 15-byte signature, a 32-bit big-endian payload length in bits,
// then the payload (gzip-compressed in the *comp modes).
package stealth

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
)

// Signatures and their modes: alpha channel or RGB channels, plain or gzip.
var signatures = map[string]struct {
	alpha, compressed bool
}{
	"stealth_pnginfo": {true, false},
	"stealth_pngcomp": {true, true},
	"stealth_rgbinfo": {false, false},
	"stealth_rgbcomp": {false, true},
}

const sigLen = 15

// DefaultMaxPayload caps the hidden text, compressed or not.
const DefaultMaxPayload = 1 << 20

// bits yields pixel low bits in stealth order.
type bits struct {
	img     image.Image
	alpha   bool
	x, y, c int
	w, h    int
	minX    int
	minY    int
}

func newBits(img image.Image, alpha bool) *bits {
	b := img.Bounds()
	return &bits{img: img, alpha: alpha, w: b.Dx(), h: b.Dy(), minX: b.Min.X, minY: b.Min.Y}
}

func (r *bits) next() (byte, bool) {
	if r.x >= r.w {
		return 0, false
	}
	px := color.NRGBAModel.Convert(r.img.At(r.minX+r.x, r.minY+r.y)).(color.NRGBA)
	var v byte
	if r.alpha {
		v = px.A & 1
	} else {
		v = [3]byte{px.R, px.G, px.B}[r.c] & 1
		r.c++
		if r.c < 3 {
			return v, true
		}
		r.c = 0
	}
	r.y++
	if r.y >= r.h {
		r.y = 0
		r.x++
	}
	return v, true
}

func (r *bits) bytes(n int) ([]byte, bool) {
	out := make([]byte, n)
	for i := range out {
		for range 8 {
			b, ok := r.next()
			if !ok {
				return out[:i], false
			}
			out[i] = out[i]<<1 | b
		}
	}
	return out, true
}

// Decode looks for stealth metadata in img. found is true when a signature
// was read; err then says why the payload could not be read.
func Decode(img image.Image, maxPayload int) (text, mode string, found bool, err error) {
	if maxPayload <= 0 {
		maxPayload = DefaultMaxPayload
	}
	for _, alpha := range []bool{true, false} {
		r := newBits(img, alpha)
		sig, ok := r.bytes(sigLen)
		if !ok {
			continue
		}
		m, known := signatures[string(sig)]
		if !known || m.alpha != alpha {
			continue
		}
		mode = string(sig)
		lenBytes, ok := r.bytes(4)
		if !ok {
			return "", mode, true, fmt.Errorf("image ends inside the payload length")
		}
		nbits := int(uint32(lenBytes[0])<<24 | uint32(lenBytes[1])<<16 | uint32(lenBytes[2])<<8 | uint32(lenBytes[3]))
		if nbits <= 0 || nbits%8 != 0 || nbits/8 > maxPayload {
			return "", mode, true, fmt.Errorf("payload length %d bits is invalid or over the %d-byte cap", nbits, maxPayload)
		}
		payload, ok := r.bytes(nbits / 8)
		if !ok {
			return "", mode, true, fmt.Errorf("image ends inside the %d-byte payload", nbits/8)
		}
		if m.compressed {
			zr, err := gzip.NewReader(bytes.NewReader(payload))
			if err != nil {
				return "", mode, true, fmt.Errorf("payload is not gzip: %w", err)
			}
			payload, err = io.ReadAll(io.LimitReader(zr, int64(maxPayload)+1))
			if err != nil {
				return "", mode, true, fmt.Errorf("payload gzip: %w", err)
			}
			if len(payload) > maxPayload {
				return "", mode, true, fmt.Errorf("payload decompresses beyond the %d-byte cap", maxPayload)
			}
		}
		return string(payload), mode, true, nil
	}
	return "", "", false, nil
}

// DecodePNG decodes a PNG, refusing images over maxPixels before allocating
// them (a tiny file can declare a gigapixel image), and looks for stealth
// metadata.
func DecodePNG(b []byte, maxPixels int) (text, mode string, found bool, err error) {
	cfg, err := png.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		return "", "", false, err
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width*cfg.Height > maxPixels {
		return "", "", false, fmt.Errorf("PNG of %dx%d pixels is over the %d-pixel cap", cfg.Width, cfg.Height, maxPixels)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		return "", "", false, err
	}
	return Decode(img, DefaultMaxPayload)
}
