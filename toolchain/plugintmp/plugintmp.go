// Package plugintmp gives a Pulumi plugin a temporary directory of its own, which goes when the plugin does.
//
// pulumi-resource-kubernetes writes the kubeconfig it is configured with, client key included, to a new file in the
// system's temporary directory at every Configure (for Helm, pkg/provider writeKubeconfigToFile) and never removes
// it: every pulumi run left copies of the cluster's credentials in /tmp. With TMPDIR pointing into a directory that
// lives as long as the plugin, those copies go with it.
package plugintmp

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
)

// prefix starts the name of every directory made here: <prefix><plugin>-<pid>-<random digits>.
const prefix = "kube-baseline-plugin-"

// Dir is a plugin's own temporary directory.
type Dir struct {
	Path string
	once sync.Once
}

// Make creates the plugin's directory (mode 0700, in os.TempDir()) and points TMPDIR at it, for this process and
// what it starts. First it removes the directories of plugins that were killed before they could (their process
// is gone), so a SIGKILL leaves credentials behind only until the next plugin starts.
func Make(plugin string) (*Dir, error) {
	if plugin == "" || strings.ContainsAny(plugin, "/-") {
		return nil, fmt.Errorf("plugintmp: plugin name %q must be non-empty, without '/' or '-'", plugin)
	}
	base := os.TempDir()
	RemoveAbandoned(base)
	path, err := os.MkdirTemp(base, fmt.Sprintf("%s%s-%d-", prefix, plugin, os.Getpid()))
	if err != nil {
		return nil, fmt.Errorf("plugintmp: %w", err)
	}
	if err := os.Setenv("TMPDIR", path); err != nil {
		_ = os.RemoveAll(path)
		return nil, fmt.Errorf("plugintmp: %w", err)
	}
	return &Dir{Path: path}, nil
}

// Remove deletes the directory and everything in it. Calling it again does nothing.
func (d *Dir) Remove() {
	d.once.Do(func() { _ = os.RemoveAll(d.Path) })
}

// RemoveAbandoned removes, from base, the directories this package made for processes that no longer exist and that
// belong to this user. A directory whose process is alive (or whose pid was reused) stays; so does anything that
// only looks like one (a symlink, another owner's).
func RemoveAbandoned(base string) {
	entries, err := os.ReadDir(base)
	if err != nil {
		return
	}
	for _, entry := range entries {
		pid, ok := ownerPid(entry.Name())
		if !ok || pid == os.Getpid() || alive(pid) {
			continue
		}
		path := filepath.Join(base, entry.Name())
		info, err := os.Lstat(path)
		if err != nil || !info.IsDir() {
			continue
		}
		if st, ok := info.Sys().(*syscall.Stat_t); !ok || int(st.Uid) != os.Getuid() {
			continue
		}
		_ = os.RemoveAll(path)
	}
}

// ownerPid reads the pid out of a name made by Make: <prefix><plugin>-<pid>-<digits>.
func ownerPid(name string) (int, bool) {
	rest, found := strings.CutPrefix(name, prefix)
	if !found {
		return 0, false
	}
	parts := strings.Split(rest, "-")
	if len(parts) != 3 || parts[0] == "" || !allDigits(parts[1]) || !allDigits(parts[2]) {
		return 0, false
	}
	pid, err := strconv.Atoi(parts[1])
	return pid, err == nil && pid > 0
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// alive says whether a process with this pid exists (signal 0 checks without sending anything). Another user's
// process answers EPERM: it exists too.
func alive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
