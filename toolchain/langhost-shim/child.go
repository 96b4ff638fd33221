package main

import (
	"os/exec"
	"sync"
	"syscall"
	"time"
)

// child is a process the shim started (the upstream host, or a plugin) in a process group of its own: the
// group also holds what the child starts (the upstream host's node program, a plugin's own helpers), and
// stopping the child stops the whole group.
type child struct {
	cmd *exec.Cmd
	// exited is closed once the process has been reaped and its output copied; err is then Wait's result.
	exited  chan struct{}
	err     error
	stopped sync.Once
}

// startChild starts cmd in a group of its own. Once the process has exited, copying its output may take at
// most grace more (a process it started could hold the pipes open).
func startChild(cmd *exec.Cmd, grace time.Duration) (*child, error) {
	cmd.SysProcAttr = childProcAttr()
	cmd.WaitDelay = grace
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	c := &child{cmd: cmd, exited: make(chan struct{})}
	go func() {
		c.err = cmd.Wait()
		close(c.exited)
	}()
	return c, nil
}

// stop sends sig to the child's group, waits up to grace for the child to exit, then kills what is left of
// the group (the child, if it did not exit in time, and anything it started that did not go with it) and
// waits until the child has been reaped. While anything the child started is left, the group (and so its id,
// the child's pid) still exists: the kill cannot reach an unrelated process. Only the first call acts.
func (c *child) stop(sig syscall.Signal, grace time.Duration) {
	c.stopped.Do(func() { c.stopGroup(sig, grace) })
}

func (c *child) stopGroup(sig syscall.Signal, grace time.Duration) {
	select {
	case <-c.exited:
	default:
		_ = signalGroup(c.cmd.Process, sig)
		select {
		case <-c.exited:
		case <-time.After(grace):
		}
	}
	_ = signalGroup(c.cmd.Process, syscall.SIGKILL)
	<-c.exited
}
