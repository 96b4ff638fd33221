// The cluster-wide BGPConfiguration. nodeToNodeMeshEnabled and asNumber are honoured only on the object
// named "default", so that is the only one we write.

import { BgpConfig } from "../config/network";
import { CALICO_CRD_API_VERSION } from "./calicoIpPool";

export const BGP_CONFIGURATION_NAME = "default";

export interface BgpConfigurationSpec {
    asNumber: number;
    nodeToNodeMeshEnabled: boolean;
    logSeverityScreen: string;
    serviceClusterIPs?: Array<{ cidr: string }>;
}

export function renderBgpConfigurationSpec(bgp: BgpConfig): BgpConfigurationSpec {
    const spec: BgpConfigurationSpec = {
        asNumber: bgp.asNumber,
        nodeToNodeMeshEnabled: bgp.nodeToNodeMesh,
        logSeverityScreen: bgp.logSeverityScreen,
    };
    if (bgp.serviceClusterIPs.length > 0) spec.serviceClusterIPs = bgp.serviceClusterIPs.map(cidr => ({ cidr }));
    return spec;
}

export function renderBgpConfiguration(bgp: BgpConfig) {
    return {
        apiVersion: CALICO_CRD_API_VERSION,
        kind: "BGPConfiguration",
        metadata: { name: BGP_CONFIGURATION_NAME },
        spec: renderBgpConfigurationSpec(bgp),
    };
}
