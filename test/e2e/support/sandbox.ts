// The sandbox cluster from a test's point of view: start it (idempotent), read its description, and look at
// its effects from outside the program — kubectl against the apiserver, ssh into a node.
import { execFile, execFileSync, ExecFileSyncOptions } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { shellQuote } from "../../../lib/nodeShell";
import { repoRoot, toolchainPath } from "./toolchainEnv";

export interface SandboxNode {
    name: string; ip: string; roles: string[]; sshPort: number; user: string; privateKeyPath: string; hostKey: string;
}
export interface SandboxDescription {
    apiServerEndpoint: string;
    kubeconfigPath: string;
    caCertPem: string;
    podSubnet: string;
    serviceSubnet: string;
    apiServerManifestPath: string;
    sshKnownHostsPath: string;
    nodes: SandboxNode[];
}

export const sandboxDir = process.env.KUBE_BASELINE_SANDBOX_DIR ?? "/run/kube-baseline-sandbox";

function sandboxCommand(...args: string[]): string {
    return execFileSync("bash", [path.join(repoRoot, "sandbox/sandbox.sh"), ...args], {
        encoding: "utf8",
        env: { ...process.env, PATH: toolchainPath() },
        timeout: 600_000,
        stdio: ["ignore", "pipe", "pipe"],
    });
}

/**
 * Brings the sandbox up unless it already runs (`up` on a running sandbox changes nothing). What a killed
 * earlier run left behind is removed first; a running sandbox, or one still starting, is never touched.
 */
export function ensureSandboxUp(): SandboxDescription {
    sandboxCommand("up", "--replace-stale");
    return readDescription();
}

export function sandboxDown(): void {
    sandboxCommand("down");
}

/** True when the sandbox's supervisor (kubelet's stand-in) is alive: the sandbox runs, healthy or not. */
export function sandboxRunning(): boolean {
    try {
        const pid = Number(fs.readFileSync(path.join(sandboxDir, "pids/static-pod-supervisor.pid"), "utf8").trim());
        process.kill(pid, 0);
        return fs.existsSync(path.join(sandboxDir, "sandbox.json"));
    } catch {
        return false;
    }
}

export function readDescription(): SandboxDescription {
    return JSON.parse(fs.readFileSync(path.join(sandboxDir, "sandbox.json"), "utf8")) as SandboxDescription;
}

/** kubectl as the sandbox admin, or as whoever the given kubeconfig file names. */
export function kubectl(args: string[], kubeconfigPath?: string, opts: ExecFileSyncOptions = {}): string {
    const kubeconfig = kubeconfigPath ?? readDescription().kubeconfigPath;
    return execFileSync("kubectl", ["--kubeconfig", kubeconfig, "--request-timeout=20s", ...args], {
        encoding: "utf8",
        env: { ...process.env, PATH: toolchainPath() },
        timeout: 60_000,
        stdio: ["pipe", "pipe", "pipe"],
        ...opts,
    }) as string;
}

function sshArgs(node: SandboxNode, command: string, desc: SandboxDescription): string[] {
    return [
        "-i", node.privateKeyPath,
        "-p", String(node.sshPort),
        "-o", `UserKnownHostsFile=${desc.sshKnownHostsPath}`,
        "-o", "StrictHostKeyChecking=yes",
        "-o", "BatchMode=yes",
        "-o", "ConnectTimeout=10",
        `${node.user}@${node.ip}`,
        command,
    ];
}

/** Runs a shell command on a sandbox node over ssh, checking the node's pinned host key. */
export function ssh(node: SandboxNode, command: string, desc: SandboxDescription = readDescription()): string {
    return execFileSync("ssh", sshArgs(node, command, desc),
        { encoding: "utf8", timeout: 60_000, stdio: ["ignore", "pipe", "pipe"] });
}

/** The audit log's entries on a node that contain the given text (the last 500 of them), parsed: the log
 *  grows with every request, so only the lines that matter cross ssh. */
export function auditLogLines(node: SandboxNode, logPath: string, text: string, desc: SandboxDescription = readDescription()): Record<string, any>[] {
    const out = execFileSync("ssh", sshArgs(node, `grep -F -- ${shellQuote(text)} ${shellQuote(logPath)} | tail -n 500 || true`, desc),
        { encoding: "utf8", timeout: 60_000, maxBuffer: 64 * 1024 * 1024, stdio: ["ignore", "pipe", "pipe"] });
    return out.split("\n").filter(l => l.trim() !== "").map(l => JSON.parse(l));
}

/** ssh without blocking the event loop, for polling while other checks keep running. */
export function sshAsync(node: SandboxNode, command: string, desc: SandboxDescription = readDescription()): Promise<string> {
    return new Promise((resolve, reject) => {
        execFile("ssh", ["-n", ...sshArgs(node, command, desc)], { encoding: "utf8", timeout: 60_000 },
            (err, stdout) => (err ? reject(err) : resolve(stdout)));
    });
}

/** The flags of a control-plane component's running process: the one the sandbox's supervisor started last
 *  (none while that process is already gone). */
export function runningFlags(component: string): string[] {
    const { pid } = JSON.parse(fs.readFileSync(path.join(sandboxDir, "static-pods", `${component}.json`), "utf8")) as { pid: number };
    try {
        return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").slice(1).filter(a => a !== "");
    } catch {
        return [];
    }
}

export function nodeNamed(desc: SandboxDescription, name: string): SandboxNode {
    const node = desc.nodes.find(n => n.name === name);
    if (!node) throw new Error(`no sandbox node ${name} (have ${desc.nodes.map(n => n.name).join(", ")})`);
    return node;
}
