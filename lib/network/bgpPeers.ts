// BGPPeer objects: every node to the reflectors, the reflectors to each other, and external routers.

import { BgpConfig } from "../config/network";
import { CALICO_CRD_API_VERSION } from "./calicoIpPool";
import { ROUTE_REFLECTOR_SELECTOR } from "./routeReflectors";

export const REFLECTOR_CLIENTS_PEER = "kube-baseline-route-reflector-clients";
export const REFLECTOR_MESH_PEER = "kube-baseline-route-reflector-mesh";

export interface BgpPeerSpec {
    nodeSelector?: string;
    peerSelector?: string;
    peerIP?: string;
    asNumber?: number;
    password?: { secretKeyRef: { name: string; key: string } };
}

export interface BgpPeerObject {
    apiVersion: string;
    kind: "BGPPeer";
    metadata: { name: string };
    spec: BgpPeerSpec;
}

function peer(name: string, spec: BgpPeerSpec): BgpPeerObject {
    return { apiVersion: CALICO_CRD_API_VERSION, kind: "BGPPeer", metadata: { name }, spec };
}

/** Peers that make the reflectors work; empty without reflectors. */
export function renderReflectorPeers(bgp: BgpConfig): BgpPeerObject[] {
    if (bgp.routeReflectors === undefined) return [];
    return [
        // Every node (clients, and reflectors too) peers with every reflector.
        peer(REFLECTOR_CLIENTS_PEER, { nodeSelector: "all()", peerSelector: ROUTE_REFLECTOR_SELECTOR }),
        // Stated on its own so reflectors keep exchanging routes even if the client selector is narrowed.
        peer(REFLECTOR_MESH_PEER, { nodeSelector: ROUTE_REFLECTOR_SELECTOR, peerSelector: ROUTE_REFLECTOR_SELECTOR }),
    ];
}

/** Peers to routers outside the cluster (e.g. top-of-rack), optionally with an MD5 password from a Secret. */
export function renderExternalPeers(bgp: BgpConfig): BgpPeerObject[] {
    return bgp.externalPeers.map(p => {
        const spec: BgpPeerSpec = { peerIP: p.peerIP, asNumber: p.asNumber };
        if (p.nodeSelector !== undefined) spec.nodeSelector = p.nodeSelector;
        if (p.passwordSecret !== undefined) {
            spec.password = { secretKeyRef: { name: p.passwordSecret.name, key: p.passwordSecret.key } };
        }
        return peer(p.name, spec);
    });
}

export function renderBgpPeers(bgp: BgpConfig): BgpPeerObject[] {
    return [...renderReflectorPeers(bgp), ...renderExternalPeers(bgp)];
}
