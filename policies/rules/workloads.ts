// Namespaces and workloads: Pod Security Admission labels on every namespace, no host access from pods
// in restricted namespaces, no automatic ServiceAccount tokens, and a default-deny NetworkPolicy in
// every namespace.

import { EnforcementLevel, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { stringList } from "../lib/config";
import {
    isEmptySelector,
    isPatchType,
    metadataName,
    metadataValue,
    NAMESPACE_TYPES,
    namespaceOf,
    NETWORK_POLICY_TYPE,
    podSpecOf,
    SERVICE_ACCOUNT_TYPES,
    WORKLOAD_TYPES,
    k8sType,
} from "../lib/k8s";
import { resourcePolicy, stackPolicy } from "../lib/policy";
import { at, isUnknown, knownArray, knownString, knownStrings, UNKNOWN } from "../lib/values";

export const PSA_ENFORCE_LABEL = "pod-security.kubernetes.io/enforce";

export interface PodSecurityConfig {
    allowedLevels: string[];
    exemptNamespaces: string[];
}

export function namespacePodSecurityEnforce(enforcementLevel: EnforcementLevel = "mandatory"): ResourceValidationPolicy {
    return resourcePolicy<PodSecurityConfig>({
        name: "namespace-pod-security-enforce",
        description: "Every Namespace has the label pod-security.kubernetes.io/enforce at baseline or restricted.",
        remediationSteps: "Label the namespace pod-security.kubernetes.io/enforce=restricted (or baseline), or list it in exemptNamespaces with a reason.",
        severity: "high",
        types: NAMESPACE_TYPES,
        defaults: { allowedLevels: ["baseline", "restricted"], exemptNamespaces: [] },
        schema: {
            allowedLevels: stringList("Pod Security levels allowed for the enforce label."),
            exemptNamespaces: stringList("Namespaces not checked (e.g. a CNI's own namespace that must run privileged pods)."),
        },
        check: (ns, config, report) => {
            const name = metadataName(ns.props) ?? ns.name;
            if (config.exemptNamespaces.includes(name)) return;
            const level = metadataValue(ns.props, "labels", PSA_ENFORCE_LABEL);
            if (level === UNKNOWN) return;
            if (level === undefined) {
                // A patch that does not touch the label leaves the live value alone.
                if (!isPatchType(ns.type)) report(`Namespace '${name}' has no ${PSA_ENFORCE_LABEL} label: Pod Security Admission enforces nothing there.`);
                return;
            }
            if (!config.allowedLevels.includes(level)) {
                report(`Namespace '${name}' enforces Pod Security level '${level}'; allowed: ${config.allowedLevels.join(", ")}.`);
            }
        },
    }, enforcementLevel);
}

/** What in a pod spec reaches the host: privileged containers, host namespaces, hostPath volumes. Pure. */
export function hostAccessFindings(podSpec: unknown): string[] {
    const findings: string[] = [];
    for (const field of ["hostNetwork", "hostPID", "hostIPC"]) {
        if (at(podSpec, field) === true) findings.push(`${field}: true`);
    }
    for (const volume of knownArray(at(podSpec, "volumes")) ?? []) {
        const hostPath = at(volume, "hostPath");
        if (hostPath !== undefined && hostPath !== null && !isUnknown(hostPath)) {
            findings.push(`hostPath volume '${knownString(at(volume, "name")) ?? "?"}' (${knownString(at(hostPath, "path")) ?? "?"})`);
        }
    }
    for (const list of ["initContainers", "containers", "ephemeralContainers"]) {
        for (const container of knownArray(at(podSpec, list)) ?? []) {
            if (at(container, "securityContext", "privileged") === true) {
                findings.push(`privileged container '${knownString(at(container, "name")) ?? "?"}'`);
            }
        }
    }
    return findings;
}

export interface RestrictedNamespacesConfig {
    /** Namespaces treated as restricted even when the stack does not create them. */
    restrictedNamespaces: string[];
    /** Pod Security levels that make a namespace "restricted" for this policy. */
    namespaceLevels: string[];
}

export function workloadsNoHostAccess(enforcementLevel: EnforcementLevel = "mandatory"): StackValidationPolicy {
    return stackPolicy<RestrictedNamespacesConfig>({
        name: "workloads-no-host-access",
        description: "No privileged, hostNetwork, hostPID, hostIPC or hostPath pods (or pod templates) in restricted namespaces.",
        remediationSteps: "Drop privileged and the host* settings, use an emptyDir/PVC instead of hostPath, or run the workload in a namespace meant for it.",
        severity: "critical",
        defaults: { restrictedNamespaces: [], namespaceLevels: ["restricted"] },
        schema: {
            restrictedNamespaces: stringList("Namespaces always treated as restricted (in addition to those the stack labels restricted)."),
            namespaceLevels: stringList("Pod Security enforce levels that mark a namespace in the stack as restricted."),
        },
        check: (resources, config, report) => {
            const restricted = new Set(config.restrictedNamespaces);
            for (const ns of resources.filter(r => NAMESPACE_TYPES.includes(r.type))) {
                const name = metadataName(ns.props);
                const level = metadataValue(ns.props, "labels", PSA_ENFORCE_LABEL);
                if (name && typeof level === "string" && config.namespaceLevels.includes(level)) restricted.add(name);
            }
            for (const workload of resources.filter(r => WORKLOAD_TYPES.includes(r.type))) {
                const ns = namespaceOf(workload.props);
                if (ns === undefined || !restricted.has(ns)) continue;
                const kind = workload.type.split(":").pop();
                for (const finding of hostAccessFindings(podSpecOf(workload.type, workload.props))) {
                    report(`${kind} '${metadataName(workload.props) ?? workload.name}' in restricted namespace '${ns}': ${finding}.`, workload.urn);
                }
            }
        },
    }, enforcementLevel);
}

export interface ServiceAccountConfig {
    /** ServiceAccounts that keep automatic token mounting: `<namespace>/<name>` or a name in any namespace. */
    exemptServiceAccounts: string[];
}

export function serviceAccountNoTokenAutomount(enforcementLevel: EnforcementLevel = "mandatory"): ResourceValidationPolicy {
    return resourcePolicy<ServiceAccountConfig>({
        name: "serviceaccount-no-token-automount",
        description: "ServiceAccounts set automountServiceAccountToken: false; pods that need the API opt in explicitly.",
        remediationSteps: "Set automountServiceAccountToken: false on the ServiceAccount and true only on the pods that call the API.",
        severity: "medium",
        types: SERVICE_ACCOUNT_TYPES,
        defaults: { exemptServiceAccounts: [] },
        schema: { exemptServiceAccounts: stringList("ServiceAccounts allowed to automount tokens: '<namespace>/<name>' or '<name>'.") },
        check: (sa, config, report) => {
            const name = metadataName(sa.props) ?? sa.name;
            const ns = namespaceOf(sa.props) ?? "?";
            if (config.exemptServiceAccounts.includes(name) || config.exemptServiceAccounts.includes(`${ns}/${name}`)) return;
            const automount = at(sa.props, "automountServiceAccountToken");
            if (isUnknown(automount) || automount === false) return;
            // A patch only changes what it sets.
            if (isPatchType(sa.type) && automount !== true) return;
            const what = automount === undefined ? "leaves automountServiceAccountToken unset (true)" : "sets automountServiceAccountToken: true";
            report(`ServiceAccount '${ns}/${name}' ${what}: every pod using it gets an API token mounted.`);
        },
    }, enforcementLevel);
}

/** Which directions a NetworkPolicy denies for every pod in its namespace. Pure; undefined = unknown. */
export function defaultDenyDirections(props: unknown): { ingress: boolean; egress: boolean } | undefined {
    const spec = at(props, "spec");
    if (isUnknown(spec)) return undefined;
    const selectsAll = isEmptySelector(at(spec, "podSelector"));
    const typesValue = at(spec, "policyTypes");
    if (selectsAll === undefined || isUnknown(typesValue)) return undefined;
    if (!selectsAll) return { ingress: false, egress: false };
    const ingressRules = at(spec, "ingress");
    const egressRules = at(spec, "egress");
    if (isUnknown(ingressRules) || isUnknown(egressRules)) return undefined;
    const noRules = (rules: unknown) => rules === undefined || rules === null || (Array.isArray(rules) && rules.length === 0);
    // Without policyTypes the API assumes Ingress, plus Egress only when egress rules are present.
    const types = typesValue === undefined || typesValue === null
        ? ["Ingress", ...(noRules(egressRules) ? [] : ["Egress"])]
        : knownStrings(typesValue);
    return {
        ingress: types.includes("Ingress") && noRules(ingressRules),
        egress: types.includes("Egress") && noRules(egressRules),
    };
}

export interface DefaultDenyConfig {
    exemptNamespaces: string[];
}

export function namespaceDefaultDenyNetworkPolicy(enforcementLevel: EnforcementLevel = "mandatory"): StackValidationPolicy {
    return stackPolicy<DefaultDenyConfig>({
        name: "namespace-default-deny-network-policy",
        description: "Every Namespace in the stack has a default-deny NetworkPolicy: podSelector {}, policyTypes Ingress and Egress, no rules.",
        remediationSteps: "Add a NetworkPolicy with podSelector: {} and policyTypes [Ingress, Egress] and no rules, then allow the flows you need.",
        severity: "high",
        defaults: { exemptNamespaces: [] },
        schema: { exemptNamespaces: stringList("Namespaces that need no default-deny NetworkPolicy.") },
        check: (resources, config, report) => {
            const policies = resources.filter(r => r.type === NETWORK_POLICY_TYPE);
            // A policy whose namespace or spec is not known yet could be the one: judge after `up`.
            const pending = policies.some(p => namespaceOf(p.props) === undefined || defaultDenyDirections(p.props) === undefined);
            const denied = new Map<string, { ingress: boolean; egress: boolean }>();
            for (const policy of policies) {
                const ns = namespaceOf(policy.props);
                const directions = defaultDenyDirections(policy.props);
                if (ns === undefined || directions === undefined) continue;
                const seen = denied.get(ns) ?? { ingress: false, egress: false };
                denied.set(ns, { ingress: seen.ingress || directions.ingress, egress: seen.egress || directions.egress });
            }
            for (const ns of resources.filter(r => r.type === k8sType("v1", "Namespace"))) {
                const name = metadataName(ns.props);
                if (name === undefined || config.exemptNamespaces.includes(name)) continue;
                const have = denied.get(name) ?? { ingress: false, egress: false };
                if (have.ingress && have.egress) continue;
                if (pending) continue;
                const missing = [!have.ingress ? "Ingress" : "", !have.egress ? "Egress" : ""].filter(Boolean).join(" and ");
                report(`Namespace '${name}' has no default-deny NetworkPolicy for ${missing}: pods there accept and open any connection not otherwise denied.`, ns.urn);
            }
        },
    }, enforcementLevel);
}
