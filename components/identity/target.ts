// The part of the cluster config the identity components need (ClusterConfig from lib/config/cluster.ts has
// this shape); a small interface keeps the components easy to test with mocks.

export interface IdentityCluster {
    name: string;
    apiServerUrl: string;
    caCertificatePem: string;
}

/** Pulumi names for per-user and per-node children: readable and unique (user names may hold '@' or ':'). */
export function childName(prefix: string, part: string): string {
    return `${prefix}-${part.replace(/[^A-Za-z0-9._-]/g, "_")}`;
}
