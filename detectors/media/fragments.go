package media

import (
	"fmt"
	"io"
	"strings"

	"github.com/aiaudit/aiaudit/detectors/c2pa"
)

// checkFragments checks a c2pa.hash.bmff Merkle binding over the fragments
// of a fragmented MP4 with the fragment files found beside the init
// segment. It matches when the init segment and every fragment that holds a
// leaf of the manifest's trees match; fragments not beside it are named, not
// counted against it. No fragment at all is an error (not checked): the
// init segment alone cannot tell.
func (a *analysis) checkFragments(bh c2pa.BMFFHash) (bool, string, error) {
	frags := a.asset.Fragments
	switch {
	case len(frags) == 0:
		return false, "", fmt.Errorf("a Merkle tree over the fragments of a fragmented MP4, which sit in other files; no fragment file is beside this init segment, so the binding was not checked")
	case len(frags) > a.lim.MaxFragments:
		return false, "", fmt.Errorf("%d fragment files beside the init segment, more than the %d checked", len(frags), a.lim.MaxFragments)
	}
	capped := make([]c2pa.Fragment, len(frags))
	for i, f := range frags {
		capped[i] = a.capFragment(f)
	}
	res, err := c2pa.CheckBMFFFragments(a.asset.R, a.asset.Size, bh, capped)
	if err != nil {
		return false, "", err
	}
	if !res.InitMatch {
		return false, "the init segment does not match the Merkle binding's initHash: it was altered, or the manifest was made for other content", nil
	}
	if bad := res.Mismatched(); len(bad) > 0 {
		return false, fmt.Sprintf("%d fragment(s) do not match the manifest's Merkle tree, altered or from other content: %s", len(bad), fragmentList(bad)), nil
	}
	if bad := res.Unreadable(); len(bad) > 0 {
		return false, "", fmt.Errorf("fragment(s) could not be read, so the binding is not fully checked: %s", fragmentList(bad))
	}
	if res.Matched == 0 {
		return false, "", fmt.Errorf("none of the %d files beside the init segment holds a fragment of this manifest's Merkle tree, so the binding was not checked", len(frags))
	}
	why := fmt.Sprintf("the init segment and %d fragment(s) match the manifest's Merkle tree", res.Matched)
	if missing := res.Leaves - res.Matched; missing > 0 {
		why += fmt.Sprintf("; %d of its %d fragments are not beside the init segment and were not checked (%s)", missing, res.Leaves, strings.Join(res.Missing, ", "))
		if int64(len(res.Missing)) < missing {
			why += ", ..."
		}
	}
	return true, why, nil
}

// capFragment refuses a fragment larger than the hashing cap when opened.
func (a *analysis) capFragment(f c2pa.Fragment) c2pa.Fragment {
	open := f.Open
	f.Open = func() (io.ReaderAt, int64, func() error, error) {
		r, size, closeFn, err := open()
		if err == nil && size > a.lim.MaxHashBytes {
			closeFn()
			return nil, 0, nil, fmt.Errorf("larger than the %d bytes hashed", a.lim.MaxHashBytes)
		}
		return r, size, closeFn, err
	}
	return f
}

// fragmentList names the first few fragments and what was found.
func fragmentList(fcs []c2pa.FragmentCheck) string {
	const named = 5
	var parts []string
	for i, f := range fcs {
		if i == named {
			parts = append(parts, fmt.Sprintf("and %d more", len(fcs)-named))
			break
		}
		parts = append(parts, f.Name+": "+f.Detail)
	}
	return strings.Join(parts, "; ")
}
