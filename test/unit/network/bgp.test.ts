import { BgpConfig } from "../../../lib/config/network";
import { renderBgpConfiguration } from "../../../lib/network/bgpConfiguration";
import { renderBgpPeers, renderExternalPeers, renderReflectorPeers } from "../../../lib/network/bgpPeers";
import { renderReflectorNodeMetadata } from "../../../lib/network/routeReflectors";

const base: BgpConfig = { asNumber: 63400, nodeToNodeMesh: false, logSeverityScreen: "Info", serviceClusterIPs: [], externalPeers: [] };
const withReflectors: BgpConfig = { ...base, routeReflectors: { nodes: ["cp1", "node1"], clusterId: "244.0.0.1" } };

test("BGPConfiguration is the one named default", () => {
    expect(renderBgpConfiguration({ ...base, serviceClusterIPs: ["10.96.0.0/12"] })).toEqual({
        apiVersion: "crd.projectcalico.org/v1",
        kind: "BGPConfiguration",
        metadata: { name: "default" },
        spec: { asNumber: 63400, nodeToNodeMeshEnabled: false, logSeverityScreen: "Info", serviceClusterIPs: [{ cidr: "10.96.0.0/12" }] },
    });
    expect(renderBgpConfiguration({ ...base, nodeToNodeMesh: true }).spec).toEqual({ asNumber: 63400, nodeToNodeMeshEnabled: true, logSeverityScreen: "Info" });
});

test("reflector Nodes get the label and the cluster-ID annotation", () => {
    expect(renderReflectorNodeMetadata(withReflectors.routeReflectors!)).toEqual([
        { node: "cp1", labels: { "route-reflector": "true" }, annotations: { "projectcalico.org/RouteReflectorClusterID": "244.0.0.1" } },
        { node: "node1", labels: { "route-reflector": "true" }, annotations: { "projectcalico.org/RouteReflectorClusterID": "244.0.0.1" } },
    ]);
});

test("reflector peers: all nodes to reflectors, reflectors to each other", () => {
    expect(renderReflectorPeers(withReflectors).map(p => [p.metadata.name, p.spec])).toEqual([
        ["kube-baseline-route-reflector-clients", { nodeSelector: "all()", peerSelector: "route-reflector == 'true'" }],
        ["kube-baseline-route-reflector-mesh", { nodeSelector: "route-reflector == 'true'", peerSelector: "route-reflector == 'true'" }],
    ]);
    expect(renderReflectorPeers(base)).toEqual([]);
});

test("external peers carry address, AS, selector and password reference only when set", () => {
    const bgp: BgpConfig = {
        ...base,
        externalPeers: [
            { name: "tor-a", peerIP: "192.0.2.1", asNumber: 65001, nodeSelector: "rack == 'a'", passwordSecret: { name: "bgp-secrets", key: "tor-a" } },
            { name: "tor-b", peerIP: "192.0.2.2", asNumber: 65002 },
        ],
    };
    expect(renderExternalPeers(bgp)).toEqual([
        {
            apiVersion: "crd.projectcalico.org/v1", kind: "BGPPeer", metadata: { name: "tor-a" },
            spec: { peerIP: "192.0.2.1", asNumber: 65001, nodeSelector: "rack == 'a'", password: { secretKeyRef: { name: "bgp-secrets", key: "tor-a" } } },
        },
        { apiVersion: "crd.projectcalico.org/v1", kind: "BGPPeer", metadata: { name: "tor-b" }, spec: { peerIP: "192.0.2.2", asNumber: 65002 } },
    ]);
    expect(renderBgpPeers({ ...bgp, routeReflectors: withReflectors.routeReflectors }).map(p => p.metadata.name))
        .toEqual(["kube-baseline-route-reflector-clients", "kube-baseline-route-reflector-mesh", "tor-a", "tor-b"]);
});
