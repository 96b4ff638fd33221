package remote

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"sync"

	"golang.org/x/crypto/ssh"
)

// The variables that carry the previous run's output into the next one.
const (
	previousStdoutVar = "PULUMI_COMMAND_STDOUT"
	previousStderrVar = "PULUMI_COMMAND_STDERR"
)

// logger is where a run reports progress: the engine's log in the plugin, a recorder in tests.
type logger interface {
	InfoStatus(msg string)
	Warning(msg string)
}

// run executes cmd on the host of state.Connection with state's stdin, environment and logging, and replaces
// state's stdout and stderr with what it printed. state's current stdout and stderr are the previous run's
// (handed to the command in PULUMI_COMMAND_STDOUT/STDERR unless addPreviousOutputInEnv is false).
// A cancelled context (the engine went away, or a customTimeout passed) kills the remote command.
func (state *CommandOutputs) run(ctx context.Context, cmd string, log logger) error {
	if state.Connection == nil {
		return fmt.Errorf("connection is required")
	}
	client, err := state.Connection.dial(ctx, log.InfoStatus)
	if err != nil {
		return err
	}
	defer client.Close()
	session, err := client.NewSession()
	if err != nil {
		return fmt.Errorf("opening an SSH session: %w", err)
	}
	defer session.Close()

	for name, value := range state.Environment {
		if err := session.Setenv(name, value); err != nil {
			return fmt.Errorf("the SSH server refused environment variable %s (it must be listed in sshd's AcceptEnv; "+
				"or prefix the command with %s=...): %w", name, name, err)
		}
	}
	if deref(state.AddPreviousOutputInEnv, true) {
		for name, value := range map[string]string{previousStdoutVar: state.Stdout, previousStderrVar: state.Stderr} {
			if value == "" {
				continue
			}
			if err := session.Setenv(name, value); err != nil {
				log.Warning(fmt.Sprintf("the SSH server refused %s (sshd's AcceptEnv); running without it", name))
			}
		}
	}
	if state.Stdin != nil && *state.Stdin != "" {
		session.Stdin = strings.NewReader(*state.Stdin)
	}

	var stdout, stderr bytes.Buffer
	lines := newLineLogger(log)
	session.Stdout = io.MultiWriter(&stdout, lines.stream(state.Logging.logs(LogStdout)))
	session.Stderr = io.MultiWriter(&stderr, lines.stream(state.Logging.logs(LogStderr)))

	done := make(chan error, 1)
	go func() { done <- session.Run(cmd) }()
	select {
	case err = <-done:
	case <-ctx.Done():
		// Ask the remote side to stop the command, then drop the connection, which ends the session.
		_ = session.Signal(ssh.SIGKILL)
		client.Close()
		<-done
		err = fmt.Errorf("stopped: %w", ctx.Err())
	}
	lines.flush()
	if err != nil {
		return runError(err, stdout.String(), stderr.String(), state.Logging)
	}
	state.Stdout = strings.TrimSuffix(stdout.String(), "\n")
	state.Stderr = strings.TrimSuffix(stderr.String(), "\n")
	return nil
}

// runError says how the command ended, with the end of each output stream that logging allows to be shown: a
// command whose output may hold secrets runs with logging "none" and its errors show none of it.
func runError(err error, stdout, stderr string, logging *Logging) error {
	how := err.Error()
	if exit, ok := err.(*ssh.ExitError); ok {
		how = fmt.Sprintf("exited with status %d", exit.ExitStatus())
		if exit.Signal() != "" {
			how = "was killed by signal " + exit.Signal()
		}
	} else if _, ok := err.(*ssh.ExitMissingError); ok {
		how = "ended without an exit status (the connection was lost)"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "command %s", how)
	for _, s := range []struct {
		name   string
		text   string
		stream Logging
	}{{"stdout", stdout, LogStdout}, {"stderr", stderr, LogStderr}} {
		if logging.logs(s.stream) && strings.TrimSpace(s.text) != "" {
			fmt.Fprintf(&b, "\n%s:\n%s", s.name, tail(s.text, 4000))
		}
	}
	return fmt.Errorf("%s", b.String())
}

func tail(s string, n int) string {
	s = strings.TrimRight(s, "\n")
	if len(s) <= n {
		return s
	}
	return "..." + s[len(s)-n:]
}

// lineLogger logs the streams that may be logged, a line at a time, in the order the lines complete.
type lineLogger struct {
	log logger
	mu  sync.Mutex
	buf []*bytes.Buffer
}

func newLineLogger(log logger) *lineLogger { return &lineLogger{log: log} }

// stream returns a writer for one output stream; it discards what it is given when the stream is not logged.
func (l *lineLogger) stream(logged bool) io.Writer {
	if !logged {
		return io.Discard
	}
	b := &bytes.Buffer{}
	l.buf = append(l.buf, b)
	return writerFunc(func(p []byte) (int, error) {
		l.mu.Lock()
		defer l.mu.Unlock()
		b.Write(p)
		for {
			i := bytes.IndexByte(b.Bytes(), '\n')
			if i < 0 {
				break
			}
			l.log.InfoStatus(string(b.Next(i + 1)[:i]))
		}
		return len(p), nil
	})
}

// flush logs what is left after the last newline of each stream.
func (l *lineLogger) flush() {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, b := range l.buf {
		if b.Len() > 0 {
			l.log.InfoStatus(b.String())
			b.Reset()
		}
	}
}

type writerFunc func(p []byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }
