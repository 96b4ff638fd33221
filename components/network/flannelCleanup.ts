// Removes Flannel before Calico starts. First, on a control-plane node, Flannel's DaemonSet and ConfigMap
// are deleted with kubectl and its pods waited out (a running flanneld would put its files back); then every
// node loses Flannel's CNI config file (kubelet would keep using it) and the flannel.1 link. Whatever
// depends on this component (Calico's objects) waits for all of it. Pulumi later deletes the Flannel
// objects that left the program (namespace, RBAC, and the already deleted ones, which it finds absent).
// Runs once; there is nothing to undo on destroy.

import * as pulumi from "@pulumi/pulumi";
import {
    FlannelCleanupResult, FlannelClusterCleanupResult, parseFlannelCleanupResult, parseFlannelClusterCleanupResult,
    renderFlannelCleanupScript, renderFlannelClusterCleanupScript,
} from "../../lib/network/flannelCleanup";
import { asRoot } from "../../lib/nodeShell";
import { legacyCommandAlias } from "../legacyAliases";
import { nodeCommand, SshNode } from "../nodeCommand";
import { nodeResourceName } from "./sshTarget";

export interface FlannelCleanupArgs {
    nodes: SshNode[];
    /** Runs kubectl to remove Flannel's workloads from the cluster. */
    controlPlaneNode: SshNode;
    sshPrivateKey: pulumi.Input<string>;
    /** Default /etc/kubernetes/admin.conf (kubeadm). */
    adminKubeconfigPath?: string;
    /** Default "kubectl". */
    kubectl?: string;
    /** Bound on waiting for the flannel pods to go; default 120. */
    timeoutSeconds?: number;
}

export class FlannelCleanup extends pulumi.ComponentResource {
    readonly cluster: pulumi.Output<FlannelClusterCleanupResult>;
    readonly results: pulumi.Output<FlannelCleanupResult[]>;

    constructor(name: string, args: FlannelCleanupArgs, opts?: pulumi.ComponentResourceOptions) {
        super("kube-baseline:network:FlannelCleanup", name, {}, opts);
        const cp = args.controlPlaneNode;
        const timeoutSeconds = args.timeoutSeconds ?? 120;
        const clusterStep = nodeCommand(`${name}-cluster`, {
            node: cp, sshPrivateKey: args.sshPrivateKey,
            create: asRoot(renderFlannelClusterCleanupScript({
                node: cp.name,
                kubeconfigPath: args.adminKubeconfigPath ?? "/etc/kubernetes/admin.conf",
                kubectl: args.kubectl ?? "kubectl",
                timeoutSeconds,
            }), cp.ssh.user),
            // Object names only.
            output: "public",
            timeoutSeconds: timeoutSeconds + 60,
        }, { parent: this, aliases: [legacyCommandAlias] });
        this.cluster = clusterStep.stdout.apply(stdout => parseFlannelClusterCleanupResult(stdout, cp.name));

        const results = args.nodes.map(node => nodeCommand(nodeResourceName(name, node), {
            node, sshPrivateKey: args.sshPrivateKey,
            create: asRoot(renderFlannelCleanupScript({ node: node.name }), node.ssh.user),
            output: "public",
            timeoutSeconds: 120,
        }, { parent: this, dependsOn: [clusterStep], aliases: [legacyCommandAlias] }).stdout.apply(stdout => parseFlannelCleanupResult(stdout, node.name)));
        this.results = pulumi.all(results);
        this.registerOutputs({ cluster: this.cluster, results: this.results });
    }
}
