// Helpers for the node scripts built as strings (kernel settings, kube-proxy, Flannel, the control plane, CSR
// approval). Every value that ends up in a script either passes one
// of the token checks below or is single-quoted, so a config value can never become shell syntax.

/** Quotes a string for POSIX sh: 'it'\''s' style. */
export function shellQuote(text: string): string {
    return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** Kernel module names: letters, digits, "_" and "-" (what modprobe accepts), never a leading "-" (an option). */
export const MODULE_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;
/** Sysctl keys in dotted form, at least two segments, no "/" so they map to one /proc/sys path; no leading "-". */
export const SYSCTL_KEY = /^[a-z0-9][a-z0-9_-]*(\.[A-Za-z0-9_-]+)+$/;
/** Sysctl values: words and numbers separated by single spaces ("4096 87380 16777216", "bbr"). */
export const SYSCTL_VALUE = /^[A-Za-z0-9._:-]+( [A-Za-z0-9._:-]+)*$/;

/** A plain absolute path (a kubeconfig on the node). */
export const ABSOLUTE_PATH = /^\/[A-Za-z0-9._/-]+$/;
/** A command name or path (kubectl). */
export const COMMAND = /^[A-Za-z0-9._/-]+$/;

export function assertToken(kind: string, value: string, pattern: RegExp): string {
    if (!pattern.test(value)) throw new Error(`unsafe ${kind} ${JSON.stringify(value)}: must match ${pattern}`);
    return value;
}

/** Collapses runs of blanks the way /proc/sys prints multi-value settings (tabs) into single spaces. */
export function normalizeSysctlValue(value: string | number | boolean): string {
    if (typeof value === "boolean") return value ? "1" : "0";
    return String(value).trim().split(/\s+/).join(" ");
}

/**
 * Wraps a script so it runs as root: unchanged for root, through `sudo -n` (no password prompt that
 * would hang the SSH session) for any other user.
 */
export function asRoot(script: string, sshUser: string): string {
    if (sshUser === "root") return script;
    return `sudo -n sh -c ${shellQuote(script)}`;
}

/**
 * A shell that runs the script fed on stdin, as root. Used when the script changes between runs: the
 * command line stays the same, so a changed script re-runs in place instead of replacing the resource.
 */
export function rootShellFromStdin(sshUser: string): string {
    return sshUser === "root" ? "sh -s" : "sudo -n sh -s";
}

/**
 * The result line a node script prints last ({...} on a line of its own), parsed; errors name the node and
 * what printed it ("Flannel cleanup", ...). The caller checks the shape.
 */
export function parseScriptResultLine(stdout: string, node: string, what: string, resultName = "result"): { line: string; value: unknown } {
    const line = stdout.split("\n").map(l => l.trim()).filter(l => l.startsWith("{")).pop();
    if (line === undefined) throw new Error(`node ${node}: ${what} printed no ${resultName} (stdout: ${JSON.stringify(stdout.slice(0, 200))})`);
    try {
        return { line, value: JSON.parse(line) };
    } catch (e) {
        throw new Error(`node ${node}: ${what} ${resultName} is not JSON: ${(e as Error).message}`);
    }
}

/**
 * Wraps a script into one command line for SSH: the script travels base64-encoded (no quoting surprises) and
 * runs under sh, through `sudo -n` when the SSH user is not root. stdin passes through to the script.
 */
export function remoteShellCommand(script: string, options: { sudo: boolean }): string {
    const encoded = Buffer.from(script, "utf8").toString("base64");
    const runner = options.sudo ? "sudo -n sh -c" : "sh -c";
    return `${runner} "$(printf '%s' '${encoded}' | base64 -d)"`;
}
