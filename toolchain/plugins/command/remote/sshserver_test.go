package remote

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/binary"
	"encoding/pem"
	"errors"
	"io"
	"net"
	"os/exec"
	"sync"
	"syscall"
	"testing"

	"golang.org/x/crypto/ssh"
)

// testServer is a real SSH server on loopback that runs each exec request with sh, for the provider's tests. It
// accepts one client key, passes on the environment variables a client sets (as sshd with AcceptEnv *), and
// honours the "signal" request.
type testServer struct {
	addr      string
	hostKey   ssh.PublicKey
	clientKey string // OpenSSH PEM of the accepted client key
	listener  net.Listener
	wg        sync.WaitGroup
}

func startTestServer(t *testing.T) *testServer {
	t.Helper()
	_, hostPriv, _ := ed25519.GenerateKey(rand.Reader)
	hostSigner, err := ssh.NewSignerFromKey(hostPriv)
	if err != nil {
		t.Fatal(err)
	}
	clientPub, clientPriv, _ := ed25519.GenerateKey(rand.Reader)
	clientPEM, err := ssh.MarshalPrivateKey(clientPriv, "")
	if err != nil {
		t.Fatal(err)
	}
	allowed, _ := ssh.NewPublicKey(clientPub)
	config := &ssh.ServerConfig{
		PublicKeyCallback: func(_ ssh.ConnMetadata, key ssh.PublicKey) (*ssh.Permissions, error) {
			if string(key.Marshal()) == string(allowed.Marshal()) {
				return nil, nil
			}
			return nil, errors.New("unknown key")
		},
	}
	config.AddHostKey(hostSigner)
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &testServer{addr: listener.Addr().String(), hostKey: hostSigner.PublicKey(), clientKey: string(pem.EncodeToMemory(clientPEM)), listener: listener}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			conn, err := listener.Accept()
			if err != nil {
				return
			}
			s.wg.Add(1)
			go func() { defer s.wg.Done(); s.serve(conn, config) }()
		}
	}()
	t.Cleanup(func() { listener.Close(); s.wg.Wait() })
	return s
}

func (s *testServer) serve(conn net.Conn, config *ssh.ServerConfig) {
	defer conn.Close()
	_, channels, requests, err := ssh.NewServerConn(conn, config)
	if err != nil {
		return
	}
	go ssh.DiscardRequests(requests)
	for newChannel := range channels {
		if newChannel.ChannelType() != "session" {
			_ = newChannel.Reject(ssh.UnknownChannelType, "sessions only")
			continue
		}
		channel, reqs, err := newChannel.Accept()
		if err != nil {
			continue
		}
		go s.session(channel, reqs)
	}
}

func (s *testServer) session(channel ssh.Channel, requests <-chan *ssh.Request) {
	defer channel.Close()
	var env []string
	var cmd *exec.Cmd
	done := make(chan struct{})
	for req := range requests {
		switch req.Type {
		case "env":
			var kv struct{ Name, Value string }
			_ = ssh.Unmarshal(req.Payload, &kv)
			env = append(env, kv.Name+"="+kv.Value)
			_ = req.Reply(true, nil)
		case "exec":
			var payload struct{ Command string }
			_ = ssh.Unmarshal(req.Payload, &payload)
			cmd = exec.Command("sh", "-c", payload.Command)
			cmd.Env = env
			cmd.Stdin, cmd.Stdout, cmd.Stderr = channel, channel, channel.Stderr()
			cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
			if err := cmd.Start(); err != nil {
				_ = req.Reply(false, nil)
				return
			}
			_ = req.Reply(true, nil)
			go func() {
				_ = cmd.Wait()
				status := make([]byte, 4)
				binary.BigEndian.PutUint32(status, uint32(cmd.ProcessState.ExitCode()))
				_, _ = channel.SendRequest("exit-status", false, status)
				channel.Close()
				close(done)
			}()
		case "signal":
			if cmd != nil && cmd.Process != nil {
				_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			}
		default:
			_ = req.Reply(false, nil)
		}
	}
	if cmd != nil {
		// The client went away: end what it started, as sshd does when the channel closes.
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-done
	}
	_, _ = io.Copy(io.Discard, channel)
}
