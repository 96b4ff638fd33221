package main

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/structpb"
)

func TestPlanPolicyPackRunsInPackDirectoryWithEngineAddressThenPack(t *testing.T) {
	opts, _ := structpb.NewStruct(map[string]any{"nodeargs": "--max-old-space-size=512  --no-warnings"})
	req := &pulumirpc.RunPluginRequest{
		Kind: "analyzer",
		Pwd:  "/home/me/stack",
		Args: []string{"--logtostderr", "-v=9", "127.0.0.1:4000"},
		Env:  []string{"A=1"},
		Info: &pulumirpc.ProgramInfo{ProgramDirectory: "/repo/policies", Options: opts},
	}
	plan, err := planPlugin(req, "/repo/policies/node_modules/@pulumi/pulumi/cmd/run-policy-pack/index.js", []string{"B=2"})
	if err != nil {
		t.Fatal(err)
	}
	want := pluginCommand{
		Args: []string{"--max-old-space-size=512", "--no-warnings",
			"/repo/policies/node_modules/@pulumi/pulumi/cmd/run-policy-pack/index.js",
			"--logtostderr=true", "-v=9", "127.0.0.1:4000", "/repo/policies"},
		Dir: "/repo/policies",
		Env: []string{"A=1"},
	}
	if !reflect.DeepEqual(plan, want) {
		t.Errorf("plan = %+v\nwant  %+v", plan, want)
	}
}

func TestPlanOtherPluginRunsInCallersDirectoryWithPluginDirectoryFirst(t *testing.T) {
	req := &pulumirpc.RunPluginRequest{
		Kind:    "resource",
		Pwd:     "/home/me/stack",
		Args:    []string{"127.0.0.1:4000"},
		Program: "/repo/providers/thing", // older engines: no program info
	}
	plan, err := planPlugin(req, "/x/run-plugin/index.js", []string{"B=2"})
	if err != nil {
		t.Fatal(err)
	}
	want := pluginCommand{
		Args: []string{"/x/run-plugin/index.js", "/repo/providers/thing", "127.0.0.1:4000"},
		Dir:  "/home/me/stack",
		Env:  []string{"B=2"}, // no environment in the request: the shim's own
	}
	if !reflect.DeepEqual(plan, want) {
		t.Errorf("plan = %+v\nwant  %+v", plan, want)
	}
}

func TestPlanRejectsRequestWithoutProgramDirectory(t *testing.T) {
	if _, err := planPlugin(&pulumirpc.RunPluginRequest{Kind: "analyzer"}, "/e.js", nil); err == nil {
		t.Error("a request naming no plugin directory should be refused")
	}
}

func TestEntryModuleByKind(t *testing.T) {
	if entryModule("analyzer") != "@pulumi/pulumi/cmd/run-policy-pack" {
		t.Error("policy packs must start through run-policy-pack")
	}
	for _, kind := range []string{"resource", "converter", "tool", ""} {
		if entryModule(kind) != "@pulumi/pulumi/cmd/run-plugin" {
			t.Errorf("kind %q must start through run-plugin", kind)
		}
	}
}

// fakeSDK writes a node_modules/@pulumi/pulumi under dir whose entry script (relative to cmd/) is body.
func fakeSDK(t *testing.T, dir, entry, body string) {
	t.Helper()
	pkg := filepath.Join(dir, "node_modules", "@pulumi", "pulumi")
	if err := os.MkdirAll(filepath.Join(pkg, "cmd", entry), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(pkg, "package.json"), []byte(`{"name":"@pulumi/pulumi","version":"3.0.0"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(pkg, "cmd", entry, "index.js"), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

// reportScript prints what it was started with, writes to stderr, and exits with $EXIT_WITH.
const reportScript = `
process.stdout.write(JSON.stringify({ argv: process.argv.slice(2), cwd: process.cwd(), marker: process.env.MARKER }) + "\n");
process.stderr.write("from stderr\n");
process.exitCode = Number(process.env.EXIT_WITH || 0);
`

type report struct {
	Argv   []string `json:"argv"`
	Cwd    string   `json:"cwd"`
	Marker string   `json:"marker"`
}

func realDir(t *testing.T) string {
	t.Helper()
	dir, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestRunPluginStartsPolicyPackAndStreamsOutputAndExitCode(t *testing.T) {
	rt := &fakeRuntime{}
	conn, _ := startShimFor(t, startFakeUpstream(t, rt))
	pack := realDir(t)
	fakeSDK(t, pack, "run-policy-pack", reportScript)

	stream, err := pulumirpc.NewLanguageRuntimeClient(conn).RunPlugin(context.Background(), &pulumirpc.RunPluginRequest{
		Kind: "analyzer",
		Pwd:  realDir(t),
		Args: []string{"127.0.0.1:4000"},
		Env:  []string{"PATH=" + os.Getenv("PATH"), "MARKER=from-request", "EXIT_WITH=3"},
		Info: &pulumirpc.ProgramInfo{RootDirectory: pack, ProgramDirectory: pack, EntryPoint: "."},
	})
	if err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code, err := drain(t, stream)
	if err != nil {
		t.Fatal(err)
	}
	var got report
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatalf("stdout %q: %v", stdout, err)
	}
	want := report{Argv: []string{"127.0.0.1:4000", pack}, Cwd: pack, Marker: "from-request"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("policy pack started with %+v, want %+v", got, want)
	}
	if stderr != "from stderr\n" {
		t.Errorf("stderr = %q", stderr)
	}
	if code != 3 {
		t.Errorf("exit code = %d, want 3", code)
	}
	if n := rt.runPluginCalls.Load(); n != 0 {
		t.Errorf("RunPlugin reached the upstream host %d times; the shim must answer it", n)
	}
}

func TestRunPluginResolvesEntryFromPluginDirectoryNotCaller(t *testing.T) {
	conn, _ := startShimFor(t, startFakeUpstream(t, &fakeRuntime{}))
	// The SDK sits in a parent of the plugin directory (as in a repository's root node_modules).
	root := realDir(t)
	fakeSDK(t, root, "run-plugin", reportScript)
	plugin := filepath.Join(root, "providers", "thing")
	if err := os.MkdirAll(plugin, 0o755); err != nil {
		t.Fatal(err)
	}
	caller := realDir(t)

	stream, err := pulumirpc.NewLanguageRuntimeClient(conn).RunPlugin(context.Background(), &pulumirpc.RunPluginRequest{
		Kind: "resource",
		Pwd:  caller,
		Args: []string{"127.0.0.1:4000"},
		Env:  []string{"PATH=" + os.Getenv("PATH")},
		Info: &pulumirpc.ProgramInfo{ProgramDirectory: plugin},
	})
	if err != nil {
		t.Fatal(err)
	}
	stdout, _, code, err := drain(t, stream)
	if err != nil {
		t.Fatal(err)
	}
	var got report
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatalf("stdout %q: %v", stdout, err)
	}
	if !reflect.DeepEqual(got.Argv, []string{plugin, "127.0.0.1:4000"}) || got.Cwd != caller || code != 0 {
		t.Errorf("plugin started with %+v (exit %d), want argv [%s 127.0.0.1:4000] in %s", got, code, plugin, caller)
	}
}

func TestRunPluginWithoutSDKFailsWithNodesMessage(t *testing.T) {
	conn, _ := startShimFor(t, startFakeUpstream(t, &fakeRuntime{}))
	pack := realDir(t)
	stream, err := pulumirpc.NewLanguageRuntimeClient(conn).RunPlugin(context.Background(), &pulumirpc.RunPluginRequest{
		Kind: "analyzer",
		Args: []string{"127.0.0.1:4000"},
		Info: &pulumirpc.ProgramInfo{ProgramDirectory: pack},
	})
	if err != nil {
		t.Fatal(err)
	}
	_, stderr, _, err := drain(t, stream)
	if st, _ := status.FromError(err); st.Code() != codes.FailedPrecondition || !strings.Contains(st.Message(), "npm install") {
		t.Errorf("got %v, want FailedPrecondition advising npm install", err)
	}
	// The engine turns exactly this text into "the policy pack's dependencies are not installed".
	if !strings.Contains(stderr, "Cannot find module '@pulumi/pulumi/cmd/run-policy-pack'") {
		t.Errorf("stderr = %q, want node's Cannot find module message", stderr)
	}
}

func TestCancellingRunPluginStopsThePlugin(t *testing.T) {
	conn, plugins := startShimFor(t, startFakeUpstream(t, &fakeRuntime{}))
	pack := realDir(t)
	// Like a policy pack: announce something, then keep running until stopped.
	fakeSDK(t, pack, "run-policy-pack", `console.log(String(process.pid)); setInterval(() => {}, 1000);`)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stream, err := pulumirpc.NewLanguageRuntimeClient(conn).RunPlugin(ctx, &pulumirpc.RunPluginRequest{
		Kind: "analyzer",
		Args: []string{"127.0.0.1:4000"},
		Info: &pulumirpc.ProgramInfo{ProgramDirectory: pack},
	})
	if err != nil {
		t.Fatal(err)
	}
	// The first line arrives while the plugin is still running: output is streamed, not collected.
	msg, err := stream.Recv()
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(msg.GetStdout())))
	if err != nil {
		t.Fatalf("first message %v: %v", msg, err)
	}
	if err := syscall.Kill(pid, 0); err != nil {
		t.Fatalf("plugin %d not running after its first output: %v", pid, err)
	}

	cancel()
	done := make(chan struct{})
	go func() { plugins.wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("plugin still running 10s after the call was cancelled")
	}
	if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("plugin process %d still exists after cancellation (kill -0: %v)", pid, err)
	}
}
