// The bench configs are configs the program accepts (its own validation), with the objects the issue asks for.
import { readStackConfigValues } from "../../../lib/config/configValues";
import { loadStackConfig } from "../../../lib/config/stackConfig";
import { namespaceNetworkPolicies } from "../../../lib/identity/networkPolicyObjects";
import { BenchConfig, BenchSandbox, namespaceSeriesConfig, nodeSeriesConfig, splitSeriesStacks, stackFileText, toConfigValues } from "../../../bench/scaleConfig";
import { loadTenantStackConfig } from "../../../lib/config/tenantStackConfig";
import { tenancyOutput } from "../../../lib/outputs";
import { fakePem } from "../fakeSecrets";

const sandbox: BenchSandbox & { kubeconfigPath: string } = {
    apiServerEndpoint: "https://192.168.215.10:6443",
    kubeconfigPath: "/run/kube-baseline-bench/admin.kubeconfig",
    caCertPem: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
    podSubnet: "10.244.0.0/16",
    serviceSubnet: "10.96.0.0/12",
    nodes: Array.from({ length: 50 }, (_, i) => ({
        name: i === 0 ? "kbb-cp1" : `kbb-w${i}`, ip: `192.168.215.${10 + i}`, roles: [i === 0 ? "control-plane" : "worker"],
        sshPort: 22, user: "root", hostKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA",
        privateKeyPath: "/run/kube-baseline-bench/ssh/id_ed25519",
    })),
};

/** What the program does with a config: read every key as Pulumi hands it over (allConfig: strings), validate it all. */
function load(config: BenchConfig) {
    const values = toConfigValues(config);
    const all = Object.fromEntries(Object.entries(values).map(([key, v]) => [key, v.value]));
    return loadStackConfig(readStackConfigValues(all), () => JSON.stringify(sandbox));
}

test.each([1, 10, 200])("the namespace series at %i namespaces validates, one of each per namespace", n => {
    const stack = load(namespaceSeriesConfig(n));
    const { identity, network } = stack;
    expect(identity.namespaces).toHaveLength(n);
    expect(identity.users).toHaveLength(n);
    expect(identity.users.every(u => u.authentication === "x509" && "key" in u && u.key.algorithm === "ECDSA")).toBe(true);
    expect(identity.rbac.roleBindings).toHaveLength(n);
    expect(identity.rbac.serviceAccounts).toHaveLength(n);
    expect(identity.rbac.clusterRoles.map(r => r.name)).toEqual(["pods-viewer"]);
    expect(identity.namespaces.every(ns => ns.podSecurity.enforce === "restricted" && ns.tenant !== undefined)).toBe(true);
    // No static tokens (each change restarts the apiserver) and no network plane in this series.
    expect(identity.users.some(u => u.authentication === "token")).toBe(false);
    expect(network.cni).toBeUndefined();
    expect(network.nodeKernel).toBeUndefined();
    expect(stack.cluster.isSandbox).toBe(true);
});

test("every bench namespace gets default deny, DNS, same-namespace and same-tenant policies", () => {
    const stack = load(namespaceSeriesConfig(7));
    const names = stack.identity.namespaces.map(ns => namespaceNetworkPolicies(ns, stack.identity.networkPolicy.dns).map(p => p.metadata.name));
    for (const policies of names) expect(policies).toEqual(expect.arrayContaining(["default-deny", "allow-dns", "allow-same-namespace", "allow-same-tenant"]));
    // Five namespaces a tenant: 7 namespaces are two tenants.
    expect(new Set(stack.identity.namespaces.map(ns => ns.tenant)).size).toBe(2);
});

test("the node series describes the first N sandbox nodes explicitly, with only the kernel settings", () => {
    const credentials = { adminKubeconfig: "apiVersion: v1\nkind: Config\n", sshPrivateKey: fakePem("OPENSSH PRIVATE KEY") };
    for (const n of [1, 3, 50]) {
        const config = nodeSeriesConfig(n, sandbox, credentials);
        const stack = load(config);
        expect(stack.cluster.isSandbox).toBe(false);
        expect(stack.cluster.credentials).toEqual({ kind: "config" });
        expect(stack.cluster.cluster.nodes.map(x => x.name)).toEqual(sandbox.nodes.slice(0, n).map(x => x.name));
        expect(stack.cluster.cluster.nodes[0].roles).toEqual(["control-plane"]);
        expect(stack.network.nodeKernel).toEqual(expect.objectContaining({ tuning: false }));
        expect(stack.network.cni).toBeUndefined();
        expect(stack.identity.users).toEqual([]);
        expect(stack.identity.namespaces).toEqual([]);
        const values = toConfigValues(config);
        expect(values["kube-baseline:adminKubeconfig"]).toEqual({ value: credentials.adminKubeconfig, secret: true });
        expect(values["kube-baseline:sshPrivateKey"]).toEqual({ value: credentials.sshPrivateKey, secret: true });
        expect(values["kube-baseline:cluster"].secret).toBeUndefined();
    }
});

test("more nodes than the sandbox has is an error naming the variable that sets them", () => {
    const small = { ...sandbox, nodes: sandbox.nodes.slice(0, 3) };
    expect(() => nodeSeriesConfig(10, small, { adminKubeconfig: "x", sshPrivateKey: "y" }))
        .toThrow("nodes:10 needs 10 sandbox nodes, the bench sandbox has 3 (KUBE_BASELINE_SANDBOX_WORKERS)");
});

test("a namespace count that is not a positive integer is refused", () => {
    expect(() => namespaceSeriesConfig(0)).toThrow("namespace count must be a positive integer, got 0");
});

describe("the split series", () => {
    const { baseline, tenants } = splitSeriesStacks(45, 20, "bench-split");
    const plain = (config: Record<string, unknown>) => readStackConfigValues(Object.fromEntries(Object.entries(config)
        .map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)])));

    test("45 namespaces as tenant stacks of 20: three tenants, the last with 5; the baseline registers them all", () => {
        expect(tenants.map(t => t.stack)).toEqual(["bench-split-tenant-0001", "bench-split-tenant-0002", "bench-split-tenant-0003"]);
        const stack = loadStackConfig(plain(baseline.config), () => JSON.stringify(sandbox));
        expect(stack.tenants!.map(t => [t.name, t.namespaces.length])).toEqual([["tenant-0001", 20], ["tenant-0002", 20], ["tenant-0003", 5]]);
        expect(stack.identity.namespaces).toEqual([]);
    });

    test("each tenant stack validates against the baseline's registry, with the namespace series' objects per namespace", () => {
        const stack = loadStackConfig(plain(baseline.config), () => JSON.stringify(sandbox));
        const outputs = {
            apiServerUrl: sandbox.apiServerEndpoint, clusterCaCertificate: sandbox.caCertPem,
            cni: { kind: "unmanaged", mode: "unmanaged", podCidr: sandbox.podSubnet },
            tenancy: tenancyOutput({
                clusterName: "sandbox", tenants: stack.tenants!, baselineNamespaces: [], dns: stack.identity.networkPolicy.dns,
                maxCertificateValidityHours: 720, csrApprovalNode: { name: "kbb-cp1", ip: "192.168.215.10", roles: ["control-plane"], ssh: { host: "192.168.215.10", port: 22, user: "root", hostKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA" } },
            }),
        };
        for (const [i, tenant] of tenants.entries()) {
            const loaded = loadTenantStackConfig(plain(tenant.config), outputs, () => JSON.stringify(sandbox));
            const size = i < 2 ? 20 : 5;
            expect(loaded.identity.namespaces).toHaveLength(size);
            expect(loaded.identity.rbac.roleBindings).toHaveLength(size);
            expect(loaded.identity.rbac.serviceAccounts).toHaveLength(size);
            expect(loaded.identity.users.map(u => [u.name, u.authentication])).toEqual([[`tenant-000${i + 1}:user`, "csr"]]);
        }
    });

    test("a stack file is the config as YAML", () => {
        expect(stackFileText(tenants[2])).toContain("kube-baseline:tenant:\n    name: tenant-0003\n    baselineStack: organization/kube-baseline/bench-split\n");
    });
});
