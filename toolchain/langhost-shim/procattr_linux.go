package main

import "syscall"

// childProcAttr puts a child in a process group of its own, so that stopping it reaches whatever it starts
// too, and makes the kernel send it SIGTERM if the shim dies without stopping it (e.g. SIGKILL).
func childProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
}
