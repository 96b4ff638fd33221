// Removes Flannel before Calico starts. First, on a control-plane node, Flannel's DaemonSet and ConfigMap
// are deleted with kubectl and its pods waited out (a running flanneld would put its files back); then every
// node loses Flannel's CNI config file (kubelet would keep using it) and the flannel.1 link. Whatever
// depends on this component (Calico's objects) waits for all of it. Pulumi later deletes the Flannel
// objects that left the program (namespace, RBAC, and the already deleted ones, which it finds absent).
// Runs once; there is nothing to undo on destroy.

import * as pulumi from "@pulumi/pulumi";
import { RemoteCommand } from "../../providers";
import {
    FlannelCleanupResult, FlannelClusterCleanupResult, parseFlannelCleanupResult, parseFlannelClusterCleanupResult,
    renderFlannelCleanupScript, renderFlannelClusterCleanupScript,
} from "../../lib/network/flannelCleanup";
import { asRoot } from "../../lib/network/shell";
import { nodeConnection, SshNode } from "../sshNode";
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
        const clusterStep = new RemoteCommand(`${name}-cluster`, {
            connection: nodeConnection(cp, args.sshPrivateKey),
            create: asRoot(renderFlannelClusterCleanupScript({
                node: cp.name,
                kubeconfigPath: args.adminKubeconfigPath ?? "/etc/kubernetes/admin.conf",
                kubectl: args.kubectl ?? "kubectl",
                timeoutSeconds,
            }), cp.ssh.user),
            logging: "stdoutAndStderr",
            timeoutSeconds: timeoutSeconds + 60,
        }, { parent: this });
        // RemoteCommand keeps stdout secret; this script prints only object names.
        this.cluster = pulumi.unsecret(clusterStep.stdout).apply(stdout => parseFlannelClusterCleanupResult(stdout, cp.name));

        const results = args.nodes.map(node => new RemoteCommand(nodeResourceName(name, node), {
            connection: nodeConnection(node, args.sshPrivateKey),
            create: asRoot(renderFlannelCleanupScript({ node: node.name }), node.ssh.user),
            logging: "stdoutAndStderr",
        }, { parent: this, dependsOn: [clusterStep] }).stdout.apply(stdout => parseFlannelCleanupResult(stdout, node.name)));
        this.results = pulumi.all(results);
        this.registerOutputs({ cluster: this.cluster, results: this.results });
    }
}
