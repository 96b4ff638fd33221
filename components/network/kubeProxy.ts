// kube-proxy mode: edits config.conf in ConfigMap kube-system/kube-proxy (mode, ipvs.scheduler,
// ipvs.strictARP, nothing else) and restarts the kube-proxy pods through a pod-template annotation
// holding the config's hash, since kube-proxy reads its config only at start.
//
// On destroy the ConfigMap edit is kept (retainOnDelete): releasing the patch would delete config.conf
// altogether and leave kube-proxy unable to start, which is worse than keeping the last mode.

import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { KubeProxyConfig } from "../../lib/config/network";
import { sha256Hex } from "../../lib/network/hash";
import { editKubeProxyConfig, KUBE_PROXY_CONFIG_KEY, KUBE_PROXY_CONFIGMAP, KUBE_PROXY_NAMESPACE } from "../../lib/network/kubeProxyConfig";

export const KUBE_PROXY_CONFIG_HASH_ANNOTATION = "kube-baseline.io/kube-proxy-config-sha256";
const KUBE_PROXY_DAEMONSET = "kube-proxy";

export interface KubeProxyArgs {
    config: KubeProxyConfig;
    /** config.conf as it is now; by default read from the cluster. */
    currentConfig?: pulumi.Input<string>;
}

export class KubeProxy extends pulumi.ComponentResource {
    /** The config.conf applied. */
    readonly configText: pulumi.Output<string>;
    readonly mode: pulumi.Output<string>;

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

        const configPatch = new k8s.core.v1.ConfigMapPatch(`${name}-config`, {
            metadata: {
                name: KUBE_PROXY_CONFIGMAP,
                namespace: KUBE_PROXY_NAMESPACE,
                annotations: { "pulumi.com/patchForce": "true" }, // kubeadm owns config.conf; we take it over
            },
            data: { [KUBE_PROXY_CONFIG_KEY]: this.configText },
        }, { parent: this, retainOnDelete: true });

        new k8s.apps.v1.DaemonSetPatch(`${name}-restart`, {
            metadata: { name: KUBE_PROXY_DAEMONSET, namespace: KUBE_PROXY_NAMESPACE },
            spec: {
                template: {
                    metadata: { annotations: { [KUBE_PROXY_CONFIG_HASH_ANNOTATION]: this.configText.apply(sha256Hex) } },
                },
            },
        }, { parent: this, dependsOn: [configPatch] });

        this.registerOutputs({ configText: this.configText, mode: this.mode });
    }
}
