// The multi-stack command's arguments:  npm run stacks -- <preview|up|refresh|destroy|list> [options]. Pure.
import { MAX_NODE_PARALLEL } from "./parallel";
import { Operation, OPERATIONS } from "./plan";

export interface StacksOptions {
    command: Operation | "list";
    /** The baseline stack; default: the only stack file with kube-baseline:tenants. */
    baseline?: string;
    /** Only these tenant stacks; default: every tenant stack of the baseline. */
    tenants?: string[];
    /** Tenant stacks at once. */
    concurrency: number;
    /** pulumi --parallel for every stack; default: lib/stacks/parallel.ts. */
    parallel?: number;
    /** pulumi --parallel for the baseline stack (before --parallel). */
    baselineParallel?: number;
    /** preview and up: run with this policy pack. */
    policyPack?: string;
    /** Its config for every stack; default: <pack>/config/<stack>.json, else <pack>/config/tenant.json for tenant stacks. */
    policyPackConfig?: string;
    /** up: the access summary of every stack afterwards. */
    accessSummary: boolean;
    /** list: JSON for a CI matrix. */
    json: boolean;
    /** preview/up/refresh/destroy: also write each stack's result, changes and time as JSON to this file. */
    resultFile?: string;
    help: boolean;
}

export const DEFAULT_CONCURRENCY = 2;
export const USAGE = `usage: npm run stacks -- <preview|up|refresh|destroy|list> [options]
  --baseline <stack>          the baseline stack (default: the only Pulumi.<stack>.yaml with kube-baseline:tenants)
  --tenants <a,b,...>         only these tenant stacks (default: all of the baseline's)
  --concurrency <n>           tenant stacks at once (default ${DEFAULT_CONCURRENCY}; KUBE_BASELINE_STACKS_CONCURRENCY)
  --parallel <n>              pulumi --parallel of every stack (default pulumi's, 4 per CPU, or PULUMI_PARALLEL; a baseline
                              listing more nodes than that: one per node, up to ${MAX_NODE_PARALLEL})
  --baseline-parallel <n>     pulumi --parallel of the baseline stack only
  --policy-pack <dir>         preview/up with this policy pack
  --policy-pack-config <file> its config for every stack (default: <pack>/config/<stack>.json, else <pack>/config/tenant.json for a tenant stack)
  --no-access-summary         up: skip the access summary of every stack
  --json                      list: print {"baseline": ..., "tenants": [...]}
  --result-file <file>        also write each stack's result, changes and time as JSON to <file> (for scripts)
`;

export function parseStacksArgs(argv: string[], env: Record<string, string | undefined> = {}): StacksOptions {
    const options: StacksOptions = {
        command: "list", concurrency: DEFAULT_CONCURRENCY, accessSummary: true, json: false, help: false,
    };
    if (env.KUBE_BASELINE_STACKS_CONCURRENCY !== undefined) options.concurrency = count("KUBE_BASELINE_STACKS_CONCURRENCY", env.KUBE_BASELINE_STACKS_CONCURRENCY);
    let command: string | undefined;
    for (let i = 0; i < argv.length; i++) {
        const raw = argv[i];
        const eq = raw.startsWith("--") ? raw.indexOf("=") : -1;
        const flag = eq > 0 ? raw.slice(0, eq) : raw;
        const value = () => {
            const v = eq > 0 ? raw.slice(eq + 1) : argv[++i];
            if (v === undefined || v === "" || (eq < 0 && v.startsWith("--"))) throw new Error(`${flag} needs a value`);
            return v;
        };
        switch (flag) {
            case "--baseline": options.baseline = value(); break;
            case "--tenants": options.tenants = value().split(",").map(s => s.trim()).filter(s => s !== ""); break;
            case "--concurrency": options.concurrency = count(flag, value()); break;
            case "--parallel": options.parallel = count(flag, value(), MAX_PARALLEL); break;
            case "--baseline-parallel": options.baselineParallel = count(flag, value(), MAX_PARALLEL); break;
            case "--policy-pack": options.policyPack = value(); break;
            case "--policy-pack-config": options.policyPackConfig = value(); break;
            case "--no-access-summary": options.accessSummary = false; break;
            case "--json": options.json = true; break;
            case "--result-file": options.resultFile = value(); break;
            case "--help": case "-h": options.help = true; break;
            default:
                if (raw.startsWith("-")) throw new Error(`unknown option ${JSON.stringify(raw)}\n${USAGE}`);
                if (command !== undefined) throw new Error(`one command at a time (got ${command} and ${raw})`);
                command = raw;
        }
    }
    if (options.help) return options;
    if (command === undefined) throw new Error(`no command\n${USAGE}`);
    if (command !== "list" && !(OPERATIONS as readonly string[]).includes(command)) throw new Error(`unknown command ${JSON.stringify(command)}: one of ${[...OPERATIONS, "list"].join(", ")}`);
    options.command = command as StacksOptions["command"];
    if (options.policyPack !== undefined && !["preview", "up"].includes(options.command)) throw new Error("--policy-pack applies to preview and up");
    if (options.policyPackConfig !== undefined && options.policyPack === undefined) throw new Error("--policy-pack-config needs --policy-pack");
    if (options.resultFile !== undefined && options.command === "list") throw new Error("--result-file applies to preview, up, refresh and destroy");
    return options;
}

/** --parallel's bound: pulumi takes any number; past this it is a typo more likely than a wish. */
const MAX_PARALLEL = 1024;

function count(name: string, text: string, max = 64): number {
    const n = Number(text);
    if (!/^[0-9]+$/.test(text) || n < 1 || n > max) throw new Error(`${name} must be a whole number from 1 to ${max}, got ${JSON.stringify(text)}`);
    return n;
}

/** The pack config for one stack: the one given, else policies/config/<stack>.json, else the pack's config/tenant.json for a tenant stack. */
export function policyPackConfigFor(stack: string, kind: string, options: Pick<StacksOptions, "policyPack" | "policyPackConfig">, exists: (file: string) => boolean): string | undefined {
    if (options.policyPack === undefined) return undefined;
    if (options.policyPackConfig !== undefined) return options.policyPackConfig;
    const own = `${options.policyPack}/config/${stack}.json`;
    if (exists(own)) return own;
    const tenant = `${options.policyPack}/config/tenant.json`;
    return kind === "tenant" && exists(tenant) ? tenant : undefined;
}
