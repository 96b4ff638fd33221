// What the multi-stack command prints: per-stack progress lines from the engine's events, each failure's error in
// a few readable lines, and at the end one table of every stack's result, changes and time. Pure.
import { Operation, StackOutcome } from "./plan";
import { StackKind } from "./stackFiles";

/** Steps that change nothing on the cluster: unchanged, a refresh's read-back, a StackReference read or dropped. */
export const NO_CHANGE_OPS = ["same", "read", "refresh", "discard", "read-discard"];

const ORDER = ["create", "update", "replace", "delete", "same"];
const PAST: Record<string, string> = { create: "created", update: "updated", replace: "replaced", delete: "deleted", same: "unchanged" };
const PLANNED: Record<string, string> = { create: "to create", update: "to update", replace: "to replace", delete: "to delete", same: "unchanged" };

/** "3 created, 1 updated, 5 unchanged" (a preview: "3 to create, ..."); "no changes" for nothing at all. */
export function changesText(operation: Operation, changes: Record<string, number> | undefined): string {
    if (changes === undefined) return "-";
    const words = operation === "preview" ? PLANNED : PAST;
    // "unchanged" is worth a count; reads and discarded reads are not.
    const keys = Object.keys(changes).filter(k => changes[k] > 0 && (k === "same" || !NO_CHANGE_OPS.includes(k)))
        .sort((a, b) => (ORDER.indexOf(a) === -1 ? 99 : ORDER.indexOf(a)) - (ORDER.indexOf(b) === -1 ? 99 : ORDER.indexOf(b)) || a.localeCompare(b));
    return keys.length === 0 ? "no changes" : keys.map(k => `${changes[k]} ${words[k] ?? k}`).join(", ");
}

/** 4.2s, 1m05s. */
export function durationText(seconds: number): string {
    if (seconds < 60) return `${seconds.toFixed(1)}s`;
    const whole = Math.round(seconds);
    return `${Math.floor(whole / 60)}m${String(whole % 60).padStart(2, "0")}s`;
}

export interface SummaryRow extends StackOutcome { kind: StackKind }

/** The closing table, the total, and each failed stack named with its error. */
export function renderSummary(operation: Operation, rows: SummaryRow[], totalSeconds: number): string {
    const header = ["STACK", "KIND", "RESULT", "CHANGES", "TIME"];
    const body = rows.map(r => [r.stack, r.kind, r.status, r.status === "succeeded" ? changesText(operation, r.changes) : "-", durationText(r.seconds)]);
    const width = header.map((h, i) => Math.max(h.length, ...body.map(b => b[i].length)));
    const line = (cells: string[]) => cells.map((c, i) => c.padEnd(width[i])).join("  ").trimEnd();
    const bad = rows.filter(r => r.status === "failed" || r.status === "skipped");
    const out = [line(header), ...body.map(line), ""];
    out.push(bad.length === 0
        ? `${operation}: ${rows.length} stack${rows.length === 1 ? "" : "s"} succeeded in ${durationText(totalSeconds)}`
        : `${operation}: ${bad.length} of ${rows.length} stacks did not succeed (${bad.map(r => `${r.stack} ${r.status}`).join(", ")}) in ${durationText(totalSeconds)}`);
    for (const r of bad) out.push("", `${r.stack} ${r.status}:`, ...(r.error ?? "(no error message)").split("\n").map(l => `  ${l}`));
    return `${out.join("\n")}\n`;
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*[A-Za-z]/g;

/**
 * A stack's error in a few lines: the engine's error diagnostics when there are any (else the CLI's output), without
 * colour codes, JavaScript stack frames or blank lines, at most `maxLines`.
 */
export function errorSummary(diagnostics: string[], fallback: string, maxLines = 15): string {
    const text = (diagnostics.length > 0 ? diagnostics.join("\n") : fallback).replace(ANSI, "");
    const lines = text.split("\n").map(l => l.trimEnd())
        .filter(l => l.trim() !== "" && !/^\s+at .+(\(.*\)|:\d+:\d+)$/.test(l));
    const unique = lines.filter((l, i) => lines.indexOf(l) === i);
    return unique.length <= maxLines ? unique.join("\n") : [...unique.slice(0, maxLines), `... (${unique.length - maxLines} more lines)`].join("\n");
}

/** Engine warnings that say nothing about the stack (this toolchain's plugins are found on PATH on purpose). */
export function isNoiseWarning(message: string): boolean {
    return /^using pulumi-[a-z-]+ from \$PATH at /.test(message.replace(ANSI, "").trim());
}

/** "+ created Namespace identity-namespaces-a-dev" for a resource step, from its op, URN and whether it is planned. */
export function stepLine(op: string, urn: string, planned: boolean): string {
    const parts = urn.split("::");
    const type = (parts[2] ?? "").split("$").pop() ?? "";
    const name = parts[3] ?? urn;
    const verb = planned ? `${PLANNED[op] ?? op}` : `${PAST[op] ?? op}`;
    return `${verb} ${type.split(":").pop()} ${name}`;
}
