package plugintmp

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// This test binary also plays a plugin, when roleEnv says so.
const roleEnv = "PLUGINTMP_TEST_ROLE"

func TestMain(m *testing.M) {
	if os.Getenv(roleEnv) == "plugin" {
		os.Exit(playPlugin())
	}
	os.Exit(m.Run())
}

// playPlugin makes its directory, writes a file the way the kubernetes provider writes its kubeconfig, prints the
// file's path and waits to be stopped.
func playPlugin() int {
	dir, err := Make("test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	dir.RemoveOnSignal()
	file, err := os.CreateTemp("", "kubeconfig")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	_ = file.Close()
	fmt.Println(file.Name())
	time.Sleep(30 * time.Second)
	return 3
}

func TestMakePointsTMPDIRAtAPrivateDirectoryThatRemoveDeletes(t *testing.T) {
	base := t.TempDir()
	t.Setenv("TMPDIR", base)
	dir, err := Make("kubernetes")
	if err != nil {
		t.Fatal(err)
	}
	if got := os.Getenv("TMPDIR"); got != dir.Path || filepath.Dir(dir.Path) != base {
		t.Fatalf("TMPDIR = %q, directory %q, want a directory in %q", got, dir.Path, base)
	}
	info, err := os.Stat(dir.Path)
	if err != nil || info.Mode().Perm() != 0o700 {
		t.Fatalf("directory mode: %v, %v; want 0700", info, err)
	}
	if !strings.HasPrefix(filepath.Base(dir.Path), fmt.Sprintf("kube-baseline-plugin-kubernetes-%d-", os.Getpid())) {
		t.Fatalf("name %q does not say the plugin and the pid", filepath.Base(dir.Path))
	}
	file, err := os.CreateTemp("", "kubeconfig")
	if err != nil {
		t.Fatal(err)
	}
	_ = file.Close()
	if filepath.Dir(file.Name()) != dir.Path {
		t.Fatalf("os.CreateTemp wrote %q, outside %q", file.Name(), dir.Path)
	}
	dir.Remove()
	dir.Remove()
	if _, err := os.Stat(dir.Path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("after Remove: %v", err)
	}
}

func TestMakeRefusesANameThatWouldMisleadTheSweep(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	for _, name := range []string{"", "a-b", "../x"} {
		if _, err := Make(name); err == nil {
			t.Errorf("Make(%q) succeeded", name)
		}
	}
}

func TestRemoveAbandonedRemovesOnlyDirectoriesOfProcessesThatAreGone(t *testing.T) {
	base := t.TempDir()
	gone := exec.Command("true")
	if err := gone.Run(); err != nil {
		t.Fatal(err)
	}
	deadPid := gone.Process.Pid
	mk := func(name string) string {
		path := filepath.Join(base, name)
		if err := os.MkdirAll(path, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(path, "kubeconfig1"), []byte("key"), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	abandoned := mk(fmt.Sprintf("kube-baseline-plugin-kubernetes-%d-123", deadPid))
	otherPlugin := mk(fmt.Sprintf("kube-baseline-plugin-tls-%d-456", deadPid))
	live := mk(fmt.Sprintf("kube-baseline-plugin-kubernetes-%d-789", os.Getppid()))
	own := mk(fmt.Sprintf("kube-baseline-plugin-kubernetes-%d-1", os.Getpid()))
	unrelated := mk(fmt.Sprintf("kube-baseline-plugin-kubernetes-%d-notdigits", deadPid))
	someoneElses := mk(fmt.Sprintf("other-%d-1", deadPid))
	// A symlink that looks like an abandoned directory: neither it nor what it points at is touched.
	target := mk("target")
	link := filepath.Join(base, fmt.Sprintf("kube-baseline-plugin-kubernetes-%d-5", deadPid))
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}

	RemoveAbandoned(base)

	for path, wantGone := range map[string]bool{
		abandoned: true, otherPlugin: true,
		live: false, own: false, unrelated: false, someoneElses: false, link: false, filepath.Join(target, "kubeconfig1"): false,
	} {
		_, err := os.Lstat(path)
		if gotGone := errors.Is(err, os.ErrNotExist); gotGone != wantGone {
			t.Errorf("%s: gone = %v, want %v (%v)", filepath.Base(path), gotGone, wantGone, err)
		}
	}
}

// What the engine does to stop a plugin: SIGINT. The directory goes, with the file in it, and the plugin still
// ends by that signal.
func TestAnInterruptedPluginRemovesItsDirectory(t *testing.T) {
	base := t.TempDir()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), roleEnv+"=plugin", "TMPDIR="+base)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill() }()
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("the plugin said nothing: %v", err)
	}
	file := strings.TrimSpace(line)
	if _, err := os.Stat(file); err != nil || !strings.HasPrefix(file, base+string(os.PathSeparator)+"kube-baseline-plugin-test-") {
		t.Fatalf("the plugin's file %q: %v", file, err)
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err = <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the plugin did not end within 10 s of SIGINT")
	}
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGINT {
		t.Fatalf("the plugin ended with %v, want killed by SIGINT", err)
	}
	if _, err := os.Stat(filepath.Dir(file)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("its directory is still there: %v", err)
	}
}
