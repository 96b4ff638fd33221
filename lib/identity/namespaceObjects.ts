// Namespace object builder: Pod Security Admission labels (enforce, warn, audit and their -version), the tenant
// label used by the isolation policies, and the reason for any exemption from "restricted" as an annotation so
// it is visible on the cluster. Pure.

import { NamespaceConfig, PodSecurityConfig, TENANT_LABEL } from "../config/identity";
import { MANAGED_BY_LABELS } from "./rbacObjects";

export const PSA_PREFIX = "pod-security.kubernetes.io";
export const EXEMPTION_ANNOTATION = "kube-baseline.io/pod-security-exemption";

export function podSecurityLabels(ps: PodSecurityConfig): Record<string, string> {
    const labels: Record<string, string> = {};
    for (const mode of ["enforce", "warn", "audit"] as const) {
        labels[`${PSA_PREFIX}/${mode}`] = ps[mode];
        labels[`${PSA_PREFIX}/${mode}-version`] = ps.version;
    }
    return labels;
}

export function namespaceObject(ns: NamespaceConfig) {
    return {
        apiVersion: "v1" as const,
        kind: "Namespace" as const,
        metadata: {
            name: ns.name,
            labels: {
                ...ns.labels,
                ...MANAGED_BY_LABELS,
                ...(ns.tenant !== undefined ? { [TENANT_LABEL]: ns.tenant } : {}),
                ...podSecurityLabels(ns.podSecurity),
            },
            ...(ns.podSecurity.exemptionReason ? { annotations: { [EXEMPTION_ANNOTATION]: ns.podSecurity.exemptionReason } } : {}),
        },
    };
}
