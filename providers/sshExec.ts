// Runs one command on a host over SSH with ssh2: the host key is pinned, connecting and running are
// both bounded in time, stdin is written and closed. Every error names the endpoint.
import type { Client } from "ssh2";
import { hostKeyAlgorithms, hostKeyMatches, hostKeyMismatchMessage, parseSshPublicKey } from "./sshHostKey";
import { toSsh2PrivateKey } from "./sshPrivateKey";

export interface SshTarget {
  host: string;
  port: number;
  user: string;
  /** Private key (OpenSSH, PEM or PKCS#8). */
  privateKey: string;
  /** Pinned host key, OpenSSH public key line "type base64". */
  hostKey: string;
}

export interface SshRunOptions {
  /** Written to the command's stdin, which is then closed. */
  stdin?: string;
  /** Bound on connecting + key exchange + authentication. */
  connectTimeoutMs: number;
  /** Bound on the command itself. */
  commandTimeoutMs: number;
}

export interface SshRunResult {
  stdout: string;
  stderr: string;
  /** Exit status; null when the command was ended by a signal. */
  exitCode: number | null;
  signal?: string;
}

/** An authenticated session with the pinned host; rejects (naming the endpoint) on any failure to get there. */
function openSession(target: SshTarget, connectTimeoutMs: number): Promise<Client> {
  const who = `${target.user}@${target.host}:${target.port}`;
  return new Promise<Client>((resolve, reject) => {
    // Required here, not imported: Pulumi serializes the provider and re-requires what it uses.
    const ssh2 = require("ssh2") as typeof import("ssh2");
    let pinned: ReturnType<typeof parseSshPublicKey>;
    let privateKey: string;
    try {
      pinned = parseSshPublicKey(target.hostKey);
      privateKey = toSsh2PrivateKey(target.privateKey);
    } catch (e) {
      reject(new Error(`ssh to ${who}: ${(e as Error).message}`));
      return;
    }
    const client = new ssh2.Client();
    let settled = false;
    let refusedHostKey: Buffer | undefined;
    const fail = (message: string) => {
      if (!settled) {
        settled = true;
        client.end();
        reject(new Error(message));
      }
    };
    client.once("ready", () => {
      settled = true;
      resolve(client);
    });
    client.on("error", (err: Error & { level?: string }) => {
      if (refusedHostKey !== undefined) {
        fail(hostKeyMismatchMessage(`${target.host}:${target.port}`, pinned, refusedHostKey));
      } else if (err.level === "client-timeout") {
        fail(`ssh to ${who}: no SSH session within ${connectTimeoutMs / 1000} s (${err.message})`);
      } else if (err.level === "client-authentication") {
        fail(`ssh to ${who}: authentication failed for user ${JSON.stringify(target.user)} (${err.message})`);
      } else {
        fail(`ssh to ${who}: cannot reach the host (${err.message})`);
      }
    });
    client.on("close", () => fail(`ssh to ${who}: connection closed before a session was established`));
    try {
      client.connect({
        host: target.host,
        port: target.port,
        username: target.user,
        privateKey,
        readyTimeout: connectTimeoutMs,
        // Offer only the pinned key's type so a server with several host keys presents the pinned one.
        algorithms: { serverHostKey: hostKeyAlgorithms(pinned.type) as never },
        hostVerifier: (key: Buffer) => {
          if (hostKeyMatches(pinned, key)) {
            return true;
          }
          refusedHostKey = key;
          return false;
        },
      });
    } catch (e) {
      fail(`ssh to ${who}: ${(e as Error).message}`);
    }
  });
}

/** Connects and authenticates only: proves the host key, user and private key work. */
export async function verifySshConnection(target: SshTarget, connectTimeoutMs: number): Promise<void> {
  const client = await openSession(target, connectTimeoutMs);
  client.end();
}

/** Connects, runs `command` and resolves with its output and exit status (non-zero exits resolve too). */
export async function runSshCommand(target: SshTarget, command: string, options: SshRunOptions): Promise<SshRunResult> {
  const endpoint = `${target.host}:${target.port}`;
  const client = await openSession(target, options.connectTimeoutMs);
  return new Promise<SshRunResult>((resolve, reject) => {
    let settled = false;
    let commandTimer: NodeJS.Timeout | undefined;
    const finish = (error: Error | undefined, result?: SshRunResult) => {
      if (settled) {
        return;
      }
      settled = true;
      if (commandTimer !== undefined) {
        clearTimeout(commandTimer);
      }
      client.end();
      if (error) {
        reject(error);
      } else {
        resolve(result as SshRunResult);
      }
    };
    client.on("error", (err: Error) => finish(new Error(`ssh connection to ${endpoint} failed: ${err.message}`)));
    client.on("close", () => finish(new Error(`ssh connection to ${endpoint} closed before the command finished`)));

    client.exec(command, (err, stream) => {
      if (err) {
        finish(new Error(`ssh to ${target.user}@${endpoint}: could not start the command: ${err.message}`));
        return;
      }
      commandTimer = setTimeout(() => {
        finish(new Error(`command on ${endpoint} did not finish within ${options.commandTimeoutMs / 1000} s; connection closed`));
      }, options.commandTimeoutMs);
      const stdout: Buffer[] = [];
      const stderr: Buffer[] = [];
      let exitCode: number | null = null;
      let signal: string | undefined;
      stream.on("data", (chunk: Buffer) => stdout.push(chunk));
      stream.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
      stream.on("exit", (code: number | null, signalName?: string) => {
        if (typeof code === "number") {
          exitCode = code;
        } else {
          signal = signalName ?? "unknown";
        }
      });
      stream.on("close", () => {
        finish(undefined, {
          stdout: Buffer.concat(stdout).toString("utf8"),
          stderr: Buffer.concat(stderr).toString("utf8"),
          exitCode,
          ...(signal !== undefined ? { signal } : {}),
        });
      });
      stream.on("error", (e: Error) => finish(new Error(`command on ${endpoint} failed: ${e.message}`)));
      // Feed stdin, then close it so that commands reading stdin see its end.
      stream.end(options.stdin ?? "");
    });
  });
}
