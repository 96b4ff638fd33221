// ClusterCaKey: the cluster CA's private key for signing X509 users: the secret config value when one is given,
// else read once over SSH from a control-plane node (kubeadm keeps it at /etc/kubernetes/pki/ca.key). Either
// way it is a secret output; the read's output is secret in the state and never logged.

import * as pulumi from "@pulumi/pulumi";
import { remoteShellCommand } from "../../lib/nodeShell";
import { nodeCommand, SshNode } from "../nodeCommand";
import { legacyCommandAlias } from "../legacyAliases";

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
            const read = nodeCommand(`${name}-read`, {
                node: args.controlPlaneNode,
                sshPrivateKey: args.sshPrivateKey,
                create: remoteShellCommand(`set -eu\ncat '${path}'\n`, { sudo: args.controlPlaneNode.ssh.user !== "root" }),
                output: "secret",
                timeoutSeconds: 120,
            }, { parent: this, aliases: [legacyCommandAlias] });
            const node = args.controlPlaneNode.name;
            this.caKeyPem = pulumi.secret(read.stdout.apply(out => {
                if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(out)) throw new Error(`no PEM private key at ${path} on ${node}`);
                return out.endsWith("\n") ? out : `${out}\n`;
            }));
        }
        this.registerOutputs({ caKeyPem: this.caKeyPem });
    }
}
