// A cluster node as the components reach it: its name and SSH endpoint with the pinned host key (NodeConfig
// from lib/config/cluster.ts has this shape; the subset keeps components easy to test with mocks).
import * as pulumi from "@pulumi/pulumi";

export interface SshNode {
    name: string;
    ssh: { host: string; port: number; user: string; hostKey: string };
}

/** RemoteCommand connection to a node with its pinned host key; the private key stays secret. */
export function nodeConnection(node: SshNode, privateKey: pulumi.Input<string>) {
    return {
        host: node.ssh.host,
        port: node.ssh.port,
        user: node.ssh.user,
        hostKey: node.ssh.hostKey,
        privateKey: pulumi.secret(privateKey),
    };
}
