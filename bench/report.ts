// The benchmark's report: the figures per scale (median and range), the targets with PASS/MISS, and per scale a
// profile of where the time went. Markdown, printed and written to bench/RESULTS.md. Pure.
import { OperationProfile } from "./engineEvents";
import { scaleLabel } from "./scales";
import { StateProfile } from "./stateProfile";
import { evaluateTargets, growthRows, infoRatios, Measure, ScaleSummary, Summary, TargetResult } from "./stats";

/** One measured operation of one repeat, for the profile section. */
export interface OperationDetail {
    op: string;
    seconds: number;
    /** Summed RSS of the whole command's tree at its peak (with several stacks at once: all of them). */
    peakMiB: number;
    /** The largest RSS of one pulumi CLI with its descendants (for a single stack: the same as peakMiB). */
    peakPulumiTreeMiB?: number;
    /** RSS by process role at the peak, in MiB. */
    peakMiBByRole: Record<string, number>;
    cpuSecondsByRole: Record<string, number>;
    /** CPU the sandbox's kube-apiserver and etcd used during the operation. */
    clusterCpuSeconds?: number;
    /** CPU the whole machine was busy during the operation (all CPUs). */
    machineCpuSeconds?: number;
    profile: OperationProfile;
}

export interface ReportInput {
    startedAt: string;
    finishedAt: string;
    repeats: number;
    host: string;
    /** CPUs of the machine, for reading the machine-wide CPU figures. */
    cpus: number;
    notes: string[];
    summaries: ScaleSummary[];
    /** Scale label -> the operations of one repeat (the last that completed). */
    details: Record<string, OperationDetail[]>;
    /** Scale label -> where the state's bytes are, after up (the same repeat). */
    stateProfiles?: Record<string, StateProfile>;
}

/** "outputs 213 KiB, inputs 110, stackTrace 33"; then the largest properties by type. */
export function stateProfileLines(p: StateProfile): string[] {
    const kib = (v: number) => (v >= 10 ? Math.round(v).toString() : v.toFixed(1));
    const shortType = (t: string) => t.slice(t.lastIndexOf(":") + 1);
    return [
        `State by resource field (KiB): ${p.byField.slice(0, 6).map(f => `${f.field} ${kib(f.kib)}`).join(", ")}.`,
        `Largest properties, summed over the resources of a type (KiB): ${p.largestProperties.slice(0, 6)
            .map(x => `${shortType(x.type)}.${x.where}.${x.property} ${kib(x.kib)}`).join(", ")}.`,
    ];
}

const COLUMNS: Array<{ measure: Measure; title: string; unit: "s" | "MiB" }> = [
    { measure: "preview", title: "preview", unit: "s" },
    { measure: "previewPack", title: "preview + pack", unit: "s" },
    { measure: "up", title: "up", unit: "s" },
    { measure: "noop", title: "no-op up", unit: "s" },
    { measure: "destroy", title: "destroy", unit: "s" },
    { measure: "peakMiB", title: "peak MiB", unit: "MiB" },
    { measure: "kubectlCreate", title: "kubectl create", unit: "s" },
    { measure: "kubectlNoop", title: "kubectl no-op", unit: "s" },
    { measure: "kubectlDelete", title: "kubectl delete", unit: "s" },
];

/** "12.3 (11.9-13.0)"; one decimal for seconds, none for MiB; the range only when there is one. */
export function formatSummary(s: Summary | undefined, unit: "s" | "MiB"): string {
    if (!s) return "-";
    const f = (v: number) => (unit === "MiB" ? String(Math.round(v)) : v.toFixed(1));
    return s.n > 1 && f(s.min) !== f(s.max) ? `${f(s.median)} (${f(s.min)}-${f(s.max)})` : f(s.median);
}

function table(header: string[], rows: string[][]): string {
    return [
        `| ${header.join(" | ")} |`,
        `|${header.map(() => "---").join("|")}|`,
        ...rows.map(r => `| ${r.join(" | ")} |`),
    ].join("\n");
}

const round = (v: number | undefined, digits = 1) => (v === undefined ? "-" : v.toFixed(digits));

const SHORT_ROLES: Record<string, string> = {
    "pulumi CLI (engine)": "engine", "program (node)": "program", "kubernetes provider": "k8s provider",
    "dynamic provider (node)": "dynamic", "policy pack (node)": "pack", "language host": "langhost",
    "tls provider": "tls", "random provider": "random", "command provider": "command",
};

/** The largest values by process role, e.g. "program 9.0, engine 4.1"; values below `min` are left out. */
export function roleLine(values: Record<string, number>, digits = 1, min = 0.05): string {
    return Object.entries(values).filter(([, v]) => v >= min).sort((a, b) => b[1] - a[1])
        .map(([role, v]) => `${SHORT_ROLES[role] ?? role} ${v.toFixed(digits)}`).join(", ") || "-";
}

function slowestLine(p: OperationProfile): string {
    return p.slowest.slice(0, 3).map(s => `${s.name} ${s.seconds.toFixed(1)}`).join(", ") || "-";
}

const cpuOf = (d: OperationDetail | undefined, role: string) => d?.cpuSecondsByRole[role] ?? 0;
const treeCpu = (d: OperationDetail) => Object.values(d.cpuSecondsByRole).reduce((a, b) => a + b, 0);

/** For each missed target, one sentence with this run's figures on where the time (or memory) went. */
export function missNotes(targets: TargetResult[], summaries: ScaleSummary[], details: Record<string, OperationDetail[]>, cpus: number): string[] {
    const notes: string[] = [];
    const op = (at: string, name: string) => details[at]?.find(d => d.op === name);
    const summary = (at: string) => summaries.find(s => scaleLabel(s.scale) === at);
    for (const t of targets.filter(x => x.status === "MISS")) {
        const at = t.at.split(" ")[0];
        const s = summary(at);
        if (t.id === "up" || t.id === "noop") {
            const d = op(at, t.id === "up" ? "up" : "no-op up");
            if (!d) continue;
            notes.push(`${t.id === "up" ? "up" : "no-op up"} at ${at} (${d.seconds.toFixed(0)} s): start-up ${round(d.profile.firstStepSeconds)} s, ` +
                `steps ${round(d.profile.stepsSeconds)} s; CPU of the engine ${cpuOf(d, "pulumi CLI (engine)").toFixed(0)} s, of the program ` +
                `${cpuOf(d, "program (node)").toFixed(0)} s, of all pulumi processes ${treeCpu(d).toFixed(0)} s, of kube-apiserver + etcd ` +
                `${round(d.clusterCpuSeconds, 0)} s; ${s?.resources ?? "?"} resources, state ${s?.stateKiB === undefined ? "?" : (s.stateKiB / 1024).toFixed(1)} MiB` +
                (t.id === "up" ? " (the engine saves all of it after each step)." : "."));
        } else if (t.id === "memory") {
            const peak = (details[at] ?? []).filter(d => !d.op.startsWith("kubectl")).sort((a, b) => b.peakMiB - a.peakMiB)[0];
            if (peak) notes.push(`memory at ${at}: the peak (${Math.round(peak.peakMiB)} MiB) was in ${peak.op}; RSS MiB by process: ${roleLine(peak.peakMiBByRole, 0, 1)}.`);
        } else if (t.id === "nodes") {
            const d = op(at, "up");
            if (!d) continue;
            notes.push(`up at ${at} (${d.seconds.toFixed(0)} s): start-up ${round(d.profile.firstStepSeconds)} s, steps ${round(d.profile.stepsSeconds)} s with at most ` +
                `${d.profile.maxConcurrency} nodes in flight (pulumi --parallel); the machine was busy ${round(d.machineCpuSeconds, 0)} CPU s in those ` +
                `${d.seconds.toFixed(0)} s (${cpus} CPUs), the pulumi processes ${treeCpu(d).toFixed(0)} of them.`);
        } else if (t.id === "pack") {
            const plain = op(at, "preview");
            const pack = op(at, "preview+pack");
            if (!plain || !pack) continue;
            notes.push(`the pack at ${at}: +${(pack.seconds - plain.seconds).toFixed(1)} s; the pack's process used ${cpuOf(pack, "policy pack (node)").toFixed(1)} CPU s, ` +
                `the engine ${(cpuOf(pack, "pulumi CLI (engine)") - cpuOf(plain, "pulumi CLI (engine)")).toFixed(1)} s more (it sends every resource to the pack).`);
        }
    }
    return notes;
}

export function renderReport(input: ReportInput): string {
    const { summaries } = input;
    const out: string[] = [];
    out.push("# kube-baseline benchmark");
    out.push("");
    out.push(`Run ${input.startedAt} to ${input.finishedAt} on ${input.host}; ${input.repeats} repeat(s) per scale; medians, range in parentheses.`);
    for (const note of input.notes) out.push(`- ${note}`);
    out.push("");
    out.push("## Figures");
    out.push("");
    out.push(table(["scale", "resources", ...COLUMNS.map(c => `${c.title}${c.unit === "s" ? " (s)" : ""}`)],
        summaries.map(s => [scaleLabel(s.scale), s.resources === undefined ? "-" : String(s.resources),
            ...COLUMNS.map(c => formatSummary(s.measures[c.measure], c.unit))])));
    out.push("");

    out.push("## Targets");
    out.push("");
    const targets = evaluateTargets(summaries);
    out.push(table(["target", "at", "measured", "limit", "result"],
        targets.map(t => [t.target, t.at, t.measured, t.limit, t.note ? `${t.status} (${t.note})` : t.status])));
    const info = infoRatios(summaries);
    if (info.length > 0) {
        out.push("");
        out.push(`Also: ${info.map(i => `${i.what} at ${i.at} = ${i.value}`).join("; ")}.`);
    }
    const notes = missNotes(targets, summaries, input.details, input.cpus);
    if (notes.length > 0) {
        out.push("");
        out.push("Where the time of a missed target goes, from this run's profile (what would fix it: bench/README.md, Findings):");
        out.push("");
        for (const n of notes) out.push(`- ${n}`);
    }
    out.push("");

    const growth = growthRows(summaries).filter(r => r.split !== undefined || Object.keys(r.single).length > 0);
    if (growth.some(r => r.split !== undefined)) {
        out.push("## Growth: one stack against tenant stacks");
        out.push("");
        out.push("Medians in seconds (peak in MiB: of any one pulumi process tree); the split is the one with the most stacks at once at that size.");
        out.push("");
        const v = (x?: number, digits = 1) => (x === undefined ? "-" : x.toFixed(digits));
        out.push(table(["namespaces", "split", "up: one stack", "up: split", "no-op: one stack", "no-op: split", "destroy: one stack", "destroy: split", "peak: one stack", "peak: split", "kubectl create"],
            growth.map(r => [String(r.namespaces), r.split ?? "-", v(r.single.up), v(r.splitMeasures.up), v(r.single.noop), v(r.splitMeasures.noop),
                v(r.single.destroy), v(r.splitMeasures.destroy), v(r.single.peakMiB, 0), v(r.splitMeasures.peakMiB, 0), v(r.kubectlCreate)])));
        out.push("");
    }

    const problems = summaries.flatMap(s => [
        ...s.errors.map(e => `${scaleLabel(s.scale)} failed, ${e}`),
        ...s.noopChanged.map(c => `${scaleLabel(s.scale)}: a no-op up changed resources (${Object.entries(c).map(([op, n]) => `${op} ${n}`).join(", ")}); that is a bug`),
    ]);
    if (problems.length > 0) {
        out.push("## Problems");
        out.push("");
        for (const p of problems) out.push(`- ${p}`);
        out.push("");
    }

    out.push("## Where the time goes");
    out.push("");
    out.push("Per scale, one repeat: start-up = command start to the first resource step (CLI, plugins, program start-up); " +
        "steps = first to last resource step; tail = after the last step (outputs, snapshot, exit). CPU seconds by process " +
        "of the pulumi tree, of the sandbox's kube-apiserver + etcd, and of the whole machine (all CPUs; the rest is the nodes' sshd and " +
        "scripts, kwok, the controllers, the benchmark itself and anything else running). Slowest = the three longest resource steps (s).");
    for (const s of summaries) {
        const details = input.details[scaleLabel(s.scale)];
        if (!details || details.length === 0) continue;
        out.push("");
        out.push(`### ${scaleLabel(s.scale)}`);
        out.push("");
        if (s.stateKiB !== undefined) {
            out.push(`State after up: ${s.resources ?? "?"} resources, ${Math.round(s.stateKiB)} KiB as \`pulumi stack export\` prints it, ${s.dependencies ?? "?"} dependency edges.`);
            const profile = input.stateProfiles?.[scaleLabel(s.scale)];
            if (profile) out.push(...stateProfileLines(profile).map(l => `${l}`));
            out.push("");
        }
        out.push(table(["op", "wall s", "start-up", "steps", "tail", "in flight (max)", "peak MiB", "CPU s (pulumi tree)", "apiserver+etcd CPU s", "machine CPU s", "slowest steps"],
            details.map(d => [d.op, round(d.seconds), round(d.profile.firstStepSeconds), round(d.profile.stepsSeconds), round(d.profile.tailSeconds),
                String(d.profile.maxConcurrency), String(Math.round(d.peakMiB)), roleLine(d.cpuSecondsByRole), round(d.clusterCpuSeconds),
                round(d.machineCpuSeconds), slowestLine(d.profile)])));
        const up = details.find(d => d.op === "up");
        if (up && up.profile.byType.length > 0) {
            out.push("");
            out.push(`up, summed step time by type: ${up.profile.byType.slice(0, 6).map(t => `${t.type} ${t.count}x ${t.seconds.toFixed(1)} s`).join("; ")}.`);
        }
        const peak = details.filter(d => !d.op.startsWith("kubectl")).sort((a, b) => b.peakMiB - a.peakMiB)[0];
        if (peak) {
            out.push("");
            out.push(`Memory at the peak (${peak.op}, ${Math.round(peak.peakMiB)} MiB), RSS MiB by process: ${roleLine(peak.peakMiBByRole, 0, 1)}.`);
        }
    }
    out.push("");
    return out.join("\n");
}
