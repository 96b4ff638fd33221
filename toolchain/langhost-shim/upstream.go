package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// upstreamHost is the running v3.68.0 language host.
type upstreamHost struct {
	*child
	port int
	// stdout is what the host prints after its port line; the shim passes it on to the CLI.
	stdout io.Reader
}

// startUpstream runs the host with the shim's own arguments and reads the port it announces on its first line.
// The host runs in a process group of its own with the node program it starts (see child): the CLI's interrupt
// reaches only the shim, which stops the group.
func startUpstream(path string, args []string, stderr io.Writer) (*upstreamHost, error) {
	// An explicit pipe rather than cmd.StdoutPipe: the rest of the host's output is copied after Wait may have
	// run, and StdoutPipe's reader is closed by Wait.
	pr, pw, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(path, args...)
	cmd.Stdout = pw
	cmd.Stderr = stderr
	proc, err := startChild(cmd, stopGrace)
	if err != nil {
		pr.Close()
		pw.Close()
		return nil, fmt.Errorf("starting %s: %w", path, err)
	}
	pw.Close()
	host := &upstreamHost{child: proc}

	out := bufio.NewReader(pr)
	line, readErr := out.ReadString('\n')
	port, portErr := parsePort(line)
	if readErr != nil || portErr != nil {
		host.stop(stopGrace)
		pr.Close()
		if readErr != nil {
			return nil, fmt.Errorf("%s exited before printing its port (%v)", path, host.err)
		}
		return nil, fmt.Errorf("%s printed %q instead of its port: %w", path, line, portErr)
	}
	host.port = port
	host.stdout = out
	return host, nil
}

func parsePort(line string) (int, error) {
	port, err := strconv.Atoi(strings.TrimSpace(line))
	if err != nil {
		return 0, err
	}
	if port < 1 || port > 65535 {
		return 0, fmt.Errorf("port %d out of range", port)
	}
	return port, nil
}

// stop asks the host and its node program to exit (SIGTERM), and kills them after grace.
func (h *upstreamHost) stop(grace time.Duration) {
	h.child.stop(syscall.SIGTERM, grace)
}

// exitCode is the host's exit status once it has exited on its own (1 when it died of a signal).
func (h *upstreamHost) exitCode() int {
	var exitErr *exec.ExitError
	switch {
	case h.err == nil:
		return 0
	case errors.As(h.err, &exitErr) && exitErr.ExitCode() > 0:
		return exitErr.ExitCode()
	default:
		return 1
	}
}
