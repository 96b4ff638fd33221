// A killed update (issue 17): `pulumi up` of the dev stack, with the policy pack, gets SIGKILL right after the
// apiserver took the static-token patch, as when a CI runner cancels the job. Then, checked from outside:
// within 30 s no process of that run is left; the recovery the README gives (cancel the lock, refresh with
// --clear-pending-creates, up) converges to a stack whose second up changes nothing and whose token user works;
// the apiserver stayed ready throughout; destroy restores the manifest byte for byte.
import { ChildProcess, spawn } from "child_process";
import { createHash, randomBytes } from "crypto";
import * as path from "path";
import * as YAML from "yaml";
import { createDevStack, kubeconfigFile, timed } from "./support/devStack";
import { isRunning, ProcessInfo, processesWithEnv } from "./support/processes";
import { TestStack } from "./support/pulumiStack";
import { monitorReadyz, ReadyzMonitor } from "./support/readyz";
import { ensureSandboxUp, kubectl, nodeNamed, runningFlags, SandboxDescription, ssh, sshAsync } from "./support/sandbox";
import { repoRoot } from "./support/toolchainEnv";
import { waitFor } from "./support/waitFor";

jest.setTimeout(45 * 60_000);

/** Every process the killed run starts inherits this variable: that is how its processes are found. */
const runMarker = "KUBE_BASELINE_E2E_RUN";
const runId = randomBytes(8).toString("hex");
const exitBoundMs = 30_000;
const pack = path.join(repoRoot, "policies");
const devPackConfig = path.join(pack, "config/dev.json");
const stackName = `killed${process.pid}`;

let desc: SandboxDescription;
let dev: TestStack | undefined;
let destroyed = false;
let readyz: ReadyzMonitor | undefined;
let manifestBefore: string;
const timings: Record<string, number> = {};

function controlPlane() { return nodeNamed(desc, "kb-cp1"); }
function manifestHash(): string {
    return createHash("sha256").update(ssh(controlPlane(), `cat ${desc.apiServerManifestPath}`)).digest("hex");
}

/** The environment the Automation API gives pulumi for this stack (toolchain PATH, backend, passphrase). */
function stackEnv(): NodeJS.ProcessEnv {
    return { ...process.env, ...dev!.stack.workspace.envVars };
}

interface Finished { code: number | null; output: string }

function collect(child: ChildProcess, into: string[]): Promise<Finished> {
    child.stdout?.on("data", chunk => into.push(String(chunk)));
    child.stderr?.on("data", chunk => into.push(String(chunk)));
    return new Promise(resolve => child.on("close", code => resolve({ code, output: into.join("") })));
}

/** One pulumi command on this stack, as a user types it (`npm run pulumi -- <args>`), without blocking the tests. */
function pulumi(args: string[]): Promise<Finished> {
    const child = spawn("pulumi", [...args, "--stack", stackName, "--non-interactive"],
        { cwd: repoRoot, env: stackEnv(), stdio: ["ignore", "pipe", "pipe"] });
    const output: string[] = [];
    return collect(child, output).then(done => {
        dev!.log.push(done.output);
        return done;
    });
}

async function pendingOperations(): Promise<Array<{ type: string; resource: { urn: string } }>> {
    const state = await dev!.stack.exportStack();
    return (state.deployment as { pending_operations?: Array<{ type: string; resource: { urn: string } }> })
        .pending_operations ?? [];
}

function label(p: ProcessInfo): string { return `${p.name}[${p.pid}]`; }

beforeAll(async () => {
    desc = ensureSandboxUp();
    // One kube-baseline stack per cluster: a manifest that already has the token file belongs to another one.
    expect(ssh(controlPlane(), `cat ${desc.apiServerManifestPath}`)).not.toContain("--token-auth-file");
    manifestBefore = manifestHash();
    dev = await createDevStack(stackName);
});

afterAll(async () => {
    await readyz?.stop();
    // What a failed run may have left: its processes, its lock, then the stack.
    for (const p of processesWithEnv(runMarker, runId)) {
        try {
            process.kill(p.pid, "SIGKILL");
        } catch {
            // already gone
        }
    }
    if (dev) {
        try {
            if (!destroyed) {
                await pulumi(["cancel", "--yes"]);
                await dev.stack.destroy({ onOutput: line => dev!.log.push(line) });
            }
        } finally {
            await dev.dispose();
        }
    }
    console.log(`killed-update e2e timings (s): ${JSON.stringify(timings)}`);
});

test("a SIGKILLed up leaves no process behind, the documented recovery converges, the apiserver stays ready", async () => {
    readyz = monitorReadyz(desc);

    // The update as a CI job runs it: a process group of its own, which is what the runner kills.
    const started = Date.now();
    const up = spawn("pulumi", ["up", "--yes", "--skip-preview", "--non-interactive", "--stack", stackName,
        "--policy-pack", pack, "--policy-pack-config", devPackConfig],
    { cwd: repoRoot, env: { ...stackEnv(), [runMarker]: runId }, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    const upOutput: string[] = [];
    let upEnded: Finished | undefined;
    void collect(up, upOutput).then(done => { upEnded = done; });

    // Mid-update: the patched manifest is in place and the apiserver restarts with the token file, while the
    // update still waits for it to accept the tokens.
    await waitFor("the static-token patch in the control plane's manifest", 25 * 60_000, async () => {
        if (upEnded) throw new Error(`pulumi up ended (exit ${upEnded.code}) before the static-token patch:\n${upEnded.output.slice(-4000)}`);
        try {
            const manifest = await sshAsync(controlPlane(), `cat ${desc.apiServerManifestPath}`);
            return { ok: manifest.includes("--token-auth-file"), seen: "the manifest has no --token-auth-file yet" };
        } catch (err) {
            return { ok: false, seen: `ssh: ${String(err)}` };
        }
    }, 500);
    timings.upToPatch = (Date.now() - started) / 1000;

    const before = processesWithEnv(runMarker, runId);
    const names = before.map(p => p.name);
    console.log(`processes of the run before the kill: ${before.map(label).join(", ")}`);
    // The run is really mid-update: the CLI, the language host (shim and upstream), the program, providers and
    // the policy pack are all there.
    expect(names).toEqual(expect.arrayContaining(["pulumi", "pulumi-language-nodejs", "pulumi-language-nodejs-upstream"]));
    expect(names.some(n => n.startsWith("pulumi-resource-"))).toBe(true);
    expect(names.some(n => n.startsWith("node run-policy-pack"))).toBe(true);

    const killedAt = Date.now();
    process.kill(-up.pid!, "SIGKILL");

    // Within 30 s nothing of the run is left; note when each process went.
    const exitSeconds: Record<string, number> = {};
    await waitFor("every process of the killed run to exit", exitBoundMs, () => {
        for (const p of before) {
            if (exitSeconds[label(p)] === undefined && !isRunning(p.pid)) exitSeconds[label(p)] = (Date.now() - killedAt) / 1000;
        }
        const left = processesWithEnv(runMarker, runId).filter(p => isRunning(p.pid));
        return { ok: left.length === 0, seen: left.map(label).join(", ") };
    }, 100);
    console.log(`seconds from the SIGKILL to each process's exit: ${JSON.stringify(exitSeconds, null, 2)}`);

    // The apiserver comes back from the patch's own restart (bounded by staticTokens.readyTimeoutSeconds) and
    // must stay ready from then on, through the recovery. The restart is the patched apiserver's start: the
    // manifest may be in place while the old process still answers, until the kubelet replaces it.
    expect(readyz.samples[0]?.ready).toBe(true);
    await waitFor("the apiserver to run with the token file", 5 * 60_000, () => {
        try {
            const flags = runningFlags("kube-apiserver");
            return { ok: flags.some(f => f.startsWith("--token-auth-file=")), seen: flags.join(" ") || "no kube-apiserver process" };
        } catch (err) {
            return { ok: false, seen: String(err) };
        }
    }, 200);
    const patchedRunningAt = Date.now();
    await waitFor("the patched apiserver to be ready", 5 * 60_000, () => {
        const last = readyz!.samples[readyz!.samples.length - 1];
        return { ok: last !== undefined && last.at > patchedRunningAt && last.ready, seen: last?.detail ?? "no probe yet" };
    });
    const readyAgainAt = readyz.samples.filter(s => s.at > patchedRunningAt && s.ready)[0].at;
    timings.killToReady = (readyAgainAt - killedAt) / 1000;

    // The recovery, step by step as the README's troubleshooting section gives it.
    // 1. The killed run's lock stops the next update, naming the killed process.
    const locked = await pulumi(["up", "--yes", "--skip-preview"]);
    expect(locked.code).not.toBe(0);
    expect(locked.output).toContain("the stack is currently locked by 1 lock(s)");
    expect(locked.output).toContain(`(pid ${up.pid})`);
    const cancel = await pulumi(["cancel", "--yes"]);
    expect(cancel.code).toBe(0);

    // 2. The operations that were in flight are pending; refresh drops the interrupted creates.
    const pending = await pendingOperations();
    console.log(`pending operations after the kill: ${pending.map(op => `${op.type} ${op.resource.urn}`).join(", ")}`);
    expect(pending.length).toBeGreaterThan(0);
    const refresh = await timed(() => pulumi(["refresh", "--yes", "--skip-preview", "--clear-pending-creates"]));
    timings.refresh = refresh.seconds;
    expect(refresh.result.code).toBe(0);
    expect(await pendingOperations()).toEqual([]);

    // 3. up converges, and a second up changes nothing.
    const recovered = await timed(() => pulumi(["up", "--yes", "--skip-preview"]));
    timings.recoveryUp = recovered.seconds;
    expect(recovered.result.code).toBe(0);
    const again = await dev!.stack.up({ onOutput: line => dev!.log.push(line) });
    // "read" is a lookup of a live object (the kube-proxy ConfigMap), not a change.
    expect(Object.keys(again.summary.resourceChanges ?? {}).filter(k => k !== "same" && k !== "read")).toEqual([]);

    await readyz.stop();
    const notReady = readyz.samples.filter(s => s.at >= readyAgainAt && !s.ready);
    expect(notReady.map(s => `${new Date(s.at).toISOString()} ${s.detail}`)).toEqual([]);

    // The token user authenticates through the patched apiserver.
    const kubeconfigs = (await dev!.stack.outputs()).userKubeconfigs.value as Record<string, string>;
    const wang = kubeconfigFile(kubeconfigs.wang);
    try {
        expect(YAML.parse(kubeconfigs.wang).users[0].user.token).toBeDefined();
        expect(kubectl(["auth", "whoami", "-o", "jsonpath={.status.userInfo.username}"], wang.path)).toBe("wang");
    } finally {
        wang.remove();
    }

    const destroy = await dev!.stack.destroy({ onOutput: line => dev!.log.push(line) });
    destroyed = true;
    expect(destroy.summary.result).toBe("succeeded");
    expect(manifestHash()).toBe(manifestBefore);
});
