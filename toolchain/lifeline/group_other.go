//go:build !unix

package lifeline

// killOwnGroup: without Unix process groups there is no group to end; the caller exits on its own.
func killOwnGroup() {}
