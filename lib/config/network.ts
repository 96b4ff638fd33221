// Network-plane configuration: the stack config keys `cni`, `kubeProxy`, `bgp` and `nodeKernel`
// (namespace `kube-baseline`). Shapes and types are checked with a JSON schema (ajv); the rules that
// Calico, Flannel and kube-proxy do not check for us (or check silently) are plain code below.

import Ajv, { ErrorObject } from "ajv";
import { ConfigIssue } from "./configError";
import { canonicalCidr, cidrContains, hostBitsSet, Ipv4Cidr, isIpv4, isIpv6, parseIpv4Cidr } from "../network/cidr";
import { MODULE_NAME, normalizeSysctlValue, SYSCTL_KEY, SYSCTL_VALUE } from "../network/shell";

// ---------------------------------------------------------------------------------------------------
// Validated, defaulted configuration (what components consume)

export type CniKind = "flannel" | "calico";

/** Where the CNI manifest comes from: a pinned upstream release (default) or a local file (air-gapped). */
export type CniManifestSource =
    | { source: "url"; url: string; version: string; sha256?: string }
    | { source: "path"; path: string; sha256?: string };

export interface FlannelVxlanBackend {
    type: "vxlan";
    vni: number;
    port: number;
    /** MTU of flannel.1; unset lets Flannel derive it from the uplink. */
    mtu?: number;
    directRouting: boolean;
}

export interface FlannelHostGwBackend {
    type: "host-gw";
}

export type FlannelBackend = FlannelVxlanBackend | FlannelHostGwBackend;

export interface FlannelConfig {
    network: string;
    subnetLen: number;
    backend: FlannelBackend;
}

export type EncapsulationMode = "Never" | "Always" | "CrossSubnet";

export interface CalicoPoolConfig {
    /** IPPool object name; upstream manifests create "default-ipv4-ippool". */
    name: string;
    cidr: string;
    blockSize: number;
    ipipMode: EncapsulationMode;
    vxlanMode: EncapsulationMode;
    natOutgoing: boolean;
}

export interface CalicoConfig {
    pool: CalicoPoolConfig;
    /** Namespace calico-node runs in (kube-system for the manifest install). */
    namespace: string;
}

export interface CniConfig {
    kind: CniKind;
    manifest: CniManifestSource;
    flannel?: FlannelConfig;
    calico?: CalicoConfig;
    /** With Calico: remove Flannel's DaemonSet and ConfigMap from the cluster, then its CNI config file and
     *  flannel.1 link from every node, before any Calico object. */
    cleanupFlannel: boolean;
}

export type KubeProxyMode = "iptables" | "ipvs";
export type IpvsScheduler = "rr" | "lc" | "dh" | "sh" | "sed" | "nq";

export interface KubeProxyConfig {
    mode: KubeProxyMode;
    scheduler: IpvsScheduler;
    strictARP: boolean;
}

export interface SecretKeyRef {
    name: string;
    key: string;
}

export interface ExternalBgpPeer {
    /** BGPPeer object name. */
    name: string;
    peerIP: string;
    asNumber: number;
    /** Calico selector of the nodes that peer with it; unset = every node (a global peer). */
    nodeSelector?: string;
    passwordSecret?: SecretKeyRef;
}

export interface RouteReflectorConfig {
    nodes: string[];
    clusterId: string;
}

export type BgpLogSeverity = "Debug" | "Info" | "Warning" | "Error" | "Fatal";

export interface BgpConfig {
    asNumber: number;
    nodeToNodeMesh: boolean;
    logSeverityScreen: BgpLogSeverity;
    /** CIDRs of Service cluster IPs advertised over BGP. */
    serviceClusterIPs: string[];
    routeReflectors?: RouteReflectorConfig;
    externalPeers: ExternalBgpPeer[];
}

export interface NodeKernelConfig {
    /** Adds the performance tuning set from the manuals (buffers, backlogs, conntrack, BBR). */
    tuning: boolean;
    conntrackMax?: number;
    /** Extra sysctls; they win over the required and tuning values. */
    sysctls: Record<string, string>;
    /** Extra kernel modules to load and persist. */
    modules: string[];
}

export interface NetworkConfig {
    cni?: CniConfig;
    kubeProxy?: KubeProxyConfig;
    bgp?: BgpConfig;
    /** Present whenever cni or kubeProxy is managed: their modes need kernel settings on every node. */
    nodeKernel?: NodeKernelConfig;
}

export interface ClusterFacts {
    podCidr: string;
    nodeNames: string[];
}

export interface NetworkConfigResult {
    config?: NetworkConfig;
    issues: ConfigIssue[];
    warnings: string[];
}

// ---------------------------------------------------------------------------------------------------
// Defaults and limits (facts from the upstream projects)

export const DEFAULT_FLANNEL_VERSION = "v0.26.7";
export const DEFAULT_CALICO_VERSION = "v3.29.3";

export function defaultManifestUrl(kind: CniKind, version: string): string {
    return kind === "flannel"
        ? `https://github.com/flannel-io/flannel/releases/download/${version}/kube-flannel.yml`
        : `https://raw.githubusercontent.com/projectcalico/calico/${version}/manifests/calico.yaml`;
}

export const DEFAULT_POOL_NAME = "default-ipv4-ippool";
export const DEFAULT_AS_NUMBER = 64512;
export const MIN_AS_NUMBER = 1;
export const MAX_AS_NUMBER = 4294967295;
export const MIN_BLOCK_SIZE = 20;
export const MAX_BLOCK_SIZE = 32;
/** Calico's guidance: beyond about 100 nodes the full mesh should give way to route reflectors. */
export const MESH_NODE_LIMIT = 100;
export const MAX_VXLAN_VNI = 16777215;

const NS = "kube-baseline";

/** The Pulumi config keys (namespace kube-baseline) whose values make up the raw network config. */
export const NETWORK_CONFIG_KEYS = ["cni", "kubeProxy", "bgp", "nodeKernel"] as const;

// ---------------------------------------------------------------------------------------------------
// Shape (JSON schema)

const ENCAPSULATION = ["Never", "Always", "CrossSubnet"];

const schema = {
    type: "object",
    additionalProperties: false,
    properties: {
        cni: {
            type: "object",
            additionalProperties: false,
            required: ["kind"],
            properties: {
                kind: { enum: ["flannel", "calico"] },
                manifest: {
                    type: "object",
                    additionalProperties: false,
                    properties: {
                        version: { type: "string", minLength: 1 },
                        url: { type: "string", minLength: 1 },
                        path: { type: "string", minLength: 1 },
                        sha256: { type: "string" },
                    },
                },
                cleanupFlannel: { type: "boolean" },
                flannel: {
                    type: "object",
                    additionalProperties: false,
                    properties: {
                        network: { type: "string" },
                        subnetLen: { type: "integer" },
                        backend: {
                            type: "object",
                            additionalProperties: false,
                            required: ["type"],
                            properties: {
                                type: { enum: ["vxlan", "host-gw"] },
                                vni: { type: "integer" },
                                port: { type: "integer" },
                                mtu: { type: "integer" },
                                directRouting: { type: "boolean" },
                            },
                        },
                    },
                },
                calico: {
                    type: "object",
                    additionalProperties: false,
                    properties: {
                        namespace: { type: "string", minLength: 1 },
                        pool: {
                            type: "object",
                            additionalProperties: false,
                            properties: {
                                name: { type: "string" },
                                cidr: { type: "string" },
                                blockSize: { type: "integer" },
                                ipipMode: { enum: ENCAPSULATION },
                                vxlanMode: { enum: ENCAPSULATION },
                                natOutgoing: { type: "boolean" },
                            },
                        },
                    },
                },
            },
        },
        kubeProxy: {
            type: "object",
            additionalProperties: false,
            required: ["mode"],
            properties: {
                mode: { enum: ["iptables", "ipvs"] },
                scheduler: { enum: ["rr", "lc", "dh", "sh", "sed", "nq"] },
                strictARP: { type: "boolean" },
            },
        },
        bgp: {
            type: "object",
            additionalProperties: false,
            properties: {
                asNumber: { type: "integer" },
                nodeToNodeMesh: { type: "boolean" },
                logSeverityScreen: { enum: ["Debug", "Info", "Warning", "Error", "Fatal"] },
                serviceClusterIPs: { type: "array", items: { type: "string" } },
                routeReflectors: {
                    type: "object",
                    additionalProperties: false,
                    required: ["nodes", "clusterId"],
                    properties: {
                        nodes: { type: "array", items: { type: "string" } },
                        clusterId: { type: "string" },
                    },
                },
                externalPeers: {
                    type: "array",
                    items: {
                        type: "object",
                        additionalProperties: false,
                        required: ["peerIP", "asNumber"],
                        properties: {
                            name: { type: "string" },
                            peerIP: { type: "string" },
                            asNumber: { type: "integer" },
                            nodeSelector: { type: "string", minLength: 1 },
                            passwordSecret: {
                                type: "object",
                                additionalProperties: false,
                                required: ["name", "key"],
                                properties: { name: { type: "string" }, key: { type: "string" } },
                            },
                        },
                    },
                },
            },
        },
        nodeKernel: {
            type: "object",
            additionalProperties: false,
            properties: {
                tuning: { type: "boolean" },
                conntrackMax: { type: "integer" },
                sysctls: { type: "object", additionalProperties: { type: ["string", "number", "boolean"] } },
                modules: { type: "array", items: { type: "string" } },
            },
        },
    },
};

const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
const validateShape = ajv.compile(schema);

/** "/bgp/externalPeers/1/asNumber" -> "kube-baseline:bgp.externalPeers[1].asNumber". */
export function keyPath(segments: Array<string | number>): string {
    let path = "";
    for (const segment of segments) {
        if (typeof segment === "number") path += `[${segment}]`;
        else path += path === "" ? segment : `.${segment}`;
    }
    return `${NS}:${path}`;
}

function pointerSegments(pointer: string): Array<string | number> {
    if (pointer === "") return [];
    return pointer.slice(1).split("/").map(s => s.replace(/~1/g, "/").replace(/~0/g, "~"))
        .map(s => (/^[0-9]+$/.test(s) ? Number(s) : s));
}

function valueAt(root: unknown, segments: Array<string | number>): unknown {
    let current: unknown = root;
    for (const segment of segments) {
        if (current === null || typeof current !== "object") return undefined;
        current = (current as Record<string | number, unknown>)[segment];
    }
    return current;
}

function shapeIssue(raw: unknown, error: ErrorObject): ConfigIssue {
    const segments = pointerSegments(error.instancePath);
    switch (error.keyword) {
        case "required": {
            const missing = (error.params as { missingProperty: string }).missingProperty;
            return { key: keyPath([...segments, missing]), value: undefined, message: "is required" };
        }
        case "additionalProperties": {
            const extra = (error.params as { additionalProperty: string }).additionalProperty;
            return {
                key: keyPath([...segments, extra]),
                value: valueAt(raw, [...segments, extra]),
                message: "is not a known setting (check the spelling)",
            };
        }
        case "enum": {
            const allowed = (error.params as { allowedValues: unknown[] }).allowedValues;
            return {
                key: keyPath(segments),
                value: valueAt(raw, segments),
                message: `must be one of ${allowed.map(v => JSON.stringify(v)).join(", ")}`,
            };
        }
        default:
            return { key: keyPath(segments), value: valueAt(raw, segments), message: error.message ?? "is invalid" };
    }
}

// ---------------------------------------------------------------------------------------------------
// Raw input types (after the schema passed)

interface RawManifest { version?: string; url?: string; path?: string; sha256?: string }
interface RawFlannel {
    network?: string; subnetLen?: number;
    backend?: { type: "vxlan" | "host-gw"; vni?: number; port?: number; mtu?: number; directRouting?: boolean };
}
interface RawPool {
    name?: string; cidr?: string; blockSize?: number; ipipMode?: EncapsulationMode; vxlanMode?: EncapsulationMode;
    natOutgoing?: boolean;
}
interface RawCni {
    kind: CniKind; manifest?: RawManifest; cleanupFlannel?: boolean; flannel?: RawFlannel;
    calico?: { namespace?: string; pool?: RawPool };
}
interface RawKubeProxy { mode: KubeProxyMode; scheduler?: IpvsScheduler; strictARP?: boolean }
interface RawPeer {
    name?: string; peerIP: string; asNumber: number; nodeSelector?: string; passwordSecret?: SecretKeyRef;
}
interface RawBgp {
    asNumber?: number; nodeToNodeMesh?: boolean; logSeverityScreen?: BgpLogSeverity; serviceClusterIPs?: string[];
    routeReflectors?: { nodes: string[]; clusterId: string }; externalPeers?: RawPeer[];
}
interface RawNodeKernel {
    tuning?: boolean; conntrackMax?: number; sysctls?: Record<string, string | number | boolean>; modules?: string[];
}
interface RawNetwork { cni?: RawCni; kubeProxy?: RawKubeProxy; bgp?: RawBgp; nodeKernel?: RawNodeKernel }

// ---------------------------------------------------------------------------------------------------
// Semantic checks

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const SECRET_DATA_KEY = /^[-._a-zA-Z0-9]+$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;

class Checker {
    readonly issues: ConfigIssue[] = [];
    readonly warnings: string[] = [];

    issue(path: Array<string | number>, value: unknown, message: string): void {
        this.issues.push({ key: keyPath(path), value, message });
    }

    warn(path: Array<string | number>, value: unknown, message: string): void {
        this.warnings.push(`${keyPath(path)} = ${JSON.stringify(value)}: ${message}`);
    }

    intRange(path: Array<string | number>, value: number, min: number, max: number, why: string): void {
        if (value < min || value > max) this.issue(path, value, `must be between ${min} and ${max} (${why})`);
    }

    /** A canonical IPv4 CIDR, or undefined after recording why not. */
    cidr(path: Array<string | number>, value: string): Ipv4Cidr | undefined {
        const cidr = parseIpv4Cidr(value);
        if (cidr === undefined) {
            this.issue(path, value, "must be an IPv4 CIDR such as 10.244.0.0/16");
            return undefined;
        }
        if (hostBitsSet(cidr)) {
            this.issue(path, value, `has host bits set; did you mean ${canonicalCidr(cidr)}?`);
            return undefined;
        }
        return cidr;
    }

    asNumber(path: Array<string | number>, value: number): void {
        this.intRange(path, value, MIN_AS_NUMBER, MAX_AS_NUMBER, "a 32-bit BGP AS number");
    }

    dnsName(path: Array<string | number>, value: string, what: string): void {
        if (value.length > 253 || !DNS_SUBDOMAIN.test(value)) {
            this.issue(path, value, `must be a valid ${what} name (lower-case letters, digits, "-" and ".")`);
        }
    }
}

function podCidrOf(c: Checker, cluster?: ClusterFacts): Ipv4Cidr | undefined {
    if (cluster === undefined) return undefined;
    const cidr = parseIpv4Cidr(cluster.podCidr);
    if (cidr === undefined) c.issue(["podCidr"], cluster.podCidr, "cluster pod CIDR must be an IPv4 CIDR");
    return cidr;
}

function checkManifest(c: Checker, kind: CniKind, raw: RawManifest | undefined): CniManifestSource {
    const path = ["cni", "manifest"];
    const m = raw ?? {};
    if (m.sha256 !== undefined && !SHA256_HEX.test(m.sha256)) {
        c.issue([...path, "sha256"], m.sha256, "must be 64 lower-case hex digits (sha256 of the manifest file)");
    }
    if (m.path !== undefined) {
        if (m.url !== undefined) c.issue([...path, "url"], m.url, "set either manifest.url or manifest.path, not both");
        return { source: "path", path: m.path, sha256: m.sha256 };
    }
    const version = m.version ?? (kind === "flannel" ? DEFAULT_FLANNEL_VERSION : DEFAULT_CALICO_VERSION);
    if (!/^v?[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.-]+)?$/.test(version)) {
        c.issue([...path, "version"], version, "must be a release version such as v3.29.3");
    }
    const url = m.url ?? defaultManifestUrl(kind, version);
    if (!url.startsWith("https://")) {
        c.issue([...path, "url"], url, "must be an https:// URL (or use manifest.path for a local file)");
    }
    return { source: "url", url, version, sha256: m.sha256 };
}

function checkFlannel(c: Checker, raw: RawFlannel | undefined, podCidr?: Ipv4Cidr): FlannelConfig {
    const path = ["cni", "flannel"];
    const f = raw ?? {};
    const network = f.network ?? (podCidr ? canonicalCidr(podCidr) : undefined);
    let networkCidr: Ipv4Cidr | undefined;
    if (network === undefined) {
        c.issue([...path, "network"], undefined, "is required when the cluster pod CIDR is not known");
    } else {
        networkCidr = c.cidr([...path, "network"], network);
        if (networkCidr && podCidr && !cidrContains(networkCidr, podCidr)) {
            c.issue([...path, "network"], network,
                `must contain the cluster pod CIDR ${canonicalCidr(podCidr)}: nodes get their pod ranges from it`);
        }
    }
    const subnetLen = f.subnetLen ?? 24;
    if (networkCidr && (subnetLen <= networkCidr.prefixLength || subnetLen > 30)) {
        c.issue([...path, "subnetLen"], subnetLen,
            `must be longer than the network prefix /${networkCidr.prefixLength} and at most 30`);
    }
    const b = f.backend ?? { type: "vxlan" as const };
    let backend: FlannelBackend;
    if (b.type === "host-gw") {
        for (const key of ["vni", "port", "mtu", "directRouting"] as const) {
            if (b[key] !== undefined) c.issue([...path, "backend", key], b[key], "is only valid for backend type vxlan");
        }
        backend = { type: "host-gw" };
    } else {
        const vxlan: FlannelVxlanBackend = {
            type: "vxlan", vni: b.vni ?? 1, port: b.port ?? 8472, directRouting: b.directRouting ?? false,
        };
        c.intRange([...path, "backend", "vni"], vxlan.vni, 1, MAX_VXLAN_VNI, "a 24-bit VXLAN network identifier");
        c.intRange([...path, "backend", "port"], vxlan.port, 1, 65535, "a UDP port");
        if (b.mtu !== undefined) {
            c.intRange([...path, "backend", "mtu"], b.mtu, 576, 65535, "an interface MTU");
            vxlan.mtu = b.mtu;
        }
        backend = vxlan;
    }
    return { network: network ?? "", subnetLen, backend };
}

function checkCalico(c: Checker, raw: RawCni["calico"], podCidr?: Ipv4Cidr): CalicoConfig {
    const path = ["cni", "calico", "pool"];
    const p = raw?.pool ?? {};
    const pool: CalicoPoolConfig = {
        name: p.name ?? DEFAULT_POOL_NAME,
        cidr: p.cidr ?? (podCidr ? canonicalCidr(podCidr) : ""),
        blockSize: p.blockSize ?? 26,
        ipipMode: p.ipipMode ?? "Always",
        vxlanMode: p.vxlanMode ?? "Never",
        natOutgoing: p.natOutgoing ?? true,
    };
    c.dnsName([...path, "name"], pool.name, "IPPool");
    if (p.cidr === undefined && podCidr === undefined) {
        c.issue([...path, "cidr"], undefined, "is required when the cluster pod CIDR is not known");
    } else {
        const cidr = c.cidr([...path, "cidr"], pool.cidr);
        if (cidr && podCidr && !cidrContains(podCidr, cidr)) {
            c.issue([...path, "cidr"], pool.cidr,
                `must be inside the cluster pod CIDR ${canonicalCidr(podCidr)} (kube-controller-manager --cluster-cidr)`);
        }
        if (cidr && pool.blockSize >= MIN_BLOCK_SIZE && pool.blockSize <= MAX_BLOCK_SIZE
            && pool.blockSize < cidr.prefixLength) {
            c.issue([...path, "blockSize"], pool.blockSize,
                `a /${pool.blockSize} block does not fit in the /${cidr.prefixLength} pool ${pool.cidr}`);
        }
    }
    c.intRange([...path, "blockSize"], pool.blockSize, MIN_BLOCK_SIZE, MAX_BLOCK_SIZE, "Calico's IPv4 block size range");
    if (pool.ipipMode !== "Never" && pool.vxlanMode !== "Never") {
        c.issue([...path, "vxlanMode"], pool.vxlanMode,
            `cannot be enabled together with ipipMode ${pool.ipipMode}: set one of them to Never`);
    }
    const namespace = raw?.namespace ?? "kube-system";
    c.dnsName(["cni", "calico", "namespace"], namespace, "namespace");
    return { pool, namespace };
}

function checkCni(c: Checker, raw: RawCni, podCidr?: Ipv4Cidr): CniConfig {
    const manifest = checkManifest(c, raw.kind, raw.manifest);
    const cni: CniConfig = { kind: raw.kind, manifest, cleanupFlannel: raw.cleanupFlannel ?? true };
    if (raw.kind === "flannel") {
        cni.flannel = checkFlannel(c, raw.flannel, podCidr);
        if (raw.calico !== undefined) c.warn(["cni", "calico"], raw.calico, "is ignored while cni.kind is flannel");
    } else {
        cni.calico = checkCalico(c, raw.calico, podCidr);
        if (raw.flannel !== undefined) c.warn(["cni", "flannel"], raw.flannel, "is ignored while cni.kind is calico");
    }
    return cni;
}

function checkKubeProxy(c: Checker, raw: RawKubeProxy): KubeProxyConfig {
    if (raw.mode === "iptables") {
        if (raw.scheduler !== undefined) c.warn(["kubeProxy", "scheduler"], raw.scheduler, "has no effect in iptables mode");
        if (raw.strictARP !== undefined) c.warn(["kubeProxy", "strictARP"], raw.strictARP, "has no effect in iptables mode");
    }
    return { mode: raw.mode, scheduler: raw.scheduler ?? "rr", strictARP: raw.strictARP ?? false };
}

function defaultPeerName(peerIP: string): string {
    return `external-${peerIP.toLowerCase().replace(/[.:]+/g, "-").replace(/^-|-$/g, "")}`;
}

function checkBgp(c: Checker, raw: RawBgp, cniKind: CniKind | undefined, cluster?: ClusterFacts): BgpConfig {
    if (cniKind === "flannel") {
        c.issue(["bgp"], raw, "needs cni.kind calico: Flannel does not speak BGP");
    }
    const bgp: BgpConfig = {
        asNumber: raw.asNumber ?? DEFAULT_AS_NUMBER,
        nodeToNodeMesh: raw.nodeToNodeMesh ?? raw.routeReflectors === undefined,
        logSeverityScreen: raw.logSeverityScreen ?? "Info",
        serviceClusterIPs: raw.serviceClusterIPs ?? [],
        externalPeers: [],
    };
    c.asNumber(["bgp", "asNumber"], bgp.asNumber);
    bgp.serviceClusterIPs.forEach((cidr, i) => c.cidr(["bgp", "serviceClusterIPs", i], cidr));

    if (raw.routeReflectors !== undefined) {
        const rr = raw.routeReflectors;
        const path = ["bgp", "routeReflectors"];
        if (rr.nodes.length === 0) c.issue([...path, "nodes"], rr.nodes, "must name at least one node");
        const seen = new Set<string>();
        rr.nodes.forEach((node, i) => {
            if (seen.has(node)) c.issue([...path, "nodes", i], node, "is listed twice");
            seen.add(node);
            if (cluster && !cluster.nodeNames.includes(node)) {
                c.issue([...path, "nodes", i], node, `is not a node of this cluster (known: ${cluster.nodeNames.join(", ")})`);
            }
        });
        // Calico ignores a non-IPv4 cluster ID without an error, leaving reflectors that do not reflect.
        if (!isIpv4(rr.clusterId)) {
            c.issue([...path, "clusterId"], rr.clusterId, "must be an IPv4 address such as 244.0.0.1 (Calico silently ignores anything else)");
        }
        if (rr.nodes.length === 1) {
            c.warn([...path, "nodes"], rr.nodes, "a single route reflector is a single point of failure for pod routes; use two or more");
        }
        bgp.routeReflectors = { nodes: [...rr.nodes], clusterId: rr.clusterId };
    }

    const names = new Set<string>();
    (raw.externalPeers ?? []).forEach((p, i) => {
        const path = ["bgp", "externalPeers", i];
        if (!isIpv4(p.peerIP) && !isIpv6(p.peerIP)) c.issue([...path, "peerIP"], p.peerIP, "must be an IPv4 or IPv6 address");
        c.asNumber([...path, "asNumber"], p.asNumber);
        const name = p.name ?? defaultPeerName(p.peerIP);
        c.dnsName([...path, "name"], name, "BGPPeer");
        if (names.has(name)) c.issue([...path, "name"], name, "is used by another external peer");
        if (name.startsWith("kube-baseline-")) c.issue([...path, "name"], name, "the prefix kube-baseline- is reserved for the route reflector peers");
        names.add(name);
        if (p.passwordSecret !== undefined) {
            c.dnsName([...path, "passwordSecret", "name"], p.passwordSecret.name, "Secret");
            if (!SECRET_DATA_KEY.test(p.passwordSecret.key)) {
                c.issue([...path, "passwordSecret", "key"], p.passwordSecret.key, "must be a Secret data key (letters, digits, '-', '_', '.')");
            }
        }
        const peer: ExternalBgpPeer = { name, peerIP: p.peerIP, asNumber: p.asNumber };
        if (p.nodeSelector !== undefined) peer.nodeSelector = p.nodeSelector;
        if (p.passwordSecret !== undefined) peer.passwordSecret = { name: p.passwordSecret.name, key: p.passwordSecret.key };
        bgp.externalPeers.push(peer);
    });

    if (!bgp.nodeToNodeMesh && bgp.routeReflectors === undefined && bgp.externalPeers.length === 0) {
        c.issue(["bgp", "nodeToNodeMesh"], false,
            "turning the mesh off without routeReflectors or externalPeers leaves nodes without pod routes");
    }
    if (bgp.nodeToNodeMesh && cluster && cluster.nodeNames.length > MESH_NODE_LIMIT) {
        c.warn(["bgp", "nodeToNodeMesh"], true,
            `a full mesh of ${cluster.nodeNames.length} nodes means ${cluster.nodeNames.length - 1} BGP sessions per node; `
            + `above ${MESH_NODE_LIMIT} nodes use routeReflectors`);
    }
    return bgp;
}

function checkNodeKernel(c: Checker, raw: RawNodeKernel): NodeKernelConfig {
    const kernel: NodeKernelConfig = { tuning: raw.tuning ?? false, sysctls: {}, modules: [] };
    if (raw.conntrackMax !== undefined) {
        c.intRange(["nodeKernel", "conntrackMax"], raw.conntrackMax, 1, 2 ** 31 - 1, "a conntrack table size");
        kernel.conntrackMax = raw.conntrackMax;
    }
    for (const [key, value] of Object.entries(raw.sysctls ?? {})) {
        const normalized = normalizeSysctlValue(value);
        if (!SYSCTL_KEY.test(key)) c.issue(["nodeKernel", "sysctls", key], value, "is not a sysctl name such as net.core.somaxconn");
        else if (!SYSCTL_VALUE.test(normalized)) c.issue(["nodeKernel", "sysctls", key], value, "must be numbers or words separated by spaces");
        kernel.sysctls[key] = normalized;
    }
    (raw.modules ?? []).forEach((module, i) => {
        if (!MODULE_NAME.test(module)) c.issue(["nodeKernel", "modules", i], module, "is not a kernel module name");
        if (!kernel.modules.includes(module)) kernel.modules.push(module);
    });
    return kernel;
}

/**
 * Validates the network-plane config. `raw` is an object holding the values of the config keys
 * `cni`, `kubeProxy`, `bgp` and `nodeKernel` (each optional). With `cluster`, CIDRs and node names are
 * checked against the cluster and defaults (Flannel network, Calico pool) come from its pod CIDR.
 */
export function validateNetworkConfig(raw: unknown, cluster?: ClusterFacts): NetworkConfigResult {
    const input = raw ?? {};
    if (!validateShape(input)) {
        return { issues: (validateShape.errors ?? []).map(e => shapeIssue(input, e)), warnings: [] };
    }
    const net = input as RawNetwork;
    const c = new Checker();
    const podCidr = podCidrOf(c, cluster);
    const config: NetworkConfig = {};
    if (net.cni !== undefined) config.cni = checkCni(c, net.cni, podCidr);
    if (net.kubeProxy !== undefined) config.kubeProxy = checkKubeProxy(c, net.kubeProxy);
    if (net.bgp !== undefined) config.bgp = checkBgp(c, net.bgp, net.cni?.kind, cluster);
    if (net.nodeKernel !== undefined || config.cni !== undefined || config.kubeProxy !== undefined) {
        config.nodeKernel = checkNodeKernel(c, net.nodeKernel ?? {});
    }
    return c.issues.length > 0
        ? { issues: c.issues, warnings: c.warnings }
        : { config, issues: [], warnings: c.warnings };
}
