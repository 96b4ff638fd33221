// Calico's IPPool as a crd.projectcalico.org/v1 object. Objects of that API bypass Calico's own
// validation and defaulting, so every field is written explicitly and checked by our config validation.

import { ConfigIssue } from "../config/configError";
import { CalicoPoolConfig, EncapsulationMode, keyPath } from "../config/network";

export const CALICO_CRD_API_VERSION = "crd.projectcalico.org/v1";

export interface IpPoolSpec {
    cidr: string;
    blockSize: number;
    ipipMode: EncapsulationMode;
    vxlanMode: EncapsulationMode;
    natOutgoing: boolean;
    nodeSelector: string;
    disabled: boolean;
}

export function renderIpPoolSpec(pool: CalicoPoolConfig): IpPoolSpec {
    return {
        cidr: pool.cidr,
        blockSize: pool.blockSize,
        ipipMode: pool.ipipMode,
        vxlanMode: pool.vxlanMode,
        natOutgoing: pool.natOutgoing,
        nodeSelector: "all()",
        disabled: false,
    };
}

export function renderIpPool(pool: CalicoPoolConfig) {
    return {
        apiVersion: CALICO_CRD_API_VERSION,
        kind: "IPPool",
        metadata: { name: pool.name },
        spec: renderIpPoolSpec(pool),
    };
}

/**
 * calico-node's CALICO_IPV4POOL_* environment. These act only when calico-node creates the first pool;
 * they are kept equal to the managed IPPool so a fresh node never disagrees with it.
 */
export function calicoNodePoolEnv(pool: CalicoPoolConfig): Record<string, string> {
    return {
        CALICO_IPV4POOL_CIDR: pool.cidr,
        CALICO_IPV4POOL_BLOCK_SIZE: String(pool.blockSize),
        CALICO_IPV4POOL_IPIP: pool.ipipMode,
        CALICO_IPV4POOL_VXLAN: pool.vxlanMode,
        CALICO_IPV4POOL_NAT_OUTGOING: String(pool.natOutgoing),
    };
}

export interface IpPoolIdentity {
    cidr: string;
    blockSize: number;
}

/**
 * Calico forbids changing an IPPool's cidr or blockSize in place (addresses already handed out would be
 * orphaned). Given the pool as last deployed, reports each changed immutable field.
 */
export function checkIpPoolImmutable(previous: IpPoolIdentity | undefined, next: IpPoolIdentity): ConfigIssue[] {
    if (previous === undefined) return [];
    const issues: ConfigIssue[] = [];
    for (const field of ["cidr", "blockSize"] as const) {
        if (previous[field] !== next[field]) {
            issues.push({
                key: keyPath(["cni", "calico", "pool", field]),
                value: next[field],
                message: `is immutable on an existing IPPool (deployed: ${JSON.stringify(previous[field])}); `
                    + "create a new pool under a new name and migrate workloads instead",
            });
        }
    }
    return issues;
}
