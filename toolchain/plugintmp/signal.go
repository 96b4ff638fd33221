package plugintmp

import (
	"os"
	"os/signal"
	"syscall"
)

// RemoveOnSignal removes the directory when SIGINT or SIGTERM arrives, then lets that signal end the process as it
// would have without this handler. The engine stops a plugin with SIGINT, and SIGKILL five seconds later.
func (d *Dir) RemoveOnSignal() {
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		sig := <-signals
		d.Remove()
		signal.Reset(sig)
		_ = syscall.Kill(os.Getpid(), sig.(syscall.Signal))
	}()
}
