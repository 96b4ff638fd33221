// kube-proxy's mode lives in ConfigMap kube-system/kube-proxy, key config.conf (a KubeProxyConfiguration
// written by kubeadm). We edit exactly three fields of that text and leave every other line, comment and
// quoting style as it was, so the diff a user reviews is the change they asked for.

import { isMap, isScalar, parseDocument } from "yaml";
import { KubeProxyConfig } from "../config/network";

export const KUBE_PROXY_CONFIGMAP = "kube-proxy";
export const KUBE_PROXY_NAMESPACE = "kube-system";
export const KUBE_PROXY_CONFIG_KEY = "config.conf";

/** Returns config.conf with mode, ipvs.scheduler and ipvs.strictARP set; throws if it is not a KubeProxyConfiguration. */
export function editKubeProxyConfig(configText: string, config: KubeProxyConfig): string {
    const doc = parseDocument(configText);
    if (doc.errors.length > 0) {
        throw new Error(`${KUBE_PROXY_CONFIGMAP} ${KUBE_PROXY_CONFIG_KEY} is not valid YAML: ${doc.errors[0].message}`);
    }
    if (!isMap(doc.contents) || doc.get("kind") !== "KubeProxyConfiguration") {
        throw new Error(`${KUBE_PROXY_CONFIGMAP} ${KUBE_PROXY_CONFIG_KEY} is not a KubeProxyConfiguration`);
    }
    doc.set("mode", config.mode);
    // "ipvs: null" (or any scalar) cannot take keys; replace it with a section.
    if (isScalar(doc.get("ipvs", true))) doc.delete("ipvs");
    doc.setIn(["ipvs", "scheduler"], config.scheduler);
    doc.setIn(["ipvs", "strictARP"], config.strictARP);
    // lineWidth 0: never re-fold long lines we did not touch.
    return doc.toString({ lineWidth: 0 });
}

/** Reads the three managed fields back (for outputs and tests). */
export function readKubeProxyMode(configText: string): { mode: string; scheduler: string; strictARP: boolean } {
    const doc = parseDocument(configText);
    return {
        mode: String(doc.get("mode") ?? ""),
        scheduler: String(doc.getIn(["ipvs", "scheduler"]) ?? ""),
        strictARP: doc.getIn(["ipvs", "strictARP"]) === true,
    };
}
