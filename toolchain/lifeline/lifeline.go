// Package lifeline tells a Pulumi plugin (or language host) that the engine which started it is gone, so that it
// can end instead of running on, re-parented to init, after the engine was killed.
//
// Pulumi's own plugins health-check the engine's address only every 5 minutes (rpcutil.Healthcheck), and in the
// SDK releases from v3.169.0 to v3.228.x a provider's Main drops the result of that check (it cancels a context
// nobody waits on). lifeline checks the same health service every second and also watches for the parent
// process going away, which is what a SIGKILL of the engine looks like from here.
package lifeline

import (
	"context"
	"errors"
	"os"
	"time"
)

var (
	// ErrEngineGone is the cause of a Watch context's end when the engine stopped accepting connections.
	ErrEngineGone = errors.New("the Pulumi engine stopped answering")
	// ErrParentGone is the cause when the process that started this one exited.
	ErrParentGone = errors.New("the process that started this one exited")
)

// DefaultInterval is how often the engine and the parent are checked.
const DefaultInterval = time.Second

// Options say what to watch.
type Options struct {
	// Engine is the engine's gRPC address (host:port), as EngineAddress finds it; empty skips the health check.
	Engine string
	// Interval between checks; zero means DefaultInterval.
	Interval time.Duration
}

// Watch returns a context that ends when ctx does, when the engine at opts.Engine refuses its health check
// twice in a row, or when this process's parent exits. context.Cause tells which: ErrEngineGone, ErrParentGone
// (wrapped), or ctx's own cause.
func Watch(ctx context.Context, opts Options) context.Context {
	watched, cancel := context.WithCancelCause(ctx)
	interval := opts.Interval
	if interval <= 0 {
		interval = DefaultInterval
	}
	if opts.Engine != "" {
		go func() {
			if err := watchEngine(watched, opts.Engine, interval); err != nil {
				cancel(err)
			}
		}()
	}
	// Read now, not in the goroutine: the parent may be gone by the time that runs.
	parent := os.Getppid()
	go func() {
		if err := watchParent(watched, parent, interval); err != nil {
			cancel(err)
		}
	}()
	return watched
}

// Gone reports whether a Watch context ended because the engine or the parent went away.
func Gone(ctx context.Context) bool {
	cause := context.Cause(ctx)
	return errors.Is(cause, ErrEngineGone) || errors.Is(cause, ErrParentGone)
}
