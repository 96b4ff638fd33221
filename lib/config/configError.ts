// One place that turns "this key has this bad value" into the error users see.
// Every validator collects ConfigIssues; the program throws a single ConfigError listing them all before any
// resource is registered, so nothing is half-applied by a bad config. Values are shown through mask.ts: a value
// that may be secret is masked, and the value of an unknown key is never shown.

import { fullKey } from "./keyPath";
import { shownValue } from "./mask";

export interface ConfigIssue {
    /** Config key path as the user writes it, e.g. "kube-baseline:users[2].name". */
    key: string;
    /** The offending value (undefined when the key is missing). Shown only through shownValue. */
    value: unknown;
    /** Why the value is wrong, and what would be right. */
    message: string;
    /** Never show the value (the key is unknown, so nothing says what it holds). */
    hideValue?: boolean;
}

export class ConfigError extends Error {
    declare readonly issues: ConfigIssue[];

    constructor(issues: ConfigIssue[]) {
        super(formatIssues(issues));
        this.name = "ConfigError";
        // Not enumerable: an error printed with util.inspect shows its message, never the raw values.
        Object.defineProperty(this, "issues", { value: issues, enumerable: false });
    }
}

/** "  - kube-baseline:<path> = <value>: <reason>", the value masked as mask.ts says. */
export function formatIssue(issue: ConfigIssue): string {
    return `${issue.key} = ${shownValue(issue.key, issue.value, { hide: issue.hideValue })}: ${issue.message}`;
}

export function formatIssues(issues: ConfigIssue[]): string {
    const lines = issues.map(i => `  - ${formatIssue(i)}`);
    return `invalid stack configuration (${issues.length} problem${issues.length === 1 ? "" : "s"}):\n${lines.join("\n")}`;
}

/** Throws a ConfigError when any issue was found. */
export function throwIfIssues(issues: ConfigIssue[]): void {
    if (issues.length > 0) throw new ConfigError(issues);
}

/**
 * Collects issues and warnings with paths relative to the namespace ("users[0].name"); validators take one and
 * add to it, so every area reports in the same form.
 */
export class Issues {
    readonly issues: ConfigIssue[] = [];
    readonly warnings: string[] = [];

    add(path: string, value: unknown, message: string): void {
        this.issues.push({ key: fullKey(path), value, message });
    }

    /** A key the program does not know: its value is never shown. */
    unknown(path: string, message: string): void {
        this.keyOnly(path, message);
    }

    /** An issue with the key itself, whatever its value (e.g. a setting this kind of stack may not have): the value is not shown. */
    keyOnly(path: string, message: string): void {
        this.issues.push({ key: fullKey(path), value: null, message, hideValue: true });
    }

    warn(path: string, value: unknown, message: string): void {
        this.warnings.push(formatIssue({ key: fullKey(path), value, message }));
    }

    get count(): number {
        return this.issues.length;
    }
}
