package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
)

// The @pulumi/pulumi entry points that host plugins written in Node.js. A policy pack is run as
// "<entry> <engine-address> <pack-directory>"; any other plugin as "<entry> <plugin-directory> <args...>".
const (
	policyPackEntry = "@pulumi/pulumi/cmd/run-policy-pack"
	pluginEntry     = "@pulumi/pulumi/cmd/run-plugin"
)

// analyzerKind is the RunPluginRequest kind of a policy pack.
const analyzerKind = "analyzer"

// entryModule names the module that hosts a plugin of the given kind.
func entryModule(kind string) string {
	if kind == analyzerKind {
		return policyPackEntry
	}
	return pluginEntry
}

// pluginCommand is how node is run for a plugin: its arguments, working directory and environment.
type pluginCommand struct {
	Args []string
	Dir  string
	Env  []string
}

// programDirectory is the plugin's directory: from the program info, or the deprecated program field.
func programDirectory(req *pulumirpc.RunPluginRequest) (string, error) {
	if dir := req.GetInfo().GetProgramDirectory(); dir != "" {
		return dir, nil
	}
	if dir := req.GetProgram(); dir != "" { //nolint:staticcheck // older engines send only this field
		return dir, nil
	}
	return "", errors.New("RunPlugin request names no program directory")
}

// planPlugin decides how to run node for req, given the resolved entry script and the environment to use when
// the request carries none.
func planPlugin(req *pulumirpc.RunPluginRequest, entry string, defaultEnv []string) (pluginCommand, error) {
	dir, err := programDirectory(req)
	if err != nil {
		return pluginCommand{}, err
	}
	var args []string
	// "nodeargs" (the runtime option Pulumi.yaml and PulumiPolicy.yaml use) are options for node itself.
	if nodeargs, ok := req.GetInfo().GetOptions().AsMap()["nodeargs"].(string); ok {
		args = append(args, strings.Fields(nodeargs)...)
	}
	args = append(args, entry)

	cmd := pluginCommand{Env: req.GetEnv()}
	if len(cmd.Env) == 0 {
		cmd.Env = defaultEnv
	}
	if req.GetKind() == analyzerKind {
		// Policy packs run in their own directory, so the pack's node_modules and tsconfig.json are the ones used.
		args = append(args, pluginArgs(req.GetArgs())...)
		args = append(args, dir)
		cmd.Dir = dir
	} else {
		args = append(args, dir)
		args = append(args, pluginArgs(req.GetArgs())...)
		cmd.Dir = req.GetPwd()
		if cmd.Dir == "" {
			cmd.Dir = dir
		}
	}
	cmd.Args = args
	return cmd, nil
}

// pluginArgs adapts the engine's arguments for the entry points' minimist parser, which would otherwise take the
// engine address as the value of a bare "--logtostderr" (the engine adds it under --logflow).
func pluginArgs(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		if a == "--logtostderr" {
			a = "--logtostderr=true"
		}
		out[i] = a
	}
	return out
}

// resolveEntry finds module the way require() would from dir, with the same node that will run it.
// On failure the error carries node's message (e.g. "Cannot find module '@pulumi/pulumi/cmd/run-policy-pack'").
func resolveEntry(ctx context.Context, node, module, dir string) (string, error) {
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, node, "-e",
		"process.stdout.write(require.resolve(process.argv[1], { paths: [process.argv[2]] }))", module, dir)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = err.Error()
		}
		return "", errors.New(msg)
	}
	return strings.TrimSpace(stdout.String()), nil
}

// pluginRunner runs plugins for RunPlugin calls and keeps count of the running ones.
type pluginRunner struct {
	stopGrace time.Duration
	running   sync.WaitGroup
}

// wait blocks until every plugin process started by the runner has been reaped.
func (r *pluginRunner) wait() { r.running.Wait() }

// serve answers one RunPlugin call: it streams the plugin's stdout and stderr back as they come, then its exit
// code. The engine ends the plugin by cancelling the call, which interrupts (and later kills) the process.
func (r *pluginRunner) serve(stream grpc.ServerStream) error {
	var f rawFrame
	if err := stream.RecvMsg(&f); err != nil {
		return err
	}
	req := &pulumirpc.RunPluginRequest{}
	if err := proto.Unmarshal(f.data, req); err != nil {
		return status.Errorf(codes.InvalidArgument, "decoding RunPluginRequest: %v", err)
	}
	out := &responseSender{stream: stream}
	code, err := r.run(stream.Context(), req, out)
	if err != nil {
		return err
	}
	return out.send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Exitcode{Exitcode: code}})
}

func (r *pluginRunner) run(ctx context.Context, req *pulumirpc.RunPluginRequest, out *responseSender) (int32, error) {
	node, err := exec.LookPath("node")
	if err != nil {
		return 0, status.Errorf(codes.FailedPrecondition, "could not find node on PATH: %v", err)
	}
	dir, err := programDirectory(req)
	if err != nil {
		return 0, status.Error(codes.InvalidArgument, err.Error())
	}
	module := entryModule(req.GetKind())
	entry, err := resolveEntry(ctx, node, module, dir)
	if err != nil {
		// Pass node's message on as the plugin's stderr too: the engine recognises a missing run-policy-pack
		// there and tells the user to install the pack's dependencies.
		_, _ = out.stderr().Write([]byte(err.Error() + "\n"))
		return 0, status.Errorf(codes.FailedPrecondition,
			"cannot resolve %s from %s (are its dependencies installed? run npm install there): %v", module, dir, err)
	}
	plan, err := planPlugin(req, entry, os.Environ())
	if err != nil {
		return 0, status.Error(codes.InvalidArgument, err.Error())
	}

	cmd := exec.Command(node, plan.Args...)
	cmd.Dir = plan.Dir
	cmd.Env = plan.Env
	cmd.Stdout = out.stdout()
	cmd.Stderr = out.stderr()

	r.running.Add(1)
	defer r.running.Done()
	proc, err := startChild(cmd, r.stopGrace)
	if err != nil {
		return 0, status.Errorf(codes.Internal, "running %s %s: %v", node, strings.Join(plan.Args, " "), err)
	}
	select {
	case <-proc.exited:
	case <-ctx.Done():
		// Interrupt, as the engine stops its plugins, then kill: the plugin and whatever it started.
		proc.stop(syscall.SIGINT, r.stopGrace)
		return 0, status.FromContextError(ctx.Err()).Err()
	}
	err = proc.err
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		return exitCode(exitErr), nil
	}
	if err != nil {
		return 0, status.Errorf(codes.Internal, "running %s %s: %v", node, strings.Join(plan.Args, " "), err)
	}
	return 0, nil
}

// exitCode reports a plugin's exit status, or 128+signal (as shells do) when it was killed by a signal.
func exitCode(err *exec.ExitError) int32 {
	if ws, ok := err.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return int32(128 + int(ws.Signal()))
	}
	return int32(err.ExitCode())
}

// responseSender serialises RunPluginResponse messages onto the stream (stdout and stderr are copied by two
// goroutines, and a gRPC stream takes one sender at a time).
type responseSender struct {
	mu     sync.Mutex
	stream grpc.ServerStream
}

func (s *responseSender) send(msg *pulumirpc.RunPluginResponse) error {
	data, err := proto.Marshal(msg)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stream.SendMsg(&rawFrame{data: data})
}

func (s *responseSender) stdout() *chunkWriter {
	return &chunkWriter{sender: s, wrap: func(p []byte) *pulumirpc.RunPluginResponse {
		return &pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stdout{Stdout: p}}
	}}
}

func (s *responseSender) stderr() *chunkWriter {
	return &chunkWriter{sender: s, wrap: func(p []byte) *pulumirpc.RunPluginResponse {
		return &pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stderr{Stderr: p}}
	}}
}

// chunkWriter sends each write as one stdout or stderr message, so output reaches the engine as it is produced
// (the engine reads the plugin's port from the first stdout line).
type chunkWriter struct {
	sender *responseSender
	wrap   func(p []byte) *pulumirpc.RunPluginResponse
}

func (w *chunkWriter) Write(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	if err := w.sender.send(w.wrap(p)); err != nil {
		return 0, err
	}
	return len(p), nil
}
