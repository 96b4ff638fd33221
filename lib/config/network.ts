// Network-plane configuration: the stack config keys `cni`, `kubeProxy`, `bgp` and `nodeKernel` (namespace
// `kube-baseline`), one file and one TypeBox schema each. This file composes them: shapes first (every
// problem at once), then the rules that need the cluster or another key.

import { parseIpv4Cidr } from "../network/cidr";
import { BgpConfig, BgpSchema, resolveBgp } from "./bgp";
import { CniConfig, CniSchema, resolveCni } from "./cni";
import { ConfigIssue, Issues } from "./configError";
import { KubeProxyConfig, KubeProxySchema, resolveKubeProxy } from "./kubeProxy";
import { NodeKernelConfig, NodeKernelSchema, resolveNodeKernel } from "./nodeKernel";
import { checkShape, Settings, Static, Type, withoutUndefined } from "./schema";

export * from "./bgp";
export * from "./cni";
export * from "./kubeProxy";
export * from "./nodeKernel";
export { keyPath } from "./keyPath";

/** The network keys, one schema each: adding a key here makes it known to the stack (stackConfig.ts). */
export const NETWORK_SETTINGS = {
    cni: CniSchema,
    kubeProxy: KubeProxySchema,
    bgp: BgpSchema,
    nodeKernel: NodeKernelSchema,
};
const NetworkSchema = Type.Partial(Settings(NETWORK_SETTINGS));
export type RawNetworkConfig = Static<typeof NetworkSchema>;

/** The Pulumi config keys (namespace kube-baseline) whose values make up the raw network config. */
export const NETWORK_CONFIG_KEYS = Object.keys(NETWORK_SETTINGS) as Array<keyof typeof NETWORK_SETTINGS>;

export interface NetworkConfig {
    cni?: CniConfig;
    kubeProxy?: KubeProxyConfig;
    bgp?: BgpConfig;
    /** Present whenever cni or kubeProxy is managed: their modes need kernel settings on every node. */
    nodeKernel?: NodeKernelConfig;
}

export interface ClusterFacts {
    podCidr: string;
    nodeNames: string[];
}

export interface NetworkConfigResult {
    config?: NetworkConfig;
    issues: ConfigIssue[];
    warnings: string[];
}

/**
 * Validates the network-plane config. `raw` is an object holding the values of the config keys
 * `cni`, `kubeProxy`, `bgp` and `nodeKernel` (each optional). With `cluster`, CIDRs and node names are
 * checked against the cluster and defaults (Flannel network, Calico pool) come from its pod CIDR.
 */
export function validateNetworkConfig(raw: unknown, cluster?: ClusterFacts): NetworkConfigResult {
    const issues = new Issues();
    const net = withoutUndefined(raw ?? {});
    if (!checkShape(NetworkSchema, net, [], issues)) return { issues: issues.issues, warnings: [] };
    const podCidr = cluster === undefined ? undefined : parseIpv4Cidr(cluster.podCidr);
    if (cluster !== undefined && podCidr === undefined) issues.add("cluster.podCidr", cluster.podCidr, "must be an IPv4 CIDR");
    const config: NetworkConfig = {};
    if (net.cni !== undefined) config.cni = resolveCni(net.cni, podCidr, issues);
    if (net.kubeProxy !== undefined) config.kubeProxy = resolveKubeProxy(net.kubeProxy, issues);
    if (net.bgp !== undefined) config.bgp = resolveBgp(net.bgp, net.cni?.kind, cluster?.nodeNames, issues);
    if (net.nodeKernel !== undefined || config.cni !== undefined || config.kubeProxy !== undefined) {
        config.nodeKernel = resolveNodeKernel(net.nodeKernel ?? {}, issues);
    }
    return issues.count > 0
        ? { issues: issues.issues, warnings: issues.warnings }
        : { config, issues: [], warnings: issues.warnings };
}
