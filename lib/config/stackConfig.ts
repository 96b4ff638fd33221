// The whole stack configuration, read once and validated before any resource is registered: one
// ConfigError lists every bad key with its value, so nothing is half-applied by a bad config.
import { ConfigIssue, ConfigError } from "./configError";
import { ResolvedCluster, resolveClusterConfig } from "./cluster";
import { IDENTITY_CONFIG_KEYS, IdentityConfig, validateIdentityConfig } from "./identity";
import { NETWORK_CONFIG_KEYS, NetworkConfig, validateNetworkConfig } from "./network";

export interface StackConfig {
    cluster: ResolvedCluster;
    identity: IdentityConfig;
    network: NetworkConfig;
    warnings: string[];
}

/** Reads one config key as an object (undefined when unset). */
export type ReadKey = (key: string) => unknown;

export function loadStackConfig(
    read: ReadKey,
    readSandbox: (dir: string) => string,
    sandboxDir?: string,
): StackConfig {
    const issues: ConfigIssue[] = [];

    const clusterResult = resolveClusterConfig(read("cluster"), readSandbox, sandboxDir);
    issues.push(...clusterResult.issues);
    const cluster = clusterResult.resolved;

    const networkRaw = Object.fromEntries(NETWORK_CONFIG_KEYS.map(k => [k, read(k)]).filter(([, v]) => v !== undefined));
    const network = validateNetworkConfig(networkRaw, cluster && {
        podCidr: cluster.cluster.podCidr,
        nodeNames: cluster.cluster.nodes.map(n => n.name),
    });
    issues.push(...network.issues);

    const identityRaw = Object.fromEntries(IDENTITY_CONFIG_KEYS.map(k => [k, read(k)]).filter(([, v]) => v !== undefined));
    const identity = validateIdentityConfig(identityRaw, { cni: network.config?.cni?.kind });
    issues.push(...identity.issues);

    if (issues.length > 0 || !cluster || !identity.config || !network.config) {
        throw new ConfigError(issues);
    }
    return { cluster, identity: identity.config, network: network.config, warnings: network.warnings };
}
