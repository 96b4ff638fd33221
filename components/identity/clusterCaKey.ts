// ClusterCaKey: the cluster CA's private key for signing X509 users: the secret config value when one is given,
// else read once over SSH from a control-plane node (kubeadm keeps it at /etc/kubernetes/pki/ca.key). Either
// way it is a secret output; RemoteCommand keeps what the node printed secret in the state.

import * as pulumi from "@pulumi/pulumi";
import { RemoteCommand } from "../../providers";
import { remoteShellCommand } from "../../lib/identity/staticTokenScripts";
import { nodeConnection, SshNode } from "../sshNode";

export interface ClusterCaKeyArgs {
    /** Secret config kube-baseline:clusterCaKey, when set. */
    caKeyPem?: pulumi.Input<string>;
    controlPlaneNode: SshNode;
    sshPrivateKey: pulumi.Input<string>;
    /** Default /etc/kubernetes/pki/ca.key. */
    path?: string;
}

export class ClusterCaKey extends pulumi.ComponentResource {
    /** Secret. */
    readonly caKeyPem: pulumi.Output<string>;

    constructor(name: string, args: ClusterCaKeyArgs, opts?: pulumi.ComponentResourceOptions) {
        super("kube-baseline:identity:ClusterCaKey", name, {}, opts);
        if (args.caKeyPem !== undefined) {
            this.caKeyPem = pulumi.secret(args.caKeyPem);
        } else {
            const path = args.path ?? "/etc/kubernetes/pki/ca.key";
            if (!/^\/[A-Za-z0-9._/-]+$/.test(path)) throw new Error(`CA key path must be a plain absolute path, got ${JSON.stringify(path)}`);
            const read = new RemoteCommand(`${name}-read`, {
                connection: nodeConnection(args.controlPlaneNode, args.sshPrivateKey),
                create: remoteShellCommand(`set -eu\ncat '${path}'\n`, { sudo: args.controlPlaneNode.ssh.user !== "root" }),
                // stdout is needed (it is the key) and stays a secret output of RemoteCommand.
                logging: "stdoutAndStderr",
            }, { parent: this, additionalSecretOutputs: ["stdout"] });
            this.caKeyPem = pulumi.secret(read.stdout.apply(out => {
                if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(out)) {
                    throw new Error(`no PEM private key at ${path} on ${args.controlPlaneNode.name}`);
                }
                return out.endsWith("\n") ? out : `${out}\n`;
            }));
        }
        this.registerOutputs({ caKeyPem: this.caKeyPem });
    }
}
