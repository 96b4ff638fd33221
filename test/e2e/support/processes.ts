// Local processes seen through /proc: which belong to one run (by an environment variable every process the
// run starts inherits), and whether a process is still running.
import * as fs from "fs";
import * as path from "path";

export interface ProcessInfo {
    pid: number;
    /** The program's file name, with the script for node (e.g. "node run-policy-pack/index.js"). */
    name: string;
}

/** Every process whose environment has `name=value`. Exited processes (zombies) have no environment left. */
export function processesWithEnv(name: string, value: string): ProcessInfo[] {
    const entry = `${name}=${value}`;
    const found: ProcessInfo[] = [];
    for (const dir of fs.readdirSync("/proc")) {
        if (!/^\d+$/.test(dir)) continue;
        try {
            if (!fs.readFileSync(`/proc/${dir}/environ`, "utf8").split("\0").includes(entry)) continue;
            found.push({ pid: Number(dir), name: programName(fs.readFileSync(`/proc/${dir}/cmdline`, "utf8").split("\0")) });
        } catch {
            // ended while we looked
        }
    }
    return found;
}

function programName(argv: string[]): string {
    const program = path.basename(argv[0] ?? "?");
    if (program !== "node") return program;
    const script = argv.slice(1).find(arg => !arg.startsWith("-"));
    return script ? `node ${path.basename(path.dirname(script))}/${path.basename(script)}` : "node";
}

/** True while pid runs: it exists and is not a zombie waiting to be reaped. */
export function isRunning(pid: number): boolean {
    try {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
        const state = stat.slice(stat.lastIndexOf(")") + 1).trim().split(" ")[0];
        return state !== "Z" && state !== "X";
    } catch {
        return false;
    }
}
