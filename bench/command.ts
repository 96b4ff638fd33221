// Runs one timed command (pulumi or kubectl) in a process group of its own, bounded in time: on timeout or on
// interrupt the whole group gets SIGTERM, then SIGKILL. While it runs, its process tree is sampled (peak memory,
// CPU by process) and, for pulumi, its engine events are read as they are written.
import { spawn } from "child_process";
import * as fs from "fs";
import { StringDecoder } from "string_decoder";
import { parseEventLines, splitEventLines, TimedEvent } from "./engineEvents";
import { ProcessTreeSampler, TreeUsage } from "./procTree";

export interface CommandResult {
    code: number | null;
    signal: NodeJS.Signals | null;
    seconds: number;
    stdout: string;
    stderr: string;
    timedOut: boolean;
    usage: TreeUsage;
    events: TimedEvent[];
}

export interface CommandOptions {
    cwd: string;
    env: NodeJS.ProcessEnv;
    timeoutMs: number;
    /** Where pulumi writes its engine events (`--event-log`); read while it runs. */
    eventLog?: string;
    input?: string;
    /** Output kept (its end), per stream; default 1 MiB. */
    outputLimit?: number;
}

const KILL_GRACE_MS = 20_000;
const EVENT_POLL_MS = 100;
const OUTPUT_LIMIT = 1 << 20;

/** Process groups of commands now running, so an interrupt can end them. */
const running = new Set<number>();

/**
 * A signal within this time of the first is that same interrupt delivered twice: a signal to the process group
 * reaches this process and also bench.sh, which forwards it. Only a later one means "quit at once".
 */
export const REPEATED_SIGNAL_MS = 3000;

export function quitsAtOnce(firstSignalAt: number, now: number): boolean {
    return now - firstSignalAt >= REPEATED_SIGNAL_MS;
}

export function terminateRunning(): void {
    for (const pgid of running) signalGroup(pgid, "SIGTERM");
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
    try {
        process.kill(-pgid, signal);
    } catch {
        // already gone
    }
}

export function runCommand(command: string, args: string[], opts: CommandOptions): Promise<CommandResult> {
    return new Promise((resolve, reject) => {
        const startedAt = Date.now();
        const child = spawn(command, args, { cwd: opts.cwd, env: opts.env, detached: true, stdio: ["pipe", "pipe", "pipe"] });
        if (child.pid === undefined) {
            child.once("error", reject);
            return;
        }
        const pid = child.pid;
        running.add(pid);
        const sampler = new ProcessTreeSampler(pid).start();
        const limit = opts.outputLimit ?? OUTPUT_LIMIT;
        // Chunks are kept whole and decoded at the end (a chunk may end inside a character); the oldest go first.
        const stdout = { chunks: [] as Buffer[], size: 0 };
        const stderr = { chunks: [] as Buffer[], size: 0 };
        const keep = (into: typeof stdout, chunk: Buffer) => {
            into.chunks.push(chunk);
            into.size += chunk.length;
            while (into.size > limit && into.chunks.length > 1) into.size -= into.chunks.shift()!.length;
        };
        child.stdout!.on("data", (c: Buffer) => keep(stdout, c));
        child.stderr!.on("data", (c: Buffer) => keep(stderr, c));
        child.stdin!.end(opts.input ?? "");

        const lines: Array<{ atMs: number; line: string }> = [];
        const tail = opts.eventLog ? new EventLogTail(opts.eventLog, startedAt, lines) : undefined;
        const poll = tail ? setInterval(() => tail.read(), EVENT_POLL_MS) : undefined;

        let timedOut = false;
        let killTimer: NodeJS.Timeout | undefined;
        const timer = setTimeout(() => {
            timedOut = true;
            signalGroup(pid, "SIGTERM");
            killTimer = setTimeout(() => signalGroup(pid, "SIGKILL"), KILL_GRACE_MS);
        }, opts.timeoutMs);

        let exit: { code: number | null; signal: NodeJS.Signals | null; seconds: number } | undefined;
        child.once("exit", (code, signal) => { exit = { code, signal, seconds: (Date.now() - startedAt) / 1000 }; });
        child.once("close", (code, signal) => {
            clearTimeout(timer);
            if (killTimer) clearTimeout(killTimer);
            if (poll) clearInterval(poll);
            tail?.read();
            tail?.close();
            running.delete(pid);
            // Whatever the command left behind in its group goes with it.
            signalGroup(pid, "SIGKILL");
            const done = exit ?? { code, signal, seconds: (Date.now() - startedAt) / 1000 };
            const { events } = parseEventLines(lines);
            resolve({
                ...done,
                stdout: Buffer.concat(stdout.chunks).toString("utf8"),
                stderr: Buffer.concat(stderr.chunks).toString("utf8"),
                timedOut,
                usage: sampler.stop(),
                events,
            });
        });
        child.once("error", err => {
            clearTimeout(timer);
            running.delete(pid);
            sampler.stop();
            reject(err);
        });
    });
}

/** Reads the lines an event log gains, stamping each with the milliseconds since the command started. */
class EventLogTail {
    private fd?: number;
    private offset = 0;
    private partial = "";
    private readonly decoder = new StringDecoder("utf8");

    constructor(private readonly file: string, private readonly startedAt: number, private readonly into: Array<{ atMs: number; line: string }>) {}

    read(): void {
        if (this.fd === undefined) {
            try {
                this.fd = fs.openSync(this.file, "r");
            } catch {
                return; // not created yet
            }
        }
        const buffer = Buffer.alloc(1 << 16);
        for (;;) {
            const n = fs.readSync(this.fd, buffer, 0, buffer.length, this.offset);
            if (n <= 0) break;
            this.offset += n;
            this.partial += this.decoder.write(buffer.subarray(0, n));
        }
        const { lines, rest } = splitEventLines(this.partial);
        this.partial = rest;
        const atMs = Date.now() - this.startedAt;
        for (const line of lines) this.into.push({ atMs, line });
    }

    close(): void {
        if (this.fd !== undefined) fs.closeSync(this.fd);
        this.fd = undefined;
    }
}
