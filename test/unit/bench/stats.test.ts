// Medians, per-scale summaries and the targets judged from them.
import { evaluateTargets, growthRows, infoRatios, median, RunRecord, summarize, summarizeRuns } from "../../../bench/stats";
import { Scale } from "../../../bench/scales";

test("median of odd and even counts; summaries ignore what was not measured", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(() => median([])).toThrow("median of no values");
    expect(summarize([5, NaN, 1, 3])).toEqual({ median: 3, min: 1, max: 5, n: 3 });
    expect(summarize([])).toBeUndefined();
});

const ns = (size: number): Scale => ({ series: "ns", size });
const nodes = (size: number): Scale => ({ series: "nodes", size });
const waitnodes = (size: number): Scale => ({ series: "waitnodes", size });
const run = (scale: Scale, repeat: number, values: RunRecord["values"], extra: Partial<RunRecord> = {}): RunRecord => ({ scale, repeat, values, ...extra });

test("records are grouped by scale in first-seen order, with errors and no-op changes kept", () => {
    const summaries = summarizeRuns([
        run(ns(10), 1, { up: 10, noop: 4 }, { resources: 80 }),
        run(nodes(1), 1, { up: 3 }),
        run(ns(10), 2, { up: 12 }, { error: "up failed", noopChanges: { update: 2 } }),
        run(ns(10), 3, { up: 11, noop: 6 }, { noopChanges: {} }),
    ]);
    expect(summaries.map(s => `${s.scale.series}:${s.scale.size}`)).toEqual(["ns:10", "nodes:1"]);
    expect(summaries[0].measures.up).toEqual({ median: 11, min: 10, max: 12, n: 3 });
    expect(summaries[0].measures.noop).toEqual({ median: 5, min: 4, max: 6, n: 2 });
    expect(summaries[0].measures.destroy).toBeUndefined();
    expect(summaries[0].resources).toBe(80);
    expect(summaries[0].errors).toEqual(["repeat 2: up failed"]);
    expect(summaries[0].noopChanged).toEqual([{ update: 2 }]);
});

test("targets at their own scales: PASS and MISS by the ratio measured side by side", () => {
    const targets = evaluateTargets(summarizeRuns([
        run(ns(200), 1, { noop: 30, kubectlNoop: 10, up: 120, kubectlCreate: 20, peakMiB: 900, preview: 100, previewPack: 110 }),
        run(nodes(1), 1, { up: 10, preview: 5, previewPack: 6 }),
        run(nodes(50), 1, { up: 60 }),
        run(waitnodes(1), 1, { up: 10 }),
        run(waitnodes(50), 1, { up: 25 }),
    ]));
    const byTarget = Object.fromEntries(targets.map(t => [`${t.target} @ ${t.at}`, t]));
    expect(byTarget["no-op up / kubectl no-op apply @ ns:200"]).toMatchObject({ measured: "3.00x", status: "PASS" });
    expect(byTarget["up / kubectl create (apply on an empty cluster) @ ns:200"]).toMatchObject({ measured: "6.00x", status: "MISS" });
    expect(byTarget["peak memory of any one pulumi process tree @ ns:200"]).toMatchObject({ measured: "900 MiB", status: "PASS" });
    // The node target is judged on the waiting nodes; the real scripts' ratio (6x) is only reported (infoRatios).
    expect(byTarget["node commands whose remote work is waiting: up on many nodes / up on one @ waitnodes:50 vs waitnodes:1"]).toMatchObject({ measured: "2.50x", status: "MISS" });
    expect(byTarget["the policy pack's cost on a preview @ ns:200"]).toMatchObject({ measured: "+10.0%", status: "PASS" });
    expect(byTarget["the policy pack's cost on a preview @ nodes:1"]).toMatchObject({ measured: "+20.0%", status: "MISS" });
    expect(targets.every(t => t.note === undefined)).toBe(true);
});

test("a target whose scale was not run is judged at the nearest one run, saying so; with nothing to judge it is n/a", () => {
    const targets = evaluateTargets(summarizeRuns([
        run(ns(10), 1, { noop: 3, kubectlNoop: 1, peakMiB: 2048 }),
        run(ns(50), 1, { noop: 5, kubectlNoop: 2 }),
        run(nodes(3), 1, { up: 4 }),
    ]));
    const noop = targets.find(t => t.target.startsWith("no-op"))!;
    expect(noop).toMatchObject({ at: "ns:50", measured: "2.50x", status: "PASS", note: "the target is stated for 200 namespaces" });
    expect(targets.find(t => t.target.startsWith("up /"))).toMatchObject({ status: "n/a", note: "not measured" });
    expect(targets.find(t => t.target.startsWith("peak"))).toMatchObject({ at: "ns:50", status: "n/a" });
    expect(targets.find(t => t.target.startsWith("node commands"))).toMatchObject({ status: "n/a" });
    expect(targets.filter(t => t.target.startsWith("the policy pack"))).toEqual([]);
});

test("peak memory at or above 1 GiB misses", () => {
    const [peak] = evaluateTargets(summarizeRuns([run(ns(200), 1, { peakMiB: 1024 })])).filter(t => t.target.startsWith("peak"));
    expect(peak).toMatchObject({ measured: "1024 MiB", status: "MISS" });
});

test("informational ratios: no-op up against the create floor, destroy against kubectl delete", () => {
    expect(infoRatios(summarizeRuns([run(ns(50), 1, { noop: 8, kubectlCreate: 4, destroy: 30, kubectlDelete: 10 })]))).toEqual([
        { what: "no-op up / kubectl create", at: "ns:50", value: "2.00x" },
        { what: "destroy / kubectl delete", at: "ns:50", value: "3.00x" },
    ]);
});

test("informational: the real kernel settings' many-nodes ratio, next to the waiting-node target", () => {
    expect(infoRatios(summarizeRuns([run(nodes(1), 1, { up: 10 }), run(nodes(50), 1, { up: 59 })]))).toEqual([
        { what: "real kernel settings, up on many nodes / up on one (the nodes share the machine's CPUs)", at: "nodes:50 vs nodes:1", value: "5.90x" },
    ]);
});

test("the namespace targets for the single stack and for each split of as many namespaces", () => {
    const split = (atOnce: number): Scale => ({ series: "split", size: 200, perStack: 20, atOnce });
    const targets = evaluateTargets(summarizeRuns([
        run(ns(200), 1, { noop: 36, kubectlNoop: 6, up: 570, kubectlCreate: 7, peakMiB: 1800 }),
        run(split(1), 1, { noop: 60, kubectlNoop: 6, up: 70, kubectlCreate: 7, peakMiB: 700 }),
        run(split(4), 1, { noop: 17, kubectlNoop: 6, up: 30, kubectlCreate: 7, peakMiB: 720 }),
    ]));
    const up = targets.filter(t => t.id === "up").map(t => [t.at, t.measured, t.status]);
    expect(up).toEqual([["ns:200", "81.43x", "MISS"], ["split:200/20@1", "10.00x", "MISS"], ["split:200/20@4", "4.29x", "PASS"]]);
    expect(targets.filter(t => t.id === "noop").map(t => t.status)).toEqual(["MISS", "MISS", "PASS"]);
    expect(targets.filter(t => t.id === "memory").map(t => t.status)).toEqual(["MISS", "PASS", "PASS"]);
});

test("growth: per size, the single stack beside the split with the most stacks at once", () => {
    const split = (size: number, atOnce: number): Scale => ({ series: "split", size, perStack: 20, atOnce });
    const rows = growthRows(summarizeRuns([
        run(ns(10), 1, { up: 10, kubectlCreate: 1 }), run(split(10, 4), 1, { up: 12 }),
        run(ns(200), 1, { up: 570, noop: 36 }), run(split(200, 2), 1, { up: 60 }), run(split(200, 4), 1, { up: 40, noop: 17 }),
        run(split(1000, 4), 1, { up: 200 }),
    ]));
    expect(rows).toEqual([
        { namespaces: 10, split: "split:10/20@4", single: { up: 10 }, splitMeasures: { up: 12 }, kubectlCreate: 1 },
        { namespaces: 200, split: "split:200/20@4", single: { up: 570, noop: 36 }, splitMeasures: { up: 40, noop: 17 }, kubectlCreate: undefined },
        { namespaces: 1000, split: "split:1000/20@4", single: {}, splitMeasures: { up: 200 }, kubectlCreate: undefined },
    ]);
});
