// Where the time of one pulumi operation goes, from its engine events (`--event-log`, one JSON event a line),
// each stamped with the time the benchmark read it (the events' own timestamps are whole seconds). Pure.

interface StepMetadata { op?: string; urn?: string; type?: string }
export interface EngineEvent {
    resourcePreEvent?: { metadata?: StepMetadata; planning?: boolean };
    resOutputsEvent?: { metadata?: StepMetadata; planning?: boolean };
    resOpFailedEvent?: { metadata?: StepMetadata };
    summaryEvent?: { resourceChanges?: Record<string, number>; durationSeconds?: number };
    diagnosticEvent?: { severity?: string; message?: string; urn?: string };
    policyEvent?: { policyName?: string; enforcementLevel?: string; message?: string; resourceUrn?: string };
}
export interface TimedEvent { atMs: number; event: EngineEvent }

export interface StepTiming { name: string; type: string; op: string; seconds: number }
export interface OperationProfile {
    /** From the start of the command to the first resource step: CLI start, plugins, the program's start-up. */
    firstStepSeconds?: number;
    /** From the first resource step to the last one finishing. */
    stepsSeconds?: number;
    /** After the last step: outputs, the snapshot, exit. */
    tailSeconds?: number;
    /** Resource steps by operation (same, create, update, delete, ...), components excluded. */
    steps: Record<string, number>;
    /** The engine's own count of changes, from its summary. */
    resourceChanges?: Record<string, number>;
    /** Custom resources only, slowest first. */
    slowest: StepTiming[];
    /** Summed step time by resource type, largest first. */
    byType: Array<{ type: string; count: number; seconds: number }>;
    /** Most resource steps in flight at once. */
    maxConcurrency: number;
    errors: string[];
    mandatoryPolicyViolations: string[];
}

/** Components (ours and the stack) have no provider work of their own; their steps only bracket their children's. */
export function isComponentType(type: string): boolean {
    return type === "pulumi:pulumi:Stack" || type.startsWith("kube-baseline:");
}

export function resourceName(urn: string): string {
    const i = urn.lastIndexOf("::");
    return i >= 0 ? urn.slice(i + 2) : urn;
}

/** Splits the event log's text into lines; a partial last line (still being written) is returned as rest. */
export function splitEventLines(text: string): { lines: string[]; rest: string } {
    const lines = text.split("\n");
    const rest = lines.pop() ?? "";
    return { lines: lines.filter(l => l.trim() !== ""), rest };
}

/** Parses the lines read while the command ran (after it ended, so as not to compete with it for CPU). */
export function parseEventLines(lines: Array<{ atMs: number; line: string }>): { events: TimedEvent[]; unreadable: number } {
    const events: TimedEvent[] = [];
    let unreadable = 0;
    for (const { atMs, line } of lines) {
        try {
            events.push({ atMs, event: JSON.parse(line) as EngineEvent });
        } catch {
            unreadable++;
        }
    }
    return { events, unreadable };
}

export function profileOperation(events: TimedEvent[], totalSeconds: number, top = 5): OperationProfile {
    const started = new Map<string, { atMs: number; type: string; op: string }>();
    const timings: StepTiming[] = [];
    const steps: Record<string, number> = {};
    let first: number | undefined;
    let last: number | undefined;
    let inFlight = 0;
    let maxConcurrency = 0;
    let resourceChanges: Record<string, number> | undefined;
    const errors: string[] = [];
    const mandatory: string[] = [];

    for (const { atMs, event } of events) {
        const pre = event.resourcePreEvent?.metadata;
        const done = event.resOutputsEvent?.metadata ?? event.resOpFailedEvent?.metadata;
        if (pre?.urn && pre.type && !isComponentType(pre.type)) {
            const op = pre.op ?? "?";
            steps[op] = (steps[op] ?? 0) + 1;
            started.set(pre.urn, { atMs, type: pre.type, op });
            first = first ?? atMs;
            inFlight++;
            maxConcurrency = Math.max(maxConcurrency, inFlight);
        } else if (done?.urn && started.has(done.urn)) {
            const s = started.get(done.urn)!;
            started.delete(done.urn);
            inFlight--;
            last = atMs;
            timings.push({ name: resourceName(done.urn), type: s.type, op: s.op, seconds: (atMs - s.atMs) / 1000 });
        }
        if (event.summaryEvent?.resourceChanges) resourceChanges = event.summaryEvent.resourceChanges;
        const d = event.diagnosticEvent;
        if (d?.severity === "error" && d.message) errors.push(d.message.trim());
        const p = event.policyEvent;
        if (p?.enforcementLevel === "mandatory") mandatory.push(`${p.policyName ?? "?"}: ${(p.message ?? "").trim().split("\n")[0]}`);
    }

    const byTypeMap = new Map<string, { count: number; seconds: number }>();
    for (const t of timings) {
        const entry = byTypeMap.get(t.type) ?? { count: 0, seconds: 0 };
        entry.count++;
        entry.seconds += t.seconds;
        byTypeMap.set(t.type, entry);
    }
    return {
        firstStepSeconds: first === undefined ? undefined : first / 1000,
        stepsSeconds: first === undefined || last === undefined ? undefined : (last - first) / 1000,
        tailSeconds: last === undefined ? undefined : Math.max(0, totalSeconds - last / 1000),
        steps,
        resourceChanges,
        slowest: [...timings].sort((a, b) => b.seconds - a.seconds).slice(0, top),
        byType: [...byTypeMap.entries()].map(([type, v]) => ({ type, ...v })).sort((a, b) => b.seconds - a.seconds),
        maxConcurrency,
        errors,
        mandatoryPolicyViolations: mandatory,
    };
}

/** A no-op update must only have "same" steps; anything else it changed, by operation. */
export function changesOf(resourceChanges: Record<string, number> | undefined): Record<string, number> {
    return Object.fromEntries(Object.entries(resourceChanges ?? {}).filter(([op, n]) => op !== "same" && n > 0));
}
