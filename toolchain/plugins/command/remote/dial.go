package remote

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
)

// The schema's defaults, applied by pulumi-go-provider before Create/Update/Delete see the inputs; dial applies
// them again for states written without them.
const (
	defaultUser           = "root"
	defaultPort           = 22.0
	defaultDialErrorLimit = 10
	defaultPerDialTimeout = 15
	// Pause between dial attempts.
	dialRetryPause = time.Second
)

// clientConfig is the SSH client configuration of one endpoint: its user, its credentials and its host key.
func (e *sshEndpoint) clientConfig() (*ssh.ClientConfig, error) {
	config := &ssh.ClientConfig{User: deref(e.User, defaultUser)}
	if timeout := deref(e.PerDialTimeout, defaultPerDialTimeout); timeout > 0 {
		config.Timeout = time.Duration(timeout) * time.Second
	}
	if e.HostKey != nil {
		pinned, _, _, _, err := ssh.ParseAuthorizedKey([]byte(*e.HostKey))
		if err != nil {
			return nil, fmt.Errorf("hostKey is not an SSH public key (\"type base64\"): %w", err)
		}
		config.HostKeyCallback = pinnedHostKey(pinned)
		// Offer only the pinned key's algorithm, so the server cannot answer with another key it also has.
		config.HostKeyAlgorithms = hostKeyAlgorithms(pinned.Type())
	} else {
		config.HostKeyCallback = ssh.InsecureIgnoreHostKey() //nolint:gosec // the schema's documented behaviour without hostKey
	}

	if e.PrivateKey != nil {
		var signer ssh.Signer
		var err error
		if e.PrivateKeyPassword != nil {
			signer, err = ssh.ParsePrivateKeyWithPassphrase([]byte(*e.PrivateKey), []byte(*e.PrivateKeyPassword))
		} else {
			signer, err = ssh.ParsePrivateKey([]byte(*e.PrivateKey))
		}
		if err != nil {
			// The parser's message names no key material.
			return nil, fmt.Errorf("privateKey: %w", err)
		}
		config.Auth = append(config.Auth, ssh.PublicKeys(signer))
	}
	if e.Password != nil {
		password := *e.Password
		config.Auth = append(config.Auth, ssh.Password(password),
			ssh.KeyboardInteractive(func(_, _ string, questions []string, _ []bool) ([]string, error) {
				answers := make([]string, len(questions))
				for i := range answers {
					answers[i] = password
				}
				return answers, nil
			}))
	}
	socket := deref(e.AgentSocketPath, os.Getenv("SSH_AUTH_SOCK"))
	if socket != "" {
		conn, err := net.Dial("unix", socket)
		if err != nil {
			return nil, fmt.Errorf("SSH agent at %s: %w", socket, err)
		}
		config.Auth = append(config.Auth, ssh.PublicKeysCallback(agent.NewClient(conn).Signers))
	}
	return config, nil
}

// pinnedHostKey accepts only the pinned key, and says which key the host presented when it is another one.
func pinnedHostKey(pinned ssh.PublicKey) ssh.HostKeyCallback {
	return func(hostname string, _ net.Addr, presented ssh.PublicKey) error {
		if bytes.Equal(presented.Marshal(), pinned.Marshal()) {
			return nil
		}
		return fmt.Errorf("%s %s: %s presented %s %s but the pinned hostKey is %s %s; refusing to connect",
			hostKeyMismatch, hostname, hostname, presented.Type(), ssh.FingerprintSHA256(presented), pinned.Type(), ssh.FingerprintSHA256(pinned))
	}
}

const hostKeyMismatch = "host key mismatch for"

// hostKeyAlgorithms lists the signature algorithms that a host key of this type can be verified with.
func hostKeyAlgorithms(keyType string) []string {
	if keyType == ssh.KeyAlgoRSA {
		return []string{ssh.KeyAlgoRSASHA512, ssh.KeyAlgoRSASHA256, ssh.KeyAlgoRSA}
	}
	return []string{keyType}
}

func (e *sshEndpoint) address() string {
	port := deref(e.Port, defaultPort)
	return net.JoinHostPort(deref(e.Host, ""), strconv.Itoa(int(port)))
}

// dial connects to the host (through the bastion when there is one), retrying failed dials up to each endpoint's
// dialErrorLimit. The context bounds the whole attempt.
func (c *Connection) dial(ctx context.Context, onRetry func(string)) (*ssh.Client, error) {
	config, err := c.clientConfig()
	if err != nil {
		return nil, err
	}
	target := c.address()
	if c.Proxy == nil {
		return retryDial(ctx, "dial "+target, deref(c.DialErrorLimit, defaultDialErrorLimit), onRetry, func() (*ssh.Client, error) {
			return dialContext(ctx, "tcp", target, config)
		})
	}

	proxyConfig, err := c.Proxy.clientConfig()
	if err != nil {
		return nil, fmt.Errorf("proxy: %w", err)
	}
	bastion := c.Proxy.address()
	proxy, err := retryDial(ctx, "dial proxy "+bastion, deref(c.Proxy.DialErrorLimit, defaultDialErrorLimit), onRetry,
		func() (*ssh.Client, error) { return dialContext(ctx, "tcp", bastion, proxyConfig) })
	if err != nil {
		return nil, fmt.Errorf("proxy: %w", err)
	}
	client, err := retryDial(ctx, "dial "+target+" through "+bastion, deref(c.DialErrorLimit, defaultDialErrorLimit), onRetry,
		func() (*ssh.Client, error) {
			conn, err := proxy.Dial("tcp", target)
			if err != nil {
				return nil, err
			}
			sshConn, channels, requests, err := ssh.NewClientConn(conn, target, config)
			if err != nil {
				conn.Close()
				return nil, err
			}
			return ssh.NewClient(sshConn, channels, requests), nil
		})
	if err != nil {
		proxy.Close()
		return nil, fmt.Errorf("proxy: %w", err)
	}
	return client, nil
}

// dialContext is ssh.Dial that a cancelled context interrupts (ssh.Dial alone only knows its own timeout).
func dialContext(ctx context.Context, network, addr string, config *ssh.ClientConfig) (*ssh.Client, error) {
	dialer := net.Dialer{Timeout: config.Timeout}
	conn, err := dialer.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	if config.Timeout > 0 {
		// The handshake is bounded by the same per-dial timeout.
		_ = conn.SetDeadline(time.Now().Add(config.Timeout))
	}
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	sshConn, channels, requests, err := ssh.NewClientConn(conn, addr, config)
	stop()
	if err != nil {
		conn.Close()
		return nil, err
	}
	_ = conn.SetDeadline(time.Time{})
	return ssh.NewClient(sshConn, channels, requests), nil
}

// retryDial calls dial until it succeeds, the context ends, or it has failed more than limit times (limit -1: no
// limit). A host key other than the pinned one is not retried: it is refused at once.
func retryDial(ctx context.Context, what string, limit int, onRetry func(string), dial func() (*ssh.Client, error)) (*ssh.Client, error) {
	for failures := 0; ; {
		client, err := dial()
		if err == nil {
			return client, nil
		}
		failures++
		if permanentDialError(err) || (limit >= 0 && failures > limit) {
			return nil, fmt.Errorf("%s: failed %d time(s): %w", what, failures, err)
		}
		limitText := "unlimited"
		if limit >= 0 {
			limitText = strconv.Itoa(limit)
		}
		if onRetry != nil {
			onRetry(fmt.Sprintf("%s: attempt %d/%s failed (%v), retrying", what, failures, limitText, err))
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("%s: %w (after %d failed attempt(s), last: %v)", what, ctx.Err(), failures, err)
		case <-time.After(dialRetryPause):
		}
	}
}

func permanentDialError(err error) bool {
	// The handshake wraps the callback's error in its own text.
	return strings.Contains(err.Error(), hostKeyMismatch)
}
