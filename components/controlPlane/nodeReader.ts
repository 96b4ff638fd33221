// Runs a read-only script on a node over SSH from the program itself, at preview as at up (a remote.Command runs
// only during an update). The host key is pinned exactly as nodeCommand pins it: only the pinned key's algorithm
// is offered and the key the node presents must be that key, byte for byte; there is no trust on first use. Each
// read is bounded (connection and whole run) and the script's stdin is closed.

import { Client, ConnectConfig, ServerHostKeyAlgorithm } from "ssh2";
import { SshNode } from "../nodeCommand";
import { remoteShellCommand } from "../../lib/nodeShell";

const CONNECT_TIMEOUT_MS = 20_000;
const DEFAULT_RUN_TIMEOUT_MS = 120_000;

/** "ssh-ed25519 AAAA..." -> the algorithms ssh2 may negotiate for it and the key blob. */
export function pinnedHostKey(hostKey: string): { algorithms: ServerHostKeyAlgorithm[]; blob: Buffer } {
    const [type, data] = hostKey.trim().split(/\s+/);
    if (!type || !data) throw new Error(`not an SSH public key: ${JSON.stringify(hostKey.slice(0, 40))}`);
    const algorithms = (type === "ssh-rsa" ? ["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"] : [type]) as ServerHostKeyAlgorithm[];
    return { algorithms, blob: Buffer.from(data, "base64") };
}

/** Runs `script` on the node (through sudo -n for a non-root user); resolves with its stdout; rejects naming the node. */
export function readFromNode(node: SshNode, privateKey: string, script: string, timeoutMs = DEFAULT_RUN_TIMEOUT_MS): Promise<string> {
    const where = `${node.name} (${node.ssh.host}:${node.ssh.port})`;
    const pinned = pinnedHostKey(node.ssh.hostKey);
    return new Promise((resolve, reject) => {
        const client = new Client();
        let settled = false;
        let presented = "";
        const finish = (error: Error | undefined, stdout?: string) => {
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            client.end();
            if (error) reject(error); else resolve(stdout!);
        };
        const timer = setTimeout(() => finish(new Error(`reading the control plane of ${where}: no answer within ${timeoutMs / 1000}s`)), timeoutMs);
        const config: ConnectConfig = {
            host: node.ssh.host,
            port: node.ssh.port,
            username: node.ssh.user,
            privateKey,
            readyTimeout: CONNECT_TIMEOUT_MS,
            algorithms: { serverHostKey: pinned.algorithms },
            hostVerifier: (key: Buffer) => {
                presented = key.toString("base64");
                return key.equals(pinned.blob);
            },
        };
        client.on("ready", () => {
            client.exec(remoteShellCommand(script, { sudo: node.ssh.user !== "root" }), (err, stream) => {
                if (err) return finish(new Error(`reading the control plane of ${where}: ${err.message}`));
                let stdout = "";
                let stderr = "";
                stream.on("data", (d: Buffer) => { stdout += d.toString("utf8"); });
                stream.stderr.on("data", (d: Buffer) => { stderr += d.toString("utf8"); });
                stream.on("close", (code: number | null) => {
                    if (code === 0) finish(undefined, stdout);
                    else finish(new Error(`reading the control plane of ${where} failed (exit ${code}): ${stderr.trim().slice(-2000)}`));
                });
                stream.end();
            });
        });
        client.on("error", (err: Error) => {
            const mismatch = presented !== "" && presented !== pinned.blob.toString("base64");
            finish(new Error(mismatch
                ? `host key mismatch for ${where}: it presented a key that is not the pinned hostKey; refusing to connect`
                : `reading the control plane of ${where}: ${err.message}`));
        });
        client.connect(config);
    });
}
