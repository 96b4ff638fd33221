// The report: figures with medians and ranges, targets with PASS/MISS, problems, the profile per scale.
import { formatSummary, missNotes, OperationDetail, renderReport, roleLine, stateProfileLines } from "../../../bench/report";
import { profileOperation } from "../../../bench/engineEvents";
import { evaluateTargets, summarizeRuns } from "../../../bench/stats";

test("figures: one decimal for seconds, whole MiB, the range only when there is one", () => {
    expect(formatSummary({ median: 12.34, min: 11.9, max: 13.04, n: 3 }, "s")).toBe("12.3 (11.9-13.0)");
    expect(formatSummary({ median: 12.34, min: 12.31, max: 12.33, n: 2 }, "s")).toBe("12.3");
    expect(formatSummary({ median: 700.4, min: 690, max: 712, n: 3 }, "MiB")).toBe("700 (690-712)");
    expect(formatSummary(undefined, "s")).toBe("-");
});

test("roles by size, small ones left out", () => {
    expect(roleLine({ "program (node)": 9, "pulumi CLI (engine)": 4.14, "language host": 0.01 })).toBe("program 9.0, engine 4.1");
});

test("the report has the figures table, the targets, the problems and the profile", () => {
    const summaries = summarizeRuns([
        { scale: { series: "ns", size: 200 }, repeat: 1, resources: 1603, values: { preview: 50, previewPack: 60, up: 100, noop: 40, destroy: 80, peakMiB: 1100, kubectlCreate: 25, kubectlNoop: 10, kubectlDelete: 30 }, noopChanges: { update: 1 } },
        { scale: { series: "ns", size: 200 }, repeat: 2, values: {}, error: "up exited with 1: boom" },
    ]);
    const text = renderReport({
        startedAt: "2026-01-01T00:00:00Z", finishedAt: "2026-01-01T01:00:00Z", repeats: 2, host: "h", cpus: 2, notes: ["a note"], summaries,
        details: { "ns:200": [{ op: "up", seconds: 100, peakMiB: 1100, peakMiBByRole: { "program (node)": 700 }, cpuSecondsByRole: { "program (node)": 50 }, clusterCpuSeconds: 20, profile: profileOperation([], 100) }] },
    });
    expect(text).toContain("| ns:200 | 1603 | 50.0 | 60.0 | 100.0 | 40.0 | 80.0 | 1100 | 25.0 | 10.0 | 30.0 |");
    expect(text).toContain("| no-op up / kubectl no-op apply | ns:200 | 4.00x | <= 3x | MISS |");
    expect(text).toContain("| up / kubectl create (apply on an empty cluster) | ns:200 | 4.00x | <= 5x | PASS |");
    expect(text).toContain("| peak memory of any one pulumi process tree | ns:200 | 1100 MiB | < 1024 MiB | MISS |");
    expect(text).toContain("| the policy pack's cost on a preview | ns:200 | +20.0% | <= +15% | MISS |");
    expect(text).toContain("- ns:200 failed, repeat 2: up exited with 1: boom");
    expect(text).toContain("- ns:200: a no-op up changed resources (update 1); that is a bug");
    expect(text).toContain("### ns:200");
    expect(text).toContain("Memory at the peak (up, 1100 MiB), RSS MiB by process: program 700.");
    expect(text).toContain("- a note");
});

test("a missed target gets a note with this run's figures on where the time or memory went", () => {
    const summaries = summarizeRuns([
        { scale: { series: "ns", size: 200 }, repeat: 1, resources: 2010, stateKiB: 20 * 1024, values: { up: 1000, kubectlCreate: 10, preview: 40, previewPack: 60, peakMiB: 1500 } },
        { scale: { series: "waitnodes", size: 1 }, repeat: 1, values: { up: 10 } },
        { scale: { series: "waitnodes", size: 50 }, repeat: 1, values: { up: 40 } },
    ]);
    const detail = (op: string, seconds: number, cpu: Record<string, number>, extra: Partial<OperationDetail> = {}): OperationDetail => ({
        op, seconds, peakMiB: 100, peakMiBByRole: {}, cpuSecondsByRole: cpu, clusterCpuSeconds: 12, machineCpuSeconds: 80,
        profile: { ...profileOperation([], seconds), firstStepSeconds: 15, stepsSeconds: 980, maxConcurrency: 8 }, ...extra,
    });
    const details = {
        "ns:200": [
            detail("preview", 40, { "pulumi CLI (engine)": 14, "program (node)": 25 }),
            detail("preview+pack", 60, { "pulumi CLI (engine)": 29, "program (node)": 27, "policy pack (node)": 14 }),
            detail("up", 1000, { "pulumi CLI (engine)": 900, "program (node)": 30 }, { peakMiB: 1500, peakMiBByRole: { "pulumi CLI (engine)": 800, "program (node)": 700 } }),
        ],
        "waitnodes:50": [detail("up", 40, { "pulumi CLI (engine)": 8, "command provider": 3 })],
    };
    const notes = missNotes(evaluateTargets(summaries), summaries, details, 2);
    expect(notes).toEqual([
        "up at ns:200 (1000 s): start-up 15.0 s, steps 980.0 s; CPU of the engine 900 s, of the program 30 s, of all pulumi processes 930 s, of kube-apiserver + etcd 12 s; 2010 resources, state 20.0 MiB (the engine saves all of it after each step).",
        "memory at ns:200: the peak (1500 MiB) was in up; RSS MiB by process: engine 800, program 700.",
        "up at waitnodes:50 (40 s): start-up 15.0 s, steps 980.0 s with at most 8 nodes in flight (pulumi --parallel); the machine was busy 80 CPU s in those 40 s (2 CPUs), the pulumi processes 11 of them.",
        "the pack at ns:200: +20.0 s; the pack's process used 14.0 CPU s, the engine 15.0 s more (it sends every resource to the pack).",
    ]);
});

describe("stateProfileLines", () => {
    test("names the heaviest fields and properties, types by their short name", () => {
        const lines = stateProfileLines({
            totalKiB: 300, resources: 3,
            byField: [{ field: "outputs", kib: 213.4 }, { field: "inputs", kib: 110 }, { field: "stackTrace", kib: 3.33 }],
            byType: [],
            largestProperties: [{ type: "tls:index/privateKey:PrivateKey", where: "outputs", property: "privateKeyPem", kib: 12.5 }],
        });
        expect(lines).toEqual([
            "State by resource field (KiB): outputs 213, inputs 110, stackTrace 3.3.",
            "Largest properties, summed over the resources of a type (KiB): PrivateKey.outputs.privateKeyPem 13.",
        ]);
    });
});
