//go:build unix && !linux

package main

import "syscall"

// childProcAttr puts a child in a process group of its own, so that stopping it reaches whatever it starts
// too. Only Linux can also tie a child's life to the shim's; elsewhere the shim's own cleanup has to do.
func childProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
