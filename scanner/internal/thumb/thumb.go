// Package thumb makes the small thumbnails the HTML report shows next to a
// finding, as data URIs, so the report opens offline.
package thumb

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"image"
	_ "image/gif" // decoders for the formats thumbnails are made of
	"image/jpeg"
	_ "image/png"
	"io"

	"golang.org/x/image/draw"
	_ "golang.org/x/image/webp"
)

// MaxSource caps the file decoded (for a thumbnail or a perceptual hash), and
// MaxPixels its area.
const (
	MaxSource = 16 << 20
	MaxPixels = 40_000_000
)

// Decode decodes a GIF, JPEG, PNG or WebP image within the caps: its
// header is read first, so a huge canvas is refused before it is allocated.
func Decode(r io.ReaderAt, size int64) (image.Image, error) {
	if size > MaxSource {
		return nil, fmt.Errorf("image of %d bytes is over the %d-byte decoding cap", size, MaxSource)
	}
	cfg, _, err := image.DecodeConfig(io.NewSectionReader(r, 0, size))
	if err != nil {
		return nil, err
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width*cfg.Height > MaxPixels {
		return nil, fmt.Errorf("image of %dx%d pixels is over the decoding cap", cfg.Width, cfg.Height)
	}
	img, _, err := image.Decode(io.NewSectionReader(r, 0, size))
	return img, err
}

// standIn decodes preview when it can stand for the image file data in a
// box-pixel thumbnail: it has fewer pixels than the image (else decoding it
// saves nothing) but not fewer than the thumbnail, the image's shape (a
// stale preview of an image cropped since, or a letterboxed one, has not),
// and it decodes. Else nil: the image itself is decoded. Both shapes come
// from the headers, before any pixel is decoded.
func standIn(data, preview []byte, box int) image.Image {
	if preview == nil {
		return nil
	}
	img, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil || img.Width <= 0 || img.Height <= 0 {
		return nil
	}
	p, _, err := image.DecodeConfig(bytes.NewReader(preview))
	if err != nil || p.Width <= 0 || p.Height <= 0 || p.Width*p.Height >= img.Width*img.Height {
		return nil
	}
	if max(p.Width, p.Height) < min(box, max(img.Width, img.Height)) {
		return nil
	}
	if aspect := float64(p.Width*img.Height) / float64(p.Height*img.Width); aspect < 0.98 || aspect > 1.02 {
		return nil
	}
	decoded, err := Decode(bytes.NewReader(preview), int64(len(preview)))
	if err != nil {
		return nil
	}
	return decoded
}

// FromBytes returns a JPEG data URI of the image file data scaled to fit
// box×box pixels. preview, the small picture the file embeds of itself
// (nil: none), is decoded instead of the file when it can stand for it: a
// 160-pixel preview costs a fraction of a camera's 4000-pixel image.
func FromBytes(data, preview []byte, box int) (string, error) {
	img := standIn(data, preview, box)
	if img == nil {
		var err error
		if img, err = Decode(bytes.NewReader(data), int64(len(data))); err != nil {
			return "", err
		}
	}
	b := img.Bounds()
	scale := max(float64(b.Dx())/float64(box), float64(b.Dy())/float64(box), 1)
	w, h := max(int(float64(b.Dx())/scale), 1), max(int(float64(b.Dy())/scale), 1)
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	// x/image/draw reads the decoders' own pixel types (YCbCr, RGBA, NRGBA,
	// Gray, Paletted) directly, with no per-pixel color conversion or
	// allocation: generic At/Set cost a thousand allocations per row.
	draw.NearestNeighbor.Scale(dst, dst.Bounds(), img, b, draw.Src, nil)
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, dst, &jpeg.Options{Quality: 70}); err != nil {
		return "", err
	}
	return "data:image/jpeg;base64," + base64.StdEncoding.EncodeToString(buf.Bytes()), nil
}
