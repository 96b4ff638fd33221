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
)

// upstreamName is the file name toolchain/install.sh gives the v3.68.0 host, in the same directory as this binary.
const upstreamName = "pulumi-language-nodejs-upstream"

// stopGrace is how long a child (the upstream host or a plugin) gets to exit after a polite signal before it is
// killed. The CLI waits 5s before killing a plugin's whole process group, so stay below that.
const stopGrace = 3 * time.Second

func main() {
	// The CLI stops a plugin by interrupting its process group: catch that so the children are reaped first.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	upstream, err := upstreamPath()
	if err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-language-nodejs: %v\n", err)
		os.Exit(1)
	}
	os.Exit(serve(ctx, upstream, os.Args[1:], os.Stdout, os.Stderr))
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
			fmt.Fprintf(stderr, "pulumi-language-nodejs: the upstream host exited: %v\n", host.exitErr)
		}
	case err := <-served:
		code = fail(fmt.Errorf("gRPC server stopped: %w", err))
	}
	// Stop cancels in-flight calls, which stops their plugin processes; wait for those before returning.
	srv.Stop()
	plugins.wait()
	return code
}
