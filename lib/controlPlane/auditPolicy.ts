// The audit policy: a sensible default, its renderer and parser, and auditLevelFor, which answers "at what level
// would this request be logged" with the apiserver's own matching rules (first matching rule wins; a rule with
// resources matches only resource requests, one with nonResourceURLs only the others; "*" and "*/sub" and
// "res/*" resource patterns; a trailing "*" in a URL is a prefix). The CIS check 3.2.2 and the tests use it.

import { parse, stringify } from "yaml";
import { AUDIT_POLICY_API_VERSION } from "./kubernetesFacts";

export type AuditLevel = "None" | "Metadata" | "Request" | "RequestResponse";
export const AUDIT_LEVELS: readonly AuditLevel[] = ["None", "Metadata", "Request", "RequestResponse"];
export type AuditStage = "RequestReceived" | "ResponseStarted" | "ResponseComplete" | "Panic";
export const AUDIT_STAGES: readonly AuditStage[] = ["RequestReceived", "ResponseStarted", "ResponseComplete", "Panic"];

export interface AuditGroupResources {
    /** "" is the core group. */
    group: string;
    resources?: string[];
    resourceNames?: string[];
}

export interface AuditRule {
    level: AuditLevel;
    users?: string[];
    userGroups?: string[];
    verbs?: string[];
    resources?: AuditGroupResources[];
    namespaces?: string[];
    nonResourceURLs?: string[];
    omitStages?: AuditStage[];
}

const WRITE_VERBS = ["create", "update", "patch", "delete", "deletecollection"];

/**
 * The default policy. Nothing for health endpoints, metrics and the steady chatter of kube-proxy, kubelets and
 * leader election; Metadata only for Secrets, ConfigMaps and tokens (their bodies are the secrets); request bodies
 * for RBAC changes (who granted what); Metadata for everything else, exec and port-forward included.
 */
export const DEFAULT_AUDIT_RULES: readonly AuditRule[] = [
    { level: "None", nonResourceURLs: ["/healthz*", "/livez*", "/readyz*", "/version", "/metrics"] },
    {
        level: "None", users: ["system:kube-proxy"], verbs: ["watch"],
        resources: [{ group: "", resources: ["endpoints", "services", "services/status"] }, { group: "discovery.k8s.io", resources: ["endpointslices"] }],
    },
    { level: "None", userGroups: ["system:nodes"], verbs: ["get"], resources: [{ group: "", resources: ["nodes", "nodes/status"] }] },
    { level: "None", verbs: ["get", "update"], resources: [{ group: "coordination.k8s.io", resources: ["leases"] }] },
    { level: "None", resources: [{ group: "", resources: ["events"] }, { group: "events.k8s.io", resources: ["events"] }] },
    {
        level: "Metadata",
        resources: [
            { group: "", resources: ["secrets", "configmaps", "serviceaccounts/token"] },
            { group: "authentication.k8s.io", resources: ["tokenreviews"] },
        ],
    },
    { level: "Request", verbs: WRITE_VERBS, resources: [{ group: "rbac.authorization.k8s.io" }] },
    { level: "Metadata" },
];

/** The policy file: audit.k8s.io/v1 Policy, the RequestReceived stage omitted (every request is logged once it ends). */
export function renderAuditPolicy(rules: readonly AuditRule[]): string {
    const policy = { apiVersion: AUDIT_POLICY_API_VERSION, kind: "Policy", omitStages: ["RequestReceived"], rules: rules.map(clean) };
    return stringify(policy, { lineWidth: 0 });
}

/** Reads a policy file (any text kube-baseline or a user wrote); throws when it is not an audit.k8s.io Policy. */
export function parseAuditPolicy(text: string): { rules: AuditRule[]; omitStages: AuditStage[] } {
    const doc = parse(text) as { apiVersion?: string; kind?: string; rules?: AuditRule[]; omitStages?: AuditStage[] } | null;
    if (!doc || doc.kind !== "Policy" || !/^audit\.k8s\.io\/v1/.test(doc.apiVersion ?? "")) throw new Error("not an audit.k8s.io Policy");
    if (!Array.isArray(doc.rules)) throw new Error("the audit policy has no rules");
    return { rules: doc.rules, omitStages: doc.omitStages ?? [] };
}

/** Problems with custom rules, each naming the rule (rules[i]); empty when they are fine. */
export function checkAuditRules(rules: readonly AuditRule[]): string[] {
    const problems: string[] = [];
    if (rules.length === 0) problems.push("an audit policy needs at least one rule");
    rules.forEach((r, i) => {
        const at = `rules[${i}]`;
        if (!AUDIT_LEVELS.includes(r.level)) problems.push(`${at}.level must be one of ${AUDIT_LEVELS.join(", ")}, got ${JSON.stringify(r.level)}`);
        if (r.resources && r.nonResourceURLs) problems.push(`${at}: a rule cannot have both resources and nonResourceURLs`);
        if (r.namespaces && r.nonResourceURLs) problems.push(`${at}: a rule cannot have both namespaces and nonResourceURLs`);
        for (const url of r.nonResourceURLs ?? []) {
            if (!/^(\*|\/[A-Za-z0-9._/-]*\*?)$/.test(url)) problems.push(`${at}.nonResourceURLs: ${JSON.stringify(url)} must be "*" or a path starting with "/" (a trailing "*" is a prefix)`);
        }
        for (const s of r.omitStages ?? []) {
            if (!AUDIT_STAGES.includes(s)) problems.push(`${at}.omitStages: ${JSON.stringify(s)} is not one of ${AUDIT_STAGES.join(", ")}`);
        }
        for (const g of r.resources ?? []) {
            if (typeof g.group !== "string") problems.push(`${at}.resources: every entry needs a group ("" for the core group)`);
            for (const res of g.resources ?? []) {
                if (!/^(\*|[a-z0-9.-]+)(\/(\*|[a-z0-9.-]+))?$/.test(res)) problems.push(`${at}.resources: ${JSON.stringify(res)} is not a resource pattern`);
            }
        }
    });
    return problems;
}

/** One request, as the audit policy sees it. A resource request has `resource`; a non-resource one has `path`. */
export interface AuditRequest {
    user?: string;
    groups?: string[];
    verb: string;
    apiGroup?: string;
    resource?: string;
    subresource?: string;
    name?: string;
    namespace?: string;
    path?: string;
}

/** The level the policy logs this request at ("None" when no rule matches). */
export function auditLevelFor(rules: readonly AuditRule[], request: AuditRequest): AuditLevel {
    return rules.find(r => ruleMatches(r, request))?.level ?? "None";
}

function ruleMatches(r: AuditRule, q: AuditRequest): boolean {
    if (r.users && r.users.length > 0 && !(q.user !== undefined && r.users.includes(q.user))) return false;
    if (r.userGroups && r.userGroups.length > 0 && !(q.groups ?? []).some(g => r.userGroups!.includes(g))) return false;
    if (r.verbs && r.verbs.length > 0 && !r.verbs.includes(q.verb)) return false;
    if ((r.namespaces && r.namespaces.length > 0) || (r.resources && r.resources.length > 0)) return resourceMatches(r, q);
    if (r.nonResourceURLs && r.nonResourceURLs.length > 0) {
        if (q.resource !== undefined) return false;
        return r.nonResourceURLs.some(spec => spec === "*" || spec === q.path || (spec.endsWith("*") && (q.path ?? "").startsWith(spec.replace(/\*+$/, ""))));
    }
    return true;
}

function resourceMatches(r: AuditRule, q: AuditRequest): boolean {
    if (q.resource === undefined) return false;
    if (r.namespaces && r.namespaces.length > 0 && !r.namespaces.includes(q.namespace ?? "")) return false;
    if (!r.resources || r.resources.length === 0) return true;
    const combined = q.subresource ? `${q.resource}/${q.subresource}` : q.resource;
    for (const gr of r.resources) {
        if (gr.group !== (q.apiGroup ?? "")) continue;
        if (!gr.resources || gr.resources.length === 0) return true;
        if (gr.resourceNames && gr.resourceNames.length > 0 && !gr.resourceNames.includes(q.name ?? "")) continue;
        for (const res of gr.resources) {
            if (res === combined || res === "*") return true;
            if (q.subresource && res.startsWith("*/") && res.slice(2) === q.subresource) return true;
            if (res.endsWith("/*") && res.slice(0, -2) === q.resource) return true;
        }
    }
    return false;
}

function clean(rule: AuditRule): AuditRule {
    return Object.fromEntries(Object.entries(rule).filter(([, v]) => v !== undefined)) as unknown as AuditRule;
}
