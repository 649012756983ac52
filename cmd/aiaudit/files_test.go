package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/ocsp"

	"github.com/aiaudit/aiaudit/cmd/mktestdata/build"
	fixtures "github.com/aiaudit/aiaudit/detectors/testfixtures"
	"github.com/aiaudit/aiaudit/reports/model"
	"github.com/aiaudit/aiaudit/reports/rules"
)

func runCLI(t *testing.T, ctx context.Context, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(ctx, args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func decode(t *testing.T, s string) model.Report {
	t.Helper()
	var r model.Report
	require.NoError(t, json.Unmarshal([]byte(s), &r), "output is one JSON document:\n%s", s)
	return r
}

// TestFilesShippedTestdata scans the generated files in testdata/media (the
// README's first command) and checks every verdict against the generator's.
func TestFilesShippedTestdata(t *testing.T) {
	files, err := build.All()
	require.NoError(t, err)
	code, out, stderr := runCLI(t, context.Background(), "files", "../../testdata/media", "--format", "json")
	require.Equal(t, exitClean, code, stderr)
	rep := decode(t, out)
	assert.Equal(t, model.Schema, rep.Schema)
	assert.True(t, rep.Scan.Complete)
	assert.Equal(t, "files", rep.Scan.Command)
	require.Len(t, rep.Resources, len(files))

	byName := map[string]model.Resource{}
	for _, r := range rep.Resources {
		byName[filepath.Base(r.Location)] = r
	}
	for _, f := range files {
		r, ok := byName[f.Name]
		require.True(t, ok, f.Name)
		assert.Equal(t, f.Want.AI, r.AIGenerated, "%s ai: %+v", f.Name, r.AIEvidence)
		assert.Equal(t, f.Want.Marked, r.Labelled.MachineReadable, "%s marked", f.Name)
		require.NotNil(t, r.TrainingOptOut, f.Name)
		assert.Equal(t, f.Want.OptOut, *r.TrainingOptOut, "%s opt-out: %+v", f.Name, r.OptOutEvidence)
		assert.Nil(t, r.Labelled.Visible, "files never claim a visible label")
		assert.EqualValues(t, f.Want.C2PA, r.Provenance.C2PA, f.Name)
		if f.Want.Binding != "" {
			assert.EqualValues(t, f.Want.Binding, r.Provenance.Binding, "%s binding: %s", f.Name, r.Provenance.BindingDetail)
		}
		if f.Want.MediaType != "" {
			assert.Equal(t, f.Want.MediaType, r.MediaType, f.Name)
		}
		if f.Want.Generator != "" {
			var gens []string
			for _, e := range r.AIEvidence {
				gens = append(gens, e.Generator)
			}
			assert.Contains(t, gens, f.Want.Generator, f.Name)
		}
	}
	// Sniffed from bytes, not the extension.
	assert.Equal(t, "image/png", byName["a1111_parameters.png"].MediaType)
	assert.Equal(t, "image/jpeg", byName["ai_xmp_trained.jpg"].MediaType)
	assert.Equal(t, "other", byName["not_media.txt"].Kind)
	assert.NotEmpty(t, byName["broken_truncated.png"].Notes, "a truncated file says so")

	// Findings: the unmarked AI images are warnings, the marked one info.
	byRule := map[string]int{}
	for _, f := range rep.Findings {
		byRule[f.Rule]++
	}
	assert.Equal(t, 3, byRule[rules.AIUnmarked], "the transplanted manifest's label is not reliable")
	assert.Equal(t, 7, byRule[rules.AIMarked], "2 JPEGs and the SVG, MP3, FLAC, JPEG XL and font manifests")
	assert.Equal(t, 8, byRule[rules.TrainingReserved])
	assert.Equal(t, 1, byRule[rules.BindingMismatch], "the transplanted manifest")
	assert.Equal(t, 1, byRule[rules.ProvenanceStripped])
	assert.Equal(t, len(files), rep.Summary.Resources)
	assert.Equal(t, 10, rep.Summary.AIGenerated)
	assert.Equal(t, 3, rep.Summary.AIUnmarked)
	// The test signer is on no trust list: the intact manifests are valid,
	// from an unknown signer; the transplanted one is invalid.
	assert.Equal(t, 6, byRule[rules.C2PAUnknownSigner])
	assert.Equal(t, "valid", string(byName["c2pa_ai_bound.jpg"].Provenance.Validation.State))
	assert.Equal(t, "invalid", string(byName["c2pa_transplanted.jpg"].Provenance.Validation.State))
}

func TestFilesTestdataIsFresh(t *testing.T) {
	files, err := build.All()
	require.NoError(t, err)
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join("../../testdata/media", f.Name))
		require.NoError(t, err, "run: go run ./cmd/mktestdata")
		assert.Equal(t, f.Data, b, "%s is stale: run go run ./cmd/mktestdata", f.Name)
	}
}

func TestFilesFailOnAndExitCodes(t *testing.T) {
	dir := "../../testdata/media"
	code, _, _ := runCLI(t, context.Background(), "files", dir, "--fail-on", "warning", "-f", "json")
	assert.Equal(t, exitFindings, code, "unmarked AI images are warnings")
	code, _, _ = runCLI(t, context.Background(), "files", dir, "--fail-on", "none", "-f", "json")
	assert.Equal(t, exitClean, code)
	code, _, _ = runCLI(t, context.Background(), "files", filepath.Join(dir, "photo_plain.jpg"), "--fail-on", "info", "-f", "json")
	assert.Equal(t, exitClean, code, "a plain photo has no findings")

	code, _, stderr := runCLI(t, context.Background(), "files", dir, "--format", "xml")
	assert.Equal(t, exitError, code)
	assert.Contains(t, stderr, "accepted: table, json, csv, markdown, sarif, html")
	code, _, stderr = runCLI(t, context.Background(), "files", dir, "--fail-on", "sometimes")
	assert.Equal(t, exitError, code)
	assert.Contains(t, stderr, "--fail-on")
	code, _, _ = runCLI(t, context.Background(), "files")
	assert.Equal(t, exitError, code, "no path is a usage error")
	code, _, _ = runCLI(t, context.Background(), "files", dir, "--no-such-flag")
	assert.Equal(t, exitError, code)
}

// An unreadable item is reported with its error, the rest of the scan goes on,
// and the exit code says the result is incomplete: never clean.
func TestFilesUnreadableIsIncompleteNotClean(t *testing.T) {
	dir := t.TempDir()
	good, err := build.JPEG(16, 16, 3)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "good.jpg"), good, 0o644))
	missing := filepath.Join(dir, "missing.jpg")
	code, out, _ := runCLI(t, context.Background(), "files", dir, missing, "-f", "json")
	assert.Equal(t, exitIncomplete, code)
	rep := decode(t, out)
	require.Len(t, rep.Resources, 2)
	assert.Empty(t, rep.Resources[0].Error)
	assert.Contains(t, rep.Resources[1].Error, "no such file")
	assert.Nil(t, rep.Resources[1].TrainingOptOut, "unknown is not 'allowed'")
	assert.Equal(t, 1, rep.Summary.Errors)
}

func TestFilesOutputFileIsWrittenWhole(t *testing.T) {
	dest := filepath.Join(t.TempDir(), "report.json")
	code, out, _ := runCLI(t, context.Background(), "files", "../../testdata/media", "-f", "json", "-o", dest)
	assert.Equal(t, exitClean, code)
	assert.Empty(t, out, "the report goes to the file, not stdout")
	b, err := os.ReadFile(dest)
	require.NoError(t, err)
	decode(t, string(b))
	entries, _ := os.ReadDir(filepath.Dir(dest))
	assert.Len(t, entries, 1, "no temp file left behind")

	code, _, stderr := runCLI(t, context.Background(), "files", "../../testdata/media", "-o", "/nonexistent-dir/r.json")
	assert.Equal(t, exitError, code)
	assert.Contains(t, stderr, "cannot write the report")
}

func TestFilesInterruptedWritesPartialReport(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	dest := filepath.Join(t.TempDir(), "partial.json")
	code, _, stderr := runCLI(t, ctx, "files", "../../testdata/media", "-f", "json", "-o", dest)
	assert.Equal(t, exitInterrupted, code)
	assert.Contains(t, stderr, "interrupted")
	b, err := os.ReadFile(dest)
	require.NoError(t, err)
	rep := decode(t, string(b))
	assert.False(t, rep.Scan.Complete)
}

func TestFilesTableOutput(t *testing.T) {
	code, out, _ := runCLI(t, context.Background(), "files", "../../testdata/media")
	assert.Equal(t, exitClean, code)
	assert.Contains(t, out, "AUTOMATIC1111 Stable Diffusion web UI")
	assert.Contains(t, out, "ai_xmp_trained.jpg")
	assert.NotContains(t, out, "photo_plain.jpg", "files with no signal are summarised, not listed")
	assert.Contains(t, out, "AI-made: 10 (without machine-readable marking: 3)")
	assert.Regexp(t, `image +valid +Example Diffusion 2 1.0 +\S+c2pa_ai_bound.jpg`, out, "the C2PA column shows the validation state")
	assert.Regexp(t, `image +MISMATCH +Example Diffusion 2 1.0 +\S+c2pa_transplanted.jpg`, out)
	code, out, _ = runCLI(t, context.Background(), "files", "../../testdata/media", "--all")
	assert.Equal(t, exitClean, code)
	assert.Contains(t, out, "photo_plain.jpg")
}

// TestFilesSharedFixturesEndToEnd runs the binary's code path over the real
// fixtures: every file is reported, none errors, order is stable.
func TestFilesSharedFixturesEndToEnd(t *testing.T) {
	dir := fixtures.Dir(t, "media")
	code, out, stderr := runCLI(t, context.Background(), "files", dir, "-f", "json", "--workers", "3")
	require.Contains(t, []int{exitClean}, code, stderr)
	rep := decode(t, out)
	require.Len(t, rep.Resources, 39) // 37 media files, SOURCES.md, expected.json
	for i := 1; i < len(rep.Resources); i++ {
		assert.Less(t, rep.Resources[i-1].Location, rep.Resources[i].Location, "walk order is stable")
	}
	for _, r := range rep.Resources {
		assert.Empty(t, r.Error, r.Location)
		if strings.HasSuffix(r.Location, ".c2pa") {
			assert.Equal(t, "application/c2pa", r.MediaType)
		}
	}
}

// A folder that does not exist is a usage error, not a clean scan of
// nothing (a mistyped path in a cron job must be loud).
func TestFilesMissingTargetIsAUsageError(t *testing.T) {
	code, out, stderr := runCLI(t, context.Background(), "files", filepath.Join(t.TempDir(), "nonexistent"), "-f", "json", "--no-history")
	assert.Equal(t, exitError, code)
	assert.Contains(t, stderr, "no such file or directory")
	assert.Empty(t, out, "no report of nothing")
}

// testTrustFiles writes the test CA's root (for --trust-anchors) and its
// signing certificate (for --allowed-signers), as cmd/mktestdata/build signs
// with them.
func testTrustFiles(t *testing.T) (anchors, signers string) {
	t.Helper()
	pki, err := build.TestPKI()
	require.NoError(t, err)
	dir := t.TempDir()
	anchors = filepath.Join(dir, "anchors.pem")
	require.NoError(t, os.WriteFile(anchors, pki.RootPEM(), 0o600))
	signers = filepath.Join(dir, "signers.pem")
	require.NoError(t, os.WriteFile(signers, pki.SignerPEM(), 0o600))
	return anchors, signers
}

// --trust-anchors makes the test CA's signer trusted; --allowed-signers pins
// the signer itself; a file that is not PEM is a usage error.
func TestFilesTrustFlags(t *testing.T) {
	anchors, pinned := testTrustFiles(t)
	dir := t.TempDir()
	file := "../../testdata/media/c2pa_ai_bound.jpg"

	for flag, want := range map[string][2]string{
		"":                  {"valid", ""},
		"--trust-anchors":   {"trusted", "--trust-anchors"},
		"--allowed-signers": {"trusted", "--allowed-signers"},
	} {
		args := []string{"files", file, "-f", "json", "--no-history"}
		if flag != "" {
			args = append(args, flag, map[string]string{"--trust-anchors": anchors, "--allowed-signers": pinned}[flag])
		}
		code, out, stderr := runCLI(t, context.Background(), args...)
		require.Equal(t, exitClean, code, stderr)
		rep := decode(t, out)
		require.Len(t, rep.Resources, 1)
		v := rep.Resources[0].Provenance.Validation
		require.NotNil(t, v, flag)
		assert.EqualValues(t, want[0], v.State, flag)
		assert.Equal(t, want[1], v.Signer.TrustList, flag)
		hasUnknown := false
		for _, f := range rep.Findings {
			hasUnknown = hasUnknown || f.Rule == rules.C2PAUnknownSigner
		}
		assert.Equal(t, flag == "", hasUnknown, "unknown-signer info only without anchors (%s)", flag)
	}

	bad := filepath.Join(dir, "bad.pem")
	require.NoError(t, os.WriteFile(bad, []byte("not a certificate"), 0o600))
	code, _, stderr := runCLI(t, context.Background(), "files", file, "--trust-anchors", bad)
	assert.Equal(t, exitError, code)
	assert.Contains(t, stderr, "--trust-anchors")
}

// revocableImage is an AI image signed by a CA whose OCSP responder, on
// loopback, says the signer was revoked an hour ago; asked counts the
// requests it reads. The signer's certificate names the responder, and
// x5chain carries its issuer, so --online can ask.
func revocableImage(t *testing.T) (jpeg []byte, asked *atomic.Int32) {
	t.Helper()
	asked = new(atomic.Int32)
	var handler atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { handler.Load().(http.Handler).ServeHTTP(w, r) }))
	t.Cleanup(srv.Close)
	pki, responder, err := build.NewOCSPPKI("Revoked", 31, srv.URL+"/ocsp")
	require.NoError(t, err)
	now := time.Now()
	handler.Store(responder.Handler(ocsp.Response{Status: ocsp.Revoked, RevokedAt: now.Add(-time.Hour), ThisUpdate: now.Add(-time.Minute), NextUpdate: now.Add(time.Hour)}, asked))
	jpg, err := build.JPEG(24, 16, 9)
	require.NoError(t, err)
	jpeg, err = build.SignedJPEG(jpg, build.Manifest{Signer: pki, IssuerInChain: true, Generator: "online test", Action: "c2pa.created",
		DigitalSourceType: "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"})
	require.NoError(t, err)
	return jpeg, asked
}

// Without --online no lookup is made and revocation is "not checked"; with
// it, the responder the certificate names is asked, but a file's OCSP URL
// may not reach loopback or private addresses: refused, still not checked.
func TestFilesOnline(t *testing.T) {
	img, asked := revocableImage(t)
	file := filepath.Join(t.TempDir(), "signed.jpg")
	require.NoError(t, os.WriteFile(file, img, 0o600))
	for _, online := range []bool{false, true} {
		args := []string{"files", file, "-f", "json", "--no-history", "--fail-on", "none"}
		if online {
			args = append(args, "--online")
		}
		code, out, stderr := runCLI(t, context.Background(), args...)
		require.Equal(t, exitClean, code, stderr)
		v := decode(t, out).Resources[0].Provenance.Validation
		require.NotNil(t, v)
		assert.Equal(t, "not_checked", v.Signer.Revocation, "online=%v", online)
		assert.EqualValues(t, "valid", v.State)
		want := "no online lookup was made"
		if online {
			want = "address refused"
		}
		assert.Contains(t, out, want, "online=%v", online)
	}
	assert.Zero(t, asked.Load(), "the loopback responder is never reached")
}

// --fragments-glob names a fragmented MP4's fragments beside its init
// segment: segments named other than *.m4s are found only through it, and
// a glob that is not a pattern is a usage error.
func TestFilesFragmentsGlob(t *testing.T) {
	f, err := build.SignedFragmentedMP4(build.Manifest{Generator: "fmp4 cli test", Action: "c2pa.created"}, 2, 0, 1)
	require.NoError(t, err)
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "stream.mp4"), f.Init, 0o600))
	for i, b := range f.Fragments {
		require.NoError(t, os.WriteFile(filepath.Join(dir, fmt.Sprintf("chunk-%d.seg", i)), b, 0o600))
	}
	for glob, want := range map[string]string{"": "not_checked", "chunk-*.seg": "match"} {
		args := []string{"files", filepath.Join(dir, "stream.mp4"), "-f", "json", "--no-history"}
		if glob != "" {
			args = append(args, "--fragments-glob", glob)
		}
		_, out, stderr := runCLI(t, context.Background(), args...)
		rep := decode(t, out)
		require.Len(t, rep.Resources, 1, stderr)
		p := rep.Resources[0].Provenance
		assert.EqualValues(t, want, p.Binding, "glob %q: %s", glob, p.BindingDetail)
	}
	code, _, stderr := runCLI(t, context.Background(), "files", dir, "--fragments-glob", "[x", "--no-history")
	assert.Equal(t, exitError, code)
	assert.Contains(t, stderr, "--fragments-glob")
}
