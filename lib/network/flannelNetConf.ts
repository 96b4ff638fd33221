// Flannel's net-conf.json (ConfigMap kube-flannel-cfg). Our keys replace the upstream ones; keys we do
// not manage (e.g. EnableNFTables in recent releases) are kept from the manifest's own net-conf.json.

import { FlannelConfig } from "../config/network";

export const FLANNEL_CONFIGMAP = "kube-flannel-cfg";
export const NET_CONF_KEY = "net-conf.json";

function backendObject(config: FlannelConfig): Record<string, unknown> {
    const backend = config.backend;
    if (backend.type === "host-gw") return { Type: "host-gw" };
    const vxlan: Record<string, unknown> = { Type: "vxlan", VNI: backend.vni, Port: backend.port };
    if (backend.mtu !== undefined) vxlan.MTU = backend.mtu;
    vxlan.DirectRouting = backend.directRouting;
    return vxlan;
}

/**
 * Renders net-conf.json. `upstream` is the manifest's own net-conf.json text, whose unmanaged keys are
 * kept; the Backend object is replaced as a whole so vxlan settings never linger under host-gw.
 */
export function renderFlannelNetConf(config: FlannelConfig, upstream?: string): string {
    let base: Record<string, unknown> = {};
    if (upstream !== undefined && upstream.trim() !== "") {
        const parsed: unknown = JSON.parse(upstream);
        if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
            throw new Error(`${NET_CONF_KEY} in the manifest is not a JSON object`);
        }
        base = parsed as Record<string, unknown>;
    }
    const netConf: Record<string, unknown> = { ...base, Network: config.network, SubnetLen: config.subnetLen };
    netConf.Backend = backendObject(config);
    return `${JSON.stringify(netConf, null, 2)}\n`;
}
