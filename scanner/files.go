// Package scanner is where resources come from: the file walk (this file), URL
// lists and site crawls. It feeds bytes to the detectors and hands each
// resource, in input order, to a sink.
package scanner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sync"

	"github.com/aiaudit/aiaudit/detectors"
	"github.com/aiaudit/aiaudit/detectors/c2pa"
	"github.com/aiaudit/aiaudit/detectors/media"
	"github.com/aiaudit/aiaudit/detectors/notes"
	"github.com/aiaudit/aiaudit/reports/model"
	"github.com/aiaudit/aiaudit/scanner/assets"
	"github.com/aiaudit/aiaudit/scanner/internal/thumb"
)

// FilesOptions configures a files scan.
type FilesOptions struct {
	// Workers is how many files are analysed at once (default DefaultWorkers).
	Workers int
	Limits  media.Limits
	// Thumbnails adds a small picture of each AI-made image (for HTML).
	Thumbnails bool
	// Assets is the team's asset library (--assets): copies of its images
	// inherit their evidence.
	Assets *assets.Library
	// Emit receives every resource in walk order, from one goroutine. An error
	// stops the scan (the output could not be written).
	Emit func(model.Resource) error
	// Progress, when set, is told after each file (done so far, and the total
	// once the walk has finished, else -1).
	Progress func(done, total int)
	// Walk says how files are paired with their fragments.
	Walk WalkOptions
}

// DefaultWorkers suits a mix of small images (CPU-bound parsing) and large
// files on slow disks (I/O waits): twice the cores, at least 4.
func DefaultWorkers() int { return max(4, 2*runtime.GOMAXPROCS(0)) }

type job struct {
	seq  int
	item FileItem
}

type done struct {
	seq int
	res model.Resource
}

// ScanFiles walks paths and analyses every file. It returns ctx.Err() when
// interrupted (the resources emitted so far are complete and in order).
func ScanFiles(ctx context.Context, paths []string, opt FilesOptions) error {
	workers := opt.Workers
	if workers <= 0 {
		workers = DefaultWorkers()
	}
	if err := opt.Walk.Validate(); err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	items := make(chan FileItem, workers)
	go func() {
		defer close(items)
		Walk(ctx, paths, opt.Walk, items)
	}()

	// window bounds how far the walk may run ahead of the ordered output, so
	// memory stays flat however many files there are.
	window := make(chan struct{}, workers*8)
	jobs := make(chan job)
	results := make(chan done, workers)
	total := -1
	var totalMu sync.Mutex

	go func() {
		defer close(jobs)
		seq := 0
		for it := range items {
			select {
			case window <- struct{}{}:
			case <-ctx.Done():
				return
			}
			select {
			case jobs <- job{seq, it}:
			case <-ctx.Done():
				return
			}
			seq++
		}
		totalMu.Lock()
		total = seq
		totalMu.Unlock()
	}()

	var thumbs *thumb.Maker
	if opt.Thumbnails {
		thumbs = thumb.NewMaker()
	}
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for j := range jobs {
				r := AnalyzeFile(j.item, opt.Limits, thumbs)
				fromLibrary(opt.Assets, &r)
				select {
				case results <- done{j.seq, r}:
				case <-ctx.Done():
					return
				}
			}
		})
	}
	go func() { wg.Wait(); close(results) }()

	pending := map[int]model.Resource{}
	next := 0
	var emitErr error
	for d := range results {
		pending[d.seq] = d.res
		for {
			r, ok := pending[next]
			if !ok {
				break
			}
			delete(pending, next)
			next++
			<-window
			if emitErr == nil && opt.Emit != nil {
				if err := opt.Emit(r); err != nil {
					emitErr = fmt.Errorf("write result: %w", err)
					cancel()
				}
			}
			if opt.Progress != nil {
				totalMu.Lock()
				t := total
				totalMu.Unlock()
				opt.Progress(next, t)
			}
		}
	}
	if emitErr != nil {
		return emitErr
	}
	if opt.Progress != nil && ctx.Err() == nil {
		// The last file can finish before the walk has counted it: the jobs
		// channel is closed only after the total is set, so it is known now.
		totalMu.Lock()
		opt.Progress(next, total)
		totalMu.Unlock()
	}
	return ctx.Err()
}

// AnalyzeFile reads one file (and its sidecars) and returns its resource,
// with its thumbnail when thumbs (nil: none) makes one. It never panics: a
// parser bug on hostile bytes becomes that file's error.
func AnalyzeFile(it FileItem, lim media.Limits, thumbs *thumb.Maker) (res model.Resource) {
	res = model.Resource{Location: it.Path, Kind: "other", MediaType: "application/octet-stream"}
	defer func() {
		if p := recover(); p != nil {
			res = errorResource(it.Path, fmt.Errorf("internal error while parsing (please report): %v", p))
		}
	}()
	if it.Err != nil {
		return errorResource(it.Path, it.Err)
	}
	f, st, err := openRegular(it.Path)
	if err != nil {
		return errorResource(it.Path, err)
	}
	defer f.Close()
	var sidecars []media.Source
	var sidecarNotes []string
	for _, p := range it.Sidecars {
		sf, sst, err := openRegular(p)
		if err != nil {
			sidecarNotes = append(sidecarNotes, fmt.Sprintf(notes.SidecarUnreadable, p, err))
			continue
		}
		defer sf.Close()
		sidecars = append(sidecars, media.Source{Name: p, R: sf, Size: sst.Size()})
	}
	result, err := media.Analyze(media.Source{Name: it.Path, R: f, Size: st.Size(), Fragments: fragmentFiles(it.Fragments)}, sidecars, lim)
	if err != nil {
		return errorResource(it.Path, err)
	}
	if err := unchanged(it.Path, st); err != nil {
		return errorResource(it.Path, err)
	}
	result.Notes = append(result.Notes, sidecarNotes...)
	res = toResource(it.Path, st.Size(), result)
	thumbs.Add(&res, f, st.Size(), result.Preview)
	return res
}

// fragmentFiles opens each possible fragment only while it is checked.
func fragmentFiles(paths []string) []c2pa.Fragment {
	out := make([]c2pa.Fragment, 0, len(paths))
	for _, p := range paths {
		out = append(out, c2pa.Fragment{Name: filepath.Base(p), Open: func() (io.ReaderAt, int64, func() error, error) {
			f, st, err := openRegular(p)
			if err != nil {
				return nil, 0, nil, err
			}
			return f, st.Size(), f.Close, nil
		}})
	}
	return out
}

// fromLibrary traces an image file to its asset-library original: it
// inherits the original's evidence, and the original's training reservation
// (any embedded opt-out reserving, as for the file's own metadata). An image
// in no library is unchanged.
func fromLibrary(lib *assets.Library, res *model.Resource) {
	if lib == nil || res.Kind != "image" || res.Error != "" {
		return
	}
	f, st, err := openRegular(res.Location)
	if err != nil {
		res.Notes = append(res.Notes, fmt.Sprintf(notes.NotInLibrary, err))
		return
	}
	defer f.Close()
	m, ok, err := lib.Find(f, st.Size())
	if err != nil {
		res.Notes = append(res.Notes, fmt.Sprintf(notes.NotInLibrary, err))
		return
	}
	if !ok {
		return
	}
	for _, o := range assets.Inherit(res, m) {
		res.OptOutEvidence = append(res.OptOutEvidence, o)
		if o.Verdict == detectors.Reserved {
			reserved := true
			res.TrainingOptOut = &reserved
		}
	}
}

// unchanged reports a file rewritten while it was read: its blocks could come
// from two versions.
func unchanged(path string, before os.FileInfo) error {
	after, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("file vanished while it was being read: %w", err)
	}
	if after.Size() != before.Size() || !after.ModTime().Equal(before.ModTime()) {
		return errors.New("file changed while it was being read; scan it again")
	}
	return nil
}

// openRegular opens a file for reading through its handle, so that only the
// parts the detectors ask for are read.
func openRegular(path string) (*os.File, os.FileInfo, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	if !st.Mode().IsRegular() {
		f.Close()
		return nil, nil, errors.New("not a regular file")
	}
	return f, st, nil
}

func errorResource(path string, err error) model.Resource {
	return model.Resource{Location: path, Kind: "other", MediaType: "application/octet-stream", Error: err.Error()}
}

func toResource(path string, size int64, m *media.Result) model.Resource {
	optOut := m.TrainingOptOut
	prov := m.Provenance
	return model.Resource{
		Location:       path,
		Kind:           m.Kind,
		MediaType:      m.MediaType,
		Size:           size,
		Digest:         m.Digest,
		AIGenerated:    m.AIGenerated,
		AIEvidence:     m.AIEvidence,
		Labelled:       model.Labelled{MachineReadable: m.MachineReadable, Evidence: m.LabelEvidence},
		TrainingOptOut: &optOut,
		OptOutEvidence: m.OptOuts,
		Provenance:     &prov,
		Notes:          m.Notes,
	}
}
