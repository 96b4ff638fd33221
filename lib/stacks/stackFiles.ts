// Which stacks the multi-stack command (scripts/stacks.ts) runs: read from the project's Pulumi.<stack>.yaml files.
// A stack file with kube-baseline:tenants is a baseline with tenant stacks; one with kube-baseline:tenant is a tenant
// stack of the baseline it names; any other is a single stack (today's dev and prod), which the command leaves alone.
// Pure: the caller reads the files.
import * as YAML from "yaml";

export type StackKind = "baseline" | "tenant" | "single";

export interface StackFile {
    stack: string;
    kind: StackKind;
    /** A tenant stack: its tenant and the baseline stack it reads (as written in kube-baseline:tenant). */
    tenant?: { name: string; baselineStack: string };
    /** A baseline: the tenants its registry lists. */
    tenants?: string[];
    /** The nodes its kube-baseline:cluster lists (a cluster described explicitly; unset for the sandbox's). */
    nodes?: number;
}

/** "Pulumi.<stack>.yaml" (or .yml) -> "<stack>"; undefined for Pulumi.yaml and other files. */
export function stackNameOfFile(fileName: string): string | undefined {
    const m = /^Pulumi\.(.+)\.ya?ml$/.exec(fileName);
    return m ? m[1] : undefined;
}

/** A config value as a stack file holds it: YAML, or the JSON text `pulumi config set` wrote for an object. */
function configValue(raw: unknown): unknown {
    if (typeof raw !== "string") return raw;
    try {
        return JSON.parse(raw);
    } catch {
        return raw;
    }
}

/** What kind of stack a Pulumi.<stack>.yaml describes. Throws an Error naming the file when it is not YAML. */
export function describeStackFile(stack: string, text: string): StackFile {
    let doc: unknown;
    try {
        doc = YAML.parse(text);
    } catch (err) {
        throw new Error(`Pulumi.${stack}.yaml is not valid YAML: ${(err as Error).message.split("\n")[0]}`);
    }
    const config = (doc !== null && typeof doc === "object" ? (doc as { config?: Record<string, unknown> }).config : undefined) ?? {};
    const tenant = configValue(config["kube-baseline:tenant"]) as { name?: unknown; baselineStack?: unknown } | undefined;
    if (tenant !== undefined && tenant !== null) {
        return { stack, kind: "tenant", tenant: { name: String(tenant.name ?? ""), baselineStack: String(tenant.baselineStack ?? "") } };
    }
    const cluster = configValue(config["kube-baseline:cluster"]) as { nodes?: unknown } | undefined;
    const nodes = cluster !== null && typeof cluster === "object" && Array.isArray(cluster.nodes) ? { nodes: cluster.nodes.length } : {};
    const tenants = configValue(config["kube-baseline:tenants"]);
    if (Array.isArray(tenants)) {
        return { stack, kind: "baseline", tenants: tenants.map(t => String((t as { name?: unknown })?.name ?? "")), ...nodes };
    }
    return { stack, kind: "single", ...nodes };
}

/** Whether a tenant's baselineStack ("<stack>", "<project>/<stack>" or "<org>/<project>/<stack>") names `stack` of `project`. */
export function namesStack(baselineStack: string, stack: string, project: string): boolean {
    const parts = baselineStack.split("/");
    if (parts[parts.length - 1] !== stack) return false;
    return parts.length === 1 || parts[parts.length - 2] === project;
}

export interface StackSet {
    baseline: StackFile;
    tenants: StackFile[];
    /** Mismatches between the registry and the stack files, worth saying but not fatal. */
    warnings: string[];
}

/**
 * The baseline (the only one with tenants, or the one named) and its tenant stacks (all, or the ones named).
 * Throws an Error that says what to pass when it cannot tell.
 */
export function stackSetOf(files: StackFile[], project: string, choose: { baseline?: string; tenants?: string[] } = {}): StackSet {
    const baselines = files.filter(f => f.kind === "baseline");
    let baseline: StackFile | undefined;
    if (choose.baseline !== undefined) {
        baseline = files.find(f => f.stack === choose.baseline);
        if (!baseline) throw new Error(`no Pulumi.${choose.baseline}.yaml in the project`);
        if (baseline.kind !== "baseline") throw new Error(`stack ${choose.baseline} has no kube-baseline:tenants: it is ${baseline.kind === "tenant" ? "a tenant stack" : "a single stack"}, not a baseline with tenant stacks`);
    } else if (baselines.length === 1) {
        baseline = baselines[0];
    } else if (baselines.length === 0) {
        throw new Error("no stack file has kube-baseline:tenants: there is no baseline with tenant stacks to run (single stacks: npm run pulumi -- up --stack <name>)");
    } else {
        throw new Error(`several baselines have tenant stacks (${baselines.map(b => b.stack).join(", ")}): choose one with --baseline <stack>`);
    }
    const all = files.filter(f => f.kind === "tenant" && namesStack(f.tenant!.baselineStack, baseline!.stack, project));
    let tenants = all;
    if (choose.tenants !== undefined) {
        const unknown = choose.tenants.filter(t => !all.some(f => f.stack === t));
        if (unknown.length > 0) throw new Error(`not a tenant stack of ${baseline.stack}: ${unknown.join(", ")} (its tenant stacks: ${all.map(f => f.stack).join(", ") || "none"})`);
        tenants = all.filter(f => choose.tenants!.includes(f.stack));
    }
    const registered = baseline.tenants ?? [];
    const warnings = [
        ...all.filter(f => !registered.includes(f.tenant!.name))
            .map(f => `stack ${f.stack} is tenant ${f.tenant!.name}, which ${baseline!.stack}'s kube-baseline:tenants does not list: it will fail`),
        ...registered.filter(name => !all.some(f => f.tenant!.name === name))
            .map(name => `tenant ${name} of ${baseline!.stack} has no stack file (Pulumi.<stack>.yaml with kube-baseline:tenant.name: ${name})`),
    ];
    return { baseline, tenants, warnings };
}
