package main

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"

	"github.com/aiaudit/aiaudit/cmd/mktestdata/build"
)

const dstAI = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"

// template is one kind of corpus file and whether aiaudit should flag it.
type template struct {
	ext  string
	data []byte
	ai   bool
}

// templates builds the file kinds of the corpus with the project's own
// generators: JPEG/PNG/MP4 with and without AI metadata, and plain files.
func templates() ([]template, error) {
	infotext := "a lighthouse at dawn\nNegative prompt: blurry\nSteps: 20, Sampler: Euler a, CFG scale: 7, Seed: 1"
	var out []template
	for i := range 4 {
		jpg, err := build.JPEG(96+16*i, 64+8*i, i)
		if err != nil {
			return nil, err
		}
		xmpJPG, err := build.WithXMP(jpg, build.XMPPacket(dstAI, "", "Example Model"))
		if err != nil {
			return nil, err
		}
		exifJPG := build.WithSegment(jpg, 0xE1, append([]byte("Exif\x00\x00"), userCommentTIFF(infotext)...))
		plainPNG, err := build.PNG(64+8*i, 64, false)
		if err != nil {
			return nil, err
		}
		sdPNG, err := build.PNG(64+8*i, 64, false, build.TextChunk("tEXt", "parameters", infotext))
		if err != nil {
			return nil, err
		}
		comfyPNG, err := build.PNG(64, 64+8*i, false, build.TextChunk("tEXt", "prompt", `{"3": {"inputs": {"seed": 1}, "class_type": "KSampler"}}`))
		if err != nil {
			return nil, err
		}
		out = append(out,
			template{".jpg", jpg, false}, template{".jpg", xmpJPG, true}, template{".jpg", exifJPG, true},
			template{".png", plainPNG, false}, template{".png", sdPNG, true}, template{".png", comfyPNG, true},
			template{".mp4", mp4(build.XMPPacket(dstAI, "", ""), 20_000+i*5000), true},
			template{".mp4", mp4("", 30_000), false},
			template{".txt", []byte("notes " + strconv.Itoa(i) + "\n"), false},
		)
	}
	return out, nil
}

// templatesByExt groups the templates by file extension.
func templatesByExt() (map[string][]template, error) {
	tpls, err := templates()
	if err != nil {
		return nil, err
	}
	byExt := map[string][]template{}
	for _, t := range tpls {
		byExt[t.ext] = append(byExt[t.ext], t)
	}
	return byExt, nil
}

// weights give the corpus mix: about 45% JPEG, 35% PNG, 15% MP4, 5% other.
var weights = map[string]int{".jpg": 45, ".png": 35, ".mp4": 15, ".txt": 5}

// userCommentTIFF builds a minimal TIFF with IFD0 -> Exif IFD -> UserComment.
func userCommentTIFF(text string) []byte {
	le := binary.LittleEndian
	comment := append([]byte("ASCII\x00\x00\x00"), text...)
	b := []byte("II*\x00\x08\x00\x00\x00")
	b = le.AppendUint16(b, 1) // IFD0: one entry, the Exif pointer
	b = le.AppendUint16(b, 0x8769)
	b = le.AppendUint16(b, 4)
	b = le.AppendUint32(b, 1)
	b = le.AppendUint32(b, 26)
	b = le.AppendUint32(b, 0)
	b = le.AppendUint16(b, 1) // Exif IFD at 26: UserComment
	b = le.AppendUint16(b, 0x9286)
	b = le.AppendUint16(b, 7)
	b = le.AppendUint32(b, uint32(len(comment)))
	b = le.AppendUint32(b, 44)
	b = le.AppendUint32(b, 0)
	return append(b, comment...)
}

func bmffBox(typ string, payload []byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, uint32(8+len(payload)))
	return append(append(b, typ...), payload...)
}

var xmpUUID = []byte{0xBE, 0x7A, 0xCF, 0xCB, 0x97, 0xA9, 0x42, 0xE8, 0x9C, 0x71, 0x99, 0x94, 0x91, 0xE3, 0xAF, 0xAC}

// mp4 builds ftyp, an optional XMP uuid box, moov and an mdat of mdatLen bytes.
func mp4(xmp string, mdatLen int) []byte {
	b := bmffBox("ftyp", []byte("isom\x00\x00\x02\x00isomiso2mp41"))
	if xmp != "" {
		b = append(b, bmffBox("uuid", append(append([]byte{}, xmpUUID...), xmp...))...)
	}
	b = append(b, bmffBox("moov", bmffBox("mvhd", make([]byte, 100)))...)
	return append(b, bmffBox("mdat", make([]byte, mdatLen))...)
}

// corpus writes n files under dir (1000 per folder), reusing a corpus built
// before with the same n and seed. It returns how many files should be
// flagged as AI-made. Every 1000th file is a large sparse MP4 (512 MiB of
// mdat that costs no disk): aiaudit must not read it whole.
func corpus(dir string, n int, seed uint64) (int, error) {
	stamp := fmt.Sprintf("%s.stamp-%d-%d", dir, n, seed) // beside the corpus, not in it
	if b, err := os.ReadFile(stamp); err == nil {
		return strconv.Atoi(string(b))
	}
	if err := os.RemoveAll(dir); err != nil {
		return 0, err
	}
	byExt, err := templatesByExt()
	if err != nil {
		return 0, err
	}
	rng := rand.New(rand.NewPCG(seed, seed^0x9E3779B97F4A7C15))
	ai := 0
	for i := range n {
		sub := filepath.Join(dir, fmt.Sprintf("d%03d", i/1000))
		if i%1000 == 0 {
			if err := os.MkdirAll(sub, 0o755); err != nil {
				return 0, err
			}
		}
		if i%1000 == 999 {
			if err := largeMP4(filepath.Join(sub, fmt.Sprintf("f%06d.mp4", i))); err != nil {
				return 0, err
			}
			ai++
			continue
		}
		ext := pick(rng)
		t := byExt[ext][rng.IntN(len(byExt[ext]))]
		if t.ai {
			ai++
		}
		if err := os.WriteFile(filepath.Join(sub, fmt.Sprintf("f%06d%s", i, ext)), t.data, 0o644); err != nil {
			return 0, err
		}
	}
	return ai, os.WriteFile(stamp, []byte(strconv.Itoa(ai)), 0o644)
}

func pick(rng *rand.Rand) string {
	r := rng.IntN(100)
	for _, ext := range []string{".jpg", ".png", ".mp4", ".txt"} {
		if r < weights[ext] {
			return ext
		}
		r -= weights[ext]
	}
	return ".txt"
}

// largeMP4 writes the header of an AI-marked MP4 whose mdat is a 512 MiB hole.
func largeMP4(path string) error {
	const mdat = 512 << 20
	head := bmffBox("ftyp", []byte("isom\x00\x00\x02\x00isom"))
	head = append(head, bmffBox("uuid", append(append([]byte{}, xmpUUID...), build.XMPPacket(dstAI, "", "")...))...)
	head = append(head, bmffBox("moov", bmffBox("mvhd", make([]byte, 100)))...)
	head = binary.BigEndian.AppendUint32(head, mdat+8)
	head = append(head, "mdat"...)
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := f.Write(head); err != nil {
		f.Close()
		return err
	}
	if err := f.Truncate(int64(len(head)) + mdat); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
