package remote

import (
	"context"

	"github.com/pulumi/pulumi-go-provider/infer"
)

// The state kube-baseline's own dynamic provider wrote for its node commands, before the program moved to
// @pulumi/command (type pulumi-nodejs:dynamic/kube-baseline:RemoteCommand). The program aliases each of those
// resources to its command:remote:Command, so the engine hands this provider that state; migrating it lets the
// command take the old resource over with an update, instead of deleting it (which would run its delete command:
// undo the node's settings mid-upgrade). A state written by this provider or upstream's never matches: it has no
// __provider. Nothing else of upstream's behaviour changes.
type legacyDynamicCommandState struct {
	Provider              string           `pulumi:"__provider"`
	Connection            legacyConnection `pulumi:"connection"`
	Create                *string          `pulumi:"create,optional"`
	Update                *string          `pulumi:"update,optional"`
	Delete                *string          `pulumi:"delete,optional"`
	StdinSha256           *string          `pulumi:"stdinSha256,optional"`
	Triggers              *[]any           `pulumi:"triggers,optional"`
	Logging               *string          `pulumi:"logging,optional"`
	TimeoutSeconds        *float64         `pulumi:"timeoutSeconds,optional"`
	ConnectTimeoutSeconds *float64         `pulumi:"connectTimeoutSeconds,optional"`
	Stdout                *string          `pulumi:"stdout,optional"`
	Stderr                *string          `pulumi:"stderr,optional"`
}

type legacyConnection struct {
	Host       string   `pulumi:"host"`
	Port       *float64 `pulumi:"port,optional"`
	User       string   `pulumi:"user"`
	PrivateKey string   `pulumi:"privateKey"`
	HostKey    string   `pulumi:"hostKey"`
}

func (*Command) StateMigrations(context.Context) []infer.StateMigrationFunc[CommandOutputs] {
	return []infer.StateMigrationFunc[CommandOutputs]{infer.StateMigration(migrateLegacyDynamicCommand)}
}

// migrateLegacyDynamicCommand keeps what the old resource ran and printed. Its stdin was stored only as a digest, so
// the migrated state has none: the program's stdin then differs, and the update runs the command again with it.
func migrateLegacyDynamicCommand(_ context.Context, old legacyDynamicCommandState) (infer.MigrationResult[CommandOutputs], error) {
	c := old.Connection
	state := CommandOutputs{
		CommandInputs: CommandInputs{
			Triggers: old.Triggers,
			Create:   old.Create,
			Update:   old.Update,
			Delete:   old.Delete,
			Connection: &Connection{sshEndpoint: sshEndpoint{
				Host: &c.Host, Port: c.Port, User: &c.User, PrivateKey: &c.PrivateKey, HostKey: &c.HostKey,
			}},
		},
		Stdout: deref(old.Stdout, ""),
		Stderr: deref(old.Stderr, ""),
	}
	if old.Logging != nil {
		logging := Logging(*old.Logging)
		state.Logging = &logging
	}
	return infer.MigrationResult[CommandOutputs]{Result: &state}, nil
}
