// RemoteCommand: runs `create` on a host over SSH, `update` (or `create` again) when what it feeds the
// command changes, and the stored `delete` on destroy — the contract of @pulumi/command's remote.Command,
// with the host key always pinned.
import * as pulumi from "@pulumi/pulumi";
import type { CheckFailure } from "@pulumi/pulumi/dynamic";
import { runSshCommand, verifySshConnection } from "./sshExec";
import { parseSshPublicKey } from "./sshHostKey";
import { containsUnknown, deepEqual, secretInputFailure, withoutUndefined } from "./values";
import { hostedProvider } from "./hosted";

export type RemoteCommandLogging = "none" | "stdoutAndStderr";

export interface RemoteCommandConnectionArgs {
  host: pulumi.Input<string>;
  /** Default 22. */
  port?: pulumi.Input<number>;
  user: pulumi.Input<string>;
  /** OpenSSH, PEM or PKCS#8 private key (made secret here if it is not already). */
  privateKey: pulumi.Input<string>;
  /** The host's public key "type base64" (e.g. "ssh-ed25519 AAAA..."); any other key is refused. */
  hostKey: pulumi.Input<string>;
}

export interface RemoteCommandArgs {
  connection: RemoteCommandConnectionArgs;
  /** Run on create; a change replaces the resource. */
  create: pulumi.Input<string>;
  /** Run when `update` or `stdin` changes; `create` is run when this is not set. */
  update?: pulumi.Input<string>;
  /** Run on delete (the command stored at the last create/update). */
  delete?: pulumi.Input<string>;
  /** Written to the command's stdin (always kept secret); use it to hand secrets to the command. */
  stdin?: pulumi.Input<string>;
  /** Any change replaces the resource (runs `delete`, then `create`). */
  triggers?: pulumi.Input<unknown>[];
  /** "none": stdout/stderr are neither returned nor put in error messages. Default "stdoutAndStderr". */
  logging?: pulumi.Input<RemoteCommandLogging>;
  /** Bound on each command run, default 300. */
  timeoutSeconds?: pulumi.Input<number>;
  /** Bound on connecting and authenticating, default 20. */
  connectTimeoutSeconds?: pulumi.Input<number>;
}

export interface RemoteCommandConnection {
  host: string;
  port?: number;
  user: string;
  privateKey: string;
  hostKey: string;
}

/** The inputs as the engine hands them to the provider (secrets unwrapped, unknowns as a sentinel). */
export interface RemoteCommandInputs {
  connection: RemoteCommandConnection;
  create: string;
  update?: string;
  delete?: string;
  stdin?: string;
  triggers?: unknown[];
  logging?: RemoteCommandLogging;
  timeoutSeconds?: number;
  connectTimeoutSeconds?: number;
}

/** Stored outputs: the inputs with defaults filled in, stdin as a digest, and the last run's output. */
export interface RemoteCommandState {
  connection: Required<RemoteCommandConnection>;
  create: string;
  update?: string;
  delete?: string;
  /** sha256 of stdin, to notice a change without storing it twice. */
  stdinSha256?: string;
  triggers?: unknown[];
  logging: RemoteCommandLogging;
  timeoutSeconds: number;
  connectTimeoutSeconds: number;
  stdout: string;
  stderr: string;
}

type Settings = Omit<RemoteCommandState, "stdout" | "stderr">;

const DEFAULT_PORT = 22;
const DEFAULT_TIMEOUT_SECONDS = 300;
const DEFAULT_CONNECT_TIMEOUT_SECONDS = 20;

function sha256(text: string): string {
  return (require("crypto") as typeof import("crypto")).createHash("sha256").update(text, "utf8").digest("hex");
}

/** Inputs or stored state, with defaults filled in, in the shape that is stored. */
export function remoteCommandSettings(value: RemoteCommandInputs | RemoteCommandState): Settings {
  const c = value.connection;
  const stdinSha256 =
    "stdinSha256" in value ? value.stdinSha256 : "stdin" in value && typeof value.stdin === "string" ? sha256(value.stdin) : undefined;
  return {
    connection: { host: c.host, port: c.port ?? DEFAULT_PORT, user: c.user, privateKey: c.privateKey, hostKey: c.hostKey },
    create: value.create,
    update: value.update,
    delete: value.delete,
    stdinSha256,
    triggers: value.triggers,
    logging: value.logging ?? "stdoutAndStderr",
    timeoutSeconds: value.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS,
    connectTimeoutSeconds: value.connectTimeoutSeconds ?? DEFAULT_CONNECT_TIMEOUT_SECONDS,
  };
}

export interface RemoteCommandChanges {
  /** Inputs whose change replaces the resource. */
  replaces: string[];
  /** Inputs whose change makes an update run `update` (or `create`). */
  rerun: string[];
  /** Inputs whose change only updates the stored settings (no command runs). */
  settings: string[];
}

/**
 * Sorts the differences between the stored state and new inputs. Replacing: `create`, `triggers`, and the
 * connection's host or port (the command's effects live on that host). Re-running: `update` and `stdin`.
 * The rest (credentials, host key, `delete`, logging, timeouts) is stored; new credentials are tested first.
 */
export function remoteCommandChanges(olds: RemoteCommandState, news: RemoteCommandInputs): RemoteCommandChanges {
  const a = remoteCommandSettings(olds);
  const b = remoteCommandSettings(news);
  const differs = (key: keyof Settings) => !deepEqual(a[key], b[key]);
  const replaces: string[] = [];
  const rerun: string[] = [];
  const settings: string[] = [];
  if (differs("create")) replaces.push("create");
  if (differs("triggers")) replaces.push("triggers");
  if (a.connection.host !== b.connection.host || a.connection.port !== b.connection.port) {
    replaces.push("connection");
  } else if (differs("connection")) {
    settings.push("connection");
  }
  if (differs("update")) rerun.push("update");
  if (differs("stdinSha256")) rerun.push("stdin");
  for (const key of ["delete", "logging", "timeoutSeconds", "connectTimeoutSeconds"] as const) {
    if (differs(key)) settings.push(key);
  }
  return { replaces, rerun, settings };
}

/** Check failures; values not known yet are not judged; failures about secret inputs name no property. */
export function remoteCommandIssues(news: Partial<Record<keyof RemoteCommandInputs, unknown>>): CheckFailure[] {
  const issues: CheckFailure[] = [];
  const judge = (v: unknown) => v !== undefined && !containsUnknown(v);
  const connection = news.connection;
  if (connection === undefined || connection === null || typeof connection !== "object") {
    if (!containsUnknown(connection)) {
      issues.push(secretInputFailure("connection", "an object {host, port, user, privateKey, hostKey} is required"));
    }
  } else {
    const c = connection as Record<string, unknown>;
    for (const key of ["host", "user", "privateKey", "hostKey"]) {
      if (!containsUnknown(c[key]) && (typeof c[key] !== "string" || (c[key] as string).trim() === "")) {
        if (key === "privateKey") {
          issues.push(secretInputFailure("connection.privateKey", "must be a non-empty string"));
        } else {
          issues.push({ property: `connection.${key}`, reason: `connection.${key} must be a non-empty string (got ${JSON.stringify(c[key])})` });
        }
      }
    }
    if (judge(c.port) && (typeof c.port !== "number" || !Number.isInteger(c.port) || c.port < 1 || c.port > 65535)) {
      issues.push({ property: "connection.port", reason: `connection.port must be an integer from 1 to 65535 (got ${JSON.stringify(c.port)})` });
    }
    if (judge(c.hostKey) && typeof c.hostKey === "string" && c.hostKey.trim() !== "") {
      try {
        parseSshPublicKey(c.hostKey);
      } catch (e) {
        issues.push({ property: "connection.hostKey", reason: `connection.hostKey: ${(e as Error).message}` });
      }
    }
  }
  if (!containsUnknown(news.create) && (typeof news.create !== "string" || news.create.trim() === "")) {
    issues.push({ property: "create", reason: `create must be a non-empty command (got ${JSON.stringify(news.create)})` });
  }
  for (const key of ["update", "delete"] as const) {
    if (judge(news[key]) && typeof news[key] !== "string") {
      issues.push({ property: key, reason: `${key} must be a string` });
    }
  }
  if (judge(news.stdin) && typeof news.stdin !== "string") {
    issues.push(secretInputFailure("stdin", "must be a string"));
  }
  if (judge(news.triggers) && !Array.isArray(news.triggers)) {
    issues.push({ property: "triggers", reason: `triggers must be a list (got ${JSON.stringify(news.triggers)})` });
  }
  if (judge(news.logging) && news.logging !== "none" && news.logging !== "stdoutAndStderr") {
    issues.push({ property: "logging", reason: `logging must be "none" or "stdoutAndStderr" (got ${JSON.stringify(news.logging)})` });
  }
  for (const key of ["timeoutSeconds", "connectTimeoutSeconds"] as const) {
    const v = news[key];
    if (judge(v) && (typeof v !== "number" || !Number.isFinite(v) || v <= 0)) {
      issues.push({ property: key, reason: `${key} must be a positive number of seconds (got ${JSON.stringify(v)})` });
    }
  }
  return issues;
}

/** Runs a command as the settings say; a non-zero exit is an error. Output is dropped when logging is "none". */
export async function runRemoteCommand(
  settings: Settings,
  command: string,
  stdin: string | undefined,
): Promise<{ stdout: string; stderr: string }> {
  const c = settings.connection;
  const endpoint = `${c.host}:${c.port}`;
  const result = await runSshCommand(c, command, {
    stdin,
    connectTimeoutMs: settings.connectTimeoutSeconds * 1000,
    commandTimeoutMs: settings.timeoutSeconds * 1000,
  });
  const quiet = settings.logging === "none";
  if (result.exitCode !== 0) {
    const how = result.exitCode === null ? `was killed by signal ${result.signal}` : `exited with code ${result.exitCode}`;
    // The last part of stderr is usually the part that says what went wrong.
    const detail = quiet ? "" : result.stderr.trim() === "" ? "" : `: ${result.stderr.trim().slice(-4000)}`;
    throw new Error(`command on ${endpoint} ${how}${detail}`);
  }
  return quiet ? { stdout: "", stderr: "" } : { stdout: result.stdout, stderr: result.stderr };
}

export const remoteCommandProvider: pulumi.dynamic.ResourceProvider = {
  async check(_olds: RemoteCommandInputs, news: RemoteCommandInputs) {
    return { inputs: news, failures: remoteCommandIssues(news) };
  },

  async diff(_id: string, olds: RemoteCommandState, news: RemoteCommandInputs) {
    const { replaces, rerun, settings } = remoteCommandChanges(olds, news);
    return {
      changes: replaces.length + rerun.length + settings.length > 0,
      replaces,
      // The old `delete` usually undoes what the new `create` just did (same file, same host): run it first.
      deleteBeforeReplace: replaces.length > 0,
    };
  },

  async create(inputs: RemoteCommandInputs) {
    const settings = remoteCommandSettings(inputs);
    const output = await runRemoteCommand(settings, settings.create, inputs.stdin);
    const outs: RemoteCommandState = { ...settings, ...output };
    return { id: (require("crypto") as typeof import("crypto")).randomUUID(), outs: withoutUndefined(outs) };
  },

  async update(_id: string, olds: RemoteCommandState, news: RemoteCommandInputs) {
    const settings = remoteCommandSettings(news);
    const { rerun } = remoteCommandChanges(olds, news);
    if (rerun.length === 0) {
      // New credentials or host key are stored only once they are proven to work: `delete` will need them.
      if (!deepEqual(remoteCommandSettings(olds).connection, settings.connection)) {
        await verifySshConnection(settings.connection, settings.connectTimeoutSeconds * 1000);
      }
      // Turning logging to "none" drops what an earlier run printed.
      const keep = settings.logging !== "none";
      const outs: RemoteCommandState = {
        ...settings,
        stdout: keep ? (olds.stdout ?? "") : "",
        stderr: keep ? (olds.stderr ?? "") : "",
      };
      return { outs: withoutUndefined(outs) };
    }
    const output = await runRemoteCommand(settings, settings.update ?? settings.create, news.stdin);
    const outs: RemoteCommandState = { ...settings, ...output };
    return { outs: withoutUndefined(outs) };
  },

  async delete(_id: string, props: RemoteCommandState) {
    const settings = remoteCommandSettings(props);
    if (settings.delete !== undefined && settings.delete.trim() !== "") {
      await runRemoteCommand(settings, settings.delete, undefined);
    }
  },

  // What a command did cannot be read back: a refresh keeps the state.
  async read(id: string, props: RemoteCommandState) {
    return { id, props };
  },
};

/**
 * A command run over SSH. stdout and stderr are always secret outputs: the connection's private key is a
 * secret input, and commands often print what they were fed.
 */
export class RemoteCommand extends pulumi.dynamic.Resource {
  declare public readonly stdout: pulumi.Output<string>;
  declare public readonly stderr: pulumi.Output<string>;

  constructor(name: string, args: RemoteCommandArgs, opts?: pulumi.CustomResourceOptions) {
    const { connection } = args;
    super(
      hostedProvider("RemoteCommand", remoteCommandProvider),
      name,
      {
        ...args,
        // Secret when passed, so the engine keeps the stored inputs encrypted.
        connection: { ...connection, privateKey: pulumi.secret(connection.privateKey) },
        stdin: args.stdin === undefined ? undefined : pulumi.secret(args.stdin),
        stdout: undefined,
        stderr: undefined,
      },
      pulumi.mergeOptions(opts, { additionalSecretOutputs: ["connection", "stdinSha256", "stdout", "stderr"] }),
      "kube-baseline",
      "RemoteCommand",
    );
  }
}
