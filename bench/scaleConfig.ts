// The stack configs the benchmark deploys, per scale. Pure: the program's own validation (lib/config) accepts
// every one of them (test/unit/bench/scaleConfig.test.ts).
//
// Namespace series, N namespaces: per namespace a tenant label (five namespaces per tenant), Pod Security labels
// (restricted, the default), the NetworkPolicies the program derives (default deny, DNS, same namespace, same
// tenant), a ServiceAccount, one x509 user (ECDSA P-256: fast to make) and a RoleBinding of the shared
// pods-viewer ClusterRole to that user, the tenant's group and the ServiceAccount. No static tokens (every
// token change restarts the apiserver) and no network plane.
//
// Node series, N nodes: only the kernel settings (required modules and sysctls), on the first N nodes of the
// bench sandbox, described explicitly (a subset of the sandbox's nodes), with the admin kubeconfig and the SSH
// key as secret config, as for a real cluster.
//
// Waiting-node series, N nodes: bench/programs/waitNodes, one node command per node that only waits
// WAIT_NODE_SECONDS (the same nodes and SSH key).
import type { ConfigValue } from "@pulumi/pulumi/automation";
import * as YAML from "yaml";

const NAMESPACES_PER_TENANT = 5;

/** Config keys without the namespace prefix; objects are written as JSON (config.getObject reads them). */
export interface BenchConfig {
    /** The config namespace; default "kube-baseline" (the program). */
    namespace?: string;
    values: Record<string, unknown>;
    /** Secret config (kept encrypted in the stack file). */
    secrets: Record<string, string>;
}

/** The sandbox description fields the node series needs (sandbox/README.md). */
export interface BenchSandbox {
    apiServerEndpoint: string;
    caCertPem: string;
    podSubnet: string;
    serviceSubnet: string;
    nodes: Array<{ name: string; ip: string; roles: string[]; sshPort: number; user: string; hostKey: string }>;
}

const pad = (i: number) => String(i).padStart(4, "0");
export const benchNamespaceName = (i: number) => `bench-${pad(i)}`;

export function namespaceSeriesConfig(count: number): BenchConfig {
    if (!Number.isInteger(count) || count < 1) throw new Error(`namespace count must be a positive integer, got ${count}`);
    const indices = Array.from({ length: count }, (_, k) => k + 1);
    const tenantOf = (i: number) => `tenant-${pad(Math.ceil(i / NAMESPACES_PER_TENANT))}`;
    return {
        values: {
            cluster: { source: "sandbox" },
            certificates: { defaultValidityHours: 168, maxValidityHours: 720, defaultKey: { algorithm: "ECDSA" } },
            users: indices.map(i => ({ name: `user-${pad(i)}`, authentication: "x509", groups: [tenantOf(i)] })),
            namespaces: indices.map(i => ({ name: benchNamespaceName(i), tenant: tenantOf(i) })),
            rbac: {
                clusterRoles: [{ name: "pods-viewer", template: "pods-viewer" }],
                serviceAccounts: indices.map(i => ({ name: "app", namespace: benchNamespaceName(i) })),
                roleBindings: indices.map(i => ({
                    name: "pods-viewers",
                    namespace: benchNamespaceName(i),
                    roleRef: { kind: "ClusterRole", name: "pods-viewer" },
                    subjects: [
                        { kind: "User", name: `user-${pad(i)}` },
                        { kind: "Group", name: tenantOf(i) },
                        { kind: "ServiceAccount", name: "app", namespace: benchNamespaceName(i) },
                    ],
                })),
            },
        },
        secrets: {},
    };
}

/** The first `count` nodes of the bench sandbox, the control plane first (the program needs one). */
function firstNodes(count: number, sandbox: BenchSandbox, series: string) {
    const controlPlane = sandbox.nodes.filter(n => n.roles.includes("control-plane"));
    const workers = sandbox.nodes.filter(n => !n.roles.includes("control-plane"));
    const nodes = [...controlPlane.slice(0, 1), ...workers].slice(0, count);
    if (controlPlane.length === 0) throw new Error("the bench sandbox has no control-plane node");
    if (nodes.length < count) {
        throw new Error(`${series}:${count} needs ${count} sandbox nodes, the bench sandbox has ${sandbox.nodes.length} (KUBE_BASELINE_SANDBOX_WORKERS)`);
    }
    return nodes;
}

export function nodeSeriesConfig(
    count: number,
    sandbox: BenchSandbox,
    credentials: { adminKubeconfig: string; sshPrivateKey: string },
): BenchConfig {
    const nodes = firstNodes(count, sandbox, "nodes");
    return {
        values: {
            cluster: {
                name: "bench",
                apiServerUrl: sandbox.apiServerEndpoint,
                caCertificate: sandbox.caCertPem,
                podCidr: sandbox.podSubnet,
                serviceCidr: sandbox.serviceSubnet,
                nodes: nodes.map(n => ({
                    name: n.name,
                    ip: n.ip,
                    roles: n.roles.includes("control-plane") ? ["control-plane"] : ["worker"],
                    ssh: { host: n.ip, port: n.sshPort, user: n.user, hostKey: n.hostKey },
                })),
            },
            nodeKernel: { tuning: false },
        },
        secrets: { adminKubeconfig: credentials.adminKubeconfig, sshPrivateKey: credentials.sshPrivateKey },
    };
}

/** How long each waiting node's command waits, in seconds. */
export const WAIT_NODE_SECONDS = 5;

export function waitNodesConfig(count: number, sandbox: BenchSandbox, credentials: { sshPrivateKey: string }): BenchConfig {
    const nodes = firstNodes(count, sandbox, "waitnodes");
    return {
        namespace: "kube-baseline-bench",
        values: {
            nodes: nodes.map(n => ({ name: n.name, ssh: { host: n.ip, port: n.sshPort, user: n.user, hostKey: n.hostKey } })),
            waitSeconds: WAIT_NODE_SECONDS,
        },
        secrets: { sshPrivateKey: credentials.sshPrivateKey },
    };
}

/** As the Automation API takes it: "<namespace>:<key>", objects as JSON, secrets marked secret. */
export function toConfigValues(config: BenchConfig): Record<string, ConfigValue> {
    const ns = config.namespace ?? "kube-baseline";
    const entries: Array<[string, ConfigValue]> = [
        ...Object.entries(config.values).map(([key, value]): [string, ConfigValue] =>
            [`${ns}:${key}`, { value: typeof value === "string" ? value : JSON.stringify(value) }]),
        ...Object.entries(config.secrets).map(([key, value]): [string, ConfigValue] =>
            [`${ns}:${key}`, { value, secret: true }]),
    ];
    return Object.fromEntries(entries);
}

// Split namespace series, N namespaces as tenant stacks of up to M: a baseline stack (the pods-viewer ClusterRole and
// the registry of tenants, nothing else) and one tenant stack per M namespaces, each with the namespace series'
// per-namespace objects (Pod Security labels, NetworkPolicies, a ServiceAccount, a RoleBinding of pods-viewer to the
// tenant's group and the ServiceAccount). Users differ: a tenant stack issues only CSR-API users under its own name
// (x509 would need the CA key), so each has one, `<tenant>:user`, in its group, instead of one x509 user per namespace.

/** One stack of a split run: its name and its Pulumi.<stack>.yaml config (plain values; credentials from the sandbox). */
export interface SplitStack { stack: string; config: Record<string, unknown> }

export const splitTenantName = (i: number) => `tenant-${pad(i)}`;

export function splitSeriesStacks(total: number, perStack: number, baselineStack: string, project = "kube-baseline"): { baseline: SplitStack; tenants: SplitStack[] } {
    if (!Number.isInteger(total) || total < 1 || !Number.isInteger(perStack) || perStack < 1) {
        throw new Error(`a split needs positive whole numbers of namespaces and namespaces per stack, got ${total} and ${perStack}`);
    }
    const groups = Array.from({ length: Math.ceil(total / perStack) }, (_, g) =>
        Array.from({ length: Math.min(perStack, total - g * perStack) }, (_, k) => g * perStack + k + 1));
    const baseline: SplitStack = {
        stack: baselineStack,
        config: {
            "kube-baseline:cluster": { source: "sandbox" },
            "kube-baseline:certificates": { defaultValidityHours: 168, maxValidityHours: 720, defaultKey: { algorithm: "ECDSA" } },
            "kube-baseline:rbac": { clusterRoles: [{ name: "pods-viewer", template: "pods-viewer" }] },
            "kube-baseline:tenants": groups.map((indices, g) => ({ name: splitTenantName(g + 1), namespaces: indices.map(benchNamespaceName) })),
        },
    };
    const tenants = groups.map((indices, g): SplitStack => {
        const tenant = splitTenantName(g + 1);
        const group = `${tenant}:pods`;
        return {
            stack: `${baselineStack}-${tenant}`,
            config: {
                "kube-baseline:tenant": { name: tenant, baselineStack: `organization/${project}/${baselineStack}`, credentials: "sandbox" },
                "kube-baseline:namespaces": indices.map(i => ({ name: benchNamespaceName(i) })),
                "kube-baseline:users": [{ name: `${tenant}:user`, authentication: "csr", groups: [group], key: { algorithm: "ECDSA" } }],
                "kube-baseline:rbac": {
                    serviceAccounts: indices.map(i => ({ name: "app", namespace: benchNamespaceName(i) })),
                    roleBindings: indices.map(i => ({
                        name: "pods-viewers",
                        namespace: benchNamespaceName(i),
                        roleRef: { kind: "ClusterRole", name: "pods-viewer" },
                        subjects: [{ kind: "Group", name: group }, { kind: "ServiceAccount", name: "app", namespace: benchNamespaceName(i) }],
                    })),
                },
            },
        };
    });
    return { baseline, tenants };
}

/** A stack file's text: `config:` with each key's value (YAML, which Pulumi reads as it reads objects set on the CLI). */
export function stackFileText(stack: SplitStack): string {
    return `# Written by npm run bench for one split run; removed at its end.\n${YAML.stringify({ config: stack.config })}`;
}
