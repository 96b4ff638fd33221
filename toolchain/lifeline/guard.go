package lifeline

import (
	"context"
	"os"
	"time"
)

// DefaultGrace is how long Guard lets a plugin stop cleanly before it ends the process. The engine itself gives a
// plugin 5 seconds between its interrupt and its kill; this stays below that.
const DefaultGrace = 3 * time.Second

// Guard is what a plugin's main calls first. It watches the engine named in args (the plugin's own
// os.Args[1:]) and the parent process. Once either is gone it ends the returned context at once, so a server
// that takes a context can stop cleanly; after grace it ends the process whatever the server is still doing,
// together with its process group when it leads one (as every plugin the engine starts does), so that commands
// it started go too. When ctx itself ends, Guard only passes that on.
func Guard(ctx context.Context, args []string, grace time.Duration) context.Context {
	watched := Watch(ctx, Options{Engine: EngineAddress(args)})
	go func() {
		<-watched.Done()
		if !Gone(watched) {
			return
		}
		time.Sleep(grace)
		endProcess()
	}()
	return watched
}

// endProcess ends this process now, and every process in its group when it leads one. Nothing is printed: the
// engine, which read the plugin's stdout and stderr, is gone.
func endProcess() {
	killOwnGroup()
	os.Exit(1)
}
