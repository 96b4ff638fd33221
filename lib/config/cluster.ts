// The cluster the stack manages: API endpoint, CA, CIDRs and the nodes reached over SSH.
//
// Config key "kube-baseline:cluster" is either
//   { source: "sandbox" }   the local sandbox (npm run sandbox -- up): everything is read from its description,
//                           $KUBE_BASELINE_SANDBOX_DIR/sandbox.json (default /run/kube-baseline-sandbox)
// or an explicit description of a real kubeadm cluster (see README "Pointing a stack at a real cluster"), with the
// admin kubeconfig and the SSH private key in the secret config keys "kube-baseline:adminKubeconfig" and
// "kube-baseline:sshPrivateKey".
// Both go through the same checks: the URL, CIDRs, node names, IPs, SSH endpoints and host keys are validated
// exactly, because node commands and the apiserver patch are built from them.

import { canonicalCidr, cidrContains, hostBitsSet, Ipv4Cidr, isIpv6, parseIpv4, parseIpv4Cidr } from "../network/cidr";
import { Issues } from "./configError";
import { isHostName, RFC1123_LABEL, RFC1123_SUBDOMAIN, reportDuplicates } from "./names";
import { normalizeAbsolutePath } from "./paths";
import { checkShape, Int, Line, List, OneOf, Optional, Settings, Static, Text } from "./schema";

export const NODE_ROLES = ["control-plane", "worker"] as const;
export type NodeRole = typeof NODE_ROLES[number];

/** Kubernetes' documented limit of nodes per cluster. */
export const MAX_NODES = 5000;

const NodeSshSchema = Settings({
    host: Line({ minLength: 1 }),
    port: Optional(Int(1, 65535, "a TCP port")),
    user: Line({ minLength: 1 }),
    hostKey: Line({ minLength: 1 }),
});
const NodeSchema = Settings({
    name: Line(),
    ip: Line(),
    roles: List(OneOf(NODE_ROLES), { minItems: 1 }),
    ssh: NodeSshSchema,
});
export const ExplicitClusterSchema = Settings({
    name: Line(),
    apiServerUrl: Line(),
    caCertificate: Text({ minLength: 1 }),
    podCidr: Line(),
    serviceCidr: Line(),
    apiServerManifestPath: Optional(Line()),
    nodes: List(NodeSchema, { minItems: 1, maxItems: MAX_NODES }),
});
const SandboxClusterSchema = Settings({ source: OneOf(["sandbox"], "the only source; describe other clusters explicitly") });

export interface NodeSsh { host: string; port: number; user: string; hostKey: string }
export interface NodeConfig { name: string; ip: string; roles: NodeRole[]; ssh: NodeSsh }
export interface ClusterConfig {
    name: string;
    apiServerUrl: string;
    caCertificatePem: string;
    podCidr: string;
    serviceCidr: string;
    /** Where kubeadm keeps the apiserver's static pod manifest on control-plane nodes (normalised). */
    apiServerManifestPath: string;
    nodes: NodeConfig[];
}

/** Where the secrets come from: files of the sandbox, or secret stack config. */
export type CredentialSource =
    | { kind: "files"; adminKubeconfigPath: string; sshPrivateKeyPath: string }
    | { kind: "config" };

export interface ResolvedCluster { cluster: ClusterConfig; credentials: CredentialSource; isSandbox: boolean }

export const DEFAULT_SANDBOX_DIR = "/run/kube-baseline-sandbox";
export const DEFAULT_APISERVER_MANIFEST = "/etc/kubernetes/manifests/kube-apiserver.yaml";
const KEY = "cluster";

/** Pod CIDR prefix lengths that make sense: a /8 at most, room for at least a few node ranges at /28. */
export const POD_CIDR_PREFIX = { min: 8, max: 28 };
/** kube-apiserver refuses a service range larger than /12 (20 bits of addresses) for IPv4. */
export const SERVICE_CIDR_PREFIX = { min: 12, max: 28 };

/** The subset of the sandbox description (sandbox/README.md) the program reads. */
interface SandboxDescription {
    apiServerEndpoint: string;
    kubeconfigPath: string;
    caCertPem: string;
    podSubnet: string;
    serviceSubnet: string;
    apiServerManifestPath?: string;
    nodes: Array<{ name: string; ip: string; roles: string[]; sshPort: number; user: string; privateKeyPath: string; hostKey: string }>;
}

/**
 * Validates "kube-baseline:cluster" and produces the cluster description. `readSandbox` returns the sandbox
 * description text (or throws); it is only called for `source: sandbox`.
 */
export function resolveClusterConfig(
    raw: unknown,
    readSandbox: (dir: string) => string,
    sandboxDir: string = DEFAULT_SANDBOX_DIR,
    issues: Issues = new Issues(),
): { resolved?: ResolvedCluster; issues: Issues } {
    if (raw === undefined || raw === null) {
        issues.add(KEY, raw, 'required: { source: "sandbox" } or a description of the cluster');
        return { issues };
    }
    if (typeof raw === "object" && "source" in raw) {
        if (!checkShape(SandboxClusterSchema, raw, [KEY], issues)) return { issues };
        return fromSandbox(readSandbox, sandboxDir, issues);
    }
    if (!checkShape(ExplicitClusterSchema, raw, [KEY], issues)) return { issues };
    const before = issues.count;
    const cluster: ClusterConfig = {
        name: raw.name,
        apiServerUrl: raw.apiServerUrl,
        caCertificatePem: raw.caCertificate,
        podCidr: raw.podCidr,
        serviceCidr: raw.serviceCidr,
        apiServerManifestPath: DEFAULT_APISERVER_MANIFEST,
        nodes: raw.nodes.map(n => ({ name: n.name, ip: n.ip, roles: n.roles, ssh: { ...n.ssh, port: n.ssh.port ?? 22 } })),
    };
    if (raw.apiServerManifestPath !== undefined) {
        const manifest = normalizeAbsolutePath(raw.apiServerManifestPath);
        if (manifest.problem !== undefined) issues.add(`${KEY}.apiServerManifestPath`, raw.apiServerManifestPath, manifest.problem);
        else cluster.apiServerManifestPath = manifest.path;
    }
    checkCluster(cluster, issues);
    return issues.count > before ? { issues } : { resolved: { cluster, credentials: { kind: "config" }, isSandbox: false }, issues };
}

function fromSandbox(readSandbox: (dir: string) => string, dir: string, issues: Issues): { resolved?: ResolvedCluster; issues: Issues } {
    let desc: SandboxDescription;
    try {
        desc = JSON.parse(readSandbox(dir)) as SandboxDescription;
    } catch (err) {
        issues.add(`${KEY}.source`, "sandbox",
            `cannot read the sandbox description in ${dir} (${(err as Error).message}); start it with: npm run sandbox -- up`);
        return { issues };
    }
    const before = issues.count;
    const keyPaths = new Set(desc.nodes.map(n => n.privateKeyPath));
    const cluster: ClusterConfig = {
        name: "sandbox",
        apiServerUrl: desc.apiServerEndpoint,
        caCertificatePem: desc.caCertPem,
        podCidr: desc.podSubnet,
        serviceCidr: desc.serviceSubnet,
        apiServerManifestPath: desc.apiServerManifestPath ?? DEFAULT_APISERVER_MANIFEST,
        nodes: desc.nodes.map(n => ({
            name: n.name,
            ip: n.ip,
            roles: n.roles.filter((r): r is NodeRole => (NODE_ROLES as readonly string[]).includes(r)),
            ssh: { host: n.ip, port: n.sshPort, user: n.user, hostKey: n.hostKey },
        })),
    };
    if (keyPaths.size !== 1) {
        issues.add(`${KEY}.source`, "sandbox", "the sandbox description must use one SSH key for all nodes");
    }
    checkCluster(cluster, issues);
    return issues.count > before ? { issues } : {
        resolved: {
            cluster,
            credentials: { kind: "files", adminKubeconfigPath: desc.kubeconfigPath, sshPrivateKeyPath: [...keyPaths][0] },
            isSandbox: true,
        },
        issues,
    };
}

// ---------------------------------------------------------------------------------------------------------

function checkCluster(c: ClusterConfig, issues: Issues): void {
    if (c.name.length > 63 || !RFC1123_LABEL.test(c.name)) {
        issues.add(`${KEY}.name`, c.name, "must be a lowercase RFC 1123 label (a-z, 0-9, '-'), at most 63 characters");
    }
    const url = apiServerUrlProblem(c.apiServerUrl);
    if (url !== undefined) issues.add(`${KEY}.apiServerUrl`, c.apiServerUrl, url);
    if (/PRIVATE KEY/.test(c.caCertificatePem)) {
        issues.add(`${KEY}.caCertificate`, c.caCertificatePem, "holds a private key; only the CA certificate belongs here (the key, if needed, goes in the secret kube-baseline:clusterCaKey)");
    } else if (!/^-----BEGIN CERTIFICATE-----\r?\n[\s\S]+\r?\n-----END CERTIFICATE-----$/.test(c.caCertificatePem.trim())) {
        issues.add(`${KEY}.caCertificate`, c.caCertificatePem, "must be the PEM certificate of the cluster CA (-----BEGIN CERTIFICATE----- ... -----END CERTIFICATE-----)");
    }
    const pod = checkCidr(issues, `${KEY}.podCidr`, c.podCidr, POD_CIDR_PREFIX, "pod");
    const service = checkCidr(issues, `${KEY}.serviceCidr`, c.serviceCidr, SERVICE_CIDR_PREFIX, "service");
    if (pod && service && overlaps(pod, service)) {
        issues.add(`${KEY}.serviceCidr`, c.serviceCidr, `overlaps the pod CIDR ${canonicalCidr(pod)}: Service and pod addresses must be distinct`);
    }
    c.nodes.forEach((n, i) => checkNode(issues, `${KEY}.nodes[${i}]`, n, pod, service));
    reportDuplicates(issues, c.nodes.map(n => n.name), i => `${KEY}.nodes[${i}].name`, "node name");
    reportDuplicates(issues, c.nodes.map(n => n.ip), i => `${KEY}.nodes[${i}].ip`, "node IP");
    reportDuplicates(issues, c.nodes.map(n => `${n.ssh.host.toLowerCase()}:${n.ssh.port}`), i => `${KEY}.nodes[${i}].ssh.host`,
        "SSH endpoint (two nodes would be one machine, and the other never configured)", i => c.nodes[i].ssh.host);
    if (!c.nodes.some(n => n.roles.includes("control-plane"))) {
        issues.add(`${KEY}.nodes`, c.nodes, "no node has the control-plane role");
    }
}

/** https://<host>[:<port>], nothing else: a DNS name, an IPv4 address or a bracketed IPv6 address. */
export function apiServerUrlProblem(url: string): string | undefined {
    const m = /^https:\/\/(\[[0-9A-Fa-f:.]+\]|[^/:?#@\s]+)(?::([0-9]{1,5}))?$/.exec(url);
    const problem = "must be https://<host>[:<port>] with nothing after it (no path, user, query or spaces)";
    if (!m) return problem;
    const host = m[1];
    const hostOk = host.startsWith("[") ? isIpv6(host.slice(1, -1)) : isHostName(host);
    if (!hostOk) return `${problem}; "${host}" is not a DNS name or IP address`;
    if (m[2] !== undefined && (Number(m[2]) < 1 || Number(m[2]) > 65535)) return `${problem}; port ${m[2]} is not 1-65535`;
    return undefined;
}

function checkCidr(issues: Issues, path: string, value: string, prefix: { min: number; max: number }, what: string): Ipv4Cidr | undefined {
    const cidr = parseIpv4Cidr(value);
    if (cidr === undefined) {
        issues.add(path, value, `must be an IPv4 CIDR such as ${what === "pod" ? "10.244.0.0/16" : "10.96.0.0/12"}`);
        return undefined;
    }
    if (hostBitsSet(cidr)) {
        issues.add(path, value, `has host bits set; did you mean ${canonicalCidr(cidr)}?`);
        return undefined;
    }
    if (cidr.prefixLength < prefix.min || cidr.prefixLength > prefix.max) {
        issues.add(path, value, `the prefix length must be between /${prefix.min} and /${prefix.max} for a ${what} range`);
        return undefined;
    }
    return cidr;
}

function overlaps(a: Ipv4Cidr, b: Ipv4Cidr): boolean {
    const size = (c: Ipv4Cidr) => 2 ** (32 - c.prefixLength);
    return a.address < b.address + size(b) && b.address < a.address + size(a);
}

const POSIX_USER = /^[a-z_][a-z0-9_-]{0,31}$/;
const HOST_KEY = /^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp256|ecdsa-sha2-nistp384|ecdsa-sha2-nistp521) ([A-Za-z0-9+/]+={0,2})$/;

function checkNode(issues: Issues, at: string, n: NodeConfig, pod?: Ipv4Cidr, service?: Ipv4Cidr): void {
    if (n.name.length > 253 || !RFC1123_SUBDOMAIN.test(n.name)) {
        issues.add(`${at}.name`, n.name, "must be the Kubernetes Node name: lowercase DNS labels (a-z, 0-9, '-') separated by '.', starting and ending alphanumeric");
    }
    const ip = parseIpv4(n.ip);
    if (ip === undefined) {
        issues.add(`${at}.ip`, n.ip, "must be an IPv4 address such as 192.0.2.11");
    } else {
        for (const [range, what] of [[pod, "pod"], [service, "service"]] as const) {
            if (range && cidrContains(range, { address: ip, prefixLength: 32 })) {
                issues.add(`${at}.ip`, n.ip, `is inside the ${what} CIDR ${canonicalCidr(range)}: node addresses must be outside the cluster's virtual ranges`);
            }
        }
    }
    const roles = n.roles;
    const dupRole = roles.findIndex((r, j) => roles.indexOf(r) !== j);
    if (dupRole >= 0) issues.add(`${at}.roles[${dupRole}]`, roles[dupRole], "is listed twice");
    const host = n.ssh.host;
    if (!(isHostName(host) || isIpv6(host))) {
        issues.add(`${at}.ssh.host`, host, "must be a DNS name or an IP address (it is what the program connects to)");
    }
    if (!POSIX_USER.test(n.ssh.user)) {
        issues.add(`${at}.ssh.user`, n.ssh.user, "must be a login name: lowercase letters, digits, '_' and '-', starting with a letter or '_', at most 32");
    }
    const keyProblem = hostKeyProblem(n.ssh.hostKey);
    if (keyProblem !== undefined) issues.add(`${at}.ssh.hostKey`, n.ssh.hostKey, keyProblem);
}

/** "<type> <base64>" and nothing else, and the key inside the base64 is of the type it claims. */
export function hostKeyProblem(hostKey: string): string | undefined {
    const m = HOST_KEY.exec(hostKey);
    if (!m) {
        return "must be one host key, \"<type> <base64>\" with nothing after it (type ssh-ed25519, ssh-rsa or ecdsa-sha2-nistp256/384/521)";
    }
    const blob = Buffer.from(m[2], "base64");
    const length = blob.length >= 4 ? blob.readUInt32BE(0) : -1;
    const inner = length > 0 && length <= 64 && blob.length >= 4 + length ? blob.subarray(4, 4 + length).toString("latin1") : undefined;
    if (inner !== m[1]) return `the base64 does not hold a ${m[1]} key (the type and the key data disagree)`;
    return undefined;
}

export type RawExplicitCluster = Static<typeof ExplicitClusterSchema>;
