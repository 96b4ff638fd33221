// npm run stacks -- <preview|up|refresh|destroy|list> [options]   (usage: lib/stacks/args.ts)
//
// One command over a baseline stack and its tenant stacks, through the Pulumi Automation API: the baseline first
// (last on destroy), then the tenant stacks side by side, a bounded number at once. Each stack's progress is printed
// as it happens, prefixed with its name; a failing stack is named with its error and the others still finish; at the
// end one table gives each stack's result, changes and time, and the command exits 1 if any stack did not succeed.
// After an up, the access summary covers every stack. Run by scripts/stacks.sh, which sets the project's pulumi
// environment (toolchain on PATH, backend, passphrase).
import * as auto from "@pulumi/pulumi/automation";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseStacksArgs, policyPackConfigFor, StacksOptions, USAGE } from "../lib/stacks/args";
import { stackParallel } from "../lib/stacks/parallel";
import { Operation, phasesOf, runPhases, StackOutcome } from "../lib/stacks/plan";
import { StackFile } from "../lib/stacks/stackFiles";
import { durationText, errorSummary, isNoiseWarning, NO_CHANGE_OPS, renderSummary, stepLine, SummaryRow } from "../lib/stacks/summary";
import { collectAccessSummary, reportAccessSummary } from "./access-summary";
import { findRepoRoot, projectStackSet } from "./projectStacks";

const started = Date.now();

function say(stack: string, text: string): void {
    const at = durationText((Date.now() - started) / 1000).padStart(7);
    for (const line of text.split("\n")) process.stdout.write(`[${at}] [${stack}] ${line}\n`);
}

/** Serialises `pulumi stack select`: it rewrites the workspace's settings file, which concurrent selects would race on. */
let selecting: Promise<unknown> = Promise.resolve();
function selectStack(workspace: auto.LocalWorkspace, stack: string, create: boolean): Promise<auto.Stack | undefined> {
    const next = selecting.then(async () => {
        if (create) return auto.Stack.createOrSelect(stack, workspace);
        try {
            return await auto.Stack.select(stack, workspace);
        } catch (err) {
            if (err instanceof auto.StackNotFoundError || /no stack named/i.test(String((err as Error).message))) return undefined;
            throw err;
        }
    });
    selecting = next.catch(() => undefined);
    return next;
}

async function runStack(workspace: auto.LocalWorkspace, file: StackFile, operation: Operation, options: StacksOptions, repo: string): Promise<StackOutcome> {
    const t0 = Date.now();
    const seconds = () => (Date.now() - t0) / 1000;
    const errors: string[] = [];
    const onEvent = (event: auto.EngineEvent) => {
        const step = event.resOutputsEvent;
        // Resources that changed (or will), not the provider instances the engine registers along the way.
        if (step && !NO_CHANGE_OPS.includes(step.metadata.op) && !step.metadata.type.startsWith("pulumi:providers:")) {
            say(file.stack, stepLine(step.metadata.op, step.metadata.urn, operation === "preview" || step.planning === true));
        }
        const failed = event.resOpFailedEvent;
        if (failed) say(file.stack, `failed: ${stepLine(failed.metadata.op, failed.metadata.urn, true)}`);
        const diagnostic = event.diagnosticEvent;
        if (diagnostic && (diagnostic.severity === "error" || (diagnostic.severity === "warning" && !isNoiseWarning(diagnostic.message)))) {
            const message = diagnostic.message.trimEnd();
            if (diagnostic.severity === "error") errors.push(message);
            say(file.stack, `${diagnostic.severity}: ${errorSummary([message], "", 6)}`);
        }
        const policy = event.policyEvent;
        if (policy) {
            const line = `policy ${policy.policyName} (${policy.enforcementLevel}): ${policy.message.trim()}`;
            if (policy.enforcementLevel === "mandatory") errors.push(line);
            say(file.stack, line);
        }
    };

    // The CPUs this process may run on, as pulumi's GOMAXPROCS counts them.
    const { parallel, reason } = stackParallel(file, os.availableParallelism(), {
        all: options.parallel, baseline: options.baselineParallel, pulumiParallelEnv: process.env.PULUMI_PARALLEL,
    });
    say(file.stack, `started ${operation} (${file.kind} stack; --parallel ${parallel ?? "not set"}: ${reason})`);
    const stack = await selectStack(workspace, file.stack, operation === "preview" || operation === "up");
    if (stack === undefined) {
        say(file.stack, "absent: no such stack in the backend, nothing to do");
        return { stack: file.stack, status: "absent", seconds: seconds() };
    }
    const packConfig = policyPackConfigFor(file.stack, file.kind, options, f => fs.existsSync(path.resolve(repo, f)));
    const common = { onEvent, ...(parallel === undefined ? {} : { parallel }) };
    const policy = options.policyPack === undefined ? {} : {
        policyPacks: [path.resolve(repo, options.policyPack)],
        ...(packConfig ? { policyPackConfigs: [path.resolve(repo, packConfig)] } : {}),
    };
    try {
        let changes: Record<string, number> | undefined;
        if (operation === "preview") changes = (await stack.preview({ ...common, ...policy })).changeSummary;
        else if (operation === "up") changes = (await stack.up({ ...common, ...policy })).summary.resourceChanges;
        else if (operation === "refresh") changes = (await stack.refresh(common)).summary.resourceChanges;
        else changes = (await stack.destroy(common)).summary.resourceChanges;
        say(file.stack, `succeeded in ${durationText(seconds())}`);
        return { stack: file.stack, status: "succeeded", seconds: seconds(), ...(changes ? { changes: changes as Record<string, number> } : {}) };
    } catch (err) {
        const error = errorSummary(errors, (err as Error).message ?? String(err));
        say(file.stack, `failed in ${durationText(seconds())}`);
        return { stack: file.stack, status: "failed", seconds: seconds(), error };
    }
}

async function main(): Promise<number> {
    const options = parseStacksArgs(process.argv.slice(2), process.env);
    if (options.help) {
        process.stdout.write(USAGE);
        return 0;
    }
    const repo = findRepoRoot(__dirname);
    const set = projectStackSet(repo, { baseline: options.baseline, tenants: options.tenants });
    for (const warning of set.warnings) process.stderr.write(`stacks: warning: ${warning}\n`);
    if (options.command === "list") {
        if (options.json) process.stdout.write(`${JSON.stringify({ baseline: set.baseline.stack, tenants: set.tenants.map(t => t.stack) })}\n`);
        else for (const f of [set.baseline, ...set.tenants]) process.stdout.write(`${f.stack}\t${f.kind}${f.tenant ? `\t${f.tenant.name}` : ""}\n`);
        return 0;
    }
    const operation = options.command;
    const files = new Map([set.baseline, ...set.tenants].map(f => [f.stack, f]));
    const phases = phasesOf(operation, set.baseline.stack, set.tenants.map(t => t.stack));
    process.stdout.write(`stacks: ${operation} of ${phases.map(p => p.join(", ")).join(", then ")}; at most ${options.concurrency} tenant stacks at once\n`);

    // Each stack file gets this machine's salt as one appended line instead of being rewritten by pulumi; preview and up
    // create the stacks the backend does not have yet (scripts/stack-salt.sh).
    const create = operation === "preview" || operation === "up" ? ["--create"] : [];
    execFileSync("bash", [path.join(repo, "scripts/stack-salt.sh"), ...create, ...files.keys()], { cwd: repo, stdio: "inherit" });

    // One workspace: the project directory, the environment scripts/stacks.sh set (backend, passphrase, toolchain).
    const workspace = await auto.LocalWorkspace.create({ workDir: repo, pulumiCommand: await auto.PulumiCommand.get({ skipVersionCheck: true }) });
    const outcomes = await runPhases(operation, phases, options.concurrency, {
        run: stack => runStack(workspace, files.get(stack)!, operation, options, repo),
        skipped: outcome => say(outcome.stack, `skipped: ${outcome.error}`),
    });
    const rows: SummaryRow[] = outcomes.map(o => ({ ...o, kind: files.get(o.stack)!.kind }));
    process.stdout.write(`\n${renderSummary(operation, rows, (Date.now() - started) / 1000)}`);
    if (options.resultFile) fs.writeFileSync(options.resultFile, `${JSON.stringify({ operation, seconds: (Date.now() - started) / 1000, stacks: rows }, null, 1)}\n`);
    let status = rows.every(r => r.status === "succeeded" || r.status === "absent") ? 0 : 1;

    if (operation === "up" && status === 0 && options.accessSummary) {
        process.stdout.write("\n");
        const readOutputs = async (name: string) => {
            const outputs = await (await auto.Stack.select(name, workspace)).outputs();
            return Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, v.value]));
        };
        const summary = await collectAccessSummary([...files.keys()], readOutputs, process.env);
        status = reportAccessSummary(summary, path.resolve(process.env.INIT_CWD ?? process.cwd(), "access-summary.md"));
    }
    return status;
}

main().then(code => { process.exitCode = code; }, err => {
    process.stderr.write(`stacks: ${(err as Error).message}\n`);
    process.exitCode = 2;
});
