package main

import (
	"os"
	"syscall"
)

// childProcAttr: Windows has no process groups to put a child in.
func childProcAttr() *syscall.SysProcAttr {
	return nil
}

// signalGroup: Windows cannot deliver signals, so any stop is a kill, of the child alone.
func signalGroup(p *os.Process, _ syscall.Signal) error {
	return p.Kill()
}
