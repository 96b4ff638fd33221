// Kubernetes facts the policies share: Pulumi type tokens, metadata, pod specs, label selectors.

import { at, isUnknown, knownArray, knownObject, knownString, knownStrings, JsonObject, UNKNOWN, Unknown } from "./values";

/** Pulumi's type token for a Kubernetes kind: `kubernetes:<group or core>/<version>:<Kind>`. */
export function k8sType(apiVersion: string, kind: string): string {
    const groupVersion = apiVersion.includes("/") ? apiVersion : `core/${apiVersion}`;
    return `kubernetes:${groupVersion}:${kind}`;
}

/** The kind's type token and its server-side-apply `<Kind>Patch` twin. */
export function withPatch(apiVersion: string, kind: string): string[] {
    return [k8sType(apiVersion, kind), k8sType(apiVersion, `${kind}Patch`)];
}

export function isPatchType(type: string): boolean {
    return type.endsWith("Patch");
}

export const NAMESPACE_TYPES = withPatch("v1", "Namespace");
export const SERVICE_ACCOUNT_TYPES = withPatch("v1", "ServiceAccount");
export const NODE_TYPES = withPatch("v1", "Node");
export const SECRET_TYPES = withPatch("v1", "Secret");
export const NETWORK_POLICY_TYPE = k8sType("networking.k8s.io/v1", "NetworkPolicy");
export const CSR_TYPE = k8sType("certificates.k8s.io/v1", "CertificateSigningRequest");

const RBAC = "rbac.authorization.k8s.io/v1";
export const ROLE_TYPES = withPatch(RBAC, "Role");
export const CLUSTER_ROLE_TYPES = withPatch(RBAC, "ClusterRole");
export const ROLE_BINDING_TYPES = withPatch(RBAC, "RoleBinding");
export const CLUSTER_ROLE_BINDING_TYPES = withPatch(RBAC, "ClusterRoleBinding");

/** Where each workload kind keeps its pod spec. */
const POD_SPEC_PATHS: Record<string, string[]> = {};
function addWorkload(apiVersion: string, kind: string, path: string[]): void {
    for (const type of withPatch(apiVersion, kind)) POD_SPEC_PATHS[type] = path;
}
addWorkload("v1", "Pod", ["spec"]);
addWorkload("v1", "ReplicationController", ["spec", "template", "spec"]);
addWorkload("apps/v1", "Deployment", ["spec", "template", "spec"]);
addWorkload("apps/v1", "DaemonSet", ["spec", "template", "spec"]);
addWorkload("apps/v1", "StatefulSet", ["spec", "template", "spec"]);
addWorkload("apps/v1", "ReplicaSet", ["spec", "template", "spec"]);
addWorkload("batch/v1", "Job", ["spec", "template", "spec"]);
addWorkload("batch/v1", "CronJob", ["spec", "jobTemplate", "spec", "template", "spec"]);

export const WORKLOAD_TYPES: readonly string[] = Object.keys(POD_SPEC_PATHS);

/** The pod spec of a Pod or of a workload's pod template (undefined when absent or unknown). */
export function podSpecOf(type: string, props: unknown): JsonObject | undefined {
    const path = POD_SPEC_PATHS[type];
    return path ? knownObject(at(props, ...path)) : undefined;
}

/** metadata.name, or undefined when not set or not known yet. */
export function metadataName(props: unknown): string | undefined {
    return knownString(at(props, "metadata", "name"));
}

/**
 * The namespace a namespaced object lands in: metadata.namespace, "default" when unset (the provider's
 * default namespace), undefined when not known yet.
 */
export function namespaceOf(props: unknown): string | undefined {
    const ns = at(props, "metadata", "namespace");
    if (ns === undefined || ns === null || ns === "") return "default";
    return knownString(ns);
}

/** A label or annotation value: a string, undefined when absent, UNKNOWN when not known yet. */
export function metadataValue(props: unknown, field: "labels" | "annotations", key: string): string | Unknown | undefined {
    const value = at(props, "metadata", field, key);
    if (isUnknown(value)) return UNKNOWN;
    return typeof value === "string" ? value : undefined;
}

/** A name for messages and allow-lists: metadata.name when known, else the Pulumi resource name. */
export function displayName(props: unknown, resourceName: string): string {
    return metadataName(props) ?? resourceName;
}

export interface LabelSelector {
    matchLabels?: Record<string, string>;
    matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

/**
 * Whether a label selector matches the labels. Returns undefined when the selector or the labels hold
 * unknown values (the answer cannot be known at preview). An empty selector matches everything.
 */
export function selectorMatches(selector: unknown, labels: unknown): boolean | undefined {
    const sel = knownObject(selector);
    if (!sel) return isUnknown(selector) ? undefined : false;
    const lbls = knownObject(labels) ?? {};
    if (isUnknown(labels)) return undefined;
    let unknown = false;

    const matchLabels = sel.matchLabels;
    if (isUnknown(matchLabels)) return undefined;
    for (const [key, want] of Object.entries(knownObject(matchLabels) ?? {})) {
        const have = lbls[key];
        if (isUnknown(want) || isUnknown(have)) { unknown = true; continue; }
        if (have !== want) return false;
    }

    const expressions = sel.matchExpressions;
    if (isUnknown(expressions)) return undefined;
    for (const expr of knownArray(expressions) ?? []) {
        const key = knownString(at(expr, "key"));
        const operator = knownString(at(expr, "operator"));
        if (key === undefined || operator === undefined) { unknown = true; continue; }
        const have = lbls[key];
        if (isUnknown(have)) { unknown = true; continue; }
        const values = knownStrings(at(expr, "values"));
        const present = typeof have === "string";
        let ok: boolean;
        switch (operator) {
            case "In": ok = present && values.includes(have as string); break;
            case "NotIn": ok = !present || !values.includes(have as string); break;
            case "Exists": ok = present; break;
            case "DoesNotExist": ok = !present; break;
            default: return false; // the API server rejects other operators
        }
        if (!ok) return false;
    }
    return unknown ? undefined : true;
}

/** True when a selector selects every object: `{}` or absent, with no labels or expressions. */
export function isEmptySelector(selector: unknown): boolean | undefined {
    if (isUnknown(selector)) return undefined;
    if (selector === undefined || selector === null) return true;
    const sel = knownObject(selector);
    if (!sel) return false;
    const labels = sel.matchLabels;
    const expressions = sel.matchExpressions;
    if (isUnknown(labels) || isUnknown(expressions)) return undefined;
    const noLabels = labels === undefined || labels === null || Object.keys(knownObject(labels) ?? {}).length === 0;
    const noExpressions = expressions === undefined || expressions === null || (Array.isArray(expressions) && expressions.length === 0);
    return noLabels && noExpressions;
}
