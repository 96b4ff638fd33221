package lifeline

import (
	"context"
	"fmt"
	"os"
	"time"
)

// watchParent polls this process's parent pid every interval and returns an ErrParentGone error once it is no
// longer parent, the pid Watch saw when it was called: the parent exited and the process was re-parented (to
// init or a subreaper). nil when ctx ends first.
//
// Polling rather than PR_SET_PDEATHSIG: that signal fires when the parent *thread* that forked us exits, which
// in a Go engine need not be the engine's end. A parent pid of 1 at the start (already orphaned, or started by
// init) gives nothing to watch; the engine's health check still runs. On Windows the parent pid never changes,
// so this never fires there.
func watchParent(ctx context.Context, parent int, interval time.Duration) error {
	if parent <= 1 {
		return nil
	}
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-ticker.C:
		}
		if os.Getppid() != parent {
			return fmt.Errorf("%w (parent was pid %d)", ErrParentGone, parent)
		}
	}
}
