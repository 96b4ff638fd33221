// In what order the multi-stack command runs its stacks, and how many at once. The baseline holds what tenant
// stacks read (the registry, the ClusterRoles they bind, the CNI under their pods): it is updated first and destroyed
// last. Tenant stacks are independent of each other and run side by side, at most `concurrency` at a time; one that
// fails is reported and the others still finish. When a phase fails an update or a destroy, the next phase is
// skipped: tenants against a baseline that did not apply, or a baseline under tenants that are still there.

export const OPERATIONS = ["preview", "up", "refresh", "destroy"] as const;
export type Operation = typeof OPERATIONS[number];

export type Status = "succeeded" | "failed" | "skipped" | "absent";

export interface StackOutcome {
    stack: string;
    status: Status;
    /** Operation -> count, as the engine summarises it ({ create: 3, same: 5 }). */
    changes?: Record<string, number>;
    seconds: number;
    /** Why it failed, or why it was skipped. */
    error?: string;
}

/** The stacks in the order they run: phases one after the other, the stacks of a phase side by side. */
export function phasesOf(operation: Operation, baseline: string, tenants: string[]): string[][] {
    const phases = [[baseline], tenants].filter(p => p.length > 0);
    return operation === "destroy" ? phases.reverse() : phases;
}

/** Whether a failure in one phase skips the later ones. */
export function failureStopsLaterPhases(operation: Operation): boolean {
    return operation === "up" || operation === "destroy";
}

export interface RunHooks {
    /** Runs one stack; a rejection counts as its failure. */
    run(stack: string): Promise<StackOutcome>;
    /** Called for each stack a failure skips. */
    skipped?(outcome: StackOutcome): void;
}

/** Runs the phases with at most `concurrency` stacks at once; resolves to one outcome per stack, in phase order. */
export async function runPhases(operation: Operation, phases: string[][], concurrency: number, hooks: RunHooks): Promise<StackOutcome[]> {
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error(`concurrency must be a whole number of at least 1, got ${concurrency}`);
    const outcomes: StackOutcome[] = [];
    let failedBefore: string[] = [];
    for (const phase of phases) {
        if (failedBefore.length > 0 && failureStopsLaterPhases(operation)) {
            for (const stack of phase) {
                const outcome: StackOutcome = { stack, status: "skipped", seconds: 0, error: `not run: ${failedBefore.join(", ")} failed first` };
                hooks.skipped?.(outcome);
                outcomes.push(outcome);
            }
            continue;
        }
        const results = await pool(phase, concurrency, async stack => {
            const started = Date.now();
            try {
                return await hooks.run(stack);
            } catch (err) {
                return { stack, status: "failed" as const, seconds: (Date.now() - started) / 1000, error: (err as Error)?.message ?? String(err) };
            }
        });
        outcomes.push(...results);
        failedBefore = [...failedBefore, ...results.filter(r => r.status === "failed").map(r => r.stack)];
    }
    return outcomes;
}

/** Maps items through `work`, at most `limit` at a time, results in the items' order. */
async function pool<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
    const results: R[] = new Array(items.length);
    let next = 0;
    const worker = async () => {
        while (next < items.length) {
            const i = next++;
            results[i] = await work(items[i]);
        }
    };
    await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
    return results;
}
