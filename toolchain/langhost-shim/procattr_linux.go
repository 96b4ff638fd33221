package main

import "syscall"

// childProcAttr makes the kernel terminate a child if the shim dies without cleaning up (e.g. SIGKILL).
func childProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
}
