// Removes Flannel's traces from every node (CNI config file, flannel.1 link) so Calico's CNI config is
// the one kubelet uses. Runs once per node; there is nothing to undo on destroy.

import * as pulumi from "@pulumi/pulumi";
import { RemoteCommand } from "../../providers";
import { FlannelCleanupResult, parseFlannelCleanupResult, renderFlannelCleanupScript } from "../../lib/network/flannelCleanup";
import { asRoot } from "../../lib/network/shell";
import { nodeConnection, SshNode } from "../sshNode";
import { nodeResourceName } from "./sshTarget";

export interface FlannelCleanupArgs {
    nodes: SshNode[];
    sshPrivateKey: pulumi.Input<string>;
}

export class FlannelCleanup extends pulumi.ComponentResource {
    readonly results: pulumi.Output<FlannelCleanupResult[]>;

    constructor(name: string, args: FlannelCleanupArgs, opts?: pulumi.ComponentResourceOptions) {
        super("kube-baseline:network:FlannelCleanup", name, {}, opts);
        const results = args.nodes.map(node => new RemoteCommand(nodeResourceName(name, node), {
            connection: nodeConnection(node, args.sshPrivateKey),
            create: asRoot(renderFlannelCleanupScript({ node: node.name }), node.ssh.user),
            logging: "stdoutAndStderr",
        }, { parent: this }).stdout.apply(stdout => parseFlannelCleanupResult(stdout, node.name)));
        this.results = pulumi.all(results);
        this.registerOutputs({ results: this.results });
    }
}
