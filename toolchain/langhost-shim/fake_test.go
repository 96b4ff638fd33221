package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"
)

// fakeRuntime stands in for the v3.68.0 host: a few LanguageRuntime methods with observable behaviour, and
// RunPlugin answered the way v3.68.0 answers it.
type fakeRuntime struct {
	pulumirpc.UnimplementedLanguageRuntimeServer
	runPluginCalls   atomic.Int32
	handshakeStopped chan struct{}
	// onRequiredPlugins, when set, runs instead of the default GetRequiredPlugins answer.
	onRequiredPlugins func()
}

func (f *fakeRuntime) GetPluginInfo(ctx context.Context, _ *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	md, _ := metadata.FromIncomingContext(ctx)
	_ = grpc.SetHeader(ctx, metadata.Pairs("x-upstream-header", "h1"))
	_ = grpc.SetTrailer(ctx, metadata.Pairs("x-upstream-trailer", "t1"))
	version := "request-id=" + strings.Join(md.Get("x-request-id"), ",")
	if os.Getenv(fakeUpstreamEnv) != "" {
		version = fmt.Sprintf("args=%s pid=%d program=%d", strings.Join(os.Args[1:], " "), os.Getpid(), fakeProgramPid)
	}
	return &pulumirpc.PluginInfo{Version: version}, nil
}

func (f *fakeRuntime) GetRequiredPlugins(
	context.Context, *pulumirpc.GetRequiredPluginsRequest,
) (*pulumirpc.GetRequiredPluginsResponse, error) {
	if f.onRequiredPlugins != nil {
		f.onRequiredPlugins()
	}
	return nil, status.Error(codes.FailedPrecondition, "no program at /nowhere")
}

func (f *fakeRuntime) InstallDependencies(
	_ *pulumirpc.InstallDependenciesRequest, stream grpc.ServerStreamingServer[pulumirpc.InstallDependenciesResponse],
) error {
	for i := 1; i <= 3; i++ {
		if err := stream.Send(&pulumirpc.InstallDependenciesResponse{Stdout: []byte(fmt.Sprintf("step %d\n", i))}); err != nil {
			return err
		}
	}
	return status.Error(codes.Aborted, "install stopped after 3 steps")
}

func (f *fakeRuntime) Run(_ context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	return &pulumirpc.RunResponse{Error: fmt.Sprintf("config big has %d bytes", len(req.GetConfig()["big"]))}, nil
}

func (f *fakeRuntime) Handshake(
	ctx context.Context, _ *pulumirpc.LanguageHandshakeRequest,
) (*pulumirpc.LanguageHandshakeResponse, error) {
	<-ctx.Done()
	if f.handshakeStopped != nil {
		close(f.handshakeStopped)
	}
	return nil, ctx.Err()
}

func (f *fakeRuntime) RunPlugin(
	*pulumirpc.RunPluginRequest, grpc.ServerStreamingServer[pulumirpc.RunPluginResponse],
) error {
	f.runPluginCalls.Add(1)
	return status.Error(codes.Unknown, "not supported")
}

// fakeAnalyzer is a second service on the fake upstream, to show that calls to any service are forwarded.
type fakeAnalyzer struct {
	pulumirpc.UnimplementedAnalyzerServer
}

func (fakeAnalyzer) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: "analyzer-on-upstream"}, nil
}

func newFakeUpstreamServer(rt *fakeRuntime) *grpc.Server {
	srv := grpc.NewServer(grpc.MaxRecvMsgSize(maxMessageSize), grpc.MaxSendMsgSize(maxMessageSize))
	pulumirpc.RegisterLanguageRuntimeServer(srv, rt)
	pulumirpc.RegisterAnalyzerServer(srv, fakeAnalyzer{})
	return srv
}

// startFakeUpstream serves rt on 127.0.0.1 inside the test process and returns its port.
func startFakeUpstream(t *testing.T, rt *fakeRuntime) int {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := newFakeUpstreamServer(rt)
	go func() { _ = srv.Serve(lis) }()
	t.Cleanup(srv.Stop)
	return lis.Addr().(*net.TCPAddr).Port
}

// startShimFor runs the shim's gRPC server in front of the upstream port and returns a client connection to it.
func startShimFor(t *testing.T, upstreamPort int) (*grpc.ClientConn, *pluginRunner) {
	t.Helper()
	upstream, err := dialUpstream(upstreamPort)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { upstream.Close() })
	plugins := &pluginRunner{stopGrace: 2 * time.Second}
	srv := newShimServer(upstream, plugins)
	lis, port, err := listenLoopback()
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(lis) }()
	t.Cleanup(func() {
		srv.Stop()
		plugins.wait()
	})
	conn, err := grpc.NewClient(fmt.Sprintf("127.0.0.1:%d", port),
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.MaxCallSendMsgSize(maxMessageSize)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn, plugins
}

// fakeUpstreamEnv switches the test binary into a fake upstream host (see TestMain), so serve() can be tested
// with a real child process.
const fakeUpstreamEnv = "LANGHOST_SHIM_FAKE_UPSTREAM"

// roleEnv makes the test binary play a whole process for a test that needs one (see playRole).
const roleEnv = "LANGHOST_SHIM_TEST_ROLE"

// fakeProgramPid is the pid of the program a fake upstream in mode "serve-program" runs, like the real host
// runs node; 0 in other modes.
var fakeProgramPid int

func TestMain(m *testing.M) {
	if role := os.Getenv(roleEnv); role != "" {
		os.Unsetenv(roleEnv) // not for the processes the role starts
		os.Exit(playRole(role))
	}
	switch mode := os.Getenv(fakeUpstreamEnv); mode {
	case "":
		os.Exit(m.Run())
	case "serve", "serve-program":
		lis, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			os.Exit(2)
		}
		if mode == "serve-program" {
			program := exec.Command("sleep", "600")
			if err := program.Start(); err != nil {
				os.Exit(2)
			}
			fakeProgramPid = program.Process.Pid
		}
		srv := newFakeUpstreamServer(&fakeRuntime{onRequiredPlugins: func() { os.Exit(5) }})
		fmt.Printf("%d\n", lis.Addr().(*net.TCPAddr).Port)
		fmt.Println("upstream says hi")
		_ = srv.Serve(lis)
		os.Exit(0)
	case "die":
		fmt.Fprintln(os.Stderr, "upstream cannot start")
		os.Exit(7)
	}
}
