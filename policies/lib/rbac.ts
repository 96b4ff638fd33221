// What an RBAC rule grants, read the way the API server reads it: "*" matches everything, the core
// group is "", a subresource is "<resource>/<sub>", and resourceNames narrows a rule to named objects.

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

function list(values: string[]): string {
    return values.map(v => `'${v}'`).join(", ");
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

function coreGroup(r: ReadRule): boolean {
    return r.apiGroups.includes("") || r.apiGroups.includes("*");
}

/** Access to nodes/proxy, directly or through `nodes/*`, `*\/proxy` or `*`. */
export function nodesProxyFindings(rules: unknown): RuleFinding[] {
    const findings: RuleFinding[] = [];
    for (const r of readRules(rules)) {
        if (!coreGroup(r) || r.verbs.length === 0) continue;
        const via = r.resources.find(x => ["nodes/proxy", "nodes/*", "*/proxy", "*"].includes(x));
        if (via === undefined) continue;
        const how = via === "nodes/proxy" ? "" : ` (through '${via}')`;
        findings.push({
            rule: r.index,
            message: `rules[${r.index}] grants nodes/proxy${how}: it reaches the kubelet API (exec into any pod on the node) and bypasses audit and admission`,
        });
    }
    return findings;
}

/** get/list/watch on every secret (rules narrowed by resourceNames are not a wholesale read). */
export function secretReadFindings(rules: unknown): RuleFinding[] {
    const findings: RuleFinding[] = [];
    for (const r of readRules(rules)) {
        if (!coreGroup(r) || r.resourceNames.length > 0) continue;
        if (!r.resources.includes("secrets") && !r.resources.includes("*")) continue;
        const verbs = r.verbs.includes("*") ? ["*"] : r.verbs.filter(v => SECRET_READ_VERBS.includes(v));
        if (verbs.length === 0) continue;
        const via = r.resources.includes("secrets") ? "secrets" : "'*' resources";
        findings.push({ rule: r.index, message: `rules[${r.index}] grants ${list(verbs)} on ${via}` });
    }
    return findings;
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
