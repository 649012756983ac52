// Package webptest makes WebP test images. Go has no WebP encoder without
// cgo, so the image is converted by headless Chromium, the browser the
// render tests already use: drawn on a canvas and taken back with
// toDataURL("image/webp"), a lossy VP8 file without metadata, what an
// image CDN serves.
package webptest

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/aiaudit/aiaudit/scanner/browser/browsertest"
)

// dataURL finds the converted image in the page Chromium dumps.
var dataURL = regexp.MustCompile(`data:image/webp;base64,([A-Za-z0-9+/=]+)`)

// Copy is one image to convert: img resized to Width pixels wide (the
// height in proportion) and encoded at Quality (0 to 1), as an image CDN
// resizes and converts a library image.
type Copy struct {
	Image   image.Image
	Width   int
	Quality float64
}

// Encode converts the copies in one browser run, returning a WebP file for
// each, in order.
func Encode(t testing.TB, copies ...Copy) [][]byte {
	t.Helper()
	bin := browsertest.Path(t)
	var jobs bytes.Buffer
	for _, c := range copies {
		var src bytes.Buffer
		if err := png.Encode(&src, c.Image); err != nil {
			t.Fatal(err)
		}
		b := c.Image.Bounds()
		fmt.Fprintf(&jobs, "[%d, %d, %g, 'data:image/png;base64,%s'],\n",
			c.Width, c.Width*b.Dy()/b.Dx(), c.Quality, base64.StdEncoding.EncodeToString(src.Bytes()))
	}
	page := `<html><body><script>
const convert = ([w, h, q, src]) => new Promise(done => {
  const img = new Image();
  img.onload = () => {
    const c = document.createElement('canvas');
    c.width = w; c.height = h;
    c.getContext('2d').drawImage(img, 0, 0, w, h);
    done(c.toDataURL('image/webp', q));
  };
  img.onerror = () => done('load failed');
  img.src = src;
});
Promise.all([` + jobs.String() + `].map(convert)).then(urls => {
  for (const u of urls) {
    const out = document.createElement('pre');
    out.textContent = u;
    document.body.append(out);
  }
});
</script></body></html>`
	dir := t.TempDir()
	file := filepath.Join(dir, "convert.html")
	if err := os.WriteFile(file, []byte(page), 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{"--headless", "--disable-gpu", "--no-first-run", "--disable-background-networking",
		"--disable-component-update", "--disable-sync", "--user-data-dir=" + filepath.Join(dir, "profile"),
		"--virtual-time-budget=10000", "--dump-dom", "file://" + file}
	if os.Geteuid() == 0 {
		args = append(args, "--no-sandbox") // Chromium's sandbox refuses root
	}
	out, err := exec.Command(bin, args...).Output()
	if err != nil {
		t.Fatalf("chromium converting to WebP: %v", err)
	}
	found := dataURL.FindAllSubmatch(out, -1)
	if len(found) != len(copies) {
		t.Fatalf("chromium made %d WebP images of %d (does this build encode WebP?): %.300s", len(found), len(copies), out)
	}
	webps := make([][]byte, len(found))
	for i, m := range found {
		if webps[i], err = base64.StdEncoding.DecodeString(string(m[1])); err != nil {
			t.Fatal(err)
		}
	}
	return webps
}
