// NetworkPolicy builders: per namespace a default deny (ingress and egress), DNS to kube-dns, traffic within the
// namespace, traffic within the tenant (namespaces sharing the tenant label) and explicit ingress from named
// namespaces; plus, when Calico is the CNI, one GlobalNetworkPolicy that denies by default in every namespace not
// exempted (including namespaces created later). Pure.

import { NamespaceConfig, NetworkPolicyConfig, TENANT_LABEL } from "../config/identity";
import { MANAGED_BY_LABELS } from "./rbacObjects";

const NAME_LABEL = "kubernetes.io/metadata.name";
export const GLOBAL_DEFAULT_DENY_NAME = "kube-baseline-default-deny";

export interface DnsTarget { namespace: string; podLabels: Record<string, string> }

type Port = { protocol: "UDP" | "TCP"; port: number };
type Peer = Record<string, unknown>;
export interface NetworkPolicyObject {
    apiVersion: "networking.k8s.io/v1";
    kind: "NetworkPolicy";
    metadata: { name: string; namespace: string; labels: Record<string, string> };
    spec: {
        podSelector: Record<string, unknown>;
        policyTypes: Array<"Ingress" | "Egress">;
        ingress?: Array<{ from?: Peer[]; ports?: Port[] }>;
        egress?: Array<{ to?: Peer[]; ports?: Port[] }>;
    };
}

function policy(ns: string, name: string, spec: NetworkPolicyObject["spec"]): NetworkPolicyObject {
    return {
        apiVersion: "networking.k8s.io/v1",
        kind: "NetworkPolicy",
        metadata: { name, namespace: ns, labels: { ...MANAGED_BY_LABELS } },
        spec,
    };
}

/** Selects every pod of the namespace, allows nothing: everything else is an explicit allow. */
export function defaultDenyPolicy(ns: string): NetworkPolicyObject {
    return policy(ns, "default-deny", { podSelector: {}, policyTypes: ["Ingress", "Egress"] });
}

export function allowDnsPolicy(ns: string, dns: DnsTarget): NetworkPolicyObject {
    return policy(ns, "allow-dns", {
        podSelector: {},
        policyTypes: ["Egress"],
        egress: [{
            to: [{ namespaceSelector: { matchLabels: { [NAME_LABEL]: dns.namespace } }, podSelector: { matchLabels: { ...dns.podLabels } } }],
            ports: [{ protocol: "UDP", port: 53 }, { protocol: "TCP", port: 53 }],
        }],
    });
}

export function allowSameNamespacePolicy(ns: string): NetworkPolicyObject {
    return policy(ns, "allow-same-namespace", {
        podSelector: {},
        policyTypes: ["Ingress", "Egress"],
        ingress: [{ from: [{ podSelector: {} }] }],
        egress: [{ to: [{ podSelector: {} }] }],
    });
}

/** Namespaces of one tenant talk to each other; other tenants stay behind the default deny. */
export function allowSameTenantPolicy(ns: string, tenant: string): NetworkPolicyObject {
    const peer = { namespaceSelector: { matchLabels: { [TENANT_LABEL]: tenant } } };
    return policy(ns, "allow-same-tenant", {
        podSelector: {},
        policyTypes: ["Ingress", "Egress"],
        ingress: [{ from: [peer] }],
        egress: [{ to: [peer] }],
    });
}

export function allowIngressFromNamespacesPolicy(ns: string, from: string[]): NetworkPolicyObject {
    return policy(ns, "allow-ingress-from-namespaces", {
        podSelector: {},
        policyTypes: ["Ingress"],
        ingress: [{ from: [{ namespaceSelector: { matchExpressions: [{ key: NAME_LABEL, operator: "In", values: [...from] }] } }] }],
    });
}

/** Every policy a namespace's config asks for. */
export function namespaceNetworkPolicies(ns: NamespaceConfig, dns: DnsTarget): NetworkPolicyObject[] {
    const np = ns.networkPolicy;
    const out: NetworkPolicyObject[] = [];
    if (np.defaultDeny) out.push(defaultDenyPolicy(ns.name));
    if (np.allowDns) out.push(allowDnsPolicy(ns.name, dns));
    if (np.allowSameNamespace) out.push(allowSameNamespacePolicy(ns.name));
    if (ns.tenant !== undefined) out.push(allowSameTenantPolicy(ns.name, ns.tenant));
    if (np.allowIngressFromNamespaces.length > 0) out.push(allowIngressFromNamespacesPolicy(ns.name, np.allowIngressFromNamespaces));
    return out;
}

/** Calico selector literal; names are validated RFC 1123 labels, so single quotes never need escaping. */
function calicoString(value: string): string {
    if (!/^[A-Za-z0-9._/-]*$/.test(value)) throw new Error(`value not allowed in a Calico selector: ${JSON.stringify(value)}`);
    return `'${value}'`;
}

export function calicoLabelSelector(labels: Record<string, string>): string {
    const terms = Object.entries(labels).map(([k, v]) => {
        if (!/^[A-Za-z0-9._/-]+$/.test(k)) throw new Error(`label key not allowed in a Calico selector: ${JSON.stringify(k)}`);
        return `${k} == ${calicoString(v)}`;
    });
    return terms.length === 0 ? "all()" : terms.join(" && ");
}

/**
 * One GlobalNetworkPolicy: in every namespace except the exempt ones, deny what no earlier policy allowed, but
 * let DNS through. Its order comes after Kubernetes NetworkPolicies (Calico gives those 1000), so per-namespace
 * allows still work. crd.projectcalico.org/v1 objects skip Calico's defaulting: every field is spelled out, and
 * the name carries the "default." tier prefix that Calico's own API server would add.
 */
export function calicoGlobalDefaultDenyObject(cfg: NetworkPolicyConfig["calicoGlobalDefaultDeny"], dns: DnsTarget) {
    const exempt = cfg.exemptNamespaces.map(calicoString);
    const namespaceSelector = exempt.length === 0 ? "all()" : `${NAME_LABEL} not in { ${exempt.join(", ")} }`;
    const dnsDestination = {
        namespaceSelector: `${NAME_LABEL} == ${calicoString(dns.namespace)}`,
        selector: calicoLabelSelector(dns.podLabels),
        ports: [53],
    };
    const crd = cfg.apiVersion === "crd.projectcalico.org/v1";
    return {
        apiVersion: cfg.apiVersion,
        kind: "GlobalNetworkPolicy" as const,
        metadata: { name: crd ? `default.${GLOBAL_DEFAULT_DENY_NAME}` : GLOBAL_DEFAULT_DENY_NAME, labels: { ...MANAGED_BY_LABELS } },
        spec: {
            order: cfg.order,
            selector: "all()",
            namespaceSelector,
            types: ["Ingress", "Egress"],
            ingress: [] as unknown[],
            egress: [
                { action: "Allow", protocol: "UDP", destination: dnsDestination },
                { action: "Allow", protocol: "TCP", destination: dnsDestination },
            ],
        },
    };
}
