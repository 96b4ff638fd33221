// Command pulumi-language-nodejs is kube-baseline's Node.js language host. The only Node.js host the Go module
// proxy serves is the one inside github.com/pulumi/pulumi/sdk/v3 v3.68.0, which predates
// LanguageRuntime.RunPlugin; the Pulumi CLI we build starts TypeScript policy packs through that call. So this
// binary starts the v3.68.0 host (installed beside it as upstreamName) as a child, forwards every gRPC call to it
// byte for byte, and answers RunPlugin itself by running node on @pulumi/pulumi's own plugin entry points.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"kube-baseline/toolchain/lifeline"
)

// upstreamName is the file name toolchain/install.sh gives the v3.68.0 host, in the same directory as this binary.
const upstreamName = "pulumi-language-nodejs-upstream"

// stopGrace is how long a child (the upstream host or a plugin) gets to exit after a polite signal before it is
// killed. The CLI waits 5s before killing a plugin's whole process group, so stay below that.
const stopGrace = 3 * time.Second

// shutdownBound is how long the shim may take to stop its children once the engine is gone, before lifeline
// ends it regardless. The children stop in parallel, each within stopGrace, plus at most stopGrace for its
// output to drain (see child).
const shutdownBound = 2*stopGrace + time.Second

func main() {
	upstream, err := upstreamPath()
	if err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-language-nodejs: %v\n", err)
		os.Exit(1)
	}
	os.Exit(run(upstream, os.Args[1:]))
}

// run is the shim process's life: serve the engine at the address that ends args until the engine stops the
// shim (interrupt), the engine is gone (it refuses health checks, or the shim's parent exited: see lifeline),
// or the upstream host exits; then stop every child and return the exit code.
func run(upstream string, args []string) int {
	// The CLI stops a plugin by interrupting its process group: catch that so the children are stopped first.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// A dead engine leaves the shim's stdout and stderr without a reader. Writing there must fail (EPIPE), not
	// kill the shim (SIGPIPE) before it has stopped its children.
	signal.Notify(make(chan os.Signal, 1), syscall.SIGPIPE)
	ctx = lifeline.Guard(ctx, args, shutdownBound)
	// The CLI starts its language host in the program's directory; without one, the host's defaults.
	if dir, err := os.Getwd(); err == nil {
		args = upstreamArgs(args, dir)
	}
	return serve(ctx, upstream, args, os.Stdout, os.Stderr)
}

// upstreamPath finds the real host next to this executable (following symlinks, so a link on PATH works).
func upstreamPath() (string, error) {
	self, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("cannot locate own executable: %w", err)
	}
	if resolved, err := filepath.EvalSymlinks(self); err == nil {
		self = resolved
	}
	path := filepath.Join(filepath.Dir(self), upstreamName)
	if _, err := os.Stat(path); err != nil {
		return "", fmt.Errorf("the Node.js language host %s is missing (run toolchain/install.sh): %w", path, err)
	}
	return path, nil
}

// serve runs the shim until ctx ends or the upstream host exits, and returns the process exit code.
// It prints its own port on stdout as the plugin protocol requires, followed by whatever the upstream host prints.
func serve(ctx context.Context, upstreamPath string, args []string, stdout, stderr io.Writer) int {
	fail := func(err error) int {
		fmt.Fprintf(stderr, "pulumi-language-nodejs: %v\n", err)
		return 1
	}

	host, err := startUpstream(upstreamPath, args, stderr)
	if err != nil {
		return fail(err)
	}
	defer host.stop(stopGrace)

	conn, err := dialUpstream(host.port)
	if err != nil {
		return fail(err)
	}
	defer conn.Close()

	plugins := &pluginRunner{stopGrace: stopGrace}
	srv := newShimServer(conn, plugins)
	lis, port, err := listenLoopback()
	if err != nil {
		return fail(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(lis) }()

	if _, err := fmt.Fprintf(stdout, "%d\n", port); err != nil {
		srv.Stop()
		return fail(err)
	}
	go func() { _, _ = io.Copy(stdout, host.stdout) }()

	code := 0
	select {
	case <-ctx.Done():
	case <-host.exited:
		code = host.exitCode()
		if code != 0 {
			fmt.Fprintf(stderr, "pulumi-language-nodejs: the upstream host exited: %v\n", host.err)
		}
	case err := <-served:
		code = fail(fmt.Errorf("gRPC server stopped: %w", err))
	}
	// Stop everything at once. Stop cancels the in-flight calls, which stops their plugins; wait for those
	// and for the upstream host before returning.
	hostStopped := make(chan struct{})
	go func() {
		host.stop(stopGrace)
		close(hostStopped)
	}()
	srv.Stop()
	plugins.wait()
	<-hostStopped
	return code
}
