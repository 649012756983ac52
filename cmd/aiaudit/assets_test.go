package main

import (
	"bytes"
	"fmt"
	"image"
	"image/jpeg"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aiaudit/aiaudit/scanner/browser/browsertest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/image/draw"

	"github.com/aiaudit/aiaudit/reports/model"
	"github.com/aiaudit/aiaudit/scanner/assets/webptest"
)

// fixtureMedia holds real photos and AI images with their metadata.
const fixtureMedia = "../../../shared/fixtures/media"

// published is what a CMS makes of a library image: decoded, resized to
// the given width, recompressed as JPEG, metadata gone.
func published(t *testing.T, name string, width, quality int) []byte {
	b, err := os.ReadFile(filepath.Join(fixtureMedia, name))
	require.NoError(t, err)
	img, _, err := image.Decode(bytes.NewReader(b))
	require.NoError(t, err)
	src := img.Bounds()
	dst := image.NewRGBA(image.Rect(0, 0, width, width*src.Dy()/src.Dx()))
	draw.BiLinear.Scale(dst, dst.Bounds(), img, src, draw.Src, nil)
	var buf bytes.Buffer
	require.NoError(t, jpeg.Encode(&buf, dst, &jpeg.Options{Quality: quality}))
	return buf.Bytes()
}

// webpCopies is what an image CDN makes of library images: decoded,
// resized to the given width, converted to lossy WebP (by Chromium's
// encoder: Go has none without cgo), metadata gone. One browser run
// converts them all.
func webpCopies(t *testing.T, width int, quality float64, names ...string) [][]byte {
	var copies []webptest.Copy
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join(fixtureMedia, n))
		require.NoError(t, err)
		img, _, err := image.Decode(bytes.NewReader(b))
		require.NoError(t, err)
		copies = append(copies, webptest.Copy{Image: img, Width: width, Quality: quality})
	}
	return webptest.Encode(t, copies...)
}

// libraryOf copies fixture images into a library folder.
func libraryOf(t *testing.T, names ...string) string {
	dir := t.TempDir()
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join(fixtureMedia, n))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, n), b, 0o644))
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("not an image"), 0o644))
	return dir
}

// A site publishes stripped, resized, recompressed copies of AI images from
// the team's library, and a decoy photo that is in no library: the copies
// are traced to their originals and inherit their evidence; the decoy stays
// "no metadata", never "not AI" by inheritance.
func TestCrawlTracesStrippedCopiesToTheAssetLibrary(t *testing.T) {
	lib := libraryOf(t, "sd_civitai.jpg", "xmp_dst_trainedAlgorithmicMedia_bing.jpg", "c2pa_capture_cawg_notrain.jpg")
	files := map[string][]byte{
		"/hero.jpg":  published(t, "sd_civitai.jpg", 400, 60),
		"/bing.jpg":  published(t, "xmp_dst_trainedAlgorithmicMedia_bing.jpg", 300, 75),
		"/decoy.jpg": published(t, "plain_photo_exif.jpg", 400, 70),
	}
	srv := imageSite(t, "image/jpeg", files, `<html><body><div><img src="/hero.jpg" alt="Hero"></div><div data-bg="/bing.jpg"></div><div><img src="/decoy.jpg" alt="Team"></div></body></html>`)

	code, out, stderr := runIn(t, "", "crawl", srv.URL+"/", "-f", "json", "--delay", "0", "--assets", lib)
	assert.Equal(t, exitFindings, code, stderr)
	assert.Contains(t, stderr, "asset library "+lib+": 3 images indexed")
	rep := decode(t, out)
	byLoc := map[string]model.Resource{}
	for _, r := range rep.Resources {
		byLoc[strings.TrimPrefix(r.Location, srv.URL)] = r
	}
	for path, orig := range map[string]string{"/hero.jpg": "sd_civitai.jpg", "/bing.jpg": "xmp_dst_trainedAlgorithmicMedia_bing.jpg"} {
		r := byLoc[path]
		assert.True(t, r.AIGenerated, "%s inherits the original's evidence", path)
		require.NotNil(t, r.Provenance, path)
		require.NotNil(t, r.Provenance.SourceAsset, path)
		assert.Equal(t, filepath.Join(lib, orig), r.Provenance.SourceAsset.Path)
		assert.LessOrEqual(t, r.Provenance.SourceAsset.Distance, 8)
		assert.Equal(t, "phash64<=8", r.Provenance.SourceAsset.Method)
		require.NotEmpty(t, r.AIEvidence)
		assert.Contains(t, r.AIEvidence[0].Detail, "library original "+filepath.Join(lib, orig))
	}
	decoy := byLoc["/decoy.jpg"]
	assert.False(t, decoy.AIGenerated)
	require.NotNil(t, decoy.Provenance)
	assert.Nil(t, decoy.Provenance.SourceAsset)
	assert.Equal(t, "none", string(decoy.Provenance.Metadata), "in no library: no metadata, not 'not AI'")
	unlabelled := 0
	for _, f := range rep.Findings {
		if f.Rule == "kz.aap.456.2" {
			unlabelled++
		}
	}
	assert.Equal(t, 2, unlabelled, "both traced copies are published without a label")

	// Without the library the stripped copies carry no evidence at all.
	code, out, stderr = runIn(t, "", "crawl", srv.URL+"/", "-f", "json", "--delay", "0")
	assert.Equal(t, exitClean, code, stderr)
	for _, r := range decode(t, out).Resources {
		assert.False(t, r.AIGenerated, r.Location)
	}
}

// files --assets, with the library given as a saved files report; a
// missing library is a usage error, not a scan that matches nothing.
func TestFilesAssetsFromASavedReport(t *testing.T) {
	lib := libraryOf(t, "sd_civitai.jpg", "c2pa_firefly_photoshop.jpg")
	code, saved, stderr := runIn(t, "", "files", lib, "-f", "json", "--fail-on", "none", "--no-history")
	require.Equal(t, exitClean, code, stderr)
	report := filepath.Join(t.TempDir(), "library.json")
	require.NoError(t, os.WriteFile(report, []byte(saved), 0o644))

	site := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(site, "a.jpg"), published(t, "sd_civitai.jpg", 256, 50), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(site, "decoy.jpg"), published(t, "plain_photo_exif.jpg", 256, 50), 0o644))
	code, out, stderr := runIn(t, "", "files", site, "-f", "json", "--fail-on", "none", "--no-history", "--assets", report)
	require.Equal(t, exitClean, code, stderr)
	rep := decode(t, out)
	byName := map[string]model.Resource{}
	for _, r := range rep.Resources {
		byName[filepath.Base(r.Location)] = r
	}
	var messages []string
	for _, f := range rep.Findings {
		if filepath.Base(f.Location) == "a.jpg" {
			messages = append(messages, f.Message)
		}
	}
	require.NotEmpty(t, messages, "the copy carries no machine-readable marking")
	assert.Contains(t, messages[0], "copy of library original "+filepath.Join(lib, "sd_civitai.jpg")+" (phash64<=8, distance ", "its finding names the original")
	require.NotNil(t, byName["a.jpg"].Provenance.SourceAsset)
	assert.Equal(t, filepath.Join(lib, "sd_civitai.jpg"), byName["a.jpg"].Provenance.SourceAsset.Path)
	assert.True(t, byName["a.jpg"].AIGenerated)
	assert.False(t, byName["decoy.jpg"].AIGenerated)

	code, _, stderr = runIn(t, "", "files", site, "--assets", filepath.Join(lib, "missing"), "--no-history")
	assert.Equal(t, exitError, code)
	assert.Contains(t, stderr, "--assets")
}

// A site serves WebP conversions of library JPEGs, resized and stripped, as
// image CDNs do, and a WebP decoy in no library: the copies are traced to
// their originals, the decoy is not.
func TestCrawlTracesWebPCopiesToTheAssetLibrary(t *testing.T) {
	lib := libraryOf(t, "sd_civitai.jpg", "xmp_dst_trainedAlgorithmicMedia_bing.jpg")
	webps := webpCopies(t, 360, 0.6, "sd_civitai.jpg", "xmp_dst_trainedAlgorithmicMedia_bing.jpg", "plain_photo_exif.jpg")
	files := map[string][]byte{"/cdn/hero.webp": webps[0], "/cdn/bing.webp": webps[1], "/cdn/team.webp": webps[2]}
	srv := imageSite(t, "image/webp", files, `<html><body><picture><source srcset="/cdn/hero.webp" type="image/webp"><img src="/cdn/hero.webp" alt="Hero"></picture>`+
		`<img data-src="/cdn/bing.webp" alt="Banner"><img src="/cdn/team.webp" alt="Team"></body></html>`)

	code, out, stderr := runIn(t, "", "crawl", srv.URL+"/", "-f", "json", "--delay", "0", "--no-history", "--assets", lib)
	assert.Equal(t, exitFindings, code, stderr)
	byLoc := map[string]model.Resource{}
	for _, r := range decode(t, out).Resources {
		byLoc[strings.TrimPrefix(r.Location, srv.URL)] = r
	}
	for path, orig := range map[string]string{"/cdn/hero.webp": "sd_civitai.jpg", "/cdn/bing.webp": "xmp_dst_trainedAlgorithmicMedia_bing.jpg"} {
		r := byLoc[path]
		assert.True(t, r.AIGenerated, "%s inherits the original's evidence", path)
		require.NotNil(t, r.Provenance, path)
		assert.Equal(t, "none", string(r.Provenance.Metadata), "%s carries no metadata of its own", path)
		require.NotNil(t, r.Provenance.SourceAsset, path)
		assert.Equal(t, filepath.Join(lib, orig), r.Provenance.SourceAsset.Path)
		assert.LessOrEqual(t, r.Provenance.SourceAsset.Distance, 8)
	}
	decoy := byLoc["/cdn/team.webp"]
	assert.False(t, decoy.AIGenerated)
	require.NotNil(t, decoy.Provenance)
	assert.Nil(t, decoy.Provenance.SourceAsset, "the decoy is in no library")
	assert.Equal(t, "none", string(decoy.Provenance.Metadata))
}

// The README's marketing workflow end to end: a page built by script puts a
// lazy-loaded, stripped WebP copy of a library AI image far below the fold
// (its src set only when scrolled into view), beside a lazy decoy.
// `crawl --render --assets` saves the scan, `report -f html` names the
// original and the violation. The static crawl never sees the image.
func TestMarketingWorkflowRenderAssetsReport(t *testing.T) {
	browsertest.Path(t)
	lib := libraryOf(t, "sd_civitai.jpg", "c2pa_capture_cawg_notrain.jpg")
	webps := webpCopies(t, 480, 0.5, "sd_civitai.jpg", "plain_photo_exif.jpg")
	files := map[string][]byte{"/cdn/hero.webp": webps[0], "/cdn/team.webp": webps[1]}
	srv := imageSite(t, "image/webp", files, `<html><body><div id="app"></div><script>
const app = document.getElementById('app');
app.innerHTML = '<h1>Spring sale</h1><div style="height:3000px"></div>' +
  '<img class="lazy" data-src="/cdn/hero.webp" alt="Hero" width="480">' +
  '<div style="height:2000px"></div><img class="lazy" data-src="/cdn/team.webp" alt="Team" width="480">';
const seen = new IntersectionObserver(entries => entries.forEach(e => {
  if (e.isIntersecting) { e.target.src = e.target.dataset.src; seen.unobserve(e.target); }
}));
document.querySelectorAll('img.lazy').forEach(img => seen.observe(img));
</script></body></html>`)

	saved := filepath.Join(t.TempDir(), "site.json")
	code, _, stderr := runIn(t, "", "crawl", srv.URL+"/", "--render", "--assets", lib, "-f", "json", "-o", saved,
		"--delay", "0", "--no-history")
	require.Equal(t, exitFindings, code, stderr)
	b, err := os.ReadFile(saved)
	require.NoError(t, err)
	byLoc := map[string]model.Resource{}
	for _, r := range decode(t, string(b)).Resources {
		byLoc[strings.TrimPrefix(r.Location, srv.URL)] = r
	}
	hero := byLoc["/cdn/hero.webp"]
	require.NotNil(t, hero.Provenance, "the lazy image is found once scrolled into view")
	require.NotNil(t, hero.Provenance.SourceAsset)
	assert.Equal(t, filepath.Join(lib, "sd_civitai.jpg"), hero.Provenance.SourceAsset.Path)
	assert.True(t, hero.AIGenerated)
	team := byLoc["/cdn/team.webp"]
	require.NotNil(t, team.Provenance, "the lazy decoy is found too")
	assert.Nil(t, team.Provenance.SourceAsset)
	assert.False(t, team.AIGenerated)

	code, html, stderr := runIn(t, "", "report", saved, "-f", "html")
	assert.Equal(t, exitFindings, code, stderr)
	var row string
	for _, tr := range strings.Split(html, "<tr ") {
		if strings.Contains(tr, "/cdn/hero.webp on ") {
			row = tr
		}
	}
	assert.Contains(t, row, `data-severity="violation"`, "the copy's row is a violation")
	assert.Contains(t, row, "kz.aap.456.2")
	assert.Contains(t, row, "copy of library original "+filepath.Join(lib, "sd_civitai.jpg")+" (phash64&lt;=8, distance ", "the report names the original")
	assert.Contains(t, row, "without a visible AI label")
	assert.NotContains(t, html, "/cdn/team.webp on ", "the decoy is no finding")

	// Without --render the crawl sees the page as served: no image at all.
	code, out, stderr := runIn(t, "", "crawl", srv.URL+"/", "--assets", lib, "-f", "json", "--delay", "0", "--no-history")
	assert.Equal(t, exitClean, code, stderr)
	for _, r := range decode(t, out).Resources {
		assert.NotContains(t, r.Location, "/cdn/", "the static crawl cannot see script-built images")
	}
}

// A library folder with files that cannot be indexed (a truncated JPEG, a
// broken link, a file the user may not read): each is named on stderr, the
// rest is indexed, and the crawl goes on and traces copies of what was.
func TestCrawlAssetsLibraryWithUnreadableFiles(t *testing.T) {
	lib := libraryOf(t, "sd_civitai.jpg")
	whole, err := os.ReadFile(filepath.Join(fixtureMedia, "xmp_dst_trainedAlgorithmicMedia_bing.jpg"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(lib, "truncated.jpg"), whole[:len(whole)/3], 0o644))
	require.NoError(t, os.Symlink(filepath.Join(lib, "gone.jpg"), filepath.Join(lib, "link.jpg")))
	unreadable := []string{"truncated.jpg: not indexed: ", "link.jpg: not indexed: broken symlink"}
	if os.Geteuid() != 0 { // root reads any file
		require.NoError(t, os.WriteFile(filepath.Join(lib, "locked.jpg"), whole, 0o000))
		unreadable = append(unreadable, "locked.jpg: not indexed: open "+filepath.Join(lib, "locked.jpg")+": permission denied")
	}
	hero := published(t, "sd_civitai.jpg", 400, 60)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/hero.jpg" {
			w.Header().Set("Content-Type", "image/jpeg")
			w.Write(hero)
			return
		}
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, `<html><body><img src="/hero.jpg" alt="Hero"></body></html>`)
	}))
	defer srv.Close()

	code, out, stderr := runIn(t, "", "crawl", srv.URL+"/", "-f", "json", "--delay", "0", "--no-history", "--assets", lib)
	assert.Equal(t, exitFindings, code, stderr)
	assert.Contains(t, stderr, fmt.Sprintf("asset library %s: 1 image indexed; %d not indexed", lib, len(unreadable)))
	for _, u := range unreadable {
		assert.Contains(t, stderr, "asset library: "+filepath.Join(lib, u))
	}
	var traced bool
	for _, r := range decode(t, out).Resources {
		if strings.HasSuffix(r.Location, "/hero.jpg") {
			traced = r.Provenance != nil && r.Provenance.SourceAsset != nil && r.Provenance.SourceAsset.Path == filepath.Join(lib, "sd_civitai.jpg")
		}
	}
	assert.True(t, traced, "the crawl goes on and traces the copy to what was indexed")
}

// imageSite serves files (of one content type) and a home page, until the
// test ends.
func imageSite(t *testing.T, contentType string, files map[string][]byte, home string) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if b, ok := files[r.URL.Path]; ok {
			w.Header().Set("Content-Type", contentType)
			w.Write(b)
			return
		}
		if r.URL.Path == "/" {
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, home)
			return
		}
		http.NotFound(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv
}
