//go:build !linux

package main

import "syscall"

// childProcAttr: only Linux can tie a child's life to its parent; elsewhere the shim's own cleanup has to do.
func childProcAttr() *syscall.SysProcAttr {
	return nil
}
