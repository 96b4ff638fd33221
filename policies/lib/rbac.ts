// What an RBAC rule grants, read the way the API server reads it: "*" matches everything, the core
// group is "", a subresource is "<resource>/<sub>", and resourceNames narrows a rule to named objects.
// One matcher (`ruleGrants`) answers "does this rule grant these verbs on this resource?"; the findings
// below are the grants the pack refuses, each with what it lets the holder do.

import { at, isUnknown, knownArray, knownEntries, knownObject, knownString, knownStrings } from "./values";

export interface RuleFinding {
    /** Index of the rule in `rules`. */
    rule: number;
    message: string;
}

interface ReadRule {
    index: number;
    verbs: string[];
    apiGroups: string[];
    resources: string[];
    resourceNames: string[];
    nonResourceURLs: string[];
}

/** The known rules with their known string entries (unknown rules and entries are skipped). */
export function readRules(rules: unknown): ReadRule[] {
    const result: ReadRule[] = [];
    for (const [index, rule] of knownEntries(rules)) {
        if (!knownObject(rule)) continue;
        result.push({
            index,
            verbs: knownStrings(at(rule, "verbs")),
            apiGroups: knownStrings(at(rule, "apiGroups")),
            resources: knownStrings(at(rule, "resources")),
            resourceNames: knownStrings(at(rule, "resourceNames")),
            nonResourceURLs: knownStrings(at(rule, "nonResourceURLs")),
        });
    }
    return result;
}

const NOTABLE_SUBRESOURCE: Record<string, string> = { nodes: " (nodes/proxy among them)", pods: " (pods/exec among them)" };
const ESCALATION_VERBS = ["escalate", "bind", "impersonate"];
const SECRET_READ_VERBS = ["get", "list", "watch"];
/** Every verb that changes or removes an object. */
export const WRITE_VERBS = ["create", "update", "patch", "delete", "deletecollection"];

function list(values: readonly string[]): string {
    return values.map(v => `'${v}'`).join(", ");
}

/** A permission a policy asks about: verbs on a resource (`<resource>` or `<resource>/<subresource>`) of an API group. */
export interface Permission {
    apiGroup: string;
    resource: string;
    /** The verbs that count; "any" counts every verb the rule names. */
    verbs: readonly string[] | "any";
}

/** How one rule grants a permission. */
export interface Grant {
    permission: Permission;
    /** The verbs granted; `['*']` when the rule grants every verb. */
    verbs: string[];
    /** The rule's resources entry that covers the resource: the resource itself, '*', '*\/<sub>' or '<resource>/*'. */
    via: string;
    /** True when the rule reaches the group only through apiGroups '*'. */
    anyGroup: boolean;
    /** The rule's resourceNames (empty: every object). */
    resourceNames: string[];
}

/**
 * The entry of `resources` that covers `resource`. The API server matches '*' (every resource and
 * subresource), the exact name and, for a subresource, '*\/<sub>'. It ignores '<resource>/*', but that entry
 * states the intent to grant every subresource, so it counts here too (rbac-no-wildcards flags it anyway).
 */
export function coveringResource(resources: readonly string[], resource: string): string | undefined {
    const slash = resource.indexOf("/");
    const candidates = slash < 0
        ? [resource, "*"]
        : [resource, "*", `*/${resource.slice(slash + 1)}`, `${resource.slice(0, slash)}/*`];
    return candidates.find(c => resources.includes(c));
}

/**
 * Whether a rule grants the permission, and how. A rule narrowed by resourceNames grants no `create` or
 * `deletecollection` on a top-level resource: those requests carry no object name to match.
 */
export function ruleGrants(r: ReadRule, permission: Permission): Grant | undefined {
    const anyGroup = !r.apiGroups.includes(permission.apiGroup);
    if (anyGroup && !r.apiGroups.includes("*")) return undefined;
    const via = coveringResource(r.resources, permission.resource);
    if (via === undefined) return undefined;
    const unnamable = r.resourceNames.length > 0 && !permission.resource.includes("/") ? ["create", "deletecollection"] : [];
    const wanted = permission.verbs;
    let verbs: string[];
    if (r.verbs.includes("*")) {
        if (wanted !== "any" && wanted.every(v => unnamable.includes(v))) return undefined;
        verbs = ["*"];
    } else {
        verbs = (wanted === "any" ? r.verbs : r.verbs.filter(v => wanted.includes(v))).filter(v => !unnamable.includes(v));
    }
    if (verbs.length === 0) return undefined;
    return { permission, verbs, via, anyGroup, resourceNames: r.resourceNames };
}

/** "'create' on pods/exec, pods/attach (through '*')", one part per way of granting. */
function describeGrants(grants: Grant[]): string {
    const parts = new Map<string, { verbs: string[]; how: string; resources: string[] }>();
    for (const g of grants) {
        const how = [
            g.via !== g.permission.resource ? `through '${g.via}'` : "",
            g.anyGroup ? "apiGroups '*'" : "",
        ].filter(Boolean).join(", ");
        const key = `${g.verbs.join(",")}|${how}`;
        const part = parts.get(key) ?? { verbs: g.verbs, how, resources: [] };
        part.resources.push(g.permission.resource);
        parts.set(key, part);
    }
    const names = grants[0].resourceNames.length > 0 ? ` named ${list(grants[0].resourceNames)}` : "";
    return [...parts.values()]
        .map(p => `${list(p.verbs)} on ${p.resources.join(", ")}${names}${p.how ? ` (${p.how})` : ""}`)
        .join("; ");
}

/** One finding per rule that grants any of the permissions; `why` says what the holder can then do. */
export function permissionFindings(rules: unknown, permissions: readonly Permission[], why: string): RuleFinding[] {
    const findings: RuleFinding[] = [];
    for (const r of readRules(rules)) {
        const grants = permissions.map(p => ruleGrants(r, p)).filter((g): g is Grant => g !== undefined);
        if (grants.length > 0) findings.push({ rule: r.index, message: `rules[${r.index}] grants ${describeGrants(grants)}: ${why}` });
    }
    return findings;
}

/** Wildcards in verbs, apiGroups, resources (including `nodes/*` and `*\/scale`) or nonResourceURLs. */
export function wildcardFindings(rules: unknown): RuleFinding[] {
    const findings: RuleFinding[] = [];
    for (const r of readRules(rules)) {
        const where = `rules[${r.index}]`;
        if (r.verbs.includes("*")) {
            findings.push({ rule: r.index, message: `${where}.verbs has '*': every verb, including escalate, bind, impersonate and verbs added later` });
        }
        if (r.apiGroups.includes("*")) {
            const named = r.resources.filter(x => x !== "*");
            const what = named.length > 0 ? `resources ${list(named)}` : "its resources";
            findings.push({ rule: r.index, message: `${where}.apiGroups has '*': grants ${what} in every API group, including groups installed later` });
        }
        for (const resource of r.resources.filter(x => x.includes("*"))) {
            const message = resource === "*"
                ? `${where}.resources has '*': every resource in ${r.apiGroups.length ? list(r.apiGroups) : "its groups"}`
                : resource.endsWith("/*")
                    ? `${where}.resources has '${resource}': every subresource of ${resource.slice(0, -2)}${NOTABLE_SUBRESOURCE[resource.slice(0, -2)] ?? ""}`
                    : `${where}.resources has '${resource}': a wildcard resource name`;
            findings.push({ rule: r.index, message });
        }
        if (r.nonResourceURLs.includes("*")) {
            findings.push({ rule: r.index, message: `${where}.nonResourceURLs has '*': every non-resource URL` });
        }
    }
    return findings;
}

/** escalate, bind and impersonate (or '*', which includes them). */
export function escalationFindings(rules: unknown): RuleFinding[] {
    const findings: RuleFinding[] = [];
    for (const r of readRules(rules)) {
        const verbs = r.verbs.includes("*") ? ["*"] : r.verbs.filter(v => ESCALATION_VERBS.includes(v));
        if (verbs.length === 0) continue;
        const why = verbs[0] === "*" ? "verbs '*' include escalate, bind and impersonate" : `verbs ${list(verbs)}`;
        findings.push({
            rule: r.index,
            message: `rules[${r.index}] grants ${why}: these let the holder gain permissions it was not given (escalate/bind) or act as another user (impersonate)`,
        });
    }
    return findings;
}

const NODES_PROXY: Permission = { apiGroup: "", resource: "nodes/proxy", verbs: "any" };

/** Access to nodes/proxy, directly or through `nodes/*`, `*\/proxy` or `*`. */
export function nodesProxyFindings(rules: unknown): RuleFinding[] {
    const findings: RuleFinding[] = [];
    for (const r of readRules(rules)) {
        const grant = ruleGrants(r, NODES_PROXY);
        if (grant === undefined) continue;
        const how = grant.via === "nodes/proxy" ? "" : ` (through '${grant.via}')`;
        findings.push({
            rule: r.index,
            message: `rules[${r.index}] grants nodes/proxy${how}: it reaches the kubelet API (exec into any pod on the node) and bypasses audit and admission`,
        });
    }
    return findings;
}

const SECRET_READ: Permission = { apiGroup: "", resource: "secrets", verbs: SECRET_READ_VERBS };

/**
 * get/list/watch on every secret. A rule narrowed by resourceNames is not a wholesale read; it still counts
 * when it names one of `sensitiveNames` (e.g. a ServiceAccount token Secret).
 */
export function secretReadFindings(rules: unknown, sensitiveNames: readonly string[] = []): RuleFinding[] {
    const findings: RuleFinding[] = [];
    for (const r of readRules(rules)) {
        const named = r.resourceNames.filter(n => sensitiveNames.includes(n));
        if (r.resourceNames.length > 0 && named.length === 0) continue;
        const grant = ruleGrants(r, SECRET_READ);
        if (grant === undefined) continue;
        const via = grant.via === "secrets" ? "secrets" : "'*' resources";
        const which = named.length > 0 ? ` named ${list(named)}` : "";
        findings.push({ rule: r.index, message: `rules[${r.index}] grants ${list(grant.verbs)} on ${via}${which}` });
    }
    return findings;
}

const POD_SHELL_PERMISSIONS: Permission[] = [
    // exec, attach and port-forward are `create` (SPDY) and, on older API servers, `get` (WebSocket) requests.
    ...["pods/exec", "pods/attach", "pods/portforward"].map(resource => ({ apiGroup: "", resource, verbs: ["create", "get"] })),
    // `kubectl debug` adds a container to a running pod: the same shell, with the pod's token.
    { apiGroup: "", resource: "pods/ephemeralcontainers", verbs: ["update", "patch"] },
];

/** pods/exec, pods/attach, pods/portforward and pods/ephemeralcontainers, exactly or through wildcards. */
export function podExecFindings(rules: unknown): RuleFinding[] {
    return permissionFindings(rules, POD_SHELL_PERMISSIONS,
        "a shell in (or a tunnel into) every pod it covers, with every ServiceAccount token mounted there");
}

/** Pods and the controllers that make pods from a template. */
export const WORKLOAD_RESOURCES: readonly { apiGroup: string; resource: string }[] = [
    { apiGroup: "", resource: "pods" },
    { apiGroup: "", resource: "replicationcontrollers" },
    ...["deployments", "daemonsets", "statefulsets", "replicasets"].map(resource => ({ apiGroup: "apps", resource })),
    ...["jobs", "cronjobs"].map(resource => ({ apiGroup: "batch", resource })),
];

/** create on pods or workload controllers, and update/patch, which rewrite the pod (template) of an existing one. */
export function workloadCreateFindings(rules: unknown): RuleFinding[] {
    return permissionFindings(rules, WORKLOAD_RESOURCES.map(w => ({ ...w, verbs: ["create", "update", "patch"] })),
        "the pods it starts can mount any ServiceAccount of their namespace and act with that account's rights");
}

/** create on serviceaccounts/token (the TokenRequest API). */
export function tokenRequestFindings(rules: unknown): RuleFinding[] {
    return permissionFindings(rules, [{ apiGroup: "", resource: "serviceaccounts/token", verbs: ["create"] }],
        "it mints tokens for the ServiceAccounts it covers (every one in reach unless resourceNames narrow it) and acts with their rights");
}

/** Writes on mutating and validating admission webhook configurations. */
export function webhookWriteFindings(rules: unknown): RuleFinding[] {
    return permissionFindings(rules,
        ["mutatingwebhookconfigurations", "validatingwebhookconfigurations"].map(resource => ({ apiGroup: "admissionregistration.k8s.io", resource, verbs: WRITE_VERBS })),
        "a webhook it registers or rewrites receives (and may change or refuse) every API request it selects, Secrets included; deleting one removes a guard");
}

/** Writes on PersistentVolumes. */
export function persistentVolumeWriteFindings(rules: unknown): RuleFinding[] {
    return permissionFindings(rules, [{ apiGroup: "", resource: "persistentvolumes", verbs: WRITE_VERBS }],
        "a PersistentVolume it writes can be a hostPath on a node, which a claim then mounts into a pod around Pod Security");
}

/** Writes on nodes, and update/patch on nodes/status. */
export function nodeWriteFindings(rules: unknown): RuleFinding[] {
    return permissionFindings(rules, [
        { apiGroup: "", resource: "nodes", verbs: WRITE_VERBS },
        { apiGroup: "", resource: "nodes/status", verbs: ["update", "patch"] },
    ], "it rewrites node labels, taints, addresses or conditions, which draws pods (and their tokens) to a node of its choosing or steers the API server's kubelet traffic");
}

/** The API server's client-certificate signers: a certificate from them is a login as whatever name it holds. */
export const CLIENT_SIGNERS = ["kubernetes.io/kube-apiserver-client", "kubernetes.io/kube-apiserver-client-kubelet"];

export interface CsrApprovalParts {
    /** The rules that may update or patch certificatesigningrequests/approval. */
    approval: RuleFinding[];
    /** The rules that may approve for a client signer. */
    signers: RuleFinding[];
}

const CSR_APPROVAL: Permission = { apiGroup: "certificates.k8s.io", resource: "certificatesigningrequests/approval", verbs: ["update", "patch"] };
const SIGNER_APPROVAL: Permission = { apiGroup: "certificates.k8s.io", resource: "signers", verbs: ["approve"] };

/** The two halves of approving a client certificate request, rule by rule (a holder needs both). */
export function csrApprovalParts(rules: unknown): CsrApprovalParts {
    const parts: CsrApprovalParts = { approval: [], signers: [] };
    for (const r of readRules(rules)) {
        const approval = ruleGrants(r, CSR_APPROVAL);
        if (approval) parts.approval.push({ rule: r.index, message: `rules[${r.index}] grants ${describeGrants([approval])}` });
        // The API server asks for `approve` on the signer's name and on `<domain>/*`.
        const reachesClientSigner = r.resourceNames.length === 0
            || r.resourceNames.some(n => CLIENT_SIGNERS.includes(n) || n === "kubernetes.io/*");
        const signer = reachesClientSigner ? ruleGrants(r, SIGNER_APPROVAL) : undefined;
        if (signer) parts.signers.push({ rule: r.index, message: `rules[${r.index}] grants ${describeGrants([signer])}` });
    }
    return parts;
}

export const CSR_APPROVAL_WHY = "together they approve a client certificate request for any user name and group, system:masters included";

/** update/patch on certificatesigningrequests/approval together with approve on a client signer. */
export function csrApprovalFindings(rules: unknown): RuleFinding[] {
    const { approval, signers } = csrApprovalParts(rules);
    if (approval.length === 0 || signers.length === 0) return [];
    const message = [...approval, ...signers].map(p => p.message).join(" and ");
    return [{ rule: approval[0].rule, message: `${message}: ${CSR_APPROVAL_WHY}` }];
}

/** True when the role has an aggregationRule (its rules are then filled in by the controller). */
export function isAggregated(props: unknown): boolean {
    const rule = at(props, "aggregationRule");
    return rule !== undefined && rule !== null;
}

/** The role's clusterRoleSelectors; undefined when the list itself is not known yet. */
export function aggregationSelectors(props: unknown): unknown[] | undefined {
    const selectors = at(props, "aggregationRule", "clusterRoleSelectors");
    if (isUnknown(selectors)) return undefined;
    return knownArray(selectors) ?? [];
}

export interface Subject {
    kind: string;
    name: string;
    namespace?: string;
}

/** The known subjects of a binding (a ServiceAccount without namespace takes the binding's). */
export function bindingSubjects(props: unknown, bindingNamespace?: string): Subject[] {
    const subjects: Subject[] = [];
    for (const s of knownArray(at(props, "subjects")) ?? []) {
        const kind = knownString(at(s, "kind"));
        const name = knownString(at(s, "name"));
        if (!kind || !name) continue;
        const namespace = knownString(at(s, "namespace")) ?? (kind === "ServiceAccount" ? bindingNamespace : undefined);
        subjects.push({ kind, name, namespace });
    }
    return subjects;
}

/** How allow-lists name a subject: `User:alice`, `Group:ops`, `ServiceAccount:<namespace>/<name>`. */
export function subjectKey(subject: Subject): string {
    return subject.kind === "ServiceAccount"
        ? `ServiceAccount:${subject.namespace ?? "default"}/${subject.name}`
        : `${subject.kind}:${subject.name}`;
}
