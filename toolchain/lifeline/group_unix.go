//go:build unix

package lifeline

import (
	"os"
	"syscall"
)

// killOwnGroup sends SIGKILL to this process's group, itself included, when it leads the group. A process that
// does not lead its group shares it with whoever started it, so it leaves the group alone.
func killOwnGroup() {
	if pid := os.Getpid(); syscall.Getpgrp() == pid {
		_ = syscall.Kill(-pid, syscall.SIGKILL)
	}
}
