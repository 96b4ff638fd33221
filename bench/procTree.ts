// Memory and CPU of a process tree, from /proc: the pulumi CLI and everything it starts (language host, the
// node program, the Kubernetes provider, the dynamic provider, a policy pack). The parsing and the tree walk
// are pure; ProcessTreeSampler reads /proc on a timer.
import { execFileSync } from "child_process";
import * as fs from "fs";

export interface ProcStat {
    pid: number;
    comm: string;
    ppid: number;
    /** User and system CPU time, in clock ticks. */
    cpuTicks: number;
    /** Resident set size, in pages. */
    rssPages: number;
}

/**
 * Parses /proc/<pid>/stat (proc(5)). The command name sits in parentheses and may itself hold spaces and
 * parentheses, so the fields are counted from the last ')'.
 */
export function parseProcStat(text: string): ProcStat {
    const open = text.indexOf("(");
    const close = text.lastIndexOf(")");
    if (open < 0 || close < open) throw new Error(`not a /proc/<pid>/stat line: ${JSON.stringify(text.slice(0, 80))}`);
    const pid = Number(text.slice(0, open).trim());
    // After ")": field 3 (state) is rest[0], so field n is rest[n - 3].
    const rest = text.slice(close + 1).trim().split(/\s+/);
    const field = (n: number) => Number(rest[n - 3]);
    const stat = { pid, comm: text.slice(open + 1, close), ppid: field(4), cpuTicks: field(14) + field(15), rssPages: field(24) };
    if (![stat.pid, stat.ppid, stat.cpuTicks, stat.rssPages].every(Number.isFinite)) {
        throw new Error(`not a /proc/<pid>/stat line: ${JSON.stringify(text.slice(0, 80))}`);
    }
    return stat;
}

/**
 * Busy CPU time of the whole machine, in clock ticks, from /proc/stat's first line (all CPUs): everything but
 * idle and iowait. The difference over an operation shows what else ran besides the pulumi tree.
 */
export function parseMachineBusyTicks(procStat: string): number {
    const line = procStat.split("\n").find(l => /^cpu\s/.test(l));
    if (!line) throw new Error("no cpu line in /proc/stat");
    const v = line.trim().split(/\s+/).slice(1).map(Number);
    if (v.length < 5 || v.some(n => !Number.isFinite(n))) throw new Error(`not a /proc/stat cpu line: ${line}`);
    // user nice system idle iowait irq softirq steal (guest time is already inside user and nice)
    const [user, nice, system, , , irq = 0, softirq = 0, steal = 0] = v;
    return user + nice + system + irq + softirq + steal;
}

export function machineBusySeconds(): number | undefined {
    try {
        return parseMachineBusyTicks(fs.readFileSync("/proc/stat", "utf8")) / pageSizeAndTicks().ticksPerSecond;
    } catch {
        return undefined;
    }
}

/** The root and every process below it, from one snapshot of the process table. */
export function treePids(stats: ProcStat[], root: number): Set<number> {
    const children = new Map<number, number[]>();
    for (const s of stats) children.set(s.ppid, [...(children.get(s.ppid) ?? []), s.pid]);
    const seen = new Set<number>();
    const todo = stats.some(s => s.pid === root) ? [root] : [];
    while (todo.length > 0) {
        const pid = todo.pop()!;
        if (seen.has(pid)) continue;
        seen.add(pid);
        todo.push(...(children.get(pid) ?? []));
    }
    return seen;
}

/** Summed RSS of a set of processes, in bytes. Shared pages count once per process: an upper bound. */
export function treeRssBytes(stats: ProcStat[], pids: Set<number>, pageSize: number): number {
    return stats.filter(s => pids.has(s.pid)).reduce((sum, s) => sum + s.rssPages * pageSize, 0);
}

/**
 * What a process of the tree is, for the profile, from its command name (cut to 15 characters by the kernel)
 * and command line.
 */
export function processRole(comm: string, cmdline: string): string {
    if (comm === "pulumi") return "pulumi CLI (engine)";
    if (comm.startsWith("pulumi-language")) return "language host";
    if (cmdline.includes("pulumi-resource-kubernetes")) return "kubernetes provider";
    for (const plugin of ["tls", "random", "command"]) {
        if (cmdline.includes(`pulumi-resource-${plugin}`)) return `${plugin} provider`;
    }
    if (cmdline.includes("dynamic-provider") || cmdline.includes("pulumi-resource-pulumi-nodejs")) return "dynamic provider (node)";
    if (comm === "node" && /polic/.test(cmdline)) return "policy pack (node)";
    if (comm === "node") return "program (node)";
    if (comm === "kubectl") return comm;
    return `other (${comm})`;
}

export interface TreeUsage {
    peakRssBytes: number;
    /** The largest RSS of one pulumi CLI with its descendants (its plugins, program, pack): with several stacks at
     *  once, one per stack; with one, the same as peakRssBytes but for what runs beside it. */
    peakPulumiTreeRssBytes: number;
    /** At the peak: RSS in bytes by process role. */
    peakRssBytesByRole: Record<string, number>;
    /** CPU seconds by process role (processes that ended between samples lose at most one interval). */
    cpuSecondsByRole: Record<string, number>;
    samples: number;
}

const PROC = "/proc";

function readStat(pid: string): ProcStat | undefined {
    try {
        return parseProcStat(fs.readFileSync(`${PROC}/${pid}/stat`, "utf8"));
    } catch {
        return undefined; // ended while we looked
    }
}

export function readAllStats(): ProcStat[] {
    return fs.readdirSync(PROC).filter(e => /^[0-9]+$/.test(e)).flatMap(pid => {
        const s = readStat(pid);
        return s ? [s] : [];
    });
}

let systemConstants: { pageSize: number; ticksPerSecond: number } | undefined;
export function pageSizeAndTicks(): { pageSize: number; ticksPerSecond: number } {
    if (!systemConstants) {
        const get = (name: string, fallback: number) => {
            try {
                return Number(execFileSync("getconf", [name], { encoding: "utf8" }).trim()) || fallback;
            } catch {
                return fallback;
            }
        };
        systemConstants = { pageSize: get("PAGESIZE", 4096), ticksPerSecond: get("CLK_TCK", 100) };
    }
    return systemConstants;
}

/** CPU seconds a process has used so far (undefined when it is gone). */
export function processCpuSeconds(pid: number): number | undefined {
    const s = readStat(String(pid));
    return s && s.cpuTicks / pageSizeAndTicks().ticksPerSecond;
}

/** Samples the tree under `root` every `intervalMs` until stop(): peak summed RSS and CPU by role. */
export class ProcessTreeSampler {
    private timer?: NodeJS.Timeout;
    private peak = 0;
    private peakPulumiTree = 0;
    private peakByRole: Record<string, number> = {};
    private samples = 0;
    private readonly lastTicks = new Map<number, { comm: string; role: string; ticks: number }>();

    constructor(private readonly root: number, private readonly intervalMs = 150) {}

    start(): this {
        this.sample();
        this.timer = setInterval(() => this.sample(), this.intervalMs);
        return this;
    }

    stop(): TreeUsage {
        if (this.timer) clearInterval(this.timer);
        this.timer = undefined;
        const { ticksPerSecond } = pageSizeAndTicks();
        const cpu: Record<string, number> = {};
        for (const { role, ticks } of this.lastTicks.values()) cpu[role] = (cpu[role] ?? 0) + ticks / ticksPerSecond;
        return { peakRssBytes: this.peak, peakPulumiTreeRssBytes: this.peakPulumiTree, peakRssBytesByRole: this.peakByRole, cpuSecondsByRole: cpu, samples: this.samples };
    }

    private sample(): void {
        const stats = readAllStats();
        const pids = treePids(stats, this.root);
        const { pageSize } = pageSizeAndTicks();
        const byRole: Record<string, number> = {};
        this.samples++;
        for (const s of stats) {
            if (!pids.has(s.pid)) continue;
            const known = this.lastTicks.get(s.pid);
            // A process that exec'd (a plugin's shell wrapper becoming node) is looked at again.
            const role = known && known.comm === s.comm ? known.role : processRole(s.comm, readCmdline(s.pid));
            this.lastTicks.set(s.pid, { comm: s.comm, role, ticks: s.cpuTicks });
            byRole[role] = (byRole[role] ?? 0) + s.rssPages * pageSize;
        }
        const total = treeRssBytes(stats, pids, pageSize);
        this.peakPulumiTree = Math.max(this.peakPulumiTree, largestPulumiTreeBytes(stats, pids, pageSize));
        if (total > this.peak) {
            this.peak = total;
            this.peakByRole = byRole;
        }
    }
}

/** Of the pulumi CLI processes among `pids`, the largest RSS of one with its descendants. Pure. */
export function largestPulumiTreeBytes(stats: ProcStat[], pids: Set<number>, pageSize: number): number {
    let largest = 0;
    for (const s of stats) {
        if (pids.has(s.pid) && s.comm === "pulumi") largest = Math.max(largest, treeRssBytes(stats, treePids(stats, s.pid), pageSize));
    }
    return largest;
}

function readCmdline(pid: number): string {
    try {
        return fs.readFileSync(`${PROC}/${pid}/cmdline`, "utf8").replace(/\0/g, " ");
    } catch {
        return "";
    }
}
