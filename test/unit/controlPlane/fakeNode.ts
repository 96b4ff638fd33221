// A stand-in for one control-plane node, for running the node scripts for real: a temporary directory holds the
// node's /etc/kubernetes and /var/log paths; a fake kubelet (a background process) watches the static pod
// manifest like kubelet does (noticing a change after a delay), "runs" the component by writing a /proc entry with
// the manifest's command line, and reads the watched files only when it starts it; a fake `curl` answers the
// health URL 200 while the running component is healthy (its command or a file it loaded says BROKEN: it is not).

import { ChildProcess, spawn, spawnSync } from "child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { remoteShellCommand } from "../../../lib/nodeShell";

const FAKE_KUBELET = `
const fs = require("fs"), path = require("path"), crypto = require("crypto");
const YAML = require(process.env.YAML_MODULE);
const [manifest, state, proc, watch] = process.argv.slice(2);
const noticeMs = Number(process.env.FAKE_NOTICE_MS || "0");
let running = null, seenKey = null, seenAt = 0, pid = 1000;
const write = (f, t) => { fs.writeFileSync(path.join(state, f + ".tmp"), t); fs.renameSync(path.join(state, f + ".tmp"), path.join(state, f)); };
function snapshot(dir, out = {}) {
  if (!fs.existsSync(dir)) return out;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) snapshot(p, out); else if (e.isFile() && !e.name.startsWith(".")) out[p] = fs.readFileSync(p, "utf8");
  }
  return out;
}
const parent = Number(process.env.FAKE_PARENT_PID);
function tick() {
  // Gone with its test: the jest worker died without stop() (killed, timed out), or the node's files were removed.
  if (process.ppid !== parent || !fs.existsSync(state)) process.exit(0);
  let text = null;
  try { text = fs.readFileSync(manifest, "utf8"); } catch {}
  const key = text === null ? "none" : crypto.createHash("sha256").update(text).digest("hex");
  if (key !== seenKey) { seenKey = key; seenAt = Date.now(); }
  if (running && running.key === key) return;
  if (Date.now() - seenAt < noticeMs) return;
  if (running && running.pid) fs.rmSync(path.join(proc, String(running.pid)), { recursive: true, force: true });
  write("health", "000");
  running = { key, pid: null };
  if (text === null) return;
  let command;
  try { command = YAML.parse(text).spec.containers[0].command; } catch { return; }
  pid += 1;
  fs.mkdirSync(path.join(proc, String(pid)), { recursive: true });
  fs.writeFileSync(path.join(proc, String(pid), "cmdline"), command.map(a => a + "\\0").join(""));
  fs.writeFileSync(path.join(proc, String(pid), "comm"), path.basename(command[0]).slice(0, 15) + "\\n");
  const loaded = snapshot(watch);
  const broken = command.some(a => a.includes("BROKEN")) || Object.values(loaded).some(c => c.includes("BROKEN"));
  write("loaded.json", JSON.stringify(loaded));
  write("restarts", String(Number(fs.existsSync(path.join(state, "restarts")) ? fs.readFileSync(path.join(state, "restarts"), "utf8") : "0") + 1));
  write("running", key);
  write("health", broken ? "000" : "200");
  running.pid = pid;
}
setInterval(tick, 40);
tick();
process.on("SIGTERM", () => process.exit(0));
`;

const FAKE_CURL = `#!/bin/sh
cat "$FAKE_STATE/health" 2>/dev/null || printf 000
`;

/** The directory (under the node's root) whose files the fake component loads when it starts. */
export const CONFIG_DIR = "/etc/kubernetes/hardening";

export interface FakeNode {
    root: string;
    manifestPath: string;
    stateDirectory: string;
    procRoot: string;
    /** Fake kubelet's view: restarts so far, sha256 of the manifest it runs, files the component loaded. */
    restarts(): number;
    runningSha(): string;
    loaded(): Record<string, string>;
    run(script: string, stdin?: string): { code: number | null; stdout: string; stderr: string };
    stop(): void;
}

export function makeFakeNode(manifest: string, options: { noticeMs?: number; component?: string } = {}): FakeNode {
    const root = mkdtempSync(join(tmpdir(), "kb-cp-"));
    const component = options.component ?? "kube-apiserver";
    const manifestPath = `${root}/etc/kubernetes/manifests/${component}.yaml`;
    const stateDirectory = `${root}/etc/kubernetes/kube-baseline`;
    const procRoot = `${root}/proc`;
    const fakeState = `${root}/kubelet`;
    for (const d of [`${root}/etc/kubernetes/manifests`, procRoot, fakeState, `${root}/bin`]) mkdirSync(d, { recursive: true });
    writeFileSync(manifestPath, manifest, { mode: 0o600 });
    writeFileSync(`${root}/bin/fake-kubelet.js`, FAKE_KUBELET);
    writeFileSync(`${root}/bin/curl`, FAKE_CURL);
    chmodSync(`${root}/bin/curl`, 0o755);
    const env = { ...process.env, PATH: `${root}/bin:${process.env.PATH}`, FAKE_STATE: fakeState };
    const kubelet: ChildProcess = spawn(process.execPath, [`${root}/bin/fake-kubelet.js`, manifestPath, fakeState, procRoot, `${root}${CONFIG_DIR}`], {
        env: { ...env, YAML_MODULE: require.resolve("yaml"), FAKE_NOTICE_MS: String(options.noticeMs ?? 0), FAKE_PARENT_PID: String(process.pid) },
        stdio: "ignore",
    });
    // Wait until the fake kubelet runs the manifest, as on a healthy node.
    const deadline = Date.now() + 10000;
    while (!existsSync(`${fakeState}/running`) && Date.now() < deadline) spawnSync("sleep", ["0.05"]);
    const read = (f: string, fallback: string) => (existsSync(`${fakeState}/${f}`) ? readFileSync(`${fakeState}/${f}`, "utf8") : fallback);
    return {
        root, manifestPath, stateDirectory, procRoot,
        restarts: () => Number(read("restarts", "0")),
        runningSha: () => read("running", ""),
        loaded: () => JSON.parse(read("loaded.json", "{}")),
        run(script, stdin = "") {
            // Through the same wrapper the SSH command uses.
            const r = spawnSync("sh", ["-c", remoteShellCommand(script, { sudo: false })], { input: stdin, env, encoding: "utf8", timeout: 90000 });
            return { code: r.status, stdout: r.stdout, stderr: r.stderr };
        },
        stop() {
            kubelet.kill("SIGTERM");
            rmSync(root, { recursive: true, force: true });
        },
    };
}
