// The cluster the stack manages: API endpoint, CA, CIDRs and the nodes reached over SSH.
//
// Config key "kube-baseline:cluster" is either
//   { source: "sandbox" }   the local sandbox (npm run sandbox -- up): everything is read from its description,
//                           $KUBE_BASELINE_SANDBOX_DIR/sandbox.json (default /run/kube-baseline-sandbox)
// or an explicit description of a real kubeadm cluster (see README "Pointing a stack at a real cluster"), with the
// admin kubeconfig and the SSH private key in the secret config keys "kube-baseline:adminKubeconfig" and
// "kube-baseline:sshPrivateKey".
import Ajv from "ajv";
import { isIpv4 } from "../network/cidr";
import { ConfigIssue } from "./configError";

export interface NodeSsh { host: string; port: number; user: string; hostKey: string }
export interface NodeConfig { name: string; ip: string; roles: Array<"control-plane" | "worker">; ssh: NodeSsh }
export interface ClusterConfig {
    name: string;
    apiServerUrl: string;
    caCertificatePem: string;
    podCidr: string;
    serviceCidr: string;
    /** Where kubeadm keeps the apiserver's static pod manifest on control-plane nodes. */
    apiServerManifestPath: string;
    nodes: NodeConfig[];
}

/** Where the secrets come from: files of the sandbox, or secret stack config. */
export type CredentialSource =
    | { kind: "files"; adminKubeconfigPath: string; sshPrivateKeyPath: string }
    | { kind: "config" };

export interface ResolvedCluster { cluster: ClusterConfig; credentials: CredentialSource; isSandbox: boolean }

export const DEFAULT_SANDBOX_DIR = "/run/kube-baseline-sandbox";
const KEY = "kube-baseline:cluster";
const DEFAULT_MANIFEST = "/etc/kubernetes/manifests/kube-apiserver.yaml";

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

const nodeSchema = {
    type: "object",
    required: ["name", "ip", "roles", "ssh"],
    additionalProperties: false,
    properties: {
        name: { type: "string", minLength: 1 },
        ip: { type: "string", format: "ipv4" },
        roles: { type: "array", minItems: 1, items: { enum: ["control-plane", "worker"] } },
        ssh: {
            type: "object",
            required: ["host", "user", "hostKey"],
            additionalProperties: false,
            properties: {
                host: { type: "string", minLength: 1 },
                port: { type: "integer", minimum: 1, maximum: 65535 },
                user: { type: "string", minLength: 1 },
                hostKey: { type: "string", pattern: "^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)) [A-Za-z0-9+/=]+" },
            },
        },
    },
};

const explicitSchema = {
    type: "object",
    required: ["name", "apiServerUrl", "caCertificate", "podCidr", "serviceCidr", "nodes"],
    additionalProperties: false,
    properties: {
        name: { type: "string", pattern: "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$" },
        apiServerUrl: { type: "string", pattern: "^https://" },
        caCertificate: { type: "string", pattern: "-----BEGIN CERTIFICATE-----" },
        podCidr: { type: "string", pattern: "^\\d+\\.\\d+\\.\\d+\\.\\d+/\\d+$" },
        serviceCidr: { type: "string", pattern: "^\\d+\\.\\d+\\.\\d+\\.\\d+/\\d+$" },
        apiServerManifestPath: { type: "string", pattern: "^/" },
        nodes: { type: "array", minItems: 1, items: nodeSchema },
    },
};

const ajv = new Ajv({ allErrors: true });
ajv.addFormat("ipv4", isIpv4);
const validateExplicit = ajv.compile(explicitSchema);

/**
 * Validates "kube-baseline:cluster" and produces the cluster description. `readSandbox` returns the sandbox
 * description text (or throws); it is only called for `source: sandbox`.
 */
export function resolveClusterConfig(
    raw: unknown,
    readSandbox: (dir: string) => string,
    sandboxDir: string = DEFAULT_SANDBOX_DIR,
): { resolved?: ResolvedCluster; issues: ConfigIssue[] } {
    if (raw === undefined || raw === null) {
        return { issues: [{ key: KEY, value: raw, message: 'required: { source: "sandbox" } or a description of the cluster' }] };
    }
    if (typeof raw === "object" && (raw as { source?: unknown }).source !== undefined) {
        const source = (raw as { source: unknown }).source;
        if (source !== "sandbox") {
            return { issues: [{ key: `${KEY}.source`, value: source, message: 'the only source is "sandbox"; describe other clusters explicitly' }] };
        }
        return fromSandbox(readSandbox, sandboxDir);
    }
    if (!validateExplicit(raw)) {
        return {
            issues: (validateExplicit.errors ?? []).map(e => ({
                key: `${KEY}${e.instancePath.replace(/\/(\d+)/g, "[$1]").replace(/\//g, ".")}`,
                value: valueAt(raw, e.instancePath),
                message: e.message ?? "invalid",
            })),
        };
    }
    const c = raw as { name: string; apiServerUrl: string; caCertificate: string; podCidr: string; serviceCidr: string; apiServerManifestPath?: string; nodes: Array<Omit<NodeConfig, "ssh"> & { ssh: Omit<NodeSsh, "port"> & { port?: number } }> };
    const cluster: ClusterConfig = {
        name: c.name,
        apiServerUrl: c.apiServerUrl,
        caCertificatePem: c.caCertificate,
        podCidr: c.podCidr,
        serviceCidr: c.serviceCidr,
        apiServerManifestPath: c.apiServerManifestPath ?? DEFAULT_MANIFEST,
        nodes: c.nodes.map(n => ({ ...n, ssh: { ...n.ssh, port: n.ssh.port ?? 22 } })),
    };
    const issues = nodeIssues(cluster.nodes);
    return issues.length > 0 ? { issues } : { resolved: { cluster, credentials: { kind: "config" }, isSandbox: false }, issues };
}

function fromSandbox(readSandbox: (dir: string) => string, dir: string): { resolved?: ResolvedCluster; issues: ConfigIssue[] } {
    let desc: SandboxDescription;
    try {
        desc = JSON.parse(readSandbox(dir)) as SandboxDescription;
    } catch (err) {
        return {
            issues: [{
                key: `${KEY}.source`,
                value: "sandbox",
                message: `cannot read the sandbox description in ${dir} (${(err as Error).message}); start it with: npm run sandbox -- up`,
            }],
        };
    }
    const keyPaths = new Set(desc.nodes.map(n => n.privateKeyPath));
    const cluster: ClusterConfig = {
        name: "sandbox",
        apiServerUrl: desc.apiServerEndpoint,
        caCertificatePem: desc.caCertPem,
        podCidr: desc.podSubnet,
        serviceCidr: desc.serviceSubnet,
        apiServerManifestPath: desc.apiServerManifestPath ?? DEFAULT_MANIFEST,
        nodes: desc.nodes.map(n => ({
            name: n.name,
            ip: n.ip,
            roles: n.roles.filter((r): r is "control-plane" | "worker" => r === "control-plane" || r === "worker"),
            ssh: { host: n.ip, port: n.sshPort, user: n.user, hostKey: n.hostKey },
        })),
    };
    if (keyPaths.size !== 1) {
        return { issues: [{ key: `${KEY}.source`, value: "sandbox", message: "the sandbox description must use one SSH key for all nodes" }] };
    }
    return {
        resolved: {
            cluster,
            credentials: { kind: "files", adminKubeconfigPath: desc.kubeconfigPath, sshPrivateKeyPath: [...keyPaths][0] },
            isSandbox: true,
        },
        issues: nodeIssues(cluster.nodes),
    };
}

function nodeIssues(nodes: NodeConfig[]): ConfigIssue[] {
    const issues: ConfigIssue[] = [];
    const seen = new Set<string>();
    nodes.forEach((n, i) => {
        if (seen.has(n.name)) issues.push({ key: `${KEY}.nodes[${i}].name`, value: n.name, message: "duplicate node name" });
        seen.add(n.name);
    });
    if (!nodes.some(n => n.roles.includes("control-plane"))) {
        issues.push({ key: `${KEY}.nodes`, value: nodes.map(n => n.name), message: "no node has the control-plane role" });
    }
    return issues;
}

function valueAt(root: unknown, pointer: string): unknown {
    let cur: unknown = root;
    for (const part of pointer.split("/").slice(1)) {
        if (cur === null || typeof cur !== "object") return undefined;
        cur = (cur as Record<string, unknown>)[part];
    }
    return cur;
}
