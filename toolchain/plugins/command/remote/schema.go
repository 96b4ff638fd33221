// Package remote implements command:remote:Command, the resource of @pulumi/command's published schema (npm
// @pulumi/command 1.2.1) that kube-baseline uses: a command run over SSH on create, update and delete.
// The upstream plugin cannot be had on this machine; this is the project's own implementation of that schema,
// on pulumi-go-provider (the library upstream uses). The Go package name is the schema's module ("remote").
package remote

import "github.com/pulumi/pulumi-go-provider/infer"

// Command is the resource. Its methods are in command.go.
type Command struct{}

func (c *Command) Annotate(a infer.Annotator) {
	a.Describe(&c, "A command run on a remote host over SSH: `create` once, `update` (or `create` again) when "+
		"the inputs change, the stored `delete` when the resource is deleted. A change of `triggers` replaces it.")
}

// CommandInputs are the resource's arguments.
type CommandInputs struct {
	Triggers               *[]any            `pulumi:"triggers,optional" provider:"replaceOnChanges"`
	Create                 *string           `pulumi:"create,optional"`
	Update                 *string           `pulumi:"update,optional"`
	Delete                 *string           `pulumi:"delete,optional"`
	Stdin                  *string           `pulumi:"stdin,optional"`
	Logging                *Logging          `pulumi:"logging,optional"`
	Connection             *Connection       `pulumi:"connection" provider:"secret"`
	Environment            map[string]string `pulumi:"environment,optional"`
	AddPreviousOutputInEnv *bool             `pulumi:"addPreviousOutputInEnv,optional"`
}

func (c *CommandInputs) Annotate(a infer.Annotator) {
	a.Describe(&c.Triggers, "Values of any type; a change replaces the resource (its `delete`, then `create`).")
	a.Describe(&c.Create, "Run once when the resource is created, and on update when no `update` is given.")
	a.Describe(&c.Update, "Run when the inputs change; when empty, `create` runs instead. "+
		"PULUMI_COMMAND_STDOUT and PULUMI_COMMAND_STDERR hold the previous run's output.")
	a.Describe(&c.Delete, "Run when the resource is deleted: the value stored by the last create or update. "+
		"PULUMI_COMMAND_STDOUT and PULUMI_COMMAND_STDERR hold the previous run's output.")
	a.Describe(&c.Stdin, "Written to the command's standard input.")
	a.Describe(&c.Logging, "Which of stdout and stderr are logged (default both). Outputs capture both either way: "+
		"mark them secret with additionalSecretOutputs when they may hold secrets.")
	a.Describe(&c.Connection, "How to reach the host.")
	a.Describe(&c.Environment, "Environment variables for the command. The SSH server must accept them (AcceptEnv); "+
		"otherwise prefix the command with VAR=value.")
	a.Describe(&c.AddPreviousOutputInEnv, "Whether the previous run's stdout and stderr are passed as "+
		"PULUMI_COMMAND_STDOUT and PULUMI_COMMAND_STDERR (default true).")
}

// CommandOutputs are the resource's state: its inputs and what the last run printed.
type CommandOutputs struct {
	CommandInputs
	Stdout string `pulumi:"stdout"`
	Stderr string `pulumi:"stderr"`
}

func (c *CommandOutputs) Annotate(a infer.Annotator) {
	a.Describe(&c.Stdout, "Standard output of the last run, without its final newline.")
	a.Describe(&c.Stderr, "Standard error of the last run, without its final newline.")
}

// sshEndpoint is what the host and its bastion have in common.
type sshEndpoint struct {
	User               *string  `pulumi:"user,optional"`
	Password           *string  `pulumi:"password,optional" provider:"secret"`
	Host               *string  `pulumi:"host"`
	Port               *float64 `pulumi:"port,optional"`
	PrivateKey         *string  `pulumi:"privateKey,optional" provider:"secret"`
	PrivateKeyPassword *string  `pulumi:"privateKeyPassword,optional" provider:"secret"`
	AgentSocketPath    *string  `pulumi:"agentSocketPath,optional"`
	DialErrorLimit     *int     `pulumi:"dialErrorLimit,optional"`
	PerDialTimeout     *int     `pulumi:"perDialTimeout,optional"`
	HostKey            *string  `pulumi:"hostKey,optional"`
}

func (e *sshEndpoint) describe(a infer.Annotator, what string) {
	a.Describe(&e.User, "User to log in as on the "+what+".")
	a.SetDefault(&e.User, "root")
	a.Describe(&e.Password, "Password for the "+what+".")
	a.Describe(&e.Host, "Address of the "+what+".")
	a.Describe(&e.Port, "SSH port of the "+what+".")
	a.SetDefault(&e.Port, defaultPort)
	a.Describe(&e.PrivateKey, "Private key (OpenSSH or PEM) to authenticate with; tried before the password.")
	a.Describe(&e.PrivateKeyPassword, "Passphrase of an encrypted private key.")
	a.Describe(&e.AgentSocketPath, "SSH agent socket; default $SSH_AUTH_SOCK when set.")
	a.Describe(&e.DialErrorLimit, "How many failed dials are tolerated (-1: no limit).")
	a.SetDefault(&e.DialErrorLimit, defaultDialErrorLimit)
	a.Describe(&e.PerDialTimeout, "Seconds each dial may take (0: no limit).")
	a.SetDefault(&e.PerDialTimeout, defaultPerDialTimeout)
	a.Describe(&e.HostKey, "The host's public key (`type base64`); any other key is refused. When unset, "+
		"any key is accepted.")
}

// Connection is how to reach the host, optionally through a bastion.
type Connection struct {
	sshEndpoint
	Proxy *ProxyConnection `pulumi:"proxy,optional"`
}

func (c *Connection) Annotate(a infer.Annotator) {
	a.Describe(&c, "How to connect to the remote host.")
	c.describe(a, "host")
	a.Describe(&c.Proxy, "A bastion host to connect through.")
}

// ProxyConnection is the bastion host.
type ProxyConnection struct{ sshEndpoint }

func (c *ProxyConnection) Annotate(a infer.Annotator) {
	a.Describe(&c, "How to connect to the bastion host.")
	c.describe(a, "bastion host")
}

// Logging says which output streams are logged.
type Logging string

const (
	LogStdout          Logging = "stdout"
	LogStderr          Logging = "stderr"
	LogStdoutAndStderr Logging = "stdoutAndStderr"
	LogNone            Logging = "none"
)

func (Logging) Values() []infer.EnumValue[Logging] {
	return []infer.EnumValue[Logging]{
		{Name: string(LogStdout), Value: LogStdout, Description: "Log stdout only."},
		{Name: string(LogStderr), Value: LogStderr, Description: "Log stderr only."},
		{Name: string(LogStdoutAndStderr), Value: LogStdoutAndStderr, Description: "Log stdout and stderr."},
		{Name: string(LogNone), Value: LogNone, Description: "Log nothing."},
	}
}

// logs reports whether a stream is logged; unset means both.
func (l *Logging) logs(stream Logging) bool {
	return l == nil || *l == stream || *l == LogStdoutAndStderr
}
