// kube-baseline:networkPolicy: where cluster DNS runs (every namespace's allow-dns policy targets it) and the
// optional Calico GlobalNetworkPolicy that denies by default in every namespace not exempted.

import { Issues } from "./configError";
import { checkNamespaceName } from "./names";
import { Bool, List, Line, OneOf, Optional, Settings, Static, StringMap, Type } from "./schema";

export const CALICO_API_VERSIONS = ["crd.projectcalico.org/v1", "projectcalico.org/v3"] as const;
export type CalicoApiVersion = typeof CALICO_API_VERSIONS[number];

export const NetworkPolicySchema = Settings({
    dns: Optional(Settings({ namespace: Optional(Line()), podLabels: Optional(StringMap()) })),
    calicoGlobalDefaultDeny: Optional(Settings({
        enabled: Optional(Bool()),
        apiVersion: Optional(OneOf(CALICO_API_VERSIONS)),
        order: Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1e9, description: "Calico evaluates lower orders first" })),
        exemptNamespaces: Optional(List(Line())),
    })),
});

export interface NetworkPolicyConfig {
    dns: { namespace: string; podLabels: Record<string, string> };
    calicoGlobalDefaultDeny: { enabled: boolean; apiVersion: CalicoApiVersion; order: number; exemptNamespaces: string[] };
}

export const NETWORK_POLICY_DEFAULTS = {
    dns: { namespace: "kube-system", podLabels: { "k8s-app": "kube-dns" } },
    calicoGlobalDefaultDeny: {
        apiVersion: "crd.projectcalico.org/v1" as CalicoApiVersion,
        // After Kubernetes NetworkPolicies (Calico gives them order 1000), so they can still allow traffic.
        order: 2000,
        exemptNamespaces: ["kube-system", "kube-public", "kube-node-lease", "calico-system", "calico-apiserver",
            "tigera-operator", "kube-flannel"],
    },
} as const;

/** Context from other areas that this one cross-checks. */
export interface NetworkPolicyContext { cni?: string }

export function resolveNetworkPolicy(raw: Static<typeof NetworkPolicySchema>, context: NetworkPolicyContext, issues: Issues): NetworkPolicyConfig {
    const d = NETWORK_POLICY_DEFAULTS;
    const dnsNamespace = raw.dns?.namespace ?? d.dns.namespace;
    checkNamespaceName(issues, "networkPolicy.dns.namespace", dnsNamespace);
    const podLabels = raw.dns?.podLabels ?? { ...d.dns.podLabels };
    if (Object.keys(podLabels).length === 0) {
        issues.add("networkPolicy.dns.podLabels", podLabels, "an empty selector would allow DNS port traffic to every pod in the DNS namespace");
    }
    const g = raw.calicoGlobalDefaultDeny ?? {};
    const calicoGlobalDefaultDeny = {
        enabled: g.enabled ?? false,
        apiVersion: g.apiVersion ?? d.calicoGlobalDefaultDeny.apiVersion,
        order: g.order ?? d.calicoGlobalDefaultDeny.order,
        exemptNamespaces: g.exemptNamespaces ?? [...d.calicoGlobalDefaultDeny.exemptNamespaces],
    };
    calicoGlobalDefaultDeny.exemptNamespaces.forEach((name, i) =>
        checkNamespaceName(issues, `networkPolicy.calicoGlobalDefaultDeny.exemptNamespaces[${i}]`, name));
    if (calicoGlobalDefaultDeny.enabled && context.cni !== undefined && context.cni !== "calico") {
        issues.add("networkPolicy.calicoGlobalDefaultDeny.enabled", true, `needs Calico as the CNI (the configured CNI is ${context.cni})`);
    }
    return { dns: { namespace: dnsNamespace, podLabels }, calicoGlobalDefaultDeny };
}
