// kube-baseline:bgp (Calico): AS number, the node-to-node mesh or route reflectors, and external peers.
// Calico ignores a route reflector cluster ID that is not IPv4 without a word, so that is checked here.

import { isIpv4, isIpv6 } from "../network/cidr";
import { checkCidr, checkDnsName, CniKind } from "./cni";
import { Issues } from "./configError";
import { Bool, Int, Line, List, OneOf, Optional, Settings, Static } from "./schema";

export const DEFAULT_AS_NUMBER = 64512;
export const MIN_AS_NUMBER = 1;
export const MAX_AS_NUMBER = 4294967295;
/** Calico's guidance: beyond about 100 nodes the full mesh should give way to route reflectors. */
export const MESH_NODE_LIMIT = 100;
export const BGP_LOG_SEVERITIES = ["Debug", "Info", "Warning", "Error", "Fatal"] as const;
export type BgpLogSeverity = typeof BGP_LOG_SEVERITIES[number];

const AsNumber = () => Int(MIN_AS_NUMBER, MAX_AS_NUMBER, "a 32-bit BGP AS number");
export const SecretKeyRefSchema = Settings({ name: Line(), key: Line() });
export type SecretKeyRef = Static<typeof SecretKeyRefSchema>;

export const BgpSchema = Settings({
    asNumber: Optional(AsNumber()),
    nodeToNodeMesh: Optional(Bool()),
    logSeverityScreen: Optional(OneOf(BGP_LOG_SEVERITIES)),
    serviceClusterIPs: Optional(List(Line())),
    routeReflectors: Optional(Settings({ nodes: List(Line()), clusterId: Line() })),
    externalPeers: Optional(List(Settings({
        name: Optional(Line()),
        peerIP: Line(),
        asNumber: AsNumber(),
        nodeSelector: Optional(Line({ minLength: 1 })),
        passwordSecret: Optional(SecretKeyRefSchema),
    }))),
});
type RawBgp = Static<typeof BgpSchema>;

export interface ExternalBgpPeer {
    /** BGPPeer object name. */
    name: string;
    peerIP: string;
    asNumber: number;
    /** Calico selector of the nodes that peer with it; unset = every node (a global peer). */
    nodeSelector?: string;
    passwordSecret?: SecretKeyRef;
}
export interface RouteReflectorConfig { nodes: string[]; clusterId: string }
export interface BgpConfig {
    asNumber: number;
    nodeToNodeMesh: boolean;
    logSeverityScreen: BgpLogSeverity;
    /** CIDRs of Service cluster IPs advertised over BGP. */
    serviceClusterIPs: string[];
    routeReflectors?: RouteReflectorConfig;
    externalPeers: ExternalBgpPeer[];
}

const SECRET_DATA_KEY = /^[-._a-zA-Z0-9]+$/;

function defaultPeerName(peerIP: string): string {
    return `external-${peerIP.toLowerCase().replace(/[.:]+/g, "-").replace(/^-|-$/g, "")}`;
}

export function resolveBgp(raw: RawBgp, cniKind: CniKind | undefined, nodeNames: string[] | undefined, issues: Issues): BgpConfig {
    if (cniKind === "flannel") issues.add("bgp", raw, "needs cni.kind calico: Flannel does not speak BGP");
    const bgp: BgpConfig = {
        asNumber: raw.asNumber ?? DEFAULT_AS_NUMBER,
        nodeToNodeMesh: raw.nodeToNodeMesh ?? raw.routeReflectors === undefined,
        logSeverityScreen: raw.logSeverityScreen ?? "Info",
        serviceClusterIPs: raw.serviceClusterIPs ?? [],
        externalPeers: [],
    };
    bgp.serviceClusterIPs.forEach((cidr, i) => checkCidr(issues, `bgp.serviceClusterIPs[${i}]`, cidr));

    if (raw.routeReflectors !== undefined) {
        const rr = raw.routeReflectors;
        const at = "bgp.routeReflectors";
        if (rr.nodes.length === 0) issues.add(`${at}.nodes`, rr.nodes, "must name at least one node");
        const seen = new Set<string>();
        rr.nodes.forEach((node, i) => {
            if (seen.has(node)) issues.add(`${at}.nodes[${i}]`, node, "is listed twice");
            seen.add(node);
            if (nodeNames && !nodeNames.includes(node)) {
                issues.add(`${at}.nodes[${i}]`, node, `is not a node of this cluster (known: ${nodeNames.join(", ")})`);
            }
        });
        // Calico ignores a non-IPv4 cluster ID without an error, leaving reflectors that do not reflect.
        if (!isIpv4(rr.clusterId)) {
            issues.add(`${at}.clusterId`, rr.clusterId, "must be an IPv4 address such as 244.0.0.1 (Calico silently ignores anything else)");
        }
        if (rr.nodes.length === 1) {
            issues.warn(`${at}.nodes[0]`, rr.nodes[0], "a single route reflector is a single point of failure for pod routes; use two or more");
        }
        bgp.routeReflectors = { nodes: [...rr.nodes], clusterId: rr.clusterId };
    }

    const names = new Set<string>();
    (raw.externalPeers ?? []).forEach((p, i) => {
        const at = `bgp.externalPeers[${i}]`;
        if (!isIpv4(p.peerIP) && !isIpv6(p.peerIP)) issues.add(`${at}.peerIP`, p.peerIP, "must be an IPv4 or IPv6 address");
        const name = p.name ?? defaultPeerName(p.peerIP);
        checkDnsName(issues, `${at}.name`, name, "BGPPeer");
        if (names.has(name)) issues.add(`${at}.name`, name, "is used by another external peer");
        if (name.startsWith("kube-baseline-")) issues.add(`${at}.name`, name, "the prefix kube-baseline- is reserved for the route reflector peers");
        names.add(name);
        if (p.passwordSecret !== undefined) {
            checkDnsName(issues, `${at}.passwordSecret.name`, p.passwordSecret.name, "Secret");
            if (!SECRET_DATA_KEY.test(p.passwordSecret.key) || p.passwordSecret.key.length > 253) {
                issues.add(`${at}.passwordSecret.key`, p.passwordSecret.key, "must be a Secret data key (letters, digits, '-', '_', '.')");
            }
        }
        const peer: ExternalBgpPeer = { name, peerIP: p.peerIP, asNumber: p.asNumber };
        if (p.nodeSelector !== undefined) peer.nodeSelector = p.nodeSelector;
        if (p.passwordSecret !== undefined) peer.passwordSecret = { name: p.passwordSecret.name, key: p.passwordSecret.key };
        bgp.externalPeers.push(peer);
    });

    if (!bgp.nodeToNodeMesh && bgp.routeReflectors === undefined && bgp.externalPeers.length === 0) {
        issues.add("bgp.nodeToNodeMesh", false, "turning the mesh off without routeReflectors or externalPeers leaves nodes without pod routes");
    }
    if (bgp.nodeToNodeMesh && nodeNames && nodeNames.length > MESH_NODE_LIMIT) {
        issues.warn("bgp.nodeToNodeMesh", true,
            `a full mesh of ${nodeNames.length} nodes means ${nodeNames.length - 1} BGP sessions per node; above ${MESH_NODE_LIMIT} nodes use routeReflectors`);
    }
    return bgp;
}
