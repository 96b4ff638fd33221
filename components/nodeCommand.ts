// A command on a cluster node over SSH: @pulumi/command's remote.Command with the settings every node command of
// kube-baseline shares. Upstream semantics (README "Node commands"): `create` runs once; a change of `create`,
// `update`, `delete` or `stdin` runs `update` (or `create`) again in place; a change of `triggers` replaces the
// command (its stored `delete`, then `create`); destroy runs the stored `delete`.
//
// What is fixed here, once:
// - the host key is pinned and the private key is a secret input;
// - a command with triggers is replaced delete-first (deleteBeforeReplace): its `delete` undoes on the node what
//   the new `create` is about to do there;
// - the previous run's output is not passed on in the environment (addPreviousOutputInEnv): it may hold a secret,
//   and sshd refuses unknown variables anyway;
// - every run is bounded (customTimeouts; the plugin kills the remote command at the bound);
// - stdout and stderr are secret in the state unless the caller says what they hold is public, and a command
//   whose output is a secret logs none of it.
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";

export interface SshNode {
    name: string;
    ssh: { host: string; port: number; user: string; hostKey: string };
}

/** What the command prints: "public" is logged and readable in the state; "secret" neither. */
export type NodeCommandOutput = "public" | "secret";

export interface NodeCommandArgs {
    node: SshNode;
    sshPrivateKey: pulumi.Input<string>;
    create: pulumi.Input<string>;
    update?: pulumi.Input<string>;
    delete?: pulumi.Input<string>;
    /** Fed to the command; kept secret in the state (the usual way to hand a command a secret). */
    stdin?: pulumi.Input<string>;
    /** Replace the command when any of these change. A new address of the same node is not one: the command runs
     *  again there in place. */
    triggers?: pulumi.Input<unknown>[];
    output: NodeCommandOutput;
    /** Bound on each run (create, update or delete). */
    timeoutSeconds: number;
}

/** Dial errors tolerated (1 s apart) and the bound of each dial, in seconds: a node that is rebooting gets ~2 min. */
const DIAL_ERROR_LIMIT = 6;
const PER_DIAL_TIMEOUT_SECONDS = 20;

export function nodeCommand(name: string, args: NodeCommandArgs, opts: pulumi.CustomResourceOptions): command.remote.Command {
    const settings = nodeCommandSettings(args);
    return new command.remote.Command(name, settings.args, pulumi.mergeOptions(opts, settings.options));
}

/** The remote.Command arguments and resource options of a node command (pure, so it is tested as it is). */
export function nodeCommandSettings(args: NodeCommandArgs): { args: command.remote.CommandArgs; options: pulumi.CustomResourceOptions } {
    const { node } = args;
    const timeout = `${args.timeoutSeconds}s`;
    const secret = args.output === "secret";
    return { args: {
        connection: {
            host: node.ssh.host,
            port: node.ssh.port,
            user: node.ssh.user,
            hostKey: node.ssh.hostKey,
            privateKey: pulumi.secret(args.sshPrivateKey),
            dialErrorLimit: DIAL_ERROR_LIMIT,
            perDialTimeout: PER_DIAL_TIMEOUT_SECONDS,
        },
        create: args.create,
        update: args.update,
        delete: args.delete,
        stdin: args.stdin === undefined ? undefined : pulumi.secret(args.stdin),
        triggers: args.triggers,
        addPreviousOutputInEnv: false,
        logging: secret ? "none" : "stdoutAndStderr",
    }, options: {
        customTimeouts: { create: timeout, update: timeout, delete: timeout },
        deleteBeforeReplace: true,
        additionalSecretOutputs: secret ? ["stdout", "stderr", "stdin"] : ["stdin"],
    } };
}
