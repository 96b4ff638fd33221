// What the benchmark makes of its measurements: per scale the median (and range) of every figure, and the
// issue's targets as ratios measured side by side, each PASS or MISS. Pure.
import { Scale, scaleLabel } from "./scales";

/** Wall times in seconds, except peakMiB. */
export const MEASURES = [
    "preview", "previewPack", "up", "noop", "destroy", "peakMiB", "kubectlCreate", "kubectlNoop", "kubectlDelete",
] as const;
export type Measure = typeof MEASURES[number];

/** One repeat of one scale. */
export interface RunRecord {
    scale: Scale;
    repeat: number;
    values: Partial<Record<Measure, number>>;
    /** Resources in the stack after up (Pulumi's count, components included). */
    resources?: number;
    /** Size of the stack's state after up (`pulumi stack export`), and its dependency edges. */
    stateKiB?: number;
    dependencies?: number;
    /** What a no-op up changed, by operation (empty when it changed nothing, as it must). */
    noopChanges?: Record<string, number>;
    error?: string;
}

export interface Summary { median: number; min: number; max: number; n: number }

export function median(values: number[]): number {
    if (values.length === 0) throw new Error("median of no values");
    const sorted = [...values].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function summarize(values: number[]): Summary | undefined {
    const finite = values.filter(v => Number.isFinite(v));
    if (finite.length === 0) return undefined;
    return { median: median(finite), min: Math.min(...finite), max: Math.max(...finite), n: finite.length };
}

export interface ScaleSummary {
    scale: Scale;
    measures: Partial<Record<Measure, Summary>>;
    resources?: number;
    stateKiB?: number;
    dependencies?: number;
    errors: string[];
    /** Repeats whose no-op up changed something, with what it changed. */
    noopChanged: Array<Record<string, number>>;
}

/** Groups the records by scale (in the order scales first appear) and summarizes each measure. */
export function summarizeRuns(records: RunRecord[]): ScaleSummary[] {
    const byScale = new Map<string, RunRecord[]>();
    for (const r of records) {
        const key = scaleLabel(r.scale);
        byScale.set(key, [...(byScale.get(key) ?? []), r]);
    }
    return [...byScale.values()].map(runs => {
        const measures: Partial<Record<Measure, Summary>> = {};
        for (const m of MEASURES) {
            const s = summarize(runs.flatMap(r => (r.values[m] === undefined ? [] : [r.values[m] as number])));
            if (s) measures[m] = s;
        }
        return {
            scale: runs[0].scale,
            measures,
            resources: runs.find(r => r.resources !== undefined)?.resources,
            stateKiB: runs.find(r => r.stateKiB !== undefined)?.stateKiB,
            dependencies: runs.find(r => r.dependencies !== undefined)?.dependencies,
            errors: runs.flatMap(r => (r.error ? [`repeat ${r.repeat}: ${r.error}`] : [])),
            noopChanged: runs.flatMap(r => (r.noopChanges && Object.keys(r.noopChanges).length > 0 ? [r.noopChanges] : [])),
        };
    });
}

export type TargetStatus = "PASS" | "MISS" | "n/a";
export type TargetId = "noop" | "up" | "memory" | "nodes" | "pack";
export interface TargetResult {
    id: TargetId;
    target: string;
    /** Where it was measured, e.g. "ns:200" or "nodes:50 vs nodes:1". */
    at: string;
    measured: string;
    limit: string;
    status: TargetStatus;
    note?: string;
}

/** The targets. A target stated for a scale that was not run is judged at the nearest one run, saying so. */
export const TARGETS = {
    noopVsKubectl: 3,
    upVsKubectl: 5,
    nodes50VsNodes1: 2,
    packOverhead: 0.15,
    peakMiB: 1024,
    namespaces: 200,
    nodes: 50,
} as const;

const fmtRatio = (r: number) => `${r.toFixed(2)}x`;

export function evaluateTargets(summaries: ScaleSummary[]): TargetResult[] {
    const results: TargetResult[] = [];
    const med = (s: ScaleSummary | undefined, m: Measure) => s?.measures[m]?.median;
    const ratio = (a?: number, b?: number) => (a !== undefined && b !== undefined && b > 0 ? a / b : undefined);
    const judged = (id: TargetId, target: string, at: string, value: number | undefined, limit: number, show: (v: number) => string, limitText: string, note?: string): TargetResult =>
        value === undefined
            ? { id, target, at, measured: "-", limit: limitText, status: "n/a", note: "not measured" }
            : { id, target, at, measured: show(value), limit: limitText, status: value <= limit ? "PASS" : "MISS", ...(note ? { note } : {}) };

    // The namespace targets, for the single stack and for every split of the same number of namespaces (one at a
    // time, 2 and 4 at once): the split is how a large cluster is meant to run.
    const single = pick(summaries, "ns", TARGETS.namespaces);
    const splitSize = pick(summaries, "split", TARGETS.namespaces)?.scale.size;
    const splits = summaries.filter(s => s.scale.series === "split" && s.scale.size === splitSize).sort((a, b) => a.scale.atOnce! - b.scale.atOnce!);
    const nsScales = [single, ...splits].filter((s): s is ScaleSummary => s !== undefined);
    if (nsScales.length === 0) nsScales.push(undefined as unknown as ScaleSummary);
    for (const ns of nsScales) {
        const nsAt = ns ? scaleLabel(ns.scale) : `ns:${TARGETS.namespaces}`;
        const nsNote = ns && ns.scale.size !== TARGETS.namespaces ? `the target is stated for ${TARGETS.namespaces} namespaces` : undefined;
        results.push(judged("noop", "no-op up / kubectl no-op apply", nsAt, ratio(med(ns, "noop"), med(ns, "kubectlNoop")), TARGETS.noopVsKubectl, fmtRatio, `<= ${TARGETS.noopVsKubectl}x`, nsNote));
        results.push(judged("up", "up / kubectl create (apply on an empty cluster)", nsAt, ratio(med(ns, "up"), med(ns, "kubectlCreate")), TARGETS.upVsKubectl, fmtRatio, `<= ${TARGETS.upVsKubectl}x`, nsNote));
        const peak = med(ns, "peakMiB");
        const what = "peak memory of any one pulumi process tree";
        results.push(peak === undefined
            ? { id: "memory", target: what, at: nsAt, measured: "-", limit: `< ${TARGETS.peakMiB} MiB`, status: "n/a", note: "not measured" }
            : { id: "memory", target: what, at: nsAt, measured: `${Math.round(peak)} MiB`, limit: `< ${TARGETS.peakMiB} MiB`, status: peak < TARGETS.peakMiB ? "PASS" : "MISS", ...(nsNote ? { note: nsNote } : {}) });
    }

    // Judged on the waiting-node series: remote work as time, so the ratio is the program's parallelism, not the CPUs
    // the sandbox's nodes share (the real kernel-settings series is reported beside it, infoRatios).
    const pair = nodePair(summaries, "waitnodes");
    const nodesAt = pair ? `${scaleLabel(pair.big.scale)} vs ${scaleLabel(pair.small.scale)}` : `waitnodes:${TARGETS.nodes} vs waitnodes:1`;
    const nodesNote = pair && (pair.big.scale.size !== TARGETS.nodes || pair.small.scale.size !== 1) ? `the target is stated for waitnodes:${TARGETS.nodes} vs waitnodes:1` : undefined;
    results.push(judged("nodes", "node commands whose remote work is waiting: up on many nodes / up on one", nodesAt,
        pair ? ratio(med(pair.big, "up"), med(pair.small, "up")) : undefined, TARGETS.nodes50VsNodes1, fmtRatio, `<= ${TARGETS.nodes50VsNodes1}x`, nodesNote));

    for (const s of summaries) {
        const overhead = ratio(med(s, "previewPack"), med(s, "preview"));
        if (overhead === undefined) continue;
        results.push(judged("pack", "the policy pack's cost on a preview", scaleLabel(s.scale), overhead - 1, TARGETS.packOverhead,
            v => `${v >= 0 ? "+" : ""}${(v * 100).toFixed(1)}%`, `<= +${TARGETS.packOverhead * 100}%`));
    }
    return results;
}

/** The largest scale of a node series (at the target's size when run) and its smallest, when they differ. */
function nodePair(summaries: ScaleSummary[], series: "nodes" | "waitnodes"): { big: ScaleSummary; small: ScaleSummary } | undefined {
    const of = summaries.filter(s => s.scale.series === series).sort((a, b) => a.scale.size - b.scale.size);
    const big = pick(summaries, series, TARGETS.nodes);
    const small = of.find(s => s.scale.size === 1) ?? of[0];
    return big && small && big !== small ? { big, small } : undefined;
}

/** Informational ratios printed next to the targets. */
export function infoRatios(summaries: ScaleSummary[]): Array<{ what: string; at: string; value: string }> {
    const out: Array<{ what: string; at: string; value: string }> = [];
    const real = nodePair(summaries, "nodes");
    const realUp = real && real.small.measures.up?.median ? (real.big.measures.up?.median ?? NaN) / real.small.measures.up.median : undefined;
    if (real && realUp !== undefined && Number.isFinite(realUp)) {
        out.push({ what: "real kernel settings, up on many nodes / up on one (the nodes share the machine's CPUs)", at: `${scaleLabel(real.big.scale)} vs ${scaleLabel(real.small.scale)}`, value: fmtRatio(realUp) });
    }
    for (const s of summaries.filter(x => x.scale.series === "ns")) {
        const noop = s.measures.noop?.median;
        const create = s.measures.kubectlCreate?.median;
        const destroy = s.measures.destroy?.median;
        const del = s.measures.kubectlDelete?.median;
        if (noop !== undefined && create) out.push({ what: "no-op up / kubectl create", at: scaleLabel(s.scale), value: fmtRatio(noop / create) });
        if (destroy !== undefined && del) out.push({ what: "destroy / kubectl delete", at: scaleLabel(s.scale), value: fmtRatio(destroy / del) });
    }
    return out;
}

/** The summary at the target's size, else the largest of the series below it, else the smallest above it. */
function pick(summaries: ScaleSummary[], series: Scale["series"], size: number): ScaleSummary | undefined {
    const of = summaries.filter(s => s.scale.series === series);
    return of.find(s => s.scale.size === size)
        ?? of.filter(s => s.scale.size < size).sort((a, b) => b.scale.size - a.scale.size)[0]
        ?? of.filter(s => s.scale.size > size).sort((a, b) => a.scale.size - b.scale.size)[0];
}

export interface GrowthRow {
    namespaces: number;
    /** The split compared: the most stacks at once that was run at this size. */
    split?: string;
    single: Partial<Record<"up" | "noop" | "destroy" | "peakMiB", number>>;
    splitMeasures: Partial<Record<"up" | "noop" | "destroy" | "peakMiB", number>>;
    kubectlCreate?: number;
}

/** How up, no-op up, destroy and the peak grow with the namespaces, for the single stack and for the split. */
export function growthRows(summaries: ScaleSummary[]): GrowthRow[] {
    const measures = ["up", "noop", "destroy", "peakMiB"] as const;
    const pickMeasures = (s?: ScaleSummary) => Object.fromEntries(measures.flatMap(m => s?.measures[m] ? [[m, s.measures[m]!.median]] : []));
    const sizes = [...new Set(summaries.filter(s => s.scale.series === "ns" || s.scale.series === "split").map(s => s.scale.size))].sort((a, b) => a - b);
    return sizes.map(size => {
        const single = summaries.find(s => s.scale.series === "ns" && s.scale.size === size);
        const split = summaries.filter(s => s.scale.series === "split" && s.scale.size === size).sort((a, b) => b.scale.atOnce! - a.scale.atOnce!)[0];
        return {
            namespaces: size,
            ...(split ? { split: scaleLabel(split.scale) } : {}),
            single: pickMeasures(single),
            splitMeasures: pickMeasures(split),
            kubectlCreate: (single ?? split)?.measures.kubectlCreate?.median,
        };
    });
}
