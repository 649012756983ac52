package main

import (
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/aiaudit/aiaudit/cmd/mktestdata/build"
)

// fixtureSets are the shared fixture folders the mixed corpus copies in:
// real files from AI tools and the C2PA reference implementation's test
// files (PS256 and ES256 signers, certificate chains, time-stamps,
// ingredients, tampered copies).
var fixtureSets = []string{"media", "c2pa-rs"}

// signedShare is the share of generated files, in percent, that carry a
// signed C2PA manifest in the mixed corpus.
const signedShare = 20

// tool is one source of signed images on a marketing site: a camera, an
// image generator, an editor. Each signs with its own certificate (and
// time-stamp authority), so a few chains repeat across many files while
// every file's claim, and so its signature, is its own.
type tool struct {
	pki      *build.PKI
	manifest build.Manifest
}

// signingTools makes the tools of the mixed corpus: their certificates are
// made from seeds (the same every run), their time-stamp authorities' keys
// are random (time-stamps are not reproducible; see build.TSA).
func signingTools() ([]tool, error) {
	valid := func(name string, seed byte) (*build.PKI, error) {
		return build.NewPKI(name, seed, time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2045, 1, 1, 0, 0, 0, 0, time.UTC))
	}
	camera, err := valid("Lumen Camera", 21)
	if err != nil {
		return nil, err
	}
	generator, err := valid("Pixel Forge", 22)
	if err != nil {
		return nil, err
	}
	editor, err := valid("Studio Editor", 23)
	if err != nil {
		return nil, err
	}
	signedAt := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	cameraTSA, err := camera.NewTSA(signedAt)
	if err != nil {
		return nil, err
	}
	editorTSA, err := editor.NewTSA(signedAt)
	if err != nil {
		return nil, err
	}
	generated := build.Manifest{Signer: generator, Generator: "Pixel Forge", Action: "c2pa.created", DigitalSourceType: dstAI, SoftwareAgent: "Pixel Forge Image 4", TrainingUse: "notAllowed"}
	ingredient := generated
	ingredient.Label = "urn:c2pa:00000000-0000-4000-8000-0000000000a1"
	return []tool{
		{camera, build.Manifest{Signer: camera, TimeStamp: cameraTSA, Generator: "Lumen Camera", Action: "c2pa.created",
			DigitalSourceType: "http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture", SoftwareAgent: "Lumen firmware"}},
		{generator, generated},
		// The editor's files have a generated image as ingredient: the same
		// ingredient manifest (and signature) behind every one of them. Their
		// first action opens it, as C2PA 2.x asks of a claim's first action.
		{editor, build.Manifest{Signer: editor, TimeStamp: editorTSA, Ingredient: &ingredient, Generator: "Studio Editor", Action: "c2pa.opened",
			DigitalSourceType: "http://cv.iptc.org/newscodes/digitalsourcetype/compositeWithTrainedAlgorithmicMedia", SoftwareAgent: "Studio Editor 12"}},
	}, nil
}

// anchorsPEM is the tools' root certificates, as --trust-anchors takes them:
// their signers validate as trusted, each chain checked to its anchor.
func anchorsPEM(tools []tool) []byte {
	var b []byte
	for _, t := range tools {
		b = append(b, t.pki.RootPEM()...)
	}
	return b
}

// signedImage makes file i of a tool: a JPEG or PNG whose pixels are its
// own (so its claim's hash, and signature, are too), signed with a correct
// hard binding.
func signedImage(t tool, i int) (string, []byte, error) {
	if i%2 == 0 {
		jpg, err := build.JPEG(64+i%97, 48+i/97%61, i)
		if err != nil {
			return "", nil, err
		}
		b, err := build.SignedJPEG(jpg, t.manifest)
		return ".jpg", b, err
	}
	png, err := build.PNG(48+i%89, 32+i/89%67, false)
	if err != nil {
		return "", nil, err
	}
	b, err := build.SignedPNG(png, t.manifest)
	return ".png", b, err
}

// mixedCorpus writes n files under dir: the shared fixtures (copied from
// fixtures, never linked, so the tools read them like any other file), then
// generated files as corpus makes them, of which signedShare percent are
// images signed by the tools. It returns how many generated files should be
// flagged as AI-made (the fixtures' own verdicts are their tests' business),
// and writes the tools' anchors to anchors. A corpus built before for the
// same n and seed is reused, anchors included.
func mixedCorpus(dir, fixtures, anchors string, n int, seed uint64) (int, error) {
	stamp := fmt.Sprintf("%s.stamp-%d-%d", dir, n, seed)
	if b, err := os.ReadFile(stamp); err == nil {
		return strconv.Atoi(string(b))
	}
	if err := os.RemoveAll(dir); err != nil {
		return 0, err
	}
	copied, err := copyFixtures(fixtures, filepath.Join(dir, "fixtures"))
	if err != nil {
		return 0, err
	}
	if copied > n {
		return 0, fmt.Errorf("the fixtures alone are %d files: ask for more items", copied)
	}
	byExt, err := templatesByExt()
	if err != nil {
		return 0, err
	}
	tools, err := signingTools()
	if err != nil {
		return 0, err
	}
	if err := os.WriteFile(anchors, anchorsPEM(tools), 0o644); err != nil {
		return 0, err
	}
	rng := rand.New(rand.NewPCG(seed, seed^0x9E3779B97F4A7C15))
	ai := 0
	for i := range n - copied {
		sub := filepath.Join(dir, fmt.Sprintf("d%03d", i/1000))
		if i%1000 == 0 {
			if err := os.MkdirAll(sub, 0o755); err != nil {
				return 0, err
			}
		}
		name := filepath.Join(sub, fmt.Sprintf("f%06d", i))
		var data []byte
		var ext string
		if rng.IntN(100) < signedShare {
			k := rng.IntN(len(tools))
			if ext, data, err = signedImage(tools[k], i); err != nil {
				return 0, err
			}
			if k != 0 { // the camera's captures are the only ones not AI-made
				ai++
			}
		} else {
			ext = pick(rng)
			t := byExt[ext][rng.IntN(len(byExt[ext]))]
			if t.ai {
				ai++
			}
			data = t.data
		}
		if err := os.WriteFile(name+ext, data, 0o644); err != nil {
			return 0, err
		}
	}
	return ai, os.WriteFile(stamp, []byte(strconv.Itoa(ai)), 0o644)
}

// copyFixtures copies the fixture sets' files (not their notes: *.md,
// *.json) under to, and returns how many it copied.
func copyFixtures(from, to string) (int, error) {
	count := 0
	for _, set := range fixtureSets {
		root := filepath.Join(from, set)
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || strings.HasSuffix(p, ".md") || strings.HasSuffix(p, ".json") {
				return err
			}
			rel, err := filepath.Rel(from, p)
			if err != nil {
				return err
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			dst := filepath.Join(to, rel)
			if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
				return err
			}
			count++
			return os.WriteFile(dst, b, 0o644)
		})
		if err != nil {
			return 0, fmt.Errorf("fixtures (%s): %w", root, err)
		}
	}
	return count, nil
}
