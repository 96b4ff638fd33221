// npm run access-summary -- [--stack <name>]... [--baseline <name>] [--out <file>]
//
// After an update: for every user in the stack outputs userKubeconfigs and every namespace in the outputs namespaces
// (of one stack, or of a baseline and all its tenant stacks: every user asked about every namespace, so a tenant's
// "-" in another tenant's namespaces shows), asks the live cluster `kubectl auth can-i --list -n <namespace>` AS THAT
// USER (its kubeconfig in a 0600 file of a private temp directory, removed afterwards) and prints one table to the
// terminal and to a Markdown file. The outputs are read with --show-secrets through a pipe: no kubeconfig reaches
// the terminal or a log. Exits 1 when a user could not be checked (e.g. its certificate or token is refused), after
// writing the table.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
    AccessSummary, authenticationLabel, Cell, cellFromKubectl, Grant, mergeGrants, parseArgs, parseStackOutputs,
    renderMarkdown, renderTerminal, UserAccess,
} from "../lib/accessSummary";
import { findRepoRoot, projectStackSet } from "./projectStacks";

/** PATH with the project's toolchain (its kubectl) in front, as toolchain/env.sh prints it. */
export function toolchainPath(repo: string): string {
    const current = process.env.PATH ?? "";
    const result = spawnSync("bash", [path.join(repo, "toolchain/env.sh")], { encoding: "utf8" });
    const match = /^export PATH="(.*):\$PATH"$/m.exec(result.stdout ?? "");
    return match ? `${match[1]}:${current}` : current;
}

/** A stack's outputs with secrets (kubeconfigs): `pulumi stack output --json --show-secrets`, into this process only. */
export type OutputsReader = (stack: string) => Promise<unknown>;

function readOutputsWithCli(repo: string, env: NodeJS.ProcessEnv): OutputsReader {
    return async stack => {
        // stdout is piped into this process only: it holds every user's kubeconfig.
        const result = spawnSync("npm", ["run", "--silent", "pulumi", "--", "stack", "output", "--json", "--show-secrets", "--stack", stack], {
            cwd: repo, env, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], maxBuffer: 64 * 1024 * 1024,
        });
        if (result.error || result.status !== 0) {
            throw new Error(`could not read the outputs of stack ${stack} (npm run pulumi -- stack output exited with ${result.error?.message ?? String(result.status)})`);
        }
        try {
            return JSON.parse(result.stdout);
        } catch {
            throw new Error(`pulumi stack output of ${stack} did not print JSON`);
        }
    };
}

/** Asks the cluster, as each user of `stacks`, what it may do in each namespace of them. */
export async function collectAccessSummary(stacks: string[], readOutputs: OutputsReader, env: NodeJS.ProcessEnv): Promise<AccessSummary> {
    const perStack = [];
    for (const stack of stacks) perStack.push({ stack, inputs: parseStackOutputs(await readOutputs(stack)) });
    const namespaces = [...new Set(perStack.flatMap(s => s.inputs.namespaces))].sort();

    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "kb-access-"));
    fs.chmodSync(tmp, 0o700);
    const cleanup = () => fs.rmSync(tmp, { recursive: true, force: true });
    const onSignal = (signal: NodeJS.Signals) => {
        cleanup();
        process.kill(process.pid, signal);
    };
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);

    const users: UserAccess[] = [];
    try {
        for (const { stack, inputs } of perStack) {
            for (const user of Object.keys(inputs.userKubeconfigs).sort()) {
                const kubeconfig = path.join(tmp, `${users.length}.kubeconfig`);
                fs.writeFileSync(kubeconfig, inputs.userKubeconfigs[user], { mode: 0o600, flag: "wx" });
                const cells: Record<string, Cell> = {};
                const nonResource: Grant[][] = [];
                try {
                    for (const ns of namespaces) {
                        const run = spawnSync("kubectl", ["--kubeconfig", kubeconfig, "--request-timeout=20s", "auth", "can-i", "--list", "-n", ns], {
                            env: { ...env, KUBECONFIG: kubeconfig }, encoding: "utf8", timeout: 60_000, stdio: ["ignore", "pipe", "pipe"],
                        });
                        const { cell, nonResourceGrants } = cellFromKubectl({
                            status: run.status, stdout: run.stdout ?? "", stderr: run.stderr ?? "",
                            ...(run.error ? { error: `cannot run kubectl: ${run.error.message}` } : {}),
                        });
                        cells[ns] = cell;
                        nonResource.push(nonResourceGrants);
                    }
                } finally {
                    fs.rmSync(kubeconfig, { force: true });
                }
                users.push({ user, stack, authentication: authenticationLabel(user, inputs), cells, nonResourceGrants: mergeGrants(nonResource) });
            }
        }
    } finally {
        cleanup();
        process.removeListener("SIGINT", onSignal);
        process.removeListener("SIGTERM", onSignal);
    }
    const apiServerUrl = perStack.map(s => s.inputs.apiServerUrl).find(u => u !== undefined);
    return {
        stacks,
        ...(apiServerUrl ? { apiServerUrl } : {}),
        generatedAt: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
        namespaces,
        users,
    };
}

/** Prints the table, writes the Markdown file; 1 when a user could not be checked. */
export function reportAccessSummary(summary: AccessSummary, outFile: string): number {
    process.stdout.write(renderTerminal(summary));
    fs.writeFileSync(outFile, renderMarkdown(summary));
    process.stdout.write(`\nwritten to ${outFile}\n`);
    return summary.users.some(u => Object.values(u.cells).some(c => !c.ok)) ? 1 : 0;
}

async function main(): Promise<number> {
    const options = parseArgs(process.argv.slice(2), process.env);
    if (options.help) {
        process.stdout.write("usage: npm run access-summary -- [--stack <name>]... [--baseline <name>] [--out <file>]\n");
        return 0;
    }
    const repo = findRepoRoot(__dirname);
    const env = { ...process.env, PATH: toolchainPath(repo) };
    const stacks = [...options.stacks];
    if (options.baseline !== undefined) {
        const set = projectStackSet(repo, { baseline: options.baseline });
        for (const stack of [set.baseline.stack, ...set.tenants.map(t => t.stack)]) if (!stacks.includes(stack)) stacks.push(stack);
    }
    const summary = await collectAccessSummary(stacks, readOutputsWithCli(repo, env), env);
    // npm runs scripts in the package root; a relative --out is relative to where the user ran npm.
    return reportAccessSummary(summary, path.resolve(process.env.INIT_CWD ?? process.cwd(), options.out));
}

if (require.main === module) {
    main().then(code => { process.exitCode = code; }, err => {
        process.stderr.write(`access-summary: ${(err as Error).message}\n`);
        process.exitCode = 1;
    });
}
