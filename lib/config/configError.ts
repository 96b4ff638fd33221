// One place that turns "this key has this bad value" into the error users see.
// Every validator returns ConfigIssue[]; the program throws a single ConfigError listing them all
// before any resource is registered, so nothing is half-applied by a bad config.

export interface ConfigIssue {
    /** Config key path as the user writes it, e.g. "kube-baseline:users[2].name". */
    key: string;
    /** The offending value, shown back to the user (never a secret: callers redact). */
    value: unknown;
    /** Why the value is wrong, and what would be right. */
    message: string;
}

export class ConfigError extends Error {
    constructor(readonly issues: ConfigIssue[]) {
        super(formatIssues(issues));
        this.name = "ConfigError";
    }
}

export function formatIssues(issues: ConfigIssue[]): string {
    const lines = issues.map(i => `  - ${i.key} = ${showValue(i.value)}: ${i.message}`);
    return `invalid stack configuration (${issues.length} problem${issues.length === 1 ? "" : "s"}):\n${lines.join("\n")}`;
}

function showValue(value: unknown): string {
    if (value === undefined) return "(unset)";
    const text = JSON.stringify(value);
    return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

/** Throws a ConfigError when any issue was found. */
export function throwIfIssues(issues: ConfigIssue[]): void {
    if (issues.length > 0) throw new ConfigError(issues);
}
