package history

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// ErrLocked says another run of the same target holds its lock.
var ErrLocked = errors.New("locked")

// Lock is a held per-target lock.
type Lock struct{ f *os.File }

// LockTarget takes the lock of one target under dir, without waiting: an
// overlapping cron run must give up at once, not queue behind a long crawl.
// The lock is the kernel's (flock), so a run that is killed releases it and
// no stale lock file ever blocks the next night.
func LockTarget(dir, target string) (*Lock, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	sum := sha256.Sum256([]byte(target))
	path := filepath.Join(dir, hex.EncodeToString(sum[:8])+".lock")
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		holder, _ := os.ReadFile(path)
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("%w: another aiaudit run of %q is in progress (%s; lock file %s)", ErrLocked, target, strings.TrimSpace(string(holder)), path)
		}
		return nil, err
	}
	// Who holds it, for the message the overlapping run prints.
	f.Truncate(0)
	fmt.Fprintf(f, "pid %d, since %s\n", os.Getpid(), time.Now().UTC().Format(time.RFC3339))
	return &Lock{f: f}, nil
}

// Unlock releases the lock.
func (l *Lock) Unlock() error {
	if l == nil || l.f == nil {
		return nil
	}
	err := l.f.Close() // closing the descriptor releases the flock
	l.f = nil
	return err
}
