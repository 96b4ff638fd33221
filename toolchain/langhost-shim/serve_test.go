package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/types/known/emptypb"
)

// lockedBuffer is a bytes.Buffer safe to write from the child's stderr copier and read from the test.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

type shimRun struct {
	cancel context.CancelFunc
	stdout *bufio.Reader
	stderr *lockedBuffer
	code   chan int
}

// runShim runs serve() with this test binary as the upstream host, in the given fake mode.
func runShim(t *testing.T, mode string, args ...string) *shimRun {
	t.Helper()
	t.Setenv(fakeUpstreamEnv, mode)
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	run := &shimRun{cancel: cancel, stdout: bufio.NewReader(pr), stderr: &lockedBuffer{}, code: make(chan int, 1)}
	go func() {
		run.code <- serve(ctx, self, args, pw, run.stderr)
		pw.Close()
	}()
	t.Cleanup(cancel)
	return run
}

func (r *shimRun) exitCode(t *testing.T) int {
	t.Helper()
	select {
	case code := <-r.code:
		return code
	case <-time.After(15 * time.Second):
		t.Fatal("shim did not return within 15s")
		return -1
	}
}

func dialShim(t *testing.T, portLine string) *grpc.ClientConn {
	t.Helper()
	port, err := parsePort(portLine)
	if err != nil {
		t.Fatalf("shim printed %q, want a port: %v", portLine, err)
	}
	conn, err := grpc.NewClient(fmt.Sprintf("127.0.0.1:%d", port), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

func TestServePassesArgumentsPrintsOwnPortAndStopsUpstreamOnShutdown(t *testing.T) {
	run := runShim(t, "serve", "-root=/proj", "127.0.0.1:9")
	portLine, err := run.stdout.ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	conn := dialShim(t, portLine)
	info, err := pulumirpc.NewLanguageRuntimeClient(conn).GetPluginInfo(context.Background(), &emptypb.Empty{})
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`^args=(.*) pid=(\d+) program=0$`).FindStringSubmatch(info.GetVersion())
	if m == nil || m[1] != "-root=/proj 127.0.0.1:9" {
		t.Fatalf("upstream reported %q, want the shim's own arguments", info.GetVersion())
	}
	upstreamPid, _ := strconv.Atoi(m[2])
	if upstreamPid == os.Getpid() {
		t.Fatal("the call was answered in-process, not by the upstream child")
	}
	// What upstream prints after its port reaches the shim's stdout.
	if line, _ := run.stdout.ReadString('\n'); line != "upstream says hi\n" {
		t.Errorf("next stdout line = %q, want upstream's own output", line)
	}

	run.cancel()
	if code := run.exitCode(t); code != 0 {
		t.Errorf("exit code after shutdown = %d, want 0 (stderr: %s)", code, run.stderr)
	}
	if err := syscall.Kill(upstreamPid, 0); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("upstream %d still exists after the shim returned (kill -0: %v)", upstreamPid, err)
	}
}

func TestServeExitsWithUpstreamsCodeWhenUpstreamDies(t *testing.T) {
	run := runShim(t, "serve")
	portLine, err := run.stdout.ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	conn := dialShim(t, portLine)
	// The fake upstream exits with 5 inside this call.
	_, _ = pulumirpc.NewLanguageRuntimeClient(conn).GetRequiredPlugins(context.Background(),
		&pulumirpc.GetRequiredPluginsRequest{})
	if code := run.exitCode(t); code != 5 {
		t.Errorf("exit code = %d, want upstream's 5", code)
	}
}

func TestServeFailsWhenUpstreamNeverPrintsPort(t *testing.T) {
	run := runShim(t, "die")
	if code := run.exitCode(t); code != 1 {
		t.Errorf("exit code = %d, want 1", code)
	}
	stderr := run.stderr.String()
	if !strings.Contains(stderr, "upstream cannot start") || !strings.Contains(stderr, "exited before printing its port") {
		t.Errorf("stderr = %q, want upstream's message and the reason", stderr)
	}
	if rest, _ := io.ReadAll(run.stdout); len(rest) != 0 {
		t.Errorf("shim printed %q on stdout; it must not announce a port it cannot serve", rest)
	}
}

func TestParsePort(t *testing.T) {
	for line, want := range map[string]int{"4321\n": 4321, " 80\r\n": 80} {
		if got, err := parsePort(line); err != nil || got != want {
			t.Errorf("parsePort(%q) = %d, %v; want %d", line, got, err, want)
		}
	}
	for _, line := range []string{"", "abc\n", "0\n", "70000\n"} {
		if _, err := parsePort(line); err == nil {
			t.Errorf("parsePort(%q) should fail", line)
		}
	}
}
