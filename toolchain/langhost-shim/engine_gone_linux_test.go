package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/protobuf/types/known/emptypb"
)

// goneBound is how soon after the engine's end the shim and everything it started must have exited.
const goneBound = 10 * time.Second

// playRole runs the process a role names: "engine" stands in for the Pulumi CLI, "shim" is the shim's real main
// (run) with this test binary as its upstream host.
func playRole(role string) int {
	switch role {
	case "engine":
		return playEngine()
	case "shim":
		self, err := os.Executable()
		if err != nil {
			return 2
		}
		return run(self, os.Args[1:])
	}
	return 2
}

// playEngine serves the gRPC health service, as the engine's RPC server does, and starts the shim the way the
// CLI starts a language host: in a process group of its own, with pipes for stdin, stdout and stderr, and the
// engine's address as the last argument. It prints "<shim pid> <shim port>", then runs until killed; on SIGUSR1
// it stops answering but stays the shim's parent.
func playEngine() int {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 2
	}
	srv := grpc.NewServer()
	healthpb.RegisterHealthServer(srv, health.NewServer())
	go func() { _ = srv.Serve(lis) }()
	stopAnswering := make(chan os.Signal, 1)
	signal.Notify(stopAnswering, syscall.SIGUSR1)

	self, err := os.Executable()
	if err != nil {
		return 2
	}
	shim := exec.Command(self, "--logtostderr", lis.Addr().String())
	shim.Env = append(os.Environ(), roleEnv+"=shim")
	shim.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stdin, err1 := shim.StdinPipe()
	stdout, err2 := shim.StdoutPipe()
	stderr, err3 := shim.StderrPipe()
	if err1 != nil || err2 != nil || err3 != nil || shim.Start() != nil {
		return 2
	}
	defer stdin.Close()
	go func() { _, _ = io.Copy(os.Stderr, stderr) }()
	out := bufio.NewReader(stdout)
	port, err := out.ReadString('\n')
	if err != nil {
		return 3
	}
	fmt.Printf("%d %s", shim.Process.Pid, port)
	go func() { _, _ = io.Copy(io.Discard, out) }()

	<-stopAnswering
	srv.Stop()
	_ = shim.Wait()
	select {}
}

// exited reports whether pid has ended: no such process, or a zombie nobody has reaped yet (an orphan's new
// parent may never reap it).
func exited(pid int) bool {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true
	}
	fields := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
	return len(fields) == 0 || fields[0] == "Z" || fields[0] == "X"
}

// killOnCleanup makes sure the processes and the process groups the test learnt about are gone when the test
// ends, pass or fail.
func killOnCleanup(t *testing.T, pids ...int) {
	t.Cleanup(func() {
		for _, pid := range pids {
			_ = syscall.Kill(-pid, syscall.SIGKILL)
			if !exited(pid) {
				_ = syscall.Kill(pid, syscall.SIGKILL)
			}
		}
	})
}

// shimUnderEngine is one engine stand-in with its shim, and the processes they started.
type shimUnderEngine struct {
	engine                 *exec.Cmd
	shim, upstream         int
	program                int // the upstream host's own child (the real one runs node)
	plugin, pluginsOwnTool int // a policy pack run through RunPlugin, and a process it started
}

func startShimUnderEngine(t *testing.T) *shimUnderEngine {
	t.Helper()
	t.Setenv(fakeUpstreamEnv, "serve-program")
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	engine := exec.Command(self)
	engine.Env = append(os.Environ(), roleEnv+"=engine")
	engine.Stderr = os.Stderr
	out, err := engine.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := engine.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = engine.Process.Kill()
		_ = engine.Wait()
	})
	s := &shimUnderEngine{engine: engine}

	var port string
	if _, err := fmt.Fscan(bufio.NewReader(out), &s.shim, &port); err != nil {
		t.Fatalf("the engine stand-in did not report its shim: %v", err)
	}
	killOnCleanup(t, s.shim)
	conn := dialShim(t, port)

	info, err := pulumirpc.NewLanguageRuntimeClient(conn).GetPluginInfo(context.Background(), &emptypb.Empty{})
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`pid=(\d+) program=(\d+)$`).FindStringSubmatch(info.GetVersion())
	if m == nil {
		t.Fatalf("upstream reported %q", info.GetVersion())
	}
	s.upstream, _ = strconv.Atoi(m[1])
	s.program, _ = strconv.Atoi(m[2])
	killOnCleanup(t, s.upstream, s.program)

	pack := realDir(t)
	fakeSDK(t, pack, "run-policy-pack", `
const tool = require("child_process").spawn("sleep", ["600"], { stdio: "ignore" });
console.log(process.pid + " " + tool.pid);
setInterval(() => {}, 1000);
`)
	// The test, not the engine, holds this call: only the shim's own watch on the engine can end it.
	stream, err := pulumirpc.NewLanguageRuntimeClient(conn).RunPlugin(context.Background(), &pulumirpc.RunPluginRequest{
		Kind: "analyzer",
		Args: []string{"127.0.0.1:4000"},
		Env:  []string{"PATH=" + os.Getenv("PATH")},
		Info: &pulumirpc.ProgramInfo{ProgramDirectory: pack},
	})
	if err != nil {
		t.Fatal(err)
	}
	msg, err := stream.Recv()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fmt.Sscan(string(msg.GetStdout()), &s.plugin, &s.pluginsOwnTool); err != nil {
		t.Fatalf("policy pack printed %q: %v", msg.GetStdout(), err)
	}
	killOnCleanup(t, s.plugin, s.pluginsOwnTool)

	for _, p := range s.processes() {
		if exited(p.pid) {
			t.Fatalf("%s (pid %d) is not running before the engine goes", p.name, p.pid)
		}
	}
	return s
}

type namedProcess struct {
	name string
	pid  int
}

func (s *shimUnderEngine) processes() []namedProcess {
	return []namedProcess{
		{"shim", s.shim}, {"upstream host", s.upstream}, {"upstream's program", s.program},
		{"policy pack", s.plugin}, {"policy pack's own process", s.pluginsOwnTool},
	}
}

// exitTimes polls until every process has exited or goneBound has passed, and returns when each was seen gone.
func (s *shimUnderEngine) exitTimes(since time.Time) map[int]time.Duration {
	times := map[int]time.Duration{}
	all := s.processes()
	for deadline := since.Add(goneBound); len(times) < len(all) && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		for _, p := range all {
			if _, seen := times[p.pid]; !seen && exited(p.pid) {
				times[p.pid] = time.Since(since)
			}
		}
	}
	return times
}

func TestShimAndEverythingItStartedExitWhenTheEngineGoes(t *testing.T) {
	for _, tc := range []struct {
		name string
		end  func(engine *os.Process) error
	}{
		// What a killed `pulumi up` does: the shim's parent dies and its address refuses connections.
		{"engine killed", func(engine *os.Process) error { return engine.Kill() }},
		// The health check alone: the engine stops answering but stays the shim's parent.
		{"engine stops answering", func(engine *os.Process) error { return engine.Signal(syscall.SIGUSR1) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := startShimUnderEngine(t)
			ended := time.Now()
			if err := tc.end(s.engine.Process); err != nil {
				t.Fatal(err)
			}
			times := s.exitTimes(ended)
			var report []string
			for _, p := range s.processes() {
				took, ok := times[p.pid]
				if !ok {
					t.Errorf("%s (pid %d) still running %s after the engine went", p.name, p.pid, goneBound)
					continue
				}
				report = append(report, fmt.Sprintf("%s %.2fs", p.name, took.Seconds()))
			}
			t.Logf("exited after the engine went: %s", strings.Join(report, ", "))
		})
	}
}
