// Which scales the benchmark measures and how often: BENCH_SCALES ("ns:1,ns:200,nodes:50") and BENCH_REPEATS.
// Pure; bad values are errors naming the variable and the value.

/**
 * ns: the namespace series (namespaces, users, bindings, NetworkPolicies); nodes: the real kernel settings on
 * nodes; waitnodes: the same number of node commands whose remote work is only waiting (so the figure measures the
 * program's and engine's parallelism, not the 2 CPUs the sandbox's nodes share); split: the namespace series as a
 * baseline stack and tenant stacks of `perStack` namespaces, `atOnce` tenant stacks at a time (npm run stacks).
 */
export type Series = "ns" | "nodes" | "waitnodes" | "split";
export interface Scale { series: Series; size: number; perStack?: number; atOnce?: number }

/** The scales; nodes:1 is the baseline that nodes:50 is compared with. */
export const DEFAULT_SCALES: readonly Scale[] = [
    { series: "ns", size: 1 }, { series: "ns", size: 10 }, { series: "ns", size: 50 }, { series: "ns", size: 200 },
    { series: "nodes", size: 1 }, { series: "nodes", size: 3 }, { series: "nodes", size: 10 }, { series: "nodes", size: 50 },
    { series: "waitnodes", size: 1 }, { series: "waitnodes", size: 50 },
    { series: "split", size: 10, perStack: 20, atOnce: 4 }, { series: "split", size: 50, perStack: 20, atOnce: 4 },
    { series: "split", size: 200, perStack: 20, atOnce: 1 }, { series: "split", size: 200, perStack: 20, atOnce: 2 },
    { series: "split", size: 200, perStack: 20, atOnce: 4 }, { series: "split", size: 1000, perStack: 20, atOnce: 4 },
];
export const DEFAULT_REPEATS = 3;
const MAX_NAMESPACES = 1000;
const MAX_REPEATS = 20;

export function scaleLabel(scale: Scale): string {
    return scale.series === "split" ? `split:${scale.size}/${scale.perStack}@${scale.atOnce}` : `${scale.series}:${scale.size}`;
}

/** The stacks a scale deploys: one, or a split's baseline and its tenant stacks. */
export function stackCount(scale: Scale): number {
    return scale.series === "split" ? 1 + Math.ceil(scale.size / scale.perStack!) : 1;
}

/**
 * BENCH_SCALES: comma-separated `ns:<namespaces>`, `nodes:<nodes>`, `waitnodes:<nodes>` and
 * `split:<namespaces>/<per stack>@<stacks at once>`; unset or empty means every default scale. Node scales cannot
 * exceed the nodes the bench sandbox has. Order is kept; duplicates are dropped.
 */
export function parseScales(text: string | undefined, maxNodes: number): Scale[] {
    if (text === undefined || text.trim() === "") return [...DEFAULT_SCALES];
    const scales: Scale[] = [];
    for (const part of text.split(",").map(p => p.trim()).filter(p => p !== "")) {
        const split = /^split:([0-9]+)\/([0-9]+)@([0-9]+)$/.exec(part);
        if (split) {
            const [size, perStack, atOnce] = split.slice(1).map(Number);
            // More per stack than there are namespaces is one tenant stack of them all (the growth table's split:10/20@4).
            if (size < 1 || size > MAX_NAMESPACES || perStack < 1 || perStack > MAX_NAMESPACES || atOnce < 1 || atOnce > 64) {
                throw new Error(`BENCH_SCALES = "${text}": ${part} is out of range (namespaces and per stack 1 to ${MAX_NAMESPACES}, 1 to 64 stacks at once)`);
            }
            const scale: Scale = { series: "split", size, perStack, atOnce };
            if (!scales.some(s => scaleLabel(s) === scaleLabel(scale))) scales.push(scale);
            continue;
        }
        const match = /^(ns|nodes|waitnodes):([0-9]+)$/.exec(part);
        if (!match) throw new Error(`BENCH_SCALES = "${text}": "${part}" is not ns:<namespaces>, nodes:<nodes>, waitnodes:<nodes> or split:<namespaces>/<per stack>@<at once>`);
        const series = match[1] as Series;
        const size = Number(match[2]);
        const max = series === "ns" ? MAX_NAMESPACES : maxNodes;
        if (size < 1 || size > max) {
            throw new Error(`BENCH_SCALES = "${text}": ${part} is out of range (${series} from 1 to ${max}${series !== "ns" ? ", the nodes of the bench sandbox" : ""})`);
        }
        if (!scales.some(s => s.series === series && s.size === size)) scales.push({ series, size });
    }
    if (scales.length === 0) throw new Error(`BENCH_SCALES = "${text}": names no scale`);
    return scales;
}

export function parseRepeats(text: string | undefined): number {
    if (text === undefined || text.trim() === "") return DEFAULT_REPEATS;
    if (!/^[0-9]+$/.test(text.trim()) || Number(text) < 1 || Number(text) > MAX_REPEATS) {
        throw new Error(`BENCH_REPEATS = "${text}": must be a whole number from 1 to ${MAX_REPEATS}`);
    }
    return Number(text);
}
