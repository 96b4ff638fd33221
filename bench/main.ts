// npm run bench (bench/bench.sh starts the bench's own sandbox, then this): for every scale and repeat, on a
// fresh stack with a throw-away backend, times preview, preview with the policy pack, up, a no-op up and destroy,
// samples the memory and CPU of the pulumi process tree, and, for the namespace series, times
// `kubectl apply --server-side` of the same Kubernetes objects as the floor. Writes bench/RESULTS.md (and .json).
//
// Environment: BENCH_SCALES (e.g. "ns:1,ns:200,nodes:50"; default all), BENCH_REPEATS (default 3),
// BENCH_PARALLEL (pulumi --parallel; default pulumi's, and for the node series npm run stacks's one per node),
// BENCH_OUT (default bench/RESULTS.md), BENCH_KEEP_WORK=1 (keep the event logs, states and object files),
// BENCH_PROFILE_ENGINE=1 (Go profiles of the engine, with KEEP_WORK).
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { createTestStack, TestStack } from "../test/e2e/support/pulumiStack";
import { readDescription, SandboxDescription, sandboxDir } from "../test/e2e/support/sandbox";
import { repoRoot, toolchainPath } from "../test/e2e/support/toolchainEnv";
import { stackParallel } from "../lib/stacks/parallel";
import { CommandResult, quitsAtOnce, REPEATED_SIGNAL_MS, runCommand, terminateRunning } from "./command";
import { changesOf, profileOperation } from "./engineEvents";
import { KubeObject, kubeObjectsFromExport, orderForApply, toYamlDocuments } from "./kubeObjects";
import { machineBusySeconds, processCpuSeconds } from "./procTree";
import { OperationDetail, renderReport } from "./report";
import { namespaceSeriesConfig, nodeSeriesConfig, splitSeriesStacks, stackFileText, toConfigValues, waitNodesConfig } from "./scaleConfig";
import { profileState, StateProfile } from "./stateProfile";
import { parseRepeats, parseScales, Scale, scaleLabel } from "./scales";
import { Measure, RunRecord, summarizeRuns } from "./stats";

const PACK = path.join(repoRoot, "policies");
/** The program the series deploys: kube-baseline itself, or the waiting-node program. */
const projectDirOf = (scale: Scale) => (scale.series === "waitnodes" ? path.join(repoRoot, "bench/programs/waitNodes") : repoRoot);
const PACK_CONFIG = path.join(PACK, "config/dev.json");
const MANAGED_BY = "app.kubernetes.io/managed-by=kube-baseline";
const MiB = 1024 * 1024;

class Interrupted extends Error {}

interface Context {
    desc: SandboxDescription;
    workDir: string;
    credentials: { adminKubeconfig: string; sshPrivateKey: string };
    parallel?: string;
    interrupted: boolean;
    interruptedAt: number;
    /** Stack files a split run wrote into the project directory: removed even when the bench quits at once. */
    stackFiles: Set<string>;
}

/**
 * Generous bounds: a bench run must end even when something hangs. The engine writes the whole state after
 * every step, so an update of N namespaces costs about N squared (ns:200 took some 20 minutes here).
 */
function pulumiTimeoutMs(scale: Scale): number {
    if (scale.series === "split") {
        // Tenant stacks of perStack namespaces, atOnce at a time (each like ns:<perStack>), and the baseline.
        const rounds = Math.ceil(Math.ceil(scale.size / scale.perStack!) / scale.atOnce!);
        return (300 + rounds * (120 + 0.06 * scale.perStack! ** 2)) * 1000;
    }
    return (scale.series === "ns" ? 600 + 0.06 * scale.size ** 2 : 300 + 10 * scale.size) * 1000;
}
const kubectlTimeoutMs = (objects: number) => (120 + 2 * objects) * 1000;

const toolEnv = (): NodeJS.ProcessEnv => ({ ...process.env, PATH: toolchainPath() });

/** CPU seconds the sandbox's kube-apiserver and etcd have used so far. */
function clusterCpuSeconds(): number | undefined {
    try {
        const apiserver = JSON.parse(fs.readFileSync(path.join(sandboxDir, "static-pods/kube-apiserver.json"), "utf8")).pid as number;
        const etcd = Number(fs.readFileSync(path.join(sandboxDir, "pids/etcd.pid"), "utf8").trim());
        const a = processCpuSeconds(apiserver);
        const e = processCpuSeconds(etcd);
        return a === undefined || e === undefined ? undefined : a + e;
    } catch {
        return undefined;
    }
}

/** Why a command failed, in a few lines: its error diagnostics, else the end of its output. */
function failure(what: string, r: CommandResult, errors: string[] = []): string {
    if (r.timedOut) return `${what} timed out after ${r.seconds.toFixed(0)} s`;
    const text = errors.length > 0 ? errors.join("\n") : `${r.stderr}\n${r.stdout}`;
    const lines = text.split("\n").map(l => l.trimEnd()).filter(l => l.trim() !== "");
    return `${what} exited with ${r.code ?? r.signal}: ${lines.slice(-12).join("\n    ")}`;
}

/** Runs one measured command; its detail goes to `details` also when it fails (the profile says why). */
async function timedOperation(
    ctx: Context, details: OperationDetail[], detailOp: string, cwd: string, command: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number,
    eventLog?: string,
): Promise<{ result: CommandResult; detail: OperationDetail }> {
    if (ctx.interrupted) throw new Interrupted("interrupted");
    const cpuBefore = clusterCpuSeconds();
    const machineBefore = machineBusySeconds();
    const result = await runCommand(command, eventLog ? [...args, "--event-log", eventLog] : args, { cwd, env, timeoutMs, eventLog });
    const cpuAfter = clusterCpuSeconds();
    const machineAfter = machineBusySeconds();
    if (ctx.interrupted) throw new Interrupted("interrupted");
    const profile = profileOperation(result.events, result.seconds);
    const detail: OperationDetail = {
        op: detailOp,
        seconds: result.seconds,
        peakMiB: result.usage.peakRssBytes / MiB,
        peakPulumiTreeMiB: result.usage.peakPulumiTreeRssBytes / MiB,
        peakMiBByRole: Object.fromEntries(Object.entries(result.usage.peakRssBytesByRole).map(([role, bytes]) => [role, bytes / MiB])),
        cpuSecondsByRole: result.usage.cpuSecondsByRole,
        clusterCpuSeconds: cpuBefore !== undefined && cpuAfter !== undefined ? cpuAfter - cpuBefore : undefined,
        machineCpuSeconds: machineBefore !== undefined && machineAfter !== undefined ? machineAfter - machineBefore : undefined,
        profile,
    };
    details.push(detail);
    if (result.code !== 0) {
        const errors = [...profile.errors, ...profile.mandatoryPolicyViolations.map(v => `mandatory policy violation ${v}`)];
        throw new Error(failure(`${detailOp} (${command} ${args.slice(0, 3).join(" ")})`, result, errors));
    }
    return { result, detail };
}

async function runOnce(ctx: Context, scale: Scale, repeat: number): Promise<{ record: RunRecord; details: OperationDetail[]; stateProfile?: StateProfile }> {
    const record: RunRecord = { scale, repeat, values: {} };
    const details: OperationDetail[] = [];
    const config = scale.series === "ns" ? namespaceSeriesConfig(scale.size)
        : scale.series === "nodes" ? nodeSeriesConfig(scale.size, ctx.desc, ctx.credentials)
            : waitNodesConfig(scale.size, ctx.desc, ctx.credentials);
    const projectDir = projectDirOf(scale);
    const stackName = `bench-${scale.series}${scale.size}-r${repeat}-${process.pid}`;
    const runDir = fs.mkdtempSync(path.join(ctx.workDir, `${scale.series}${scale.size}-r${repeat}-`));
    const kubeconfig = ctx.desc.kubeconfigPath;
    let stack: TestStack | undefined;
    let deployed = false;
    let objectsApplied = false;
    let step = 0;
    let stateProfile: StateProfile | undefined;

    const atOnce = parallelOf(ctx, scale);
    const pulumi = async (measure: Measure, op: string, args: string[], env: NodeJS.ProcessEnv) => {
        const parallel = atOnce && ["preview", "up", "destroy"].includes(args[0]) ? ["--parallel", atOnce] : [];
        const file = path.join(runDir, `${++step}-${measure}`);
        // Go CPU and memory profiles of the engine, for `go tool pprof` (kept with BENCH_KEEP_WORK=1).
        const profiling = process.env.BENCH_PROFILE_ENGINE === "1" ? ["--profiling", file] : [];
        const { result, detail } = await timedOperation(ctx, details, op, projectDir, "pulumi",
            [...args, "--stack", stackName, "--non-interactive", "--color", "never", ...parallel, ...profiling], env, pulumiTimeoutMs(scale),
            `${file}.events.jsonl`);
        record.values[measure] = result.seconds;
        return detail;
    };
    const kubectl = async (measure: Measure | undefined, op: string, args: string[], objects: number) => {
        const { result } = await timedOperation(ctx, details, op, repoRoot, "kubectl",
            ["--kubeconfig", kubeconfig, "--request-timeout=60s", ...args], toolEnv(), kubectlTimeoutMs(objects));
        if (measure) record.values[measure] = result.seconds;
        return result;
    };

    try {
        stack = await createTestStack(projectDir, stackName, toConfigValues(config));
        // PULUMI_DEBUG_COMMANDS enables --event-log, as the Automation API does.
        const env: NodeJS.ProcessEnv = { ...process.env, ...stack.stack.workspace.envVars, PULUMI_DEBUG_COMMANDS: "true" };

        // Alternate which preview goes first, so neither always meets the colder caches.
        const previews: Array<[Measure, string, string[]]> = [
            ["preview", "preview", ["preview"]],
            ["previewPack", "preview+pack", ["preview", "--policy-pack", PACK, "--policy-pack-config", PACK_CONFIG]],
        ];
        if (repeat % 2 === 0) previews.reverse();
        for (const [measure, op, args] of previews) await pulumi(measure, op, args, env);

        deployed = true;
        await pulumi("up", "up", ["up", "--yes", "--skip-preview"], env);
        const noop = await pulumi("noop", "no-op up", ["up", "--yes", "--skip-preview"], env);
        record.noopChanges = changesOf(noop.profile.resourceChanges);

        const exported = await runCommand("pulumi", ["stack", "export", "--stack", stackName], { cwd: projectDir, env, timeoutMs: 300_000, outputLimit: 1 << 30 });
        if (exported.code !== 0) throw new Error(failure("pulumi stack export", exported));
        const state = JSON.parse(exported.stdout) as { deployment?: { resources?: Array<{ dependencies?: unknown[] }> } };
        record.resources = state.deployment?.resources?.length;
        record.stateKiB = Buffer.byteLength(exported.stdout) / 1024;
        record.dependencies = (state.deployment?.resources ?? []).reduce((n, r) => n + (r.dependencies?.length ?? 0), 0);
        stateProfile = profileState(state);
        if (process.env.BENCH_KEEP_WORK === "1") fs.writeFileSync(path.join(runDir, "state.json"), exported.stdout);
        const objects = scale.series === "ns" ? orderForApply(kubeObjectsFromExport(state)) : [];

        await pulumi("destroy", "destroy", ["destroy", "--yes", "--skip-preview"], env);
        deployed = false;

        if (objects.length > 0) {
            objectsApplied = true;
            await kubectlFloor(runDir, objects, kubectl);
            objectsApplied = false;
        }
    } catch (err) {
        record.error = err instanceof Interrupted ? "interrupted" : (err as Error).message;
    } finally {
        await cleanUp(ctx, scale, projectDir, stackName, stack, deployed, objectsApplied);
    }
    recordPeak(record, details);
    return { record, details, stateProfile };
}

type KubectlStep = (measure: Measure, op: string, args: string[], objects: number) => Promise<unknown>;

/**
 * The kubectl floor of what a stack made: the same objects as one server-side apply on the cluster its destroy
 * emptied, the same apply again (nothing to do), then a delete in reverse order, as destroy does (bindings and
 * policies first, then the namespaces).
 */
async function kubectlFloor(runDir: string, objects: KubeObject[], kubectl: KubectlStep): Promise<void> {
    const objectsFile = path.join(runDir, "objects.yaml");
    fs.writeFileSync(objectsFile, toYamlDocuments(objects));
    const reversed = path.join(runDir, "objects-reversed.yaml");
    fs.writeFileSync(reversed, toYamlDocuments([...objects].reverse()));
    const apply = ["apply", "--server-side", "--field-manager=kube-baseline-bench", "-f", objectsFile];
    await kubectl("kubectlCreate", "kubectl create", apply, objects.length);
    await kubectl("kubectlNoop", "kubectl no-op", apply, objects.length);
    await kubectl("kubectlDelete", "kubectl delete",
        ["delete", "-f", reversed, "--ignore-not-found", "--wait=true", `--timeout=${Math.round(kubectlTimeoutMs(objects.length) / 1000)}s`], objects.length);
}

/**
 * The --parallel of a single-stack scale: BENCH_PARALLEL, else, for the node series, what `npm run stacks` gives a
 * stack whose cluster lists the scale's nodes (one per node above pulumi's default), else pulumi's default.
 */
function parallelOf(ctx: Context, scale: Scale): string | undefined {
    if (ctx.parallel !== undefined) return ctx.parallel;
    if (scale.series !== "nodes" && scale.series !== "waitnodes") return undefined;
    const { parallel } = stackParallel({ kind: "baseline", nodes: scale.size }, os.availableParallelism(), { pulumiParallelEnv: process.env.PULUMI_PARALLEL });
    return parallel?.toString();
}

/** The target's peak: of any one pulumi process tree (a single stack's whole tree; one of a split's stacks). */
function recordPeak(record: RunRecord, details: OperationDetail[]): void {
    const peaks = details.filter(d => !d.op.startsWith("kubectl")).map(d => d.peakPulumiTreeMiB ?? d.peakMiB);
    if (peaks.length > 0) record.values.peakMiB = Math.max(...peaks);
}

/**
 * A split scale: its baseline and tenant stacks as stack files in the project directory, run by the multi-stack
 * command (npm run stacks, precompiled by bench.sh) on a backend of their own, each operation timed as one command:
 * up, preview, preview with the pack, a no-op up and destroy, then the kubectl floor of all their objects together.
 * The previews come after the up: a tenant stack reads its baseline's registry, which exists once the baseline ran.
 */
async function runSplitOnce(ctx: Context, scale: Scale, repeat: number): Promise<{ record: RunRecord; details: OperationDetail[]; stateProfile?: StateProfile }> {
    const record: RunRecord = { scale, repeat, values: {} };
    const details: OperationDetail[] = [];
    const baselineStack = `bench-split${scale.size}-${scale.perStack}x${scale.atOnce}-r${repeat}-${process.pid}`;
    const { baseline, tenants } = splitSeriesStacks(scale.size, scale.perStack!, baselineStack);
    const runDir = fs.mkdtempSync(path.join(ctx.workDir, `split${scale.size}-r${repeat}-`));
    const stackFiles = [baseline, ...tenants].map(s => path.join(repoRoot, `Pulumi.${s.stack}.yaml`));
    const env: NodeJS.ProcessEnv = { ...process.env, KUBE_BASELINE_STATE_DIR: path.join(runDir, "state") };
    let deployed = false;
    let objectsApplied = false;
    let stateProfile: StateProfile | undefined;
    let step = 0;
    const stacks = async (op: string, args: string[]) => {
        const resultFile = path.join(runDir, `${++step}-${op.replace(/\W+/g, "-")}.json`);
        const { result } = await timedOperation(ctx, details, op, repoRoot, "bash",
            ["-c", 'source toolchain/pulumi-env.sh && exec node compile/stacks.js "$@"', "stacks", ...args,
                "--baseline", baselineStack, "--concurrency", String(scale.atOnce), "--result-file", resultFile,
                ...(ctx.parallel === undefined ? [] : ["--parallel", ctx.parallel])],
            env, pulumiTimeoutMs(scale));
        return { result, outcome: JSON.parse(fs.readFileSync(resultFile, "utf8")) as { stacks: Array<{ stack: string; changes?: Record<string, number> }> } };
    };
    const kubectl = async (measure: Measure, op: string, args: string[], objects: number) => {
        const { result } = await timedOperation(ctx, details, op, repoRoot, "kubectl",
            ["--kubeconfig", ctx.desc.kubeconfigPath, "--request-timeout=60s", ...args], toolEnv(), kubectlTimeoutMs(objects));
        record.values[measure] = result.seconds;
    };
    try {
        for (const [i, s] of [baseline, ...tenants].entries()) {
            ctx.stackFiles.add(stackFiles[i]);
            fs.writeFileSync(stackFiles[i], stackFileText(s));
        }
        deployed = true;
        record.values.up = (await stacks("up", ["up", "--no-access-summary"])).result.seconds;
        const previews: Array<[Measure, string, string[]]> = [
            ["preview", "preview", ["preview"]],
            ["previewPack", "preview+pack", ["preview", "--policy-pack", PACK, "--policy-pack-config", PACK_CONFIG]],
        ];
        if (repeat % 2 === 0) previews.reverse();
        for (const [measure, op, args] of previews) record.values[measure] = (await stacks(op, args)).result.seconds;
        const noop = await stacks("no-op up", ["up", "--no-access-summary"]);
        record.values.noop = noop.result.seconds;
        record.noopChanges = Object.fromEntries(Object.entries(noop.outcome.stacks.reduce((sum, s) => {
            for (const [kind, n] of Object.entries(s.changes ?? {})) if (kind !== "same") sum[kind] = (sum[kind] ?? 0) + n;
            return sum;
        }, {} as Record<string, number>)));

        const resources: unknown[] = [];
        for (const s of [baseline, ...tenants]) {
            const exported = await runCommand("bash", ["-c", 'source toolchain/pulumi-env.sh && exec pulumi stack export --stack "$1"', "export", s.stack],
                { cwd: repoRoot, env, timeoutMs: 300_000, outputLimit: 1 << 30 });
            if (exported.code !== 0) throw new Error(failure(`pulumi stack export --stack ${s.stack}`, exported));
            resources.push(...((JSON.parse(exported.stdout) as { deployment?: { resources?: unknown[] } }).deployment?.resources ?? []));
        }
        const state = { deployment: { resources } };
        record.resources = resources.length;
        record.stateKiB = Buffer.byteLength(JSON.stringify(state)) / 1024;
        record.dependencies = (resources as Array<{ dependencies?: unknown[] }>).reduce((n, r) => n + (r.dependencies?.length ?? 0), 0);
        stateProfile = profileState(state);
        const objects = orderForApply(kubeObjectsFromExport(state));

        record.values.destroy = (await stacks("destroy", ["destroy"])).result.seconds;
        deployed = false;

        objectsApplied = true;
        await kubectlFloor(runDir, objects, kubectl);
        objectsApplied = false;
    } catch (err) {
        record.error = err instanceof Interrupted ? "interrupted" : (err as Error).message;
    } finally {
        if (deployed && !ctx.interrupted) {
            const destroy = await runCommand("bash", ["-c", 'source toolchain/pulumi-env.sh && exec node compile/stacks.js "$@"', "stacks",
                "destroy", "--baseline", baselineStack, "--concurrency", String(scale.atOnce)], { cwd: repoRoot, env, timeoutMs: pulumiTimeoutMs(scale) }).catch(() => undefined);
            if (!destroy || destroy.code !== 0) objectsApplied = true;
        }
        if (objectsApplied && !ctx.interrupted) await deleteLabelled(ctx);
        removeStackFiles(ctx);
    }
    recordPeak(record, details);
    return { record, details, stateProfile };
}

/** The stack files a split run wrote; synchronous, so that it also runs just before the bench quits at once. */
function removeStackFiles(ctx: Context): void {
    for (const file of ctx.stackFiles) fs.rmSync(file, { force: true });
    ctx.stackFiles.clear();
}

/** What the program labels as its own, deleted with kubectl (the bench sandbox holds nothing else of it). */
async function deleteLabelled(ctx: Context): Promise<void> {
    await runCommand("kubectl", ["--kubeconfig", ctx.desc.kubeconfigPath, "delete", "namespace,clusterrole,clusterrolebinding",
        "-l", MANAGED_BY, "--ignore-not-found", "--wait=true", "--timeout=600s"],
    { cwd: repoRoot, env: toolEnv(), timeoutMs: 660_000 }).catch(() => undefined);
}

/** After a failure: destroy what the stack made, delete what kubectl made, remove the stack and its backend. */
async function cleanUp(ctx: Context, scale: Scale, projectDir: string, stackName: string, stack: TestStack | undefined, deployed: boolean, objectsApplied: boolean) {
    if (stack && deployed && !ctx.interrupted) {
        const env = { ...process.env, ...stack.stack.workspace.envVars };
        const destroy = await runCommand("pulumi", ["destroy", "--yes", "--skip-preview", "--stack", stackName, "--non-interactive"],
            { cwd: projectDir, env, timeoutMs: pulumiTimeoutMs(scale) }).catch(() => undefined);
        if (!destroy || destroy.code !== 0) {
            console.error(`  cleanup: destroy of ${stackName} failed; deleting the objects with kubectl`);
            objectsApplied = true;
        }
    }
    if (objectsApplied && !ctx.interrupted) await deleteLabelled(ctx);
    if (stack) await stack.dispose().catch(err => console.error(`  cleanup: removing stack ${stackName}: ${(err as Error).message}`));
}

function progressLine(record: RunRecord): string {
    const v = record.values;
    const s = (m: Measure) => (v[m] === undefined ? "-" : v[m]!.toFixed(1));
    const parts = [`preview ${s("preview")}`, `+pack ${s("previewPack")}`, `up ${s("up")}`, `no-op ${s("noop")}`, `destroy ${s("destroy")}`,
        `peak ${v.peakMiB === undefined ? "-" : Math.round(v.peakMiB)} MiB`];
    if (record.scale.series === "ns" || record.scale.series === "split") parts.push(`kubectl create ${s("kubectlCreate")} / no-op ${s("kubectlNoop")} / delete ${s("kubectlDelete")}`);
    if (record.resources !== undefined) parts.push(`${record.resources} resources`);
    return `${scaleLabel(record.scale)} repeat ${record.repeat}: ${parts.join(", ")} (s)${record.error ? `\n  FAILED: ${record.error}` : ""}`;
}

async function main(): Promise<number> {
    const desc = readDescription();
    const scales = parseScales(process.env.BENCH_SCALES, desc.nodes.length);
    const repeats = parseRepeats(process.env.BENCH_REPEATS);
    const parallel = process.env.BENCH_PARALLEL;
    if (parallel !== undefined && !/^[1-9][0-9]{0,3}$/.test(parallel)) throw new Error(`BENCH_PARALLEL = "${parallel}": must be a whole number from 1 to 9999`);
    const out = path.resolve(process.env.BENCH_OUT ?? path.join(repoRoot, "bench/RESULTS.md"));
    fs.mkdirSync(path.dirname(out), { recursive: true });
    if (!fs.existsSync(path.join(PACK, "node_modules"))) throw new Error(`the policy pack's packages are missing: cd ${PACK} && npm ci`);

    const ctx: Context = {
        desc,
        workDir: fs.mkdtempSync(path.join(os.tmpdir(), "kb-bench-")),
        credentials: {
            adminKubeconfig: fs.readFileSync(desc.kubeconfigPath, "utf8"),
            sshPrivateKey: fs.readFileSync(desc.nodes[0].privateKeyPath, "utf8"),
        },
        parallel,
        interrupted: false,
        interruptedAt: 0,
        stackFiles: new Set(),
    };
    const onSignal = (signal: NodeJS.Signals) => {
        if (ctx.interrupted) {
            if (!quitsAtOnce(ctx.interruptedAt, Date.now())) return;
            removeStackFiles(ctx);
            process.exit(130);
        }
        console.error(`\n${signal}: stopping the running command and cleaning up (again, after ${REPEATED_SIGNAL_MS / 1000} s, to quit at once)`);
        ctx.interrupted = true;
        ctx.interruptedAt = Date.now();
        terminateRunning();
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);

    const startedAt = new Date();
    const pulumiVersion = (await runCommand("pulumi", ["version"], { cwd: repoRoot, env: toolEnv(), timeoutMs: 30_000 })).stdout.trim();
    const notes = [
        `Machine: ${os.cpus().length} CPUs, ${(os.totalmem() / 1024 ** 3).toFixed(0)} GiB, load average at start ${os.loadavg().map(l => l.toFixed(2)).join(" ")}; pulumi ${pulumiVersion}.`,
        `Bench sandbox: ${desc.nodes.length} nodes (${path.basename(sandboxDir)}); scales ${scales.map(scaleLabel).join(", ")}; pulumi --parallel ${parallel ?? "default, and for the node series one per node above it, as `npm run stacks` runs a stack that lists its nodes (lib/stacks/parallel.ts)"}.`,
        "preview = `pulumi preview` of a fresh stack; preview + pack adds `--policy-pack policies --policy-pack-config policies/config/dev.json`; " +
            "up and no-op up = `pulumi up --yes --skip-preview` (a plain `pulumi up --yes` adds a preview); destroy = `pulumi destroy --yes --skip-preview`.",
        "peak MiB = the largest RSS of one pulumi CLI with all its descendants (language host, program, providers, policy pack), sampled every 150 ms from /proc, over the scale's pulumi operations; with several stacks at once, of the largest one of them.",
        "split:N/M@K = N namespaces as tenant stacks of M namespaces beside a baseline stack, run by `npm run stacks` (K tenant stacks at once): up, then preview and preview + pack of the deployed stacks (a tenant stack reads its baseline's registry, which exists once the baseline ran), a no-op up and destroy, each timed as one command over all the stacks.",
        "waitnodes:N = one node command per node whose remote work is a 5 s wait (bench/programs/waitNodes), beside nodes:N, the real kernel settings.",
        "kubectl create / no-op = `kubectl apply --server-side -f` of the stack's Kubernetes objects (from `pulumi stack export`) on the emptied cluster, then again unchanged; kubectl delete = `kubectl delete --wait` of them.",
    ];
    const records: RunRecord[] = [];
    const details: Record<string, OperationDetail[]> = {};
    const stateProfiles: Record<string, StateProfile> = {};
    const write = () => {
        const own = process.cpuUsage();
        const ownNote = `The benchmark's own process (sampling /proc, reading event logs) used ${((own.user + own.system) / 1e6).toFixed(0)} CPU s ` +
            `over ${((Date.now() - startedAt.getTime()) / 1000).toFixed(0)} s.`;
        const report = renderReport({
            startedAt: startedAt.toISOString(), finishedAt: new Date().toISOString(), repeats, host: os.hostname(), cpus: os.cpus().length,
            notes: [...notes, ownNote],
            summaries: summarizeRuns(records), details, stateProfiles,
        });
        fs.writeFileSync(out, report);
        fs.writeFileSync(out.replace(/\.md$/, "") + ".json", JSON.stringify({ startedAt, notes, records, details }, null, 1));
        return report;
    };

    console.log(`bench: ${scales.map(scaleLabel).join(", ")}, ${repeats} repeat(s); work files in ${ctx.workDir}`);
    try {
        for (const scale of scales) {
            if (ctx.interrupted) break;
            for (let repeat = 1; repeat <= repeats && !ctx.interrupted; repeat++) {
                const started = Date.now();
                const { record, details: ops, stateProfile } = scale.series === "split" ? await runSplitOnce(ctx, scale, repeat) : await runOnce(ctx, scale, repeat);
                records.push(record);
                // The profile of a completed repeat; of a failed one only while there is nothing better.
                if (!record.error || !details[scaleLabel(scale)]) details[scaleLabel(scale)] = ops;
                if (stateProfile && !record.error) stateProfiles[scaleLabel(scale)] = stateProfile;
                console.log(`${progressLine(record)} [${((Date.now() - started) / 1000).toFixed(0)} s]`);
                write();
            }
        }
    } finally {
        if (process.env.BENCH_KEEP_WORK === "1") console.log(`work files kept in ${ctx.workDir}`);
        else fs.rmSync(ctx.workDir, { recursive: true, force: true });
    }
    const report = write();
    console.log(`\n${report}`);
    console.log(`written to ${out}`);
    const failed = records.some(r => r.error) || ctx.interrupted;
    return failed ? 1 : 0;
}

main().then(code => process.exit(code), err => {
    console.error(`bench: ${(err as Error).message}`);
    process.exit(1);
});
