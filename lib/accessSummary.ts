// The access summary shown after an update: for each user and namespace, what the live cluster lets that user do,
// as `kubectl auth can-i --list` reports it when run with the user's own kubeconfig. Pure: parsing kubectl's table,
// reading the stack outputs, grouping rules into "resources: verbs" lines and rendering the terminal table and the
// Markdown file. scripts/access-summary.ts does the I/O.

/** One row of `kubectl auth can-i --list`. */
export interface AccessRule {
    /** "pods", "deployments.apps", "pods/log", "*.*"; empty for non-resource URL rules. */
    resource: string;
    nonResourceUrls: string[];
    resourceNames: string[];
    verbs: string[];
}

/** Verbs held on a set of resources (or non-resource URLs). */
export interface Grant { resources: string[]; verbs: string[] }

/** What one user may do in one namespace, or why it could not be found out. */
export type Cell =
    | { ok: true; grants: Grant[]; warning?: string }
    | { ok: false; error: string };

export interface UserAccess {
    user: string;
    /** The stack whose output holds the user's kubeconfig (a summary may cover a baseline and its tenant stacks). */
    stack?: string;
    /** "token", or "cert" with the certificate's expiry when the stack knows it. */
    authentication: string;
    /** Namespace -> access. */
    cells: Record<string, Cell>;
    /** Non-resource URLs beyond the discovery endpoints every user may read (cluster-wide, not per namespace). */
    nonResourceGrants: Grant[];
}

export interface AccessSummary {
    /** One stack, or a baseline and its tenant stacks: every user of them asked about every namespace of them. */
    stacks: string[];
    apiServerUrl?: string;
    /** ISO 8601 time the cluster was asked. */
    generatedAt: string;
    namespaces: string[];
    users: UserAccess[];
}

/** The stack outputs the summary needs (see README "Outputs"). */
export interface SummaryInputs {
    apiServerUrl?: string;
    /** User name -> kubeconfig (secret: never printed, never put in an error). */
    userKubeconfigs: Record<string, string>;
    namespaces: string[];
    tokenUsers: string[];
    certificateExpiry: Record<string, string>;
}

// ---------------------------------------------------------------------------------------------------------
// kubectl auth can-i --list

// kubectl prints each rule as `<resource>\t[urls]\t[names]\t[verbs]` through a tabwriter (Go's %v of a slice is
// "[a b]"); the resource column is empty for non-resource URL rules.
const ROW = /^\s*(?:(\S+)\s+)?(\[[^\]]*\])\s+(\[[^\]]*\])\s+(\[[^\]]*\])\s*$/;

function bracketList(text: string): string[] {
    const inner = text.slice(1, -1).trim();
    return inner === "" ? [] : inner.split(/\s+/);
}

/** Parses the table `kubectl auth can-i --list` prints (with or without its header line). */
export function parseCanIList(text: string): AccessRule[] {
    const rules: AccessRule[] = [];
    for (const line of text.split("\n")) {
        if (line.trim() === "" || /^Resources\s+Non-Resource URLs\s+Resource Names\s+Verbs\s*$/.test(line.trim())) continue;
        const m = ROW.exec(line);
        if (!m) throw new Error(`unexpected line in kubectl auth can-i --list output: ${JSON.stringify(line)}`);
        rules.push({
            resource: m[1] ?? "",
            nonResourceUrls: bracketList(m[2]),
            resourceNames: bracketList(m[3]),
            verbs: bracketList(m[4]),
        });
    }
    return rules;
}

/** Self-reviews every authenticated user may create (built-in ClusterRoles system:basic-user and friends). */
export const SELF_REVIEW_RESOURCES = [
    "selfsubjectaccessreviews.authorization.k8s.io",
    "selfsubjectrulesreviews.authorization.k8s.io",
    "selfsubjectreviews.authentication.k8s.io",
];
/** Discovery, health and version endpoints the built-in discovery roles let everyone read. */
export const DISCOVERY_URLS = [
    "/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez", "/readyz", "/version", "/version/",
    "/openapi", "/openapi/*", "/.well-known/openid-configuration", "/.well-known/openid-configuration/",
    "/openid/v1/jwks", "/openid/v1/jwks/",
];

/** True for the rights Kubernetes gives every authenticated user: they say nothing about this stack's RBAC. */
export function isGrantedToEveryone(rule: AccessRule): boolean {
    if (rule.resource !== "") {
        return SELF_REVIEW_RESOURCES.includes(rule.resource) && rule.resourceNames.length === 0
            && rule.verbs.length === 1 && rule.verbs[0] === "create";
    }
    return rule.nonResourceUrls.length > 0 && rule.nonResourceUrls.every(u => DISCOVERY_URLS.includes(u))
        && rule.verbs.every(v => v === "get");
}

const VERB_ORDER = ["*", "get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"];

/** Verbs in the order people read them (reads, then writes), unknown ones after, alphabetically. */
export function sortVerbs(verbs: string[]): string[] {
    const rank = (v: string) => {
        const i = VERB_ORDER.indexOf(v);
        return i === -1 ? VERB_ORDER.length : i;
    };
    return [...new Set(verbs)].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/** A rule's resource as shown: named objects in brackets, e.g. "configmaps[app-config]". */
function resourceLabel(rule: AccessRule): string {
    return rule.resourceNames.length === 0 ? rule.resource : `${rule.resource}[${rule.resourceNames.join(",")}]`;
}

/** Groups rules with the same verbs: one Grant per distinct verb set, resources sorted. */
function groupByVerbs(items: Array<{ label: string; verbs: string[] }>): Grant[] {
    const byVerbs = new Map<string, Grant>();
    for (const item of items) {
        const verbs = sortVerbs(item.verbs);
        const key = verbs.join(" ");
        const grant = byVerbs.get(key) ?? { resources: [], verbs };
        if (!grant.resources.includes(item.label)) grant.resources.push(item.label);
        byVerbs.set(key, grant);
    }
    const grants = [...byVerbs.values()];
    for (const g of grants) g.resources.sort();
    // Widest rights first, so "*" and writes are not buried under reads.
    const breadth = (g: Grant) => (g.verbs.includes("*") ? Number.MAX_SAFE_INTEGER : g.verbs.length);
    return grants.sort((a, b) => breadth(b) - breadth(a) || a.resources[0].localeCompare(b.resources[0]));
}

/** The rules that come from this cluster's RBAC (not the built-in everyone-rights), grouped by verbs. */
export function summariseRules(rules: AccessRule[]): { grants: Grant[]; nonResourceGrants: Grant[] } {
    const own = rules.filter(r => !isGrantedToEveryone(r));
    return {
        grants: groupByVerbs(own.filter(r => r.resource !== "").map(r => ({ label: resourceLabel(r), verbs: r.verbs }))),
        nonResourceGrants: groupByVerbs(own.filter(r => r.resource === "")
            .flatMap(r => r.nonResourceUrls.map(u => ({ label: u, verbs: r.verbs })))),
    };
}

export interface KubectlResult { status: number | null; stdout: string; stderr: string; error?: string }

/** The cell for one `kubectl auth can-i --list -n <ns>` run, plus the non-resource grants it reported. */
export function cellFromKubectl(result: KubectlResult): { cell: Cell; nonResourceGrants: Grant[] } {
    const stderrLines = result.stderr.split("\n").map(l => l.trim()).filter(l => l !== "");
    if (result.error !== undefined || result.status !== 0) {
        const reason = result.error
            ?? stderrLines.filter(l => !/^Warning:/i.test(l)).pop()
            ?? `kubectl exited with status ${String(result.status)}`;
        return { cell: { ok: false, error: reason.replace(/^error:\s*/i, "") }, nonResourceGrants: [] };
    }
    let rules: AccessRule[];
    try {
        rules = parseCanIList(result.stdout);
    } catch (err) {
        return { cell: { ok: false, error: (err as Error).message }, nonResourceGrants: [] };
    }
    const { grants, nonResourceGrants } = summariseRules(rules);
    const warning = stderrLines.find(l => /incomplete/i.test(l));
    return { cell: warning ? { ok: true, grants, warning: warning.replace(/^Warning:\s*/i, "") } : { ok: true, grants }, nonResourceGrants };
}

// ---------------------------------------------------------------------------------------------------------
// Stack outputs

function isStringMap(v: unknown): v is Record<string, string> {
    return v !== null && typeof v === "object" && !Array.isArray(v) && Object.values(v as object).every(x => typeof x === "string");
}

/**
 * Reads what the summary needs from `pulumi stack output --json --show-secrets`. Errors name the output and what
 * was expected, never a value (userKubeconfigs holds credentials).
 */
export function parseStackOutputs(outputs: unknown): SummaryInputs {
    if (outputs === null || typeof outputs !== "object" || Array.isArray(outputs)) {
        throw new Error("stack outputs are not a JSON object");
    }
    const o = outputs as Record<string, unknown>;
    if (o.userKubeconfigs === undefined) throw new Error("the stack has no output userKubeconfigs: run `npm run pulumi -- up` first");
    if (!isStringMap(o.userKubeconfigs)) throw new Error("stack output userKubeconfigs must map user names to kubeconfig text");
    if (Object.values(o.userKubeconfigs).some(k => k === "[secret]")) {
        throw new Error("stack output userKubeconfigs is still masked: read it with --show-secrets");
    }
    if (o.namespaces === undefined || o.namespaces === null || typeof o.namespaces !== "object" || Array.isArray(o.namespaces)) {
        throw new Error("stack output namespaces must map namespace names to their Pod Security levels");
    }
    const tokenUsers = o.tokenUsers ?? [];
    if (!Array.isArray(tokenUsers) || !tokenUsers.every(u => typeof u === "string")) {
        throw new Error("stack output tokenUsers must be a list of user names");
    }
    const certificateExpiry = o.certificateExpiry ?? {};
    if (!isStringMap(certificateExpiry)) throw new Error("stack output certificateExpiry must map user names to dates");
    return {
        ...(typeof o.apiServerUrl === "string" ? { apiServerUrl: o.apiServerUrl } : {}),
        userKubeconfigs: o.userKubeconfigs,
        namespaces: Object.keys(o.namespaces as object).sort(),
        tokenUsers: tokenUsers as string[],
        certificateExpiry,
    };
}

/** "token", "cert until 2025-06-01 12:00 UTC", or "cert" when the expiry is unknown. */
export function authenticationLabel(user: string, inputs: Pick<SummaryInputs, "tokenUsers" | "certificateExpiry">): string {
    if (inputs.tokenUsers.includes(user)) return "token";
    const expiry = inputs.certificateExpiry[user];
    if (expiry === undefined) return "cert";
    const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(?::\d{2}(?:\.\d+)?)?Z$/.exec(expiry);
    return m ? `cert until ${m[1]} ${m[2]} UTC` : `cert until ${expiry}`;
}

/** Merges the non-resource grants seen in every namespace of a user (they are cluster-wide, so the same each time). */
export function mergeGrants(lists: Grant[][]): Grant[] {
    return groupByVerbs(lists.flat().flatMap(g => g.resources.map(label => ({ label, verbs: g.verbs }))));
}

// ---------------------------------------------------------------------------------------------------------
// Rendering

export const NO_ACCESS = "-";
export const EVERYONE_NOTE = "Not listed: the self-reviews and discovery endpoints Kubernetes lets every authenticated user use.";

/** The lines of one cell: "pods, services: get list watch" per verb set, "-" for nothing, "ERROR: ..." on failure. */
export function cellLines(cell: Cell): string[] {
    if (!cell.ok) return [`ERROR: ${cell.error}`];
    const lines = cell.grants.map(g => `${g.resources.join(", ")}: ${g.verbs.join(" ")}`);
    if (lines.length === 0) lines.push(NO_ACCESS);
    if (cell.warning) lines.push(`(warning: ${cell.warning})`);
    return lines;
}

function stacksLabel(s: AccessSummary): string {
    return s.stacks.length === 1 ? `stack ${s.stacks[0]}` : `stacks ${s.stacks.join(", ")}`;
}

function heading(s: AccessSummary): string {
    const where = s.apiServerUrl ? ` at ${s.apiServerUrl}` : "";
    return `Access summary: ${stacksLabel(s)}${where}, asked as each user at ${s.generatedAt}`;
}

/** Several stacks: a first column names the stack each user comes from. */
const byStack = (s: AccessSummary) => s.stacks.length > 1;

function userNotes(s: AccessSummary): string[] {
    return s.users.filter(u => u.nonResourceGrants.length > 0).map(u =>
        `${u.user} may also use non-resource URLs (cluster-wide): ${u.nonResourceGrants.map(g => `${g.resources.join(", ")}: ${g.verbs.join(" ")}`).join("; ")}`);
}

/** Rows of the table: [stack,] user, authentication, namespace, then the access lines. */
function rows(s: AccessSummary): Array<{ cols: string[]; access: string[] }> {
    return s.users.flatMap(u => s.namespaces.map(ns => ({
        cols: [...(byStack(s) ? [u.stack ?? ""] : []), u.user, u.authentication, ns],
        access: cellLines(u.cells[ns] ?? { ok: false, error: "not checked" }),
    })));
}

/** A plain-text table for the terminal: one row per user and namespace, continuation lines for more verb sets. */
export function renderTerminal(s: AccessSummary): string {
    const header = [...(byStack(s) ? ["STACK"] : []), "USER", "AUTH", "NAMESPACE"];
    const body = rows(s);
    const width = header.map((h, i) => Math.max(h.length, ...body.map(r => r.cols[i].length)));
    const line = (cols: string[], access: string) => [...cols.map((c, i) => c.padEnd(width[i])), access].join("  ").trimEnd();
    const blank = header.map(() => "");
    const out = [heading(s), "", line(header, "ACCESS (resources: verbs)")];
    let previousUser = "";
    for (const { cols, access } of body) {
        // The user (and its stack and authentication) once, on its first row.
        const who = cols.slice(0, -1).join("\u0000");
        const first = who !== previousUser;
        out.push(line(first ? cols : [...blank.slice(0, -1), cols[cols.length - 1]], access[0]));
        for (const more of access.slice(1)) out.push(line(blank, more));
        previousUser = who;
    }
    if (s.users.length === 0) out.push("(the stack has no users)");
    out.push("", EVERYONE_NOTE, ...userNotes(s));
    return `${out.join("\n")}\n`;
}

function mdCell(text: string): string {
    return text.replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/</g, "&lt;");
}

/** The same table as Markdown (for ./access-summary.md): one row per user and namespace. */
export function renderMarkdown(s: AccessSummary): string {
    const out = [
        "# Access summary",
        "",
        `${s.stacks.length === 1 ? "Stack" : "Stacks"} ${s.stacks.map(name => `\`${name}\``).join(", ")}${s.apiServerUrl ? `, cluster ${s.apiServerUrl}` : ""}. Taken from the live cluster at ${s.generatedAt}`
        + " with `kubectl auth can-i --list -n <namespace>`, run with each user's own kubeconfig.",
        "",
        `| ${byStack(s) ? "stack | " : ""}user | authentication | namespace | access (resources: verbs) |`,
        `|${byStack(s) ? "---|" : ""}---|---|---|---|`,
    ];
    for (const { cols, access } of rows(s)) {
        out.push(`| ${cols.map(mdCell).join(" | ")} | ${access.map(mdCell).join("<br>")} |`);
    }
    out.push("", EVERYONE_NOTE);
    const notes = userNotes(s);
    if (notes.length > 0) out.push("", ...notes.map(n => `- ${mdCell(n)}`));
    return `${out.join("\n")}\n`;
}

// ---------------------------------------------------------------------------------------------------------
// Command line

export interface AccessSummaryOptions {
    /** The stacks named with --stack (default $KUBE_BASELINE_STACK or dev); empty with --baseline alone. */
    stacks: string[];
    /** --baseline: that baseline and every tenant stack of it. */
    baseline?: string;
    out: string;
    help: boolean;
}

/**
 * `--stack <name>` (repeatable; default $KUBE_BASELINE_STACK or dev), `--baseline <name>` (it and its tenant stacks),
 * `--out <file>` (default access-summary.md), `--help`.
 */
export function parseArgs(argv: string[], env: Record<string, string | undefined> = {}): AccessSummaryOptions {
    const options: AccessSummaryOptions = { stacks: [], out: "access-summary.md", help: false };
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        const value = (name: string) => {
            const v = argv[++i];
            if (v === undefined || v.startsWith("--")) throw new Error(`${name} needs a value`);
            return v;
        };
        if (arg === "--stack") options.stacks.push(value(arg));
        else if (arg.startsWith("--stack=")) options.stacks.push(arg.slice("--stack=".length));
        else if (arg === "--baseline") options.baseline = value(arg);
        else if (arg.startsWith("--baseline=")) options.baseline = arg.slice("--baseline=".length);
        else if (arg === "--out") options.out = value(arg);
        else if (arg.startsWith("--out=")) options.out = arg.slice("--out=".length);
        else if (arg === "--help" || arg === "-h") options.help = true;
        else throw new Error(`unknown argument ${JSON.stringify(arg)} (use --stack <name>, --baseline <name>, --out <file>)`);
    }
    if (options.stacks.includes("") || options.baseline === "" || options.out === "") throw new Error("--stack, --baseline and --out need a value");
    if (options.stacks.length === 0 && options.baseline === undefined) options.stacks.push(env.KUBE_BASELINE_STACK || "dev");
    return options;
}
