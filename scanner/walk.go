package scanner

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// FileItem is one regular file found by Walk, with the sidecars that sit beside
// it (found from the directory listing, so pairing costs no extra stat calls).
type FileItem struct {
	Path     string
	Sidecars []string // "<asset>.c2pa", "<stem>.c2pa", "<asset>.xmp", "<stem>.xmp"
	// Fragments are, for a file that may be the init segment of a
	// fragmented MP4, the files in its folder that may be its fragments
	// (WalkOptions.FragmentsGlob), in name order.
	Fragments []string
	// Err is set when the path could not be listed or opened; the item is
	// still reported so no input is lost silently.
	Err error
}

// sidecarExts are the sidecar kinds aiaudit reads beside an asset.
var sidecarExts = []string{".c2pa", ".xmp"}

// DefaultFragmentsGlob names the fragments of a fragmented MP4 beside its
// init segment: the .m4s media segments DASH and CMAF packagers write.
const DefaultFragmentsGlob = "*.m4s"

// initExts are the extensions of files that may be a fragmented MP4's
// init segment. A file the fragments glob matches is one only when its
// name says "init" (init.m4s, video_init.m4s).
var initExts = map[string]bool{".mp4": true, ".m4v": true, ".m4a": true, ".mov": true, ".cmfv": true, ".cmfa": true}

// WalkOptions configure Walk.
type WalkOptions struct {
	// FragmentsGlob is matched against the names in an init segment's
	// folder to find its fragments ("": DefaultFragmentsGlob), as the C2PA
	// reference tool's --fragments_glob is.
	FragmentsGlob string
}

func (o WalkOptions) glob() string {
	if o.FragmentsGlob == "" {
		return DefaultFragmentsGlob
	}
	return o.FragmentsGlob
}

// Validate rejects a fragments glob that is not a pattern.
func (o WalkOptions) Validate() error {
	if _, err := filepath.Match(o.glob(), ""); err != nil {
		return fmt.Errorf("fragments glob %q: %w", o.FragmentsGlob, err)
	}
	return nil
}

// folder is one directory's listing, as the walk pairs files in it.
type folder struct {
	dir, glob string
	names     map[string]bool
	// fragments: the names the fragments glob matches, sorted.
	fragments []string
}

func newFolder(dir string, entries []os.DirEntry, glob string) *folder {
	f := &folder{dir: dir, glob: glob, names: make(map[string]bool, len(entries))}
	for _, e := range entries {
		f.names[e.Name()] = true
		if ok, _ := filepath.Match(glob, e.Name()); ok && !e.IsDir() {
			f.fragments = append(f.fragments, e.Name())
		}
	}
	sort.Strings(f.fragments)
	return f
}

// item pairs the file name in this folder with its sidecars and fragments.
func (f *folder) item(name string) FileItem {
	return FileItem{Path: filepath.Join(f.dir, name), Sidecars: sidecarsOf(f.dir, name, f.names), Fragments: f.fragmentsOf(name)}
}

// fragmentsOf lists the possible fragments of name when it may be an init
// segment: every file the glob matches, itself excepted.
func (f *folder) fragmentsOf(name string) []string {
	if len(f.fragments) == 0 {
		return nil
	}
	lower := strings.ToLower(name)
	if !initExts[filepath.Ext(lower)] {
		if named, _ := filepath.Match(f.glob, name); !named || !strings.Contains(lower, "init") {
			return nil
		}
	}
	out := make([]string, 0, len(f.fragments))
	for _, n := range f.fragments {
		if n != name {
			out = append(out, filepath.Join(f.dir, n))
		}
	}
	return out
}

// Walk sends every regular file under the given paths, in lexical order per
// directory, to out. Symlinks to directories are not followed (they can loop);
// symlinks to files are. It stops early when ctx is cancelled.
func Walk(ctx context.Context, paths []string, opt WalkOptions, out chan<- FileItem) {
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			if !send(ctx, out, FileItem{Path: p, Err: err}) {
				return
			}
			continue
		}
		if !st.IsDir() {
			entries, _ := os.ReadDir(filepath.Dir(p)) // unlisted: no sidecars, no fragments
			it := newFolder(filepath.Dir(p), entries, opt.glob()).item(filepath.Base(p))
			it.Path = p
			if !send(ctx, out, it) {
				return
			}
			continue
		}
		if !walkDir(ctx, p, opt.glob(), out) {
			return
		}
	}
}

func walkDir(ctx context.Context, dir, glob string, out chan<- FileItem) bool {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return send(ctx, out, FileItem{Path: dir, Err: fmt.Errorf("list directory: %w", err)})
	}
	here := newFolder(dir, entries, glob)
	sort.Slice(entries, func(i, j int) bool { return entries[i].Name() < entries[j].Name() })
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		switch t := e.Type(); {
		case t.IsDir():
			if !walkDir(ctx, p, glob, out) {
				return false
			}
		case t.IsRegular():
			if !send(ctx, out, here.item(e.Name())) {
				return false
			}
		case t&fs.ModeSymlink != 0:
			st, err := os.Stat(p)
			if err != nil {
				if !send(ctx, out, FileItem{Path: p, Err: fmt.Errorf("broken symlink: %w", err)}) {
					return false
				}
				continue
			}
			if st.Mode().IsRegular() {
				if !send(ctx, out, here.item(e.Name())) {
					return false
				}
			}
		}
	}
	return true
}

// sidecarsOf lists the sidecar files present for asset name in dir. A sidecar
// itself has no sidecars.
func sidecarsOf(dir, name string, names map[string]bool) []string {
	ext := strings.ToLower(filepath.Ext(name))
	for _, s := range sidecarExts {
		if ext == s {
			return nil
		}
	}
	stem := strings.TrimSuffix(name, filepath.Ext(name))
	var out []string
	for _, s := range sidecarExts {
		for _, cand := range []string{name + s, stem + s} {
			if names[cand] {
				out = append(out, filepath.Join(dir, cand))
				break
			}
		}
	}
	return out
}

func send(ctx context.Context, out chan<- FileItem, it FileItem) bool {
	select {
	case out <- it:
		return true
	case <-ctx.Done():
		return false
	}
}
