package lifeline

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// This test binary also plays the processes the tests need, chosen by roleEnv.
const (
	roleEnv   = "LIFELINE_TEST_ROLE"
	engineEnv = "LIFELINE_TEST_ENGINE"
	causeEnv  = "LIFELINE_TEST_CAUSE_FILE"
)

const testGrace = 200 * time.Millisecond

func TestMain(m *testing.M) {
	role := os.Getenv(roleEnv)
	os.Unsetenv(roleEnv)
	switch role {
	case "":
		os.Exit(m.Run())
	case "parent":
		os.Exit(playParent())
	case "watcher":
		os.Exit(playWatcher())
	case "guarded":
		os.Exit(playGuarded())
	case "guarded-cancelled":
		os.Exit(playGuardedCancelled())
	}
	os.Exit(2)
}

// playParent starts a watcher, waits until it watches, prints its pid and exits, orphaning it.
func playParent() int {
	self, _ := os.Executable()
	cmd := exec.Command(self)
	cmd.Env = append(os.Environ(), roleEnv+"=watcher")
	out, err := cmd.StdoutPipe()
	if err != nil || cmd.Start() != nil {
		return 3
	}
	if line, _ := bufio.NewReader(out).ReadString('\n'); line != "watching\n" {
		return 4
	}
	fmt.Println(cmd.Process.Pid)
	return 0
}

// playWatcher watches its parent (no engine) and writes what ended the watch to the cause file.
func playWatcher() int {
	watched := Watch(context.Background(), Options{Interval: testInterval})
	fmt.Println("watching")
	select {
	case <-watched.Done():
	case <-time.After(time.Minute):
	}
	_ = os.WriteFile(os.Getenv(causeEnv), []byte(fmt.Sprint(context.Cause(watched))), 0o600)
	return 0
}

// playGuarded guards itself against the engine's loss, starts a command in its group, prints that command's pid
// and then never returns on its own: only Guard can end it.
func playGuarded() int {
	Guard(context.Background(), []string{"--logtostderr", os.Getenv(engineEnv)}, testGrace)
	sleep := exec.Command("sleep", "600")
	if err := sleep.Start(); err != nil {
		return 3
	}
	fmt.Println(sleep.Process.Pid)
	select {}
}

// playGuardedCancelled checks that a Guard whose own context ends leaves the process alone.
func playGuardedCancelled() int {
	ctx, cancel := context.WithCancel(context.Background())
	guarded := Guard(ctx, []string{os.Getenv(engineEnv)}, testGrace)
	cancel()
	<-guarded.Done()
	time.Sleep(5 * testGrace)
	fmt.Println("still running")
	return 0
}

func play(t *testing.T, role string, env ...string) (*exec.Cmd, *bufio.Reader) {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(self)
	cmd.Env = append(append(os.Environ(), roleEnv+"="+role), env...)
	// Like the engine starts a plugin: in a process group of its own.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		_ = cmd.Wait()
	})
	return cmd, bufio.NewReader(out)
}

func readPid(t *testing.T, out *bufio.Reader) int {
	t.Helper()
	line, err := out.ReadString('\n')
	pid, convErr := strconv.Atoi(strings.TrimSpace(line))
	if err != nil || convErr != nil {
		t.Fatalf("read %q (%v), want a pid", line, err)
	}
	t.Cleanup(func() {
		if !exited(pid) {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
	})
	return pid
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

// waitExited polls until every pid has exited, failing after bound.
func waitExited(t *testing.T, bound time.Duration, pids ...int) time.Duration {
	t.Helper()
	started := time.Now()
	for deadline := started.Add(bound); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		all := true
		for _, pid := range pids {
			all = all && exited(pid)
		}
		if all {
			return time.Since(started)
		}
	}
	t.Fatalf("processes %v still running %s after the engine or parent went away", pids, bound)
	return 0
}

func TestWatchEndsWhenTheParentProcessExits(t *testing.T) {
	causeFile := filepath.Join(t.TempDir(), "cause")
	parent, out := play(t, "parent", causeEnv+"="+causeFile)
	watcher := readPid(t, out)
	if err := parent.Wait(); err != nil {
		t.Fatalf("parent: %v", err)
	}
	waitExited(t, 5*time.Second, watcher)
	cause, _ := os.ReadFile(causeFile)
	if !strings.Contains(string(cause), ErrParentGone.Error()) {
		t.Errorf("the watch ended with %q, want %q", cause, ErrParentGone)
	}
}

func TestGuardEndsTheProcessAndItsGroupOnceTheEngineIsGone(t *testing.T) {
	addr, stop := startEngine(t, true)
	guarded, out := play(t, "guarded", engineEnv+"="+addr)
	sleep := readPid(t, out)
	// Alive while the engine answers (a few of Guard's 1s checks).
	time.Sleep(2500 * time.Millisecond)
	if exited(guarded.Process.Pid) || exited(sleep) {
		t.Fatal("Guard ended the process while the engine was answering")
	}

	stop()
	took := waitExited(t, 10*time.Second, guarded.Process.Pid, sleep)
	t.Logf("the guarded process and the command it started exited %s after the engine stopped", took.Round(time.Millisecond))
	var exitErr *exec.ExitError
	if err := guarded.Wait(); !errors.As(err, &exitErr) || exitErr.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Errorf("guarded process ended with %v, want killed with its group (SIGKILL)", err)
	}
}

func TestGuardLeavesTheProcessAloneWhenItsOwnContextEnds(t *testing.T) {
	addr, _ := startEngine(t, true)
	guarded, out := play(t, "guarded-cancelled", engineEnv+"="+addr)
	if line, _ := out.ReadString('\n'); line != "still running\n" {
		t.Errorf("printed %q, want the process to outlive its cancelled Guard", line)
	}
	if err := guarded.Wait(); err != nil {
		t.Errorf("exit: %v, want 0", err)
	}
}
