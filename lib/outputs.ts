// The stack outputs contract (README "Outputs"): pure shaping of the plain (non-secret) parts from the
// validated config, so other stacks can rely on stable names and shapes.
import { NamespaceConfig, PodSecurityLevel, UserConfig } from "./config/identity";
import { BgpConfig, CniConfig } from "./config/network";

export interface NamespaceOutput { enforce: PodSecurityLevel; warn: PodSecurityLevel; audit: PodSecurityLevel; version: string }
export interface CniOutput { kind: "flannel" | "calico" | "unmanaged"; mode: string; podCidr: string }
export interface BgpOutput { asNumber: number; nodeToNodeMesh: boolean; routeReflectors: string[] }

/** Namespace name -> its Pod Security Admission levels. */
export function namespacesOutput(namespaces: NamespaceConfig[]): Record<string, NamespaceOutput> {
    return Object.fromEntries(namespaces.map(ns => [ns.name, {
        enforce: ns.podSecurity.enforce,
        warn: ns.podSecurity.warn,
        audit: ns.podSecurity.audit,
        version: ns.podSecurity.version,
    }]));
}

/** Names of the users that authenticate with a static token (the tokens themselves are never outputs). */
export function tokenUsersOutput(users: UserConfig[]): string[] {
    return users.filter(u => u.authentication === "token").map(u => u.name);
}

/** The CNI and its data-plane mode, e.g. flannel/vxlan, calico/ipip-crosssubnet, calico/bgp. */
export function cniOutput(cni: CniConfig | undefined, clusterPodCidr: string): CniOutput {
    if (!cni) return { kind: "unmanaged", mode: "unmanaged", podCidr: clusterPodCidr };
    if (cni.kind === "flannel") {
        return { kind: "flannel", mode: cni.flannel?.backend.type ?? "vxlan", podCidr: cni.flannel?.network ?? clusterPodCidr };
    }
    const pool = cni.calico?.pool;
    let mode = "bgp";
    if (pool && pool.ipipMode !== "Never") mode = `ipip-${pool.ipipMode.toLowerCase()}`;
    if (pool && pool.vxlanMode !== "Never") mode = `vxlan-${pool.vxlanMode.toLowerCase()}`;
    return { kind: "calico", mode, podCidr: pool?.cidr ?? clusterPodCidr };
}

/** Calico BGP facts, or null when BGP is not managed by this stack. */
export function bgpOutput(bgp: BgpConfig | undefined): BgpOutput | null {
    if (!bgp) return null;
    return { asNumber: bgp.asNumber, nodeToNodeMesh: bgp.nodeToNodeMesh, routeReflectors: bgp.routeReflectors?.nodes ?? [] };
}

// ---------------------------------------------------------------------------------------------------------
// Tenant stacks (README "Tenant stacks"): what a baseline with kube-baseline:tenants exports for them, and what a
// tenant stack exports about itself (the policy pack's tenant-stays-in-its-namespaces reads it).

/** The node where tenant stacks' CSR-API users are approved: its address and pinned host key, nothing secret. */
export interface CsrApprovalNodeOutput {
    name: string;
    ip: string;
    roles: string[];
    ssh: { host: string; port: number; user: string; hostKey: string };
}

export interface TenancyOutput {
    /** The cluster's name in kubeconfigs. */
    clusterName: string;
    /** Tenant -> the namespaces it owns and the ClusterRoles it may bind there. */
    tenants: Record<string, { namespaces: string[]; clusterRoles: string[] }>;
    /** The baseline's own namespaces (no tenant's). */
    baselineNamespaces: string[];
    /** Where cluster DNS runs, for every namespace's allow-dns policy. */
    dns: { namespace: string; podLabels: Record<string, string> };
    /** The longest certificate a tenant stack may issue (the baseline's certificates.maxValidityHours). */
    maxCertificateValidityHours: number;
    csrApprovalNode: CsrApprovalNodeOutput | null;
}

export function tenancyOutput(args: {
    clusterName: string;
    tenants: Array<{ name: string; namespaces: string[]; clusterRoles: string[] }>;
    baselineNamespaces: NamespaceConfig[];
    dns: { namespace: string; podLabels: Record<string, string> };
    maxCertificateValidityHours: number;
    csrApprovalNode?: CsrApprovalNodeOutput;
}): TenancyOutput {
    return {
        clusterName: args.clusterName,
        tenants: Object.fromEntries(args.tenants.map(t => [t.name, { namespaces: [...t.namespaces], clusterRoles: [...t.clusterRoles] }])),
        baselineNamespaces: args.baselineNamespaces.map(n => n.name),
        dns: { namespace: args.dns.namespace, podLabels: { ...args.dns.podLabels } },
        maxCertificateValidityHours: args.maxCertificateValidityHours,
        csrApprovalNode: args.csrApprovalNode
            ? { name: args.csrApprovalNode.name, ip: args.csrApprovalNode.ip, roles: [...args.csrApprovalNode.roles], ssh: { ...args.csrApprovalNode.ssh } }
            : null,
    };
}

/** A tenant stack's output `tenant`: which tenant of which baseline, and what the baseline lets it touch. */
export interface TenantOutput {
    name: string;
    baselineStack: string;
    namespaces: string[];
    clusterRoles: string[];
    /** Every user and group the stack issues starts with it. */
    identityPrefix: string;
}
