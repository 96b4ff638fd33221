package remote

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
)

type recorder struct{ info, warnings []string }

func (r *recorder) InfoStatus(msg string) { r.info = append(r.info, msg) }
func (r *recorder) Warning(msg string)    { r.warnings = append(r.warnings, msg) }

func ptr[T any](v T) *T { return &v }

func connectionTo(s *testServer) *Connection {
	host, portText, _ := net.SplitHostPort(s.addr)
	port, _ := strconv.Atoi(portText)
	hostKey := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(s.hostKey)))
	return &Connection{sshEndpoint: sshEndpoint{
		Host: &host, Port: ptr(float64(port)), User: ptr("root"), PrivateKey: &s.clientKey, HostKey: &hostKey,
		DialErrorLimit: ptr(2), PerDialTimeout: ptr(5),
	}}
}

func TestRunFeedsStdinAndEnvironmentAndTrimsTheFinalNewline(t *testing.T) {
	s := startTestServer(t)
	state := CommandOutputs{CommandInputs: CommandInputs{
		Connection:  connectionTo(s),
		Stdin:       ptr("from stdin\n"),
		Environment: map[string]string{"GREETING": "hello"},
	}, Stdout: "previous out"}
	log := &recorder{}
	err := state.run(context.Background(), `cat; printf '%s %s\n' "$GREETING" "$PULUMI_COMMAND_STDOUT"; echo oops >&2`, log)
	if err != nil {
		t.Fatal(err)
	}
	if state.Stdout != "from stdin\nhello previous out" || state.Stderr != "oops" {
		t.Errorf("stdout %q stderr %q", state.Stdout, state.Stderr)
	}
	// Both streams are logged a line at a time (logging unset means both).
	if strings.Join(log.info, "|") == "" || !strings.Contains(strings.Join(log.info, "|"), "oops") {
		t.Errorf("logged %q", log.info)
	}
}

func TestAddPreviousOutputInEnvFalseKeepsThePreviousOutputOut(t *testing.T) {
	s := startTestServer(t)
	state := CommandOutputs{CommandInputs: CommandInputs{Connection: connectionTo(s), AddPreviousOutputInEnv: ptr(false)}, Stdout: "secret"}
	if err := state.run(context.Background(), `printf '[%s]' "${PULUMI_COMMAND_STDOUT:-}"`, &recorder{}); err != nil {
		t.Fatal(err)
	}
	if state.Stdout != "[]" {
		t.Errorf("stdout %q", state.Stdout)
	}
}

func TestAFailureShowsOnlyTheStreamsLoggingAllows(t *testing.T) {
	s := startTestServer(t)
	for _, tc := range []struct {
		logging Logging
		shown   []string
		hidden  []string
	}{
		{LogStdoutAndStderr, []string{"OUT-TEXT", "ERR-TEXT"}, nil},
		{LogStderr, []string{"ERR-TEXT"}, []string{"OUT-TEXT"}},
		{LogNone, nil, []string{"OUT-TEXT", "ERR-TEXT"}},
	} {
		log := &recorder{}
		state := CommandOutputs{CommandInputs: CommandInputs{Connection: connectionTo(s), Logging: ptr(tc.logging)}}
		err := state.run(context.Background(), "echo OUT-TEXT; echo ERR-TEXT >&2; exit 3", log)
		if err == nil || !strings.Contains(err.Error(), "exited with status 3") {
			t.Fatalf("%s: error %v", tc.logging, err)
		}
		logged := strings.Join(log.info, "\n")
		for _, text := range tc.shown {
			if !strings.Contains(err.Error(), text) || !strings.Contains(logged, text) {
				t.Errorf("%s: %q not in the error or the log: %v / %q", tc.logging, text, err, logged)
			}
		}
		for _, text := range tc.hidden {
			if strings.Contains(err.Error(), text) || strings.Contains(logged, text) {
				t.Errorf("%s: %q shown: %v / %q", tc.logging, text, err, logged)
			}
		}
	}
}

func TestAnotherHostKeyIsRefusedAtOnceNamingBothKeys(t *testing.T) {
	s := startTestServer(t)
	other, _, _ := ed25519.GenerateKey(rand.Reader)
	otherKey, _ := ssh.NewPublicKey(other)
	c := connectionTo(s)
	pinned := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(otherKey)))
	c.HostKey = &pinned
	c.DialErrorLimit = ptr(5)
	state := CommandOutputs{CommandInputs: CommandInputs{Connection: c}}
	started := time.Now()
	err := state.run(context.Background(), "true", &recorder{})
	if err == nil || !strings.Contains(err.Error(), "host key mismatch") ||
		!strings.Contains(err.Error(), ssh.FingerprintSHA256(s.hostKey)) || !strings.Contains(err.Error(), ssh.FingerprintSHA256(otherKey)) {
		t.Fatalf("error %v", err)
	}
	if time.Since(started) > 3*time.Second {
		t.Errorf("a host key mismatch was retried (%s)", time.Since(started))
	}
}

func TestAnUnreachableHostIsRetriedUpToTheDialErrorLimit(t *testing.T) {
	listener, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := listener.Addr().String()
	listener.Close() // nothing listens there now
	host, portText, _ := net.SplitHostPort(addr)
	port, _ := strconv.Atoi(portText)
	state := CommandOutputs{CommandInputs: CommandInputs{Connection: &Connection{sshEndpoint: sshEndpoint{
		Host: &host, Port: ptr(float64(port)), DialErrorLimit: ptr(2), PerDialTimeout: ptr(2),
	}}}}
	log := &recorder{}
	err := state.run(context.Background(), "true", log)
	if err == nil || !strings.Contains(err.Error(), "failed 3 time(s)") {
		t.Fatalf("error %v", err)
	}
	if len(log.info) != 2 {
		t.Errorf("retries reported: %q", log.info)
	}
}

func TestAnEndedContextKillsTheRemoteCommand(t *testing.T) {
	s := startTestServer(t)
	state := CommandOutputs{CommandInputs: CommandInputs{Connection: connectionTo(s)}}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	started := time.Now()
	err := state.run(ctx, "sleep 30", &recorder{})
	if err == nil || !strings.Contains(err.Error(), "stopped") {
		t.Fatalf("error %v", err)
	}
	if time.Since(started) > 5*time.Second {
		t.Errorf("took %s", time.Since(started))
	}
}

func TestTheLegacyDynamicStateIsTakenOver(t *testing.T) {
	old := legacyDynamicCommandState{
		Provider:   "exports.handler = ...",
		Connection: legacyConnection{Host: "10.0.0.1", Port: ptr(22.0), User: "root", PrivateKey: "KEY", HostKey: "ssh-ed25519 AAAA"},
		Create:     ptr("sh -s"), Delete: ptr("restore"), StdinSha256: ptr("abc"), Logging: ptr("stdoutAndStderr"),
		Stdout: ptr("out"), Triggers: &[]any{"alice"},
	}
	result, err := migrateLegacyDynamicCommand(context.Background(), old)
	if err != nil || result.Result == nil {
		t.Fatalf("%v %v", result, err)
	}
	got := result.Result
	if *got.Create != "sh -s" || *got.Delete != "restore" || got.Stdout != "out" || got.Stdin != nil ||
		*got.Connection.Host != "10.0.0.1" || *got.Connection.HostKey != "ssh-ed25519 AAAA" || *got.Logging != LogStdoutAndStderr ||
		len(*got.Triggers) != 1 {
		t.Errorf("migrated %+v", got)
	}
}
