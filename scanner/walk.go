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
	// Err is set when the path could not be listed or opened; the item is
	// still reported so no input is lost silently.
	Err error
}

// sidecarExts are the sidecar kinds aiaudit reads beside an asset.
var sidecarExts = []string{".c2pa", ".xmp"}

// Walk sends every regular file under the given paths, in lexical order per
// directory, to out. Symlinks to directories are not followed (they can loop);
// symlinks to files are. It stops early when ctx is cancelled.
func Walk(ctx context.Context, paths []string, out chan<- FileItem) {
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			if !send(ctx, out, FileItem{Path: p, Err: err}) {
				return
			}
			continue
		}
		if !st.IsDir() {
			dir := filepath.Dir(p)
			names := map[string]bool{}
			if entries, err := os.ReadDir(dir); err == nil {
				for _, e := range entries {
					names[e.Name()] = true
				}
			}
			if !send(ctx, out, FileItem{Path: p, Sidecars: sidecarsOf(dir, filepath.Base(p), names)}) {
				return
			}
			continue
		}
		if !walkDir(ctx, p, out) {
			return
		}
	}
}

func walkDir(ctx context.Context, dir string, out chan<- FileItem) bool {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return send(ctx, out, FileItem{Path: dir, Err: fmt.Errorf("list directory: %w", err)})
	}
	names := make(map[string]bool, len(entries))
	for _, e := range entries {
		names[e.Name()] = true
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].Name() < entries[j].Name() })
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		switch t := e.Type(); {
		case t.IsDir():
			if !walkDir(ctx, p, out) {
				return false
			}
		case t.IsRegular():
			if !send(ctx, out, FileItem{Path: p, Sidecars: sidecarsOf(dir, e.Name(), names)}) {
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
				if !send(ctx, out, FileItem{Path: p, Sidecars: sidecarsOf(dir, e.Name(), names)}) {
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
