// kube-proxy mode: edits config.conf in ConfigMap kube-system/kube-proxy (mode, ipvs.scheduler,
// ipvs.strictARP, nothing else) and restarts the kube-proxy pods through a pod-template annotation
// holding the config's hash, since kube-proxy reads its config only at start.
//
// Destroy puts config.conf back as it was found. Releasing the server-side-apply patch would delete
// config.conf altogether (kube-proxy could not start), so the patch is kept on delete (retainOnDelete)
// and the original is restored instead: before the first edit, a command on a control-plane node saves
// config.conf to a root-only file (once: later runs read an already edited ConfigMap); its delete writes
// it back with kubectl and restarts kube-proxy (lib/network/kubeProxyOriginal.ts). The patch depends on
// that command, so it is created after the save and destroyed before the restore.

import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { KubeProxyConfig } from "../../lib/config/network";
import { sha256Hex } from "../../lib/hash";
import { editKubeProxyConfig, KUBE_PROXY_CONFIG_KEY, KUBE_PROXY_CONFIGMAP, KUBE_PROXY_NAMESPACE } from "../../lib/network/kubeProxyConfig";
import { parseKubeProxySaveResult, renderKubeProxyRestoreScript, renderKubeProxySaveScript } from "../../lib/network/kubeProxyOriginal";
import { asRoot, rootShellFromStdin } from "../../lib/nodeShell";
import { legacyCommandAlias } from "../legacyAliases";
import { nodeCommand, SshNode } from "../nodeCommand";

export const KUBE_PROXY_CONFIG_HASH_ANNOTATION = "kube-baseline.io/kube-proxy-config-sha256";
const KUBE_PROXY_DAEMONSET = "kube-proxy";

export interface KubeProxyArgs {
    config: KubeProxyConfig;
    /** Keeps the original config.conf for destroy; needs kubectl and the admin kubeconfig. */
    controlPlaneNode: SshNode;
    sshPrivateKey: pulumi.Input<string>;
    /** Default /etc/kubernetes/admin.conf (kubeadm). */
    adminKubeconfigPath?: string;
    /** Default "kubectl". */
    kubectl?: string;
    /** config.conf as it is now; by default read from the cluster. */
    currentConfig?: pulumi.Input<string>;
}

export class KubeProxy extends pulumi.ComponentResource {
    /** The config.conf applied. */
    readonly configText: pulumi.Output<string>;
    readonly mode: pulumi.Output<string>;
    /** sha256 of config.conf as found before the first edit (what destroy restores). */
    readonly originalConfigSha256: pulumi.Output<string>;

    constructor(name: string, args: KubeProxyArgs, opts?: pulumi.ComponentResourceOptions) {
        super("kube-baseline:network:KubeProxy", name, {}, opts);
        const current = args.currentConfig !== undefined
            ? pulumi.output(args.currentConfig)
            : k8s.core.v1.ConfigMap.get(`${name}-current`, `${KUBE_PROXY_NAMESPACE}/${KUBE_PROXY_CONFIGMAP}`, { parent: this })
                .data.apply(data => {
                    const text = data?.[KUBE_PROXY_CONFIG_KEY];
                    if (text === undefined) throw new Error(`ConfigMap ${KUBE_PROXY_NAMESPACE}/${KUBE_PROXY_CONFIGMAP} has no ${KUBE_PROXY_CONFIG_KEY}`);
                    return text;
                });
        this.configText = current.apply(text => editKubeProxyConfig(text, args.config));
        this.mode = pulumi.output(args.config.mode);

        const cp = args.controlPlaneNode;
        const scriptOptions = {
            node: cp.name,
            kubeconfigPath: args.adminKubeconfigPath ?? "/etc/kubernetes/admin.conf",
            kubectl: args.kubectl ?? "kubectl",
        };
        // The save script goes in on stdin: a new version of it re-runs in place (and keeps the saved copy),
        // where a changed command line would replace the resource, restoring the original mid-run.
        const shell = rootShellFromStdin(cp.ssh.user);
        const original = nodeCommand(`${name}-original`, {
            node: cp, sshPrivateKey: args.sshPrivateKey,
            create: shell,
            update: shell,
            stdin: renderKubeProxySaveScript(scriptOptions),
            delete: asRoot(renderKubeProxyRestoreScript(scriptOptions), cp.ssh.user),
            // The script prints only a digest.
            output: "public",
            timeoutSeconds: 300,
        }, { parent: this, aliases: [legacyCommandAlias] });
        this.originalConfigSha256 = original.stdout.apply(stdout => parseKubeProxySaveResult(stdout, cp.name).sha256);

        const configPatch = new k8s.core.v1.ConfigMapPatch(`${name}-config`, {
            metadata: {
                name: KUBE_PROXY_CONFIGMAP,
                namespace: KUBE_PROXY_NAMESPACE,
                annotations: { "pulumi.com/patchForce": "true" }, // kubeadm owns config.conf; we take it over
            },
            data: { [KUBE_PROXY_CONFIG_KEY]: this.configText },
        }, { parent: this, retainOnDelete: true, dependsOn: [original] });

        new k8s.apps.v1.DaemonSetPatch(`${name}-restart`, {
            metadata: { name: KUBE_PROXY_DAEMONSET, namespace: KUBE_PROXY_NAMESPACE },
            spec: {
                template: {
                    metadata: { annotations: { [KUBE_PROXY_CONFIG_HASH_ANNOTATION]: this.configText.apply(sha256Hex) } },
                },
            },
        }, { parent: this, dependsOn: [configPatch] });

        this.registerOutputs({ configText: this.configText, mode: this.mode, originalConfigSha256: this.originalConfigSha256 });
    }
}
