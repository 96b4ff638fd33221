#!/usr/bin/env node
// The kubelet's static-pod role on the control-plane node: runs every manifest in /etc/kubernetes/manifests
// (kube-apiserver, kube-controller-manager, kube-scheduler). Runs inside that node's network and mount
// namespaces. Every second it reads the manifests; when the pod a file describes changes, its container is
// stopped and the new one started with the manifest's command and hostPath volumes. A manifest that does not
// parse leaves its pod down; a container that exits is restarted with kubelet's back-off. Each pod's state
// goes to <state-dir>/<name>.json for `sandbox status`, its output to <log-dir>/<name>.log.
//
//   node static-pod-supervisor.js --manifest-dir <dir> --state-dir <dir> --log-dir <dir>
"use strict";

const fs = require("fs");
const path = require("path");
const crypto = require("crypto");
const { spawn } = require("child_process");
// The repo's own dependency; resolved from the repo root so the script runs from any working directory.
const YAML = require(require.resolve("yaml", { paths: [path.join(__dirname, "..", "..")] }));

const POLL_MS = 1000;
// Grace between SIGTERM and SIGKILL when a pod is stopped, unless its manifest sets
// terminationGracePeriodSeconds. kubelet's default is 30 s, but kube-apiserver stops listening at once and
// then waits up to 60 s for open watches before it exits: a shorter grace only shortens the downtime.
const DEFAULT_STOP_GRACE_MS = 5000;
const BACKOFF_FIRST_MS = 10000; // kubelet: 10 s doubling to 5 min, reset after 10 min of running
const BACKOFF_MAX_MS = 300000;
const BACKOFF_RESET_MS = 600000;
const LOG_TAIL_LINES = 20;
// hostPaths the sandbox may create: the node's own /etc (an overlay that `down` throws away). Anything
// else would be the machine's real filesystem.
const CREATABLE_ROOT = "/etc";
const HOST_PATH_TYPES = ["", "DirectoryOrCreate", "Directory", "FileOrCreate", "File", "Socket", "CharDevice", "BlockDevice"];

// ---- pure part: manifest -> what to run -------------------------------------------------------------------

/** Parses a static pod manifest into { command, env, mounts }; throws an Error that says what is wrong. */
function launchSpecFromManifest(text) {
  let pod;
  try {
    pod = YAML.parse(text);
  } catch (err) {
    throw new Error(`manifest does not parse: ${String(err.message).split("\n")[0]}`);
  }
  const fail = (where, why) => {
    throw new Error(`invalid static pod: ${where}: ${why}`);
  };
  if (pod === null || typeof pod !== "object" || Array.isArray(pod)) fail("(root)", "not a Pod object");
  if (pod.apiVersion !== "v1") fail("apiVersion", `must be "v1", got ${JSON.stringify(pod.apiVersion)}`);
  if (pod.kind !== "Pod") fail("kind", `must be "Pod", got ${JSON.stringify(pod.kind)}`);
  if (!pod.metadata || typeof pod.metadata.name !== "string" || pod.metadata.name === "") fail("metadata.name", "required");
  const spec = pod.spec;
  if (!spec || !Array.isArray(spec.containers) || spec.containers.length === 0) fail("spec.containers", "required");
  if (spec.containers.length !== 1) fail("spec.containers", "the sandbox runs exactly one container per static pod");
  const container = spec.containers[0];
  const at = "spec.containers[0]";

  const stringList = (value, where) => {
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value) || value.some((item) => typeof item !== "string")) fail(where, "must be a list of strings");
    return value;
  };
  const command = [...stringList(container.command, `${at}.command`), ...stringList(container.args, `${at}.args`)];
  if (command.length === 0) fail(`${at}.command`, "required (the sandbox has no image entrypoint)");

  const env = {};
  for (const [i, item] of (container.env || []).entries()) {
    if (!item || typeof item.name !== "string" || item.name === "") fail(`${at}.env[${i}].name`, "required");
    if (item.value !== undefined && typeof item.value !== "string") fail(`${at}.env[${i}].value`, "must be a string");
    env[item.name] = item.value || "";
  }

  const volumes = new Map();
  for (const [i, volume] of (spec.volumes || []).entries()) {
    const where = `spec.volumes[${i}]`;
    if (!volume || typeof volume.name !== "string" || volume.name === "") fail(`${where}.name`, "required");
    if (volumes.has(volume.name)) fail(`${where}.name`, `duplicate volume "${volume.name}"`);
    if (!volume.hostPath) fail(where, `volume "${volume.name}": the sandbox supports hostPath volumes only`);
    const hostPath = volume.hostPath.path;
    if (typeof hostPath !== "string" || !path.isAbsolute(hostPath)) fail(`${where}.hostPath.path`, "must be an absolute path");
    const type = volume.hostPath.type === undefined ? "" : volume.hostPath.type;
    if (!HOST_PATH_TYPES.includes(type)) fail(`${where}.hostPath.type`, `unsupported value ${JSON.stringify(type)}`);
    volumes.set(volume.name, { hostPath: path.normalize(hostPath), type });
  }

  const mounts = [];
  for (const [i, mount] of (container.volumeMounts || []).entries()) {
    const where = `${at}.volumeMounts[${i}]`;
    if (!mount || !volumes.has(mount.name)) fail(`${where}.name`, `not found: ${JSON.stringify(mount && mount.name)}`);
    if (typeof mount.mountPath !== "string" || !path.isAbsolute(mount.mountPath)) fail(`${where}.mountPath`, "must be an absolute path");
    if (mount.readOnly !== undefined && typeof mount.readOnly !== "boolean") fail(`${where}.readOnly`, "must be a boolean");
    mounts.push({ name: mount.name, ...volumes.get(mount.name), mountPath: path.normalize(mount.mountPath), readOnly: mount.readOnly === true });
  }
  // Parents before children, as a container runtime mounts them.
  mounts.sort((a, b) => a.mountPath.split("/").length - b.mountPath.split("/").length);

  const grace = spec.terminationGracePeriodSeconds;
  if (grace !== undefined && (!Number.isInteger(grace) || grace < 0)) fail("spec.terminationGracePeriodSeconds", "must be a non-negative integer");
  const stopGraceMs = grace === undefined ? DEFAULT_STOP_GRACE_MS : grace * 1000;

  return { podName: pod.metadata.name, identity: sha256(JSON.stringify(pod)), command, env, mounts, stopGraceMs };
}

function isUnder(p, root) {
  return p === root || p.startsWith(root + "/");
}

function shellQuote(s) {
  return "'" + String(s).replace(/'/g, "'\\''") + "'";
}

/**
 * The shell script that turns a fresh mount namespace into the container's view and execs the command:
 * the node's /etc is replaced by an empty tmpfs (as an image's own /etc would hide it), then each volume is
 * bind-mounted at its mountPath, read-only where asked. Outside /etc the node's filesystem shows through.
 */
function containerScript(spec, stageDir, executable) {
  const src = (hostPath) => (isUnder(hostPath, CREATABLE_ROOT) ? stageDir + hostPath.slice(CREATABLE_ROOT.length) : hostPath);
  const lines = [
    "set -e",
    `mount --bind /etc ${shellQuote(stageDir)}`,
    "mount -t tmpfs -o mode=0755 container-etc /etc",
    // What a runtime injects into every hostNetwork container.
    `cp ${shellQuote(stageDir + "/hosts")} /etc/hosts`,
    `[ ! -e ${shellQuote(stageDir + "/resolv.conf")} ] || cp ${shellQuote(stageDir + "/resolv.conf")} /etc/resolv.conf`,
  ];
  for (const m of spec.mounts) {
    const isFile = ["File", "FileOrCreate", "Socket", "CharDevice", "BlockDevice"].includes(m.type) ||
      (m.type === "" && fs.existsSync(m.hostPath) && !fs.statSync(m.hostPath).isDirectory());
    const dst = shellQuote(m.mountPath);
    if (isUnder(m.mountPath, CREATABLE_ROOT)) {
      lines.push(isFile ? `mkdir -p "$(dirname ${dst})" && touch ${dst}` : `mkdir -p ${dst}`);
    }
    lines.push(`mount --bind ${shellQuote(src(m.hostPath))} ${dst}`);
    if (m.readOnly) lines.push(`mount -o remount,bind,ro ${dst}`);
  }
  lines.push(`umount ${shellQuote(stageDir)}`);
  lines.push(`exec ${[executable, ...spec.command.slice(1)].map(shellQuote).join(" ")}`);
  return lines.join("\n") + "\n";
}

// ---- effects ----------------------------------------------------------------------------------------------

function sha256(text) {
  return crypto.createHash("sha256").update(text).digest("hex");
}

function oneLine(message) {
  return String(message).split("\n").filter(Boolean).join(" | ");
}

/** kubelet's hostPath type checks, plus creating what *OrCreate asks for (only under the node's /etc). */
function prepareHostPaths(mounts) {
  for (const m of mounts) {
    let stat = null;
    try {
      stat = fs.statSync(m.hostPath);
    } catch {
      // missing: handled below
    }
    const wantDir = m.type === "Directory" || m.type === "DirectoryOrCreate" || m.type === "";
    if (!stat) {
      if (m.type === "Directory" || m.type === "File" || !["", "DirectoryOrCreate", "FileOrCreate"].includes(m.type)) {
        throw new Error(`hostPath type check failed: ${m.hostPath} is not a ${m.type || "path"} (volume "${m.name}")`);
      }
      if (!isUnder(m.hostPath, CREATABLE_ROOT)) {
        throw new Error(`hostPath ${m.hostPath} (volume "${m.name}") does not exist and the sandbox creates hostPaths only under ${CREATABLE_ROOT}`);
      }
      if (wantDir) fs.mkdirSync(m.hostPath, { recursive: true, mode: 0o755 });
      else {
        fs.mkdirSync(path.dirname(m.hostPath), { recursive: true, mode: 0o755 });
        fs.writeFileSync(m.hostPath, "", { mode: 0o644 });
      }
      continue;
    }
    if ((m.type === "Directory" || m.type === "DirectoryOrCreate") && !stat.isDirectory()) {
      throw new Error(`hostPath type check failed: ${m.hostPath} is not a directory (volume "${m.name}")`);
    }
    if ((m.type === "File" || m.type === "FileOrCreate") && !stat.isFile()) {
      throw new Error(`hostPath type check failed: ${m.hostPath} is not a file (volume "${m.name}")`);
    }
    if (!isUnder(m.mountPath, CREATABLE_ROOT) && !fs.existsSync(m.mountPath)) {
      throw new Error(`mountPath ${m.mountPath} (volume "${m.name}") does not exist on the node; outside ${CREATABLE_ROOT} the sandbox mounts only onto existing paths`);
    }
  }
}

function resolveExecutable(name) {
  if (name.includes("/")) return name;
  for (const dir of (process.env.PATH || "").split(":")) {
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // try the next PATH entry
    }
  }
  return name; // the shell's exec then fails with "not found", which the log tail shows
}

function tailOf(file, lines) {
  try {
    const fd = fs.openSync(file, "r");
    const size = fs.fstatSync(fd).size;
    const length = Math.min(size, 64 * 1024);
    const buffer = Buffer.alloc(length);
    fs.readSync(fd, buffer, 0, length, size - length);
    fs.closeSync(fd);
    return buffer.toString("utf8").split("\n").filter(Boolean).slice(-lines);
  } catch {
    return [];
  }
}

function signalGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is already gone
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function parseArgs(argv) {
  const options = {};
  for (let i = 0; i < argv.length; i += 2) {
    if (!argv[i].startsWith("--") || argv[i + 1] === undefined) throw new Error(`bad argument ${argv[i]}`);
    options[argv[i].slice(2)] = argv[i + 1];
  }
  for (const key of ["manifest-dir", "state-dir", "log-dir"]) if (!options[key]) throw new Error(`--${key} is required`);
  return options;
}

function log(message) {
  process.stdout.write(`${new Date().toISOString()} ${message}\n`);
}

/** One manifest file and the container it describes, with kubelet's restart policy (Always, with back-off). */
class StaticPod {
  constructor(file, stateDir, logDir) {
    this.file = file;
    this.name = path.basename(file).replace(/\.(ya?ml|json)$/, "");
    this.statusFile = path.join(stateDir, `${this.name}.json`);
    this.logFile = path.join(logDir, `${this.name}.log`);
    this.stageDir = path.join(stateDir, `${this.name}.node-etc`);
    this.containerScriptFile = path.join(stateDir, `${this.name}.container.sh`);
    fs.mkdirSync(this.stageDir, { recursive: true });
    this.appliedKey = null; // identity of the manifest content last acted on
    this.spec = null; // its launch spec, when it parsed
    this.container = null; // { child, pid, startedAt, exit: null | { code, signal, at, error? } }
    this.restarts = 0;
    this.backoffMs = BACKOFF_FIRST_MS;
    this.restartAt = null;
  }

  writeStatus(fields) {
    const status = { name: this.name, manifest: this.file, supervisorPid: process.pid, restarts: this.restarts, ...fields, updatedAt: new Date().toISOString() };
    fs.writeFileSync(this.statusFile + ".tmp", JSON.stringify(status, null, 2) + "\n");
    fs.renameSync(this.statusFile + ".tmp", this.statusFile);
  }

  readDesired() {
    let text;
    try {
      text = fs.readFileSync(this.file, "utf8");
    } catch (err) {
      if (err.code === "ENOENT") return { key: "missing", error: `manifest ${this.file} does not exist`, state: "ManifestMissing" };
      return { key: `unreadable:${err.code}`, error: `manifest ${this.file} cannot be read: ${err.message}`, state: "ManifestInvalid" };
    }
    try {
      const spec = launchSpecFromManifest(text);
      return { key: spec.identity, spec };
    } catch (err) {
      return { key: "invalid:" + sha256(text), error: err.message, state: "ManifestInvalid" };
    }
  }

  /** One step: follow a manifest change, or restart an exited container once its back-off is over. */
  async sync() {
    const desired = this.readDesired();
    if (desired.key !== this.appliedKey) {
      if (this.appliedKey !== null) log(`${this.name}: manifest changed`);
      await this.stop();
      this.appliedKey = desired.key;
      this.backoffMs = BACKOFF_FIRST_MS;
      this.restarts = 0;
      this.spec = desired.spec || null;
      if (this.spec) {
        this.start();
      } else {
        log(`${this.name}: not running: ${desired.error}`);
        this.writeStatus({ state: desired.state, error: desired.error });
      }
    } else if (this.container && this.container.exit) {
      this.handleExit();
    }
  }

  start() {
    const spec = this.spec;
    this.restartAt = null;
    try {
      prepareHostPaths(spec.mounts);
    } catch (err) {
      log(`${this.name}: cannot start: ${err.message}`);
      this.container = { child: null, pid: null, startedAt: new Date(), exit: { code: null, signal: null, at: new Date(), error: err.message } };
      return;
    }
    if (fs.existsSync(this.logFile)) fs.renameSync(this.logFile, this.logFile.replace(/\.log$/, "") + ".previous.log");
    fs.writeFileSync(this.containerScriptFile, containerScript(spec, this.stageDir, resolveExecutable(spec.command[0])), { mode: 0o700 });
    const logFd = fs.openSync(this.logFile, "a");
    const env = { PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", ...spec.env };
    // unshare and sh both exec, so the child's pid ends up being the container command's. Its own process
    // group stands in for the container's cgroup: stopping the container signals the whole group.
    const child = spawn("unshare", ["--mount", "--propagation", "private", "--", "/bin/sh", this.containerScriptFile], {
      stdio: ["ignore", logFd, logFd],
      env,
      cwd: "/",
      detached: true,
    });
    fs.closeSync(logFd);
    const container = { child, pid: child.pid, startedAt: new Date(), exit: null, stopGraceMs: spec.stopGraceMs };
    child.on("exit", (code, signal) => {
      container.exit = { code, signal, at: new Date() };
    });
    child.on("error", (err) => {
      container.exit = { code: null, signal: null, at: new Date(), error: err.message };
    });
    this.container = container;
    log(`${this.name}: started pid ${child.pid} (manifest ${spec.identity.slice(0, 12)})`);
    this.writeStatus({ state: "Running", pid: child.pid, startedAt: container.startedAt.toISOString(), command: spec.command, manifestHash: spec.identity });
  }

  async stop() {
    const container = this.container;
    this.container = null;
    if (!container || container.exit || !container.child) return;
    log(`${this.name}: stopping pid ${container.pid}`);
    signalGroup(container.pid, "SIGTERM");
    const deadline = Date.now() + container.stopGraceMs;
    while (!container.exit && Date.now() < deadline) await sleep(100);
    // Whatever is left of the group (the main process, or children it left behind) is killed outright.
    signalGroup(container.pid, "SIGKILL");
    for (let i = 0; i < 50 && !container.exit; i++) await sleep(100);
  }

  /** A container that exited on its own: report it, then restart it after the back-off. */
  handleExit() {
    const { exit, startedAt, pid } = this.container;
    const now = Date.now();
    if (this.restartAt === null) {
      if (pid) signalGroup(pid, "SIGKILL"); // the container is gone as a whole
      if (exit.at - startedAt >= BACKOFF_RESET_MS) this.backoffMs = BACKOFF_FIRST_MS;
      this.restartAt = now + this.backoffMs;
      const why = exit.error ? exit.error : exit.signal ? `killed by ${exit.signal}` : `exited with code ${exit.code}`;
      log(`${this.name}: ${why}; restarting in ${this.backoffMs / 1000} s`);
      this.writeStatus({
        state: "CrashLoopBackOff",
        error: `${this.name} ${why}`,
        lastExit: { code: exit.code, signal: exit.signal, at: exit.at.toISOString(), logTail: exit.error ? [] : tailOf(this.logFile, LOG_TAIL_LINES) },
        nextRestartAt: new Date(this.restartAt).toISOString(),
        command: this.spec.command,
        manifestHash: this.spec.identity,
      });
      this.backoffMs = Math.min(this.backoffMs * 2, BACKOFF_MAX_MS);
    } else if (now >= this.restartAt) {
      this.restarts += 1;
      this.start();
    }
  }
}

/** kubelet's file source: every file in the manifest directory whose name does not start with a dot. */
function manifestFiles(dir) {
  try {
    return fs.readdirSync(dir, { withFileTypes: true })
      .filter((entry) => !entry.name.startsWith(".") && entry.isFile())
      .map((entry) => path.join(dir, entry.name));
  } catch {
    return []; // no directory: no static pods
  }
}

async function main(options) {
  let stopping = false;
  for (const signal of ["SIGTERM", "SIGINT"]) process.on(signal, () => (stopping = true));
  const pods = new Map();
  log(`watching ${options["manifest-dir"]}`);
  while (!stopping) {
    const files = manifestFiles(options["manifest-dir"]);
    for (const file of files) {
      if (!pods.has(file)) pods.set(file, new StaticPod(file, options["state-dir"], options["log-dir"]));
    }
    for (const [file, pod] of pods) {
      if (files.includes(file)) {
        await pod.sync();
      } else {
        // The file went away: so does its pod, as kubelet deletes a static pod whose manifest is removed.
        log(`${pod.name}: manifest removed`);
        await pod.stop();
        fs.rmSync(pod.statusFile, { force: true });
        pods.delete(file);
      }
    }
    await sleep(POLL_MS);
  }
  await Promise.all([...pods.values()].map(async (pod) => {
    await pod.stop();
    pod.writeStatus({ state: "Stopped" });
  }));
  log("stopped");
}

if (require.main === module) {
  main(parseArgs(process.argv.slice(2))).then(
    () => process.exit(0),
    (err) => {
      process.stderr.write(`supervisor failed: ${err.stack || err}\n`);
      process.exit(1);
    },
  );
}

module.exports = { launchSpecFromManifest, containerScript, shellQuote };
