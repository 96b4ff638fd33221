// The parts of the cluster and node config the identity components need (ClusterConfig and NodeConfig from
// lib/config/cluster.ts have these shapes); small interfaces keep the components easy to test with mocks.

import * as pulumi from "@pulumi/pulumi";

export interface IdentityCluster {
    name: string;
    apiServerUrl: string;
    caCertificatePem: string;
}

export interface IdentityNode {
    name: string;
    ssh: { host: string; port: number; user: string; hostKey: string };
}

/** RemoteCommand connection to a node with its pinned host key; the private key stays secret. */
export function nodeConnection(node: IdentityNode, privateKey: pulumi.Input<string>) {
    return {
        host: node.ssh.host,
        port: node.ssh.port,
        user: node.ssh.user,
        hostKey: node.ssh.hostKey,
        privateKey: pulumi.secret(privateKey),
    };
}

/** Pulumi names for per-user and per-node children: readable and unique (user names may hold '@' or ':'). */
export function childName(prefix: string, part: string): string {
    return `${prefix}-${part.replace(/[^A-Za-z0-9._-]/g, "_")}`;
}
