// The part of a node's config the network components need to reach it over SSH. NodeConfig from
// lib/config/cluster.ts has this shape; keeping the subset here keeps these components easy to test.

import * as pulumi from "@pulumi/pulumi";

export interface NetworkNode {
    name: string;
    ssh: { host: string; port: number; user: string; hostKey: string };
}

/** RemoteCommand connection with the node's pinned host key; the private key stays a secret. */
export function sshConnection(node: NetworkNode, privateKey: pulumi.Input<string>) {
    return {
        host: node.ssh.host,
        port: node.ssh.port,
        user: node.ssh.user,
        hostKey: node.ssh.hostKey,
        privateKey: pulumi.secret(privateKey),
    };
}

/** Pulumi resource names carry the node name, so any provider error (e.g. unreachable host) names it. */
export function nodeResourceName(prefix: string, node: NetworkNode): string {
    return `${prefix}-${node.name}`;
}
