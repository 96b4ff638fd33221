// Kernel modules and sysctls on every node, over SSH and in parallel (one node command per node, none
// depending on another). The effective values each node reports back are an output; a node whose
// values differ from the request fails the update, and destroy restores the values found before.

import * as pulumi from "@pulumi/pulumi";
import { CniConfig, KubeProxyConfig, NodeKernelConfig } from "../../lib/config/network";
import { KernelSettings, kernelSettingsFor } from "../../lib/network/kernelSettings";
import { KernelReadback, parseKernelReadback, renderKernelApplyScript, renderKernelRestoreScript } from "../../lib/network/kernelScripts";
import { asRoot, rootShellFromStdin } from "../../lib/nodeShell";
import { legacyCommandAlias } from "../legacyAliases";
import { nodeCommand, SshNode } from "../nodeCommand";
import { nodeResourceName } from "./sshTarget";

export interface NodeKernelArgs {
    nodes: SshNode[];
    sshPrivateKey: pulumi.Input<string>;
    /** The CNI and kube-proxy modes decide which modules and sysctls are required. */
    cni?: CniConfig;
    kubeProxy?: KubeProxyConfig;
    kernel: NodeKernelConfig;
}

export class NodeKernel extends pulumi.ComponentResource {
    /** What was asked of every node. */
    readonly settings: KernelSettings;
    /** Node name -> modules and sysctls as read back from the node after applying. */
    readonly effective: pulumi.Output<Record<string, KernelReadback>>;

    constructor(name: string, args: NodeKernelArgs, opts?: pulumi.ComponentResourceOptions) {
        super("kube-baseline:network:NodeKernel", name, {}, opts);
        this.settings = kernelSettingsFor({ cni: args.cni, kubeProxy: args.kubeProxy, kernel: args.kernel });

        const readbacks = args.nodes.map(node => {
            // The apply script goes in on stdin: a changed setting re-runs it in place (it converges),
            // where a changed command line would replace the resource and restore everything first.
            const shell = rootShellFromStdin(node.ssh.user);
            const command = nodeCommand(nodeResourceName(name, node), {
                node, sshPrivateKey: args.sshPrivateKey,
                create: shell,
                update: shell,
                stdin: renderKernelApplyScript({ node: node.name }, this.settings),
                delete: asRoot(renderKernelRestoreScript({ node: node.name }), node.ssh.user),
                // Module states and sysctl values: meant to be a readable stack output.
                output: "public",
                timeoutSeconds: 300,
            }, { parent: this, aliases: [legacyCommandAlias] });
            return command.stdout.apply(stdout => parseKernelReadback(stdout, node.name));
        });
        this.effective = pulumi.all(readbacks)
            .apply(list => Object.fromEntries(list.map(r => [r.node, r])));

        this.registerOutputs({ settings: this.settings, effective: this.effective });
    }
}
