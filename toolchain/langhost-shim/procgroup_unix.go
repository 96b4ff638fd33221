//go:build unix

package main

import (
	"os"
	"syscall"
)

// signalGroup sends sig to the process group a child leads (see childProcAttr).
func signalGroup(p *os.Process, sig syscall.Signal) error {
	return syscall.Kill(-p.Pid, sig)
}
