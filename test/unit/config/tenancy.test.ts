// Tenant stacks in config: the baseline's registry (who owns which namespace, which ClusterRoles each tenant may
// bind) and a tenant stack's config checked against it. Every way out of a tenant's namespaces is refused before
// anything is registered, with the exact key; two tenants claiming one namespace names both.
import { ConfigError, ConfigIssue } from "../../../lib/config/configError";
import { BaselineOutputs } from "../../../lib/config/baselineOutputs";
import { readStackConfigValues, SECRET_IS_SET } from "../../../lib/config/configValues";
import { loadStackConfig } from "../../../lib/config/stackConfig";
import { loadTenantKey, loadTenantStackConfig } from "../../../lib/config/tenantStackConfig";
import { tenancyOutput } from "../../../lib/outputs";

const SANDBOX = {
    apiServerEndpoint: "https://192.168.213.10:6443",
    kubeconfigPath: "/run/kube-baseline-sandbox/admin.kubeconfig",
    caCertPem: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
    podSubnet: "10.244.0.0/16",
    serviceSubnet: "10.96.0.0/12",
    nodes: [{
        name: "kb-cp1", ip: "192.168.213.10", roles: ["control-plane"], sshPort: 22, user: "root",
        privateKeyPath: "/run/kube-baseline-sandbox/ssh/id_ed25519", hostKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA",
    }],
};
const readSandbox = () => JSON.stringify(SANDBOX);

function issuesOf(load: () => unknown): ConfigIssue[] {
    try {
        load();
    } catch (err) {
        if (err instanceof ConfigError) return err.issues;
        throw err;
    }
    return [];
}

// ---------------------------------------------------------------------------------------------------------
// The baseline's registry

function baselineValues(overrides: Record<string, unknown> = {}): Record<string, unknown> {
    return {
        cluster: { source: "sandbox" },
        namespaces: [{ name: "observability" }],
        rbac: {
            clusterRoles: [
                { name: "pods-viewer", template: "pods-viewer" },
                { name: "configmap-editor", rules: [{ apiGroups: [""], resources: ["configmaps"], verbs: ["get", "list", "create", "update", "delete"] }] },
            ],
        },
        tenants: [
            { name: "team-a", namespaces: ["a-dev", "a-prod"] },
            { name: "team-b", namespaces: ["b-dev"], clusterRoles: ["pods-viewer", "view"] },
        ],
        ...overrides,
    };
}
const loadBaseline = (values: Record<string, unknown>) => loadStackConfig(values, readSandbox);

describe("kube-baseline:tenants on the baseline", () => {
    test("a registry: each tenant's namespaces, and by default every ClusterRole of the stack to bind", () => {
        const stack = loadBaseline(baselineValues());
        expect(stack.tenants).toEqual([
            { name: "team-a", namespaces: ["a-dev", "a-prod"], clusterRoles: ["pods-viewer", "configmap-editor"] },
            { name: "team-b", namespaces: ["b-dev"], clusterRoles: ["pods-viewer", "view"] },
        ]);
    });

    test("a stack without tenants has no registry (single stacks are as before)", () => {
        const values = baselineValues();
        delete values.tenants;
        expect(loadBaseline(values).tenants).toBeUndefined();
    });

    test("two tenants claiming one namespace is an error naming both", () => {
        const values = baselineValues({ tenants: [
            { name: "team-a", namespaces: ["a-dev", "shared"] },
            { name: "team-b", namespaces: ["shared"] },
        ] });
        expect(issuesOf(() => loadBaseline(values))).toEqual([{
            key: "kube-baseline:tenants[1].namespaces[0]",
            value: "shared",
            message: "is claimed by two tenants, team-a (tenants[0].namespaces[1]) and team-b; a namespace has one owner",
        }]);
    });

    test("the registry's other mistakes, each at its key", () => {
        const cases: Array<[string, unknown, RegExp, unknown]> = [
            ["tenants[0].namespaces[0]", "observability", /is the baseline stack's own namespace \(namespaces\[0\]\)/, [{ name: "team-a", namespaces: ["observability"] }]],
            ["tenants[0].namespaces[0]", "kube-system", /exists in every cluster/, [{ name: "team-a", namespaces: ["kube-system"] }]],
            ["tenants[0].namespaces[1]", "a-dev", /listed twice for tenant team-a/, [{ name: "team-a", namespaces: ["a-dev", "a-dev"] }]],
            ["tenants[0].namespaces[0]", "A_dev", /RFC 1123/, [{ name: "team-a", namespaces: ["A_dev"] }]],
            ["tenants[1].name", "team-a", /duplicate tenant: already defined at tenants\[0\]/, [{ name: "team-a", namespaces: ["x"] }, { name: "team-a", namespaces: ["y"] }]],
            ["tenants[0].name", "Team", /RFC 1123 label/, [{ name: "Team", namespaces: ["x"] }]],
            ["tenants[0].name", "system", /belong to Kubernetes components/, [{ name: "system", namespaces: ["x"] }]],
            ["tenants[0].name", "t".repeat(33), /at most 32/, [{ name: "t".repeat(33), namespaces: ["x"] }]],
            ["tenants[0].clusterRoles[0]", "cluster-admin", /never a tenant's to bind/, [{ name: "team-a", namespaces: ["x"], clusterRoles: ["cluster-admin"] }]],
            ["tenants[0].clusterRoles[0]", "secret-reader", /is not a ClusterRole of this stack/, [{ name: "team-a", namespaces: ["x"], clusterRoles: ["secret-reader"] }]],
            ["tenants[0].namespaces", [], /must list at least 1/, [{ name: "team-a", namespaces: [] }]],
        ];
        for (const [key, value, message, tenants] of cases) {
            expect(issuesOf(() => loadBaseline(baselineValues({ tenants })))).toContainEqual({ key: `kube-baseline:${key}`, value, message: expect.stringMatching(message) });
        }
    });

    test("a privileged ClusterRole is never a tenant's, by default or by name", () => {
        const rbac = {
            clusterRoles: [{ name: "binder", rules: [{ apiGroups: ["rbac.authorization.k8s.io"], resources: ["rolebindings"], verbs: ["bind"] }] }],
            clusterRoleBindings: [{ name: "ops-binder", roleRef: { kind: "ClusterRole", name: "binder" }, subjects: [{ kind: "Group", name: "ops" }] }],
        };
        const breakGlass = { clusterAdminBindings: ["ops-binder"] };
        const byDefault = loadBaseline(baselineValues({ rbac, breakGlass, tenants: [{ name: "team-a", namespaces: ["x"] }] }));
        expect(byDefault.tenants![0].clusterRoles).toEqual([]);
        expect(issuesOf(() => loadBaseline(baselineValues({ rbac, breakGlass, tenants: [{ name: "team-a", namespaces: ["x"], clusterRoles: ["binder"] }] }))))
            .toContainEqual({ key: "kube-baseline:tenants[0].clusterRoles[0]", value: "binder", message: expect.stringMatching(/privileged ClusterRole/) });
    });

    test("a baseline namespace cannot join a tenant stack's network", () => {
        expect(issuesOf(() => loadBaseline(baselineValues({ namespaces: [{ name: "observability", tenant: "team-a" }] }))))
            .toContainEqual({ key: "kube-baseline:namespaces[0].tenant", value: "team-a", message: expect.stringMatching(/team-a is a tenant stack/) });
    });

    test("the exported registry says what each tenant may touch, and where CSRs are approved", () => {
        const stack = loadBaseline(baselineValues());
        expect(tenancyOutput({
            clusterName: stack.cluster.cluster.name,
            tenants: stack.tenants!,
            baselineNamespaces: stack.identity.namespaces,
            dns: stack.identity.networkPolicy.dns,
            maxCertificateValidityHours: stack.identity.certificates.maxValidityHours,
            csrApprovalNode: stack.cluster.cluster.nodes[0],
        })).toEqual({
            clusterName: "sandbox",
            tenants: {
                "team-a": { namespaces: ["a-dev", "a-prod"], clusterRoles: ["pods-viewer", "configmap-editor"] },
                "team-b": { namespaces: ["b-dev"], clusterRoles: ["pods-viewer", "view"] },
            },
            baselineNamespaces: ["observability"],
            dns: { namespace: "kube-system", podLabels: { "k8s-app": "kube-dns" } },
            maxCertificateValidityHours: 2160,
            csrApprovalNode: { name: "kb-cp1", ip: "192.168.213.10", roles: ["control-plane"], ssh: { host: "192.168.213.10", port: 22, user: "root", hostKey: SANDBOX.nodes[0].hostKey } },
        });
    });
});

// ---------------------------------------------------------------------------------------------------------
// A tenant stack against its baseline's outputs

function baselineOutputs(): BaselineOutputs {
    const stack = loadBaseline(baselineValues({ certificates: { maxValidityHours: 168 } }));
    return {
        apiServerUrl: SANDBOX.apiServerEndpoint,
        clusterCaCertificate: SANDBOX.caCertPem,
        cni: { kind: "flannel", mode: "vxlan", podCidr: "10.244.0.0/16" },
        tenancy: tenancyOutput({
            clusterName: "sandbox",
            tenants: stack.tenants!,
            baselineNamespaces: stack.identity.namespaces,
            dns: { namespace: "kube-system", podLabels: { "k8s-app": "kube-dns" } },
            maxCertificateValidityHours: 168,
            csrApprovalNode: stack.cluster.cluster.nodes[0],
        }),
    };
}

function tenantValues(overrides: Record<string, unknown> = {}): Record<string, unknown> {
    return {
        tenant: { name: "team-a", baselineStack: "organization/kube-baseline/base", credentials: "sandbox" },
        namespaces: [{ name: "a-dev" }, { name: "a-prod", podSecurity: { enforce: "baseline", exemptionReason: "legacy image" } }],
        users: [{ name: "team-a:alice", authentication: "csr", groups: ["team-a:devs"], validityHours: 24, key: { algorithm: "ECDSA" } }],
        rbac: {
            roles: [{ name: "reader", namespace: "a-prod", rules: [{ apiGroups: [""], resources: ["configmaps"], verbs: ["get"] }] }],
            roleBindings: [
                { name: "devs", namespace: "a-dev", roleRef: { kind: "ClusterRole", name: "configmap-editor" }, subjects: [{ kind: "Group", name: "team-a:devs" }] },
                { name: "app", namespace: "a-prod", roleRef: { kind: "Role", name: "reader" }, subjects: [{ kind: "ServiceAccount", name: "app", namespace: "a-prod" }] },
            ],
            serviceAccounts: [{ name: "app", namespace: "a-prod" }],
        },
        ...overrides,
    };
}
const loadTenant = (values: Record<string, unknown>, outputs: BaselineOutputs = baselineOutputs()) =>
    loadTenantStackConfig(readStackConfigValues(Object.fromEntries(Object.entries(values).map(([k, v]) => [`kube-baseline:${k}`, JSON.stringify(v)]))),
        outputs, readSandbox);

describe("a tenant stack's config", () => {
    test("its namespaces carry its tenant label, aim DNS at the baseline's, and csr users are approved on the baseline's node", () => {
        const stack = loadTenant(tenantValues());
        expect(stack.scope.namespaces).toEqual(["a-dev", "a-prod"]);
        expect(stack.identity.namespaces.map(n => [n.name, n.tenant])).toEqual([["a-dev", "team-a"], ["a-prod", "team-a"]]);
        expect(stack.identity.networkPolicy.calicoGlobalDefaultDeny.enabled).toBe(false);
        expect(stack.cluster).toEqual({ name: "sandbox", apiServerUrl: SANDBOX.apiServerEndpoint, caCertificatePem: SANDBOX.caCertPem });
        expect(stack.csrApprovalNode?.name).toBe("kb-cp1");
        expect(stack.credentials).toEqual({ kind: "files", adminKubeconfigPath: SANDBOX.kubeconfigPath, sshPrivateKeyPath: SANDBOX.nodes[0].privateKeyPath });
        // The baseline's cap becomes the tenant's maximum, and the defaults follow it.
        expect(stack.identity.certificates.maxValidityHours).toBe(168);
    });

    test("a tenant stack that claims another tenant's namespace fails, naming both tenants", () => {
        const values = tenantValues({ namespaces: [{ name: "a-dev" }, { name: "b-dev" }] });
        expect(issuesOf(() => loadTenant(values))).toContainEqual({
            key: "kube-baseline:namespaces[1].name",
            value: "b-dev",
            message: "belongs to tenant team-b (kube-baseline:tenants of baseline stack organization/kube-baseline/base), not to team-a: a tenant stack touches only its own namespaces",
        });
    });

    test.each([
        ["the baseline's own namespace", "observability", /is the baseline stack organization\/kube-baseline\/base's own namespace/],
        ["an unregistered namespace", "a-test", /is not registered for tenant team-a: add it to its namespaces in kube-baseline:tenants of baseline stack/],
    ])("a namespace that is not the tenant's: %s", (_, name, message) => {
        expect(issuesOf(() => loadTenant(tenantValues({ namespaces: [{ name: "a-dev" }, { name }] }))))
            .toContainEqual({ key: "kube-baseline:namespaces[1].name", value: name, message: expect.stringMatching(message) });
    });

    test.each(["cluster", "cni", "kubeProxy", "bgp", "nodeKernel", "staticTokens", "networkPolicy", "breakGlass", "tenants", "clusterCaKey"])(
        "the cluster-wide key %s is refused, its value not shown", key => {
            const issues = issuesOf(() => loadTenant(tenantValues({ [key]: { source: "sandbox" } })));
            expect(issues).toContainEqual({ key: `kube-baseline:${key}`, value: null, hideValue: true, message: expect.stringMatching(/is cluster-wide and belongs to the baseline stack \(organization\/kube-baseline\/base\)/) });
        });

    test("an unknown key is an unknown key", () => {
        expect(issuesOf(() => loadTenant(tenantValues({ namespace: [] }))))
            .toContainEqual(expect.objectContaining({ key: "kube-baseline:namespace", message: expect.stringMatching(/did you mean namespaces/) }));
    });

    test.each([
        ["rbac.clusterRoles[0].name", "mine", /ClusterRoles are cluster-wide/, { clusterRoles: [{ name: "mine", template: "pods-viewer" }] }],
        ["rbac.clusterRoleBindings[0].name", "everywhere", /grants in every namespace/,
            { clusterRoleBindings: [{ name: "everywhere", roleRef: { kind: "ClusterRole", name: "pods-viewer" }, subjects: [{ kind: "Group", name: "team-a:devs" }] }] }],
        ["rbac.roleBindings[0].roleRef.name", "edit", /ClusterRole "edit" is not one baseline stack organization\/kube-baseline\/base lets tenant team-a bind \(.*allowed: pods-viewer, configmap-editor\)/,
            { roleBindings: [{ name: "x", namespace: "a-dev", roleRef: { kind: "ClusterRole", name: "edit" }, subjects: [{ kind: "Group", name: "team-a:devs" }] }] }],
        ["rbac.roleBindings[0].roleRef.name", "cluster-admin", /not one baseline stack .* lets tenant team-a bind/,
            { roleBindings: [{ name: "x", namespace: "a-dev", roleRef: { kind: "ClusterRole", name: "cluster-admin" }, subjects: [{ kind: "Group", name: "team-a:devs" }] }] }],
        ["rbac.roleBindings[0].namespace", "b-dev", /belongs to tenant team-b/,
            { roleBindings: [{ name: "x", namespace: "b-dev", roleRef: { kind: "ClusterRole", name: "pods-viewer" }, subjects: [{ kind: "Group", name: "team-a:devs" }] }] }],
        ["rbac.roles[0].namespace", "kube-system", /is not registered for tenant team-a/,
            { roles: [{ name: "r", namespace: "kube-system", rules: [{ apiGroups: [""], resources: ["secrets"], verbs: ["get"] }] }] }],
        ["rbac.serviceAccounts[0].namespace", "observability", /the baseline stack .*'s own namespace/, { serviceAccounts: [{ name: "sa", namespace: "observability" }] }],
    ])("RBAC outside the tenant's reach: %s", (key, value, message, rbac) => {
        expect(issuesOf(() => loadTenant(tenantValues({ rbac })))).toContainEqual({ key: `kube-baseline:${key}`, value, message: expect.stringMatching(message) });
    });

    test("a Role or binding in a registered namespace this stack does not declare", () => {
        const values = tenantValues({ namespaces: [{ name: "a-dev" }], rbac: { serviceAccounts: [{ name: "app", namespace: "a-prod" }] } });
        expect(issuesOf(() => loadTenant(values))).toEqual([{ key: "kube-baseline:rbac.serviceAccounts[0].namespace", value: "a-prod", message: expect.stringMatching(/is not one of this stack's kube-baseline:namespaces \(a-dev\)/) }]);
    });

    test.each([
        ["x509", { name: "team-a:bob", authentication: "x509" }, /issues only csr users: x509 needs the cluster CA's private key/],
        ["token", { name: "team-a:bob", authentication: "token", uid: "7" }, /static tokens patch the apiserver/],
    ])("%s users are refused, with the reason and nothing else", (_, user, message) => {
        const issues = issuesOf(() => loadTenant(tenantValues({ users: [user] })));
        expect(issues).toEqual([{ key: "kube-baseline:users[0].authentication", value: user.authentication, message: expect.stringMatching(message) }]);
    });

    test("users and groups carry the tenant's prefix, so no tenant issues another's identity", () => {
        const issues = issuesOf(() => loadTenant(tenantValues({ users: [{ name: "alice", authentication: "csr", groups: ["team-b:devs"] }] })));
        expect(issues).toEqual([
            { key: "kube-baseline:users[0].name", value: "alice", message: expect.stringMatching(/named team-a:<name>.*did you mean "team-a:alice"\?/) },
            { key: "kube-baseline:users[0].groups[0]", value: "team-b:devs", message: expect.stringMatching(/groups are named team-a:<name>/) },
        ]);
    });

    test("certificates no longer than the baseline allows", () => {
        expect(issuesOf(() => loadTenant(tenantValues({ certificates: { maxValidityHours: 720 } }))))
            .toContainEqual({ key: "kube-baseline:certificates.maxValidityHours", value: 720, message: expect.stringMatching(/its certificates.maxValidityHours: 168/) });
        const tooLong = { name: "team-a:alice", authentication: "csr", validityHours: 200 };
        expect(issuesOf(() => loadTenant(tenantValues({ users: [tooLong] }))))
            .toContainEqual({ key: "kube-baseline:users[0].validityHours", value: 200, message: expect.stringMatching(/maxValidityHours/) });
    });

    test("a tenant the baseline does not know", () => {
        const values = tenantValues({ tenant: { name: "team-c", baselineStack: "base", credentials: "sandbox" } });
        expect(issuesOf(() => loadTenant(values))).toEqual([{
            key: "kube-baseline:tenant.name", value: "team-c",
            message: "is not a tenant of baseline stack base (its tenants: team-a, team-b); add it to kube-baseline:tenants there and update that stack first",
        }]);
    });

    test.each([
        ["no tenancy output", (o: BaselineOutputs) => { delete o.tenancy; }, /exports no tenancy output: it is not a baseline stack with kube-baseline:tenants/],
        ["a tenancy of another shape", (o: BaselineOutputs) => { o.tenancy = { tenants: [] }; }, /its output tenancy(\.\w+)? is not what this kube-baseline reads/],
        ["no apiServerUrl", (o: BaselineOutputs) => { delete o.apiServerUrl; }, /its output apiServerUrl is missing/],
    ])("a baseline with %s is an error at tenant.baselineStack", (_, spoil, message) => {
        const outputs = baselineOutputs();
        spoil(outputs);
        expect(issuesOf(() => loadTenant(tenantValues(), outputs)))
            .toContainEqual({ key: "kube-baseline:tenant.baselineStack", value: "organization/kube-baseline/base", message: expect.stringMatching(message) });
    });

    test("credentials: the sandbox must be the baseline's cluster; secret config must be set", () => {
        const other = { ...baselineOutputs(), apiServerUrl: "https://192.0.2.10:6443" };
        expect(issuesOf(() => loadTenant(tenantValues(), other)))
            .toContainEqual({ key: "kube-baseline:tenant.credentials", value: "sandbox", message: expect.stringMatching(/is not the cluster of baseline stack/) });
        const fromConfig = tenantValues({ tenant: { name: "team-a", baselineStack: "base" } });
        expect(issuesOf(() => loadTenant(fromConfig)).map(i => i.key)).toEqual(["kube-baseline:adminKubeconfig", "kube-baseline:sshPrivateKey"]);
        const values = readStackConfigValues(Object.fromEntries(Object.entries(fromConfig).map(([k, v]) => [`kube-baseline:${k}`, JSON.stringify(v)])));
        const withSecrets = { ...values, adminKubeconfig: SECRET_IS_SET, sshPrivateKey: SECRET_IS_SET };
        expect(loadTenantStackConfig(withSecrets, baselineOutputs(), readSandbox).credentials).toEqual({ kind: "config" });
        // No csr users, no SSH key needed.
        const noUsers = { ...values, users: [], adminKubeconfig: SECRET_IS_SET };
        expect(loadTenantStackConfig(noUsers, baselineOutputs(), readSandbox).csrApprovalNode).toBeUndefined();
    });

    test.each([
        [{ baselineStack: "base" }, "kube-baseline:tenant.name", /is required/],
        [{ name: "team-a", baselineStack: "org/proj/stack/extra" }, "kube-baseline:tenant.baselineStack", /<organization>\/<project>\/<stack>/],
        [{ name: "team-a", baselineStack: "base", credentials: "files" }, "kube-baseline:tenant.credentials", /must be one of "config", "sandbox"/],
    ])("the tenant key %j", (tenant, key, message) => {
        expect(issuesOf(() => loadTenantKey({ tenant }))).toContainEqual(expect.objectContaining({ key, message: expect.stringMatching(message) }));
    });

    test("the baseline loader refuses a tenant stack's config", () => {
        expect(issuesOf(() => loadBaseline({ ...baselineValues(), tenant: { name: "team-a", baselineStack: "base" } })))
            .toContainEqual(expect.objectContaining({ key: "kube-baseline:tenant", message: expect.stringMatching(/loadTenantStackConfig/) }));
    });
});

// ---------------------------------------------------------------------------------------------------------
// The committed example: Pulumi.platform.yaml and its tenant stacks validate against each other.

describe("the example set (Pulumi.platform.yaml, Pulumi.team-a.yaml, Pulumi.team-b.yaml)", () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const fs = require("fs") as typeof import("fs");
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const YAML = require("yaml") as typeof import("yaml");
    const file = (name: string) => (YAML.parse(fs.readFileSync(`${__dirname}/../../../Pulumi.${name}.yaml`, "utf8")) as { config: Record<string, unknown> }).config;

    test("the platform's registry admits both tenants exactly as their stack files say", () => {
        const platform = loadStackConfig(readStackConfigValues(file("platform")), readSandbox);
        const outputs: BaselineOutputs = {
            apiServerUrl: SANDBOX.apiServerEndpoint,
            clusterCaCertificate: SANDBOX.caCertPem,
            cni: { kind: "flannel", mode: "vxlan", podCidr: "10.244.0.0/16" },
            tenancy: tenancyOutput({
                clusterName: platform.cluster.cluster.name,
                tenants: platform.tenants!,
                baselineNamespaces: platform.identity.namespaces,
                dns: platform.identity.networkPolicy.dns,
                maxCertificateValidityHours: platform.identity.certificates.maxValidityHours,
                csrApprovalNode: platform.cluster.cluster.nodes[0],
            }),
        };
        const teamA = loadTenantStackConfig(readStackConfigValues(file("team-a")), outputs, readSandbox);
        expect(teamA.identity.namespaces.map(n => n.name)).toEqual(["team-a-dev", "team-a-prod"]);
        const teamB = loadTenantStackConfig(readStackConfigValues(file("team-b")), outputs, readSandbox);
        expect(teamB.scope.clusterRoles).toEqual(["pods-viewer"]);
    });
});
