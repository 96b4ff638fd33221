// How many resource operations pulumi runs at once (`--parallel`) for each stack of the multi-stack command. Pure.
//
// Pulumi's default is 4 per CPU of the machine that runs it (GOMAXPROCS x 4, pulumi v3.259.0 cmd/pulumi/operations/up.go). A node
// command (SSH to the node, then a script that mostly waits on the node) is held back by that number, not by this
// machine's CPUs: a stack whose cluster lists more nodes than that gets one slot per node, up to a cap. Namespace work
// is not raised: when the API server shares the runner's CPUs it got slower at 64 (bench/README.md, Findings 8).
import { StackFile } from "./stackFiles";

export const PULUMI_PARALLEL_PER_CPU = 4;
/** At most this many at once, whatever the node count: SSH sessions and apiserver requests from one runner. */
export const MAX_NODE_PARALLEL = 64;

/** Pulumi's own default on a machine with `cpus` CPUs. */
export function pulumiDefaultParallel(cpus: number): number {
    return PULUMI_PARALLEL_PER_CPU * Math.max(1, Math.floor(cpus));
}

export interface ParallelChoice {
    /** --parallel: every stack. */
    all?: number;
    /** --baseline-parallel: the baseline stack. */
    baseline?: number;
    /** PULUMI_PARALLEL as set in the environment: pulumi reads it itself, so no default of ours overrides it. */
    pulumiParallelEnv?: string;
}

export interface StackParallel {
    /** What to pass as --parallel; undefined: pulumi's own (its default, or PULUMI_PARALLEL). */
    parallel?: number;
    /** Why, for the progress line. */
    reason: string;
}

/** The `--parallel` of one stack: what was asked for, else one per node for a stack listing many nodes, else pulumi's. */
export function stackParallel(file: Pick<StackFile, "kind" | "nodes">, cpus: number, choice: ParallelChoice = {}): StackParallel {
    if (file.kind === "baseline" && choice.baseline !== undefined) return { parallel: choice.baseline, reason: "--baseline-parallel" };
    if (choice.all !== undefined) return { parallel: choice.all, reason: "--parallel" };
    // Pulumi takes PULUMI_PARALLEL when it is a number above 0 (defaultParallel in cmd/pulumi/operations/up.go).
    if (Number(choice.pulumiParallelEnv) > 0) return { reason: "PULUMI_PARALLEL" };
    const fallback = pulumiDefaultParallel(cpus);
    const perNode = Math.min(file.nodes ?? 0, MAX_NODE_PARALLEL);
    if (perNode > fallback) return { parallel: perNode, reason: `one per node of its ${file.nodes} (pulumi's default here: ${fallback})` };
    return { reason: "pulumi's default" };
}
