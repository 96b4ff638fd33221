// kube-baseline:cni: which CNI the program installs (Flannel or Calico), from which manifest, and how it is tuned.
// The rules that Flannel and Calico do not check for us (or check silently) are here: CIDRs inside the cluster's
// pod range, block sizes that fit, never IPIP and VXLAN at once.

import * as posixPath from "path/posix";
import { canonicalCidr, cidrContains, hostBitsSet, Ipv4Cidr, parseIpv4Cidr } from "../network/cidr";
import { Issues } from "./configError";
import { checkNamespaceName, isHostName, RFC1123_SUBDOMAIN } from "./names";
import { Bool, Int, Line, OneOf, Optional, Settings, Static } from "./schema";

export const CNI_KINDS = ["flannel", "calico"] as const;
export type CniKind = typeof CNI_KINDS[number];
export const ENCAPSULATION_MODES = ["Never", "Always", "CrossSubnet"] as const;
export type EncapsulationMode = typeof ENCAPSULATION_MODES[number];

export const DEFAULT_FLANNEL_VERSION = "v0.26.7";
export const DEFAULT_CALICO_VERSION = "v3.29.3";
export const DEFAULT_POOL_NAME = "default-ipv4-ippool";
export const MIN_BLOCK_SIZE = 20;
export const MAX_BLOCK_SIZE = 32;
export const MAX_VXLAN_VNI = 16777215;

export const CniSchema = Settings({
    kind: OneOf(CNI_KINDS),
    manifest: Optional(Settings({
        version: Optional(Line({ minLength: 1 })),
        url: Optional(Line({ minLength: 1 })),
        path: Optional(Line({ minLength: 1 })),
        sha256: Optional(Line()),
    })),
    cleanupFlannel: Optional(Bool()),
    flannel: Optional(Settings({
        network: Optional(Line()),
        subnetLen: Optional(Int(1, 32, "a prefix length")),
        backend: Optional(Settings({
            type: OneOf(["vxlan", "host-gw"]),
            vni: Optional(Int(1, MAX_VXLAN_VNI, "a 24-bit VXLAN network identifier")),
            port: Optional(Int(1, 65535, "a UDP port")),
            mtu: Optional(Int(576, 65535, "an interface MTU")),
            directRouting: Optional(Bool()),
        })),
    })),
    calico: Optional(Settings({
        namespace: Optional(Line({ minLength: 1 })),
        pool: Optional(Settings({
            name: Optional(Line()),
            cidr: Optional(Line()),
            blockSize: Optional(Int(MIN_BLOCK_SIZE, MAX_BLOCK_SIZE, "Calico's IPv4 block size range")),
            ipipMode: Optional(OneOf(ENCAPSULATION_MODES)),
            vxlanMode: Optional(OneOf(ENCAPSULATION_MODES)),
            natOutgoing: Optional(Bool()),
        })),
    })),
});
type RawCni = Static<typeof CniSchema>;

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
export interface FlannelHostGwBackend { type: "host-gw" }
export type FlannelBackend = FlannelVxlanBackend | FlannelHostGwBackend;
export interface FlannelConfig { network: string; subnetLen: number; backend: FlannelBackend }

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

export function defaultManifestUrl(kind: CniKind, version: string): string {
    return kind === "flannel"
        ? `https://github.com/flannel-io/flannel/releases/download/${version}/kube-flannel.yml`
        : `https://raw.githubusercontent.com/projectcalico/calico/${version}/manifests/calico.yaml`;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;
const RELEASE_VERSION = /^v?[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.-]+)?$/;

export function resolveCni(raw: RawCni, podCidr: Ipv4Cidr | undefined, issues: Issues): CniConfig {
    const manifest = resolveManifest(raw.kind, raw.manifest, issues);
    const cni: CniConfig = { kind: raw.kind, manifest, cleanupFlannel: raw.cleanupFlannel ?? true };
    if (raw.kind === "flannel") {
        cni.flannel = resolveFlannel(raw.flannel, podCidr, issues);
        if (raw.calico !== undefined) issues.warn("cni.calico", raw.calico, "is ignored while cni.kind is flannel");
    } else {
        cni.calico = resolveCalico(raw.calico, podCidr, issues);
        if (raw.flannel !== undefined) issues.warn("cni.flannel", raw.flannel, "is ignored while cni.kind is calico");
    }
    return cni;
}

/** A CIDR with its host bits clear, or undefined after recording why not. */
export function checkCidr(issues: Issues, path: string, value: string): Ipv4Cidr | undefined {
    const cidr = parseIpv4Cidr(value);
    if (cidr === undefined) {
        issues.add(path, value, "must be an IPv4 CIDR such as 10.244.0.0/16");
        return undefined;
    }
    if (hostBitsSet(cidr)) {
        issues.add(path, value, `has host bits set; did you mean ${canonicalCidr(cidr)}?`);
        return undefined;
    }
    return cidr;
}

export function checkDnsName(issues: Issues, path: string, value: string, what: string): void {
    if (value.length > 253 || !RFC1123_SUBDOMAIN.test(value)) {
        issues.add(path, value, `must be a valid ${what} name (lower-case letters, digits, "-" and ".", starting and ending alphanumeric)`);
    }
}

/** https://<host>/..., no credentials in it (they would sit in the state and in every diff). */
export function manifestUrlProblem(url: string): string | undefined {
    let parsed: URL;
    try {
        parsed = new URL(url);
    } catch {
        return "must be an https:// URL (or use manifest.path for a local file)";
    }
    if (parsed.protocol !== "https:" || !url.startsWith("https://")) return "must be an https:// URL (or use manifest.path for a local file)";
    if (parsed.username !== "" || parsed.password !== "") return "must not carry a user or password: the URL is kept in the stack's state";
    if (!isHostName(parsed.hostname)) return "must name a host (a DNS name or an IPv4 address)";
    if (/\s/.test(url)) return "must not contain spaces";
    return undefined;
}

function resolveManifest(kind: CniKind, raw: RawCni["manifest"], issues: Issues): CniManifestSource {
    const m = raw ?? {};
    if (m.sha256 !== undefined && !SHA256_HEX.test(m.sha256)) {
        issues.add("cni.manifest.sha256", m.sha256, "must be 64 lower-case hex digits (sha256 of the manifest file)");
    }
    if (m.path !== undefined) {
        if (m.url !== undefined) issues.add("cni.manifest.url", m.url, "set either manifest.url or manifest.path, not both");
        const normalized = posixPath.normalize(m.path).replace(/(.)\/$/, "$1");
        return { source: "path", path: normalized, sha256: m.sha256 };
    }
    const version = m.version ?? (kind === "flannel" ? DEFAULT_FLANNEL_VERSION : DEFAULT_CALICO_VERSION);
    if (!RELEASE_VERSION.test(version)) {
        issues.add("cni.manifest.version", version, "must be a release version such as v3.29.3");
    }
    const url = m.url ?? defaultManifestUrl(kind, version);
    const problem = manifestUrlProblem(url);
    if (problem !== undefined) issues.add("cni.manifest.url", url, problem);
    return { source: "url", url, version, sha256: m.sha256 };
}

function resolveFlannel(raw: RawCni["flannel"], podCidr: Ipv4Cidr | undefined, issues: Issues): FlannelConfig {
    const f = raw ?? {};
    const network = f.network ?? (podCidr ? canonicalCidr(podCidr) : undefined);
    let networkCidr: Ipv4Cidr | undefined;
    if (network === undefined) {
        issues.add("cni.flannel.network", undefined, "is required when the cluster pod CIDR is not known");
    } else {
        networkCidr = checkCidr(issues, "cni.flannel.network", network);
        if (networkCidr && podCidr && !cidrContains(networkCidr, podCidr)) {
            issues.add("cni.flannel.network", network, `must contain the cluster pod CIDR ${canonicalCidr(podCidr)}: nodes get their pod ranges from it`);
        }
    }
    const subnetLen = f.subnetLen ?? 24;
    if (networkCidr && (subnetLen <= networkCidr.prefixLength || subnetLen > 30)) {
        issues.add("cni.flannel.subnetLen", subnetLen, `must be longer than the network prefix /${networkCidr.prefixLength} and at most 30`);
    }
    const b = f.backend ?? { type: "vxlan" as const };
    let backend: FlannelBackend;
    if (b.type === "host-gw") {
        for (const key of ["vni", "port", "mtu", "directRouting"] as const) {
            if (b[key] !== undefined) issues.add(`cni.flannel.backend.${key}`, b[key], "is only valid for backend type vxlan");
        }
        backend = { type: "host-gw" };
    } else {
        backend = {
            type: "vxlan", vni: b.vni ?? 1, port: b.port ?? 8472, directRouting: b.directRouting ?? false,
            ...(b.mtu !== undefined ? { mtu: b.mtu } : {}),
        };
    }
    return { network: network ?? "", subnetLen, backend };
}

function resolveCalico(raw: RawCni["calico"], podCidr: Ipv4Cidr | undefined, issues: Issues): CalicoConfig {
    const at = "cni.calico.pool";
    const p = raw?.pool ?? {};
    const pool: CalicoPoolConfig = {
        name: p.name ?? DEFAULT_POOL_NAME,
        cidr: p.cidr ?? (podCidr ? canonicalCidr(podCidr) : ""),
        blockSize: p.blockSize ?? 26,
        ipipMode: p.ipipMode ?? "Always",
        vxlanMode: p.vxlanMode ?? "Never",
        natOutgoing: p.natOutgoing ?? true,
    };
    checkDnsName(issues, `${at}.name`, pool.name, "IPPool");
    if (p.cidr === undefined && podCidr === undefined) {
        issues.add(`${at}.cidr`, undefined, "is required when the cluster pod CIDR is not known");
    } else {
        const cidr = checkCidr(issues, `${at}.cidr`, pool.cidr);
        if (cidr && podCidr && !cidrContains(podCidr, cidr)) {
            issues.add(`${at}.cidr`, pool.cidr, `must be inside the cluster pod CIDR ${canonicalCidr(podCidr)} (kube-controller-manager --cluster-cidr)`);
        }
        if (cidr && pool.blockSize < cidr.prefixLength) {
            issues.add(`${at}.blockSize`, pool.blockSize, `a /${pool.blockSize} block does not fit in the /${cidr.prefixLength} pool ${pool.cidr}`);
        }
    }
    if (pool.ipipMode !== "Never" && pool.vxlanMode !== "Never") {
        issues.add(`${at}.vxlanMode`, pool.vxlanMode, `cannot be enabled together with ipipMode ${pool.ipipMode}: set one of them to Never`);
    }
    const namespace = raw?.namespace ?? "kube-system";
    checkNamespaceName(issues, "cni.calico.namespace", namespace);
    return { pool, namespace };
}
