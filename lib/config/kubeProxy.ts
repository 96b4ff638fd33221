// kube-baseline:kubeProxy: kube-proxy's mode (iptables or ipvs) and the ipvs scheduler, written to its ConfigMap.

import { Issues } from "./configError";
import { Bool, OneOf, Optional, Settings, Static } from "./schema";

export const KUBE_PROXY_MODES = ["iptables", "ipvs"] as const;
export const IPVS_SCHEDULERS = ["rr", "lc", "dh", "sh", "sed", "nq"] as const;

export const KubeProxySchema = Settings({
    mode: OneOf(KUBE_PROXY_MODES),
    scheduler: Optional(OneOf(IPVS_SCHEDULERS)),
    strictARP: Optional(Bool()),
});

export type KubeProxyConfig = Required<Static<typeof KubeProxySchema>>;
export type KubeProxyMode = KubeProxyConfig["mode"];
export type IpvsScheduler = KubeProxyConfig["scheduler"];

export function resolveKubeProxy(raw: Static<typeof KubeProxySchema>, issues: Issues): KubeProxyConfig {
    if (raw.mode === "iptables") {
        if (raw.scheduler !== undefined) issues.warn("kubeProxy.scheduler", raw.scheduler, "has no effect in iptables mode");
        if (raw.strictARP !== undefined) issues.warn("kubeProxy.strictARP", raw.strictARP, "has no effect in iptables mode");
    }
    return { mode: raw.mode, scheduler: raw.scheduler ?? "rr", strictARP: raw.strictARP ?? false };
}
