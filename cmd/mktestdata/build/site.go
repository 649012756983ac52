package build

import (
	"strconv"
)

// SiteImages are the images of the crawl test site (testdata/sites/basic/img),
// keyed by file name: AI-made ones carry an IPTC digital source type (JPEG)
// or A1111 generator parameters (PNG); photo.jpg carries nothing.
func SiteImages() (map[string][]byte, error) {
	out := map[string][]byte{}
	plain, err := JPEG(32, 24, 3)
	if err != nil {
		return nil, err
	}
	aiJPEG := func(seed int) ([]byte, error) {
		j, err := JPEG(32, 24, seed)
		if err != nil {
			return nil, err
		}
		return WithXMP(j, XMPPacket(dstNS+"trainedAlgorithmicMedia", "", "Test Model"))
	}
	aiPNG := func(seed int) ([]byte, error) {
		return PNG(16+seed, 16, false, TextChunk("tEXt", "parameters", "x\nSteps: 20, Sampler: Euler a, Seed: "+strconv.Itoa(seed)))
	}
	out["photo.jpg"] = plain
	out["ai-srcset-1x.jpg"] = plain
	for name, seed := range map[string]int{"ai-alt.jpg": 1, "ai-unlabelled.jpg": 2, "ai-container-ru.jpg": 3, "ai-page-kk.jpg": 4, "ai-picture-de.jpg": 5, "ai-sitemap.jpg": 6} {
		if out[name], err = aiJPEG(seed); err != nil {
			return nil, err
		}
	}
	for name, seed := range map[string]int{"ai-fig.png": 1, "ai-aria-ru.png": 2, "ai-srcset-2x.png": 3, "ai-desc-kk.png": 4, "ai-title-de.png": 5, "ai-poster.png": 6, "ai-shared.png": 7, "ai-og.png": 8} {
		if out[name], err = aiPNG(seed); err != nil {
			return nil, err
		}
	}
	return out, nil
}
