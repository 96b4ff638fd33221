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
