import {
    rbacAggregatedClusterRoles,
    rbacClusterRoleBindingAllowList,
    rbacNoClusterWideSecretRead,
    rbacNoEscalationVerbs,
    rbacNoNodesProxy,
    rbacNoPrivilegedBindings,
    rbacNoWildcards,
} from "../rules/rbac";
import { runResource, runStack, UNKNOWN, urnFor } from "./harness";

const CLUSTER_ROLE = "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole";
const CLUSTER_ROLE_PATCH = "kubernetes:rbac.authorization.k8s.io/v1:ClusterRolePatch";
const ROLE = "kubernetes:rbac.authorization.k8s.io/v1:Role";
const ROLE_BINDING = "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding";
const CLUSTER_ROLE_BINDING = "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding";

function clusterRole(name: string, rules: unknown, extra: object = {}) {
    return { type: CLUSTER_ROLE, name, props: { metadata: { name }, rules, ...extra } };
}
function role(name: string, namespace: string, rules: unknown) {
    return { type: ROLE, name, props: { metadata: { name, namespace }, rules } };
}
const podsViewer = [
    { apiGroups: [""], resources: ["pods", "services"], verbs: ["get", "list", "watch"] },
    { apiGroups: ["apps"], resources: ["deployments"], verbs: ["get", "list", "watch"] },
];

describe("rbac-no-wildcards", () => {
    const policy = rbacNoWildcards();

    it("passes a role that names its verbs, groups and resources", async () => {
        expect(await runResource(policy, clusterRole("pods-viewer", podsViewer))).toEqual([]);
    });

    it("flags '*' in verbs", async () => {
        const v = await runResource(policy, role("r", "team-a", [{ apiGroups: [""], resources: ["pods"], verbs: ["*"] }]));
        expect(v).toHaveLength(1);
        expect(v[0]).toMatch(/Role 'r': rules\[0\]\.verbs has '\*'/);
    });

    it("flags apiGroups ['*'] even with a named resource", async () => {
        const v = await runResource(policy, clusterRole("x", [{ apiGroups: ["*"], resources: ["deployments"], verbs: ["get"] }]));
        expect(v).toHaveLength(1);
        expect(v[0]).toMatch(/apiGroups has '\*': grants resources 'deployments' in every API group/);
    });

    it("flags a subresource wildcard such as nodes/*", async () => {
        const v = await runResource(policy, clusterRole("x", [{ apiGroups: [""], resources: ["nodes/*"], verbs: ["get"] }]));
        expect(v).toHaveLength(1);
        expect(v[0]).toMatch(/'nodes\/\*': every subresource of nodes/);
    });

    it("flags '*' in resources and in nonResourceURLs", async () => {
        const v = await runResource(policy, clusterRole("x", [
            { apiGroups: ["apps"], resources: ["*"], verbs: ["get"] },
            { nonResourceURLs: ["*"], verbs: ["get"] },
        ]));
        expect(v).toHaveLength(2);
    });

    it("checks ClusterRolePatch rules too", async () => {
        const v = await runResource(policy, { type: CLUSTER_ROLE_PATCH, props: { metadata: { name: "edit" }, rules: [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }] } });
        expect(v).toHaveLength(3);
    });

    it("skips roles named in exemptRoles (ClusterRole by name, Role by namespace/name)", async () => {
        const wild = [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }];
        expect(await runResource(policy, clusterRole("calico-node", wild), { exemptRoles: ["calico-node"] })).toEqual([]);
        expect(await runResource(policy, role("ops", "team-a", wild), { exemptRoles: ["team-a/ops"] })).toEqual([]);
        expect(await runResource(policy, role("ops", "team-b", wild), { exemptRoles: ["team-a/ops"] })).toHaveLength(3);
    });

    it("leaves an aggregated ClusterRole to the stack policy (its rules are controller-managed)", async () => {
        const v = await runResource(policy, clusterRole("agg", [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }], {
            aggregationRule: { clusterRoleSelectors: [{ matchLabels: { "kube-baseline/aggregate-to": "agg" } }] },
        }));
        expect(v).toEqual([]);
    });

    it("does not crash on preview-time unknowns and still reports what is known", async () => {
        const v = await runResource(policy, clusterRole("x", [
            UNKNOWN,
            { apiGroups: UNKNOWN, resources: ["pods"], verbs: ["get"] },
            { apiGroups: [""], resources: [UNKNOWN, "nodes/*"], verbs: UNKNOWN },
        ]));
        expect(v).toHaveLength(1);
        expect(v[0]).toMatch(/rules\[2\]\.resources has 'nodes\/\*'/);
        expect(await runResource(policy, clusterRole("x", UNKNOWN))).toEqual([]);
    });
});

describe("rbac-no-escalation-verbs", () => {
    const policy = rbacNoEscalationVerbs();

    it.each(["escalate", "bind", "impersonate"])("flags %s", async verb => {
        const v = await runResource(policy, clusterRole("x", [{ apiGroups: ["rbac.authorization.k8s.io"], resources: ["clusterroles"], verbs: ["get", verb] }]));
        expect(v).toHaveLength(1);
        expect(v[0]).toContain(`'${verb}'`);
    });

    it("flags '*' verbs, which include them", async () => {
        const v = await runResource(policy, role("r", "ns", [{ apiGroups: [""], resources: ["users"], verbs: ["*"] }]));
        expect(v[0]).toMatch(/verbs '\*' include escalate, bind and impersonate/);
    });

    it("passes ordinary verbs", async () => {
        expect(await runResource(policy, clusterRole("pods-viewer", podsViewer))).toEqual([]);
    });
});

describe("rbac-no-nodes-proxy", () => {
    const policy = rbacNoNodesProxy();

    it("flags nodes/proxy", async () => {
        const v = await runResource(policy, clusterRole("x", [{ apiGroups: [""], resources: ["nodes/proxy"], verbs: ["get"] }]));
        expect(v).toHaveLength(1);
        expect(v[0]).toMatch(/grants nodes\/proxy:/);
    });

    it.each([["nodes/*", [""]], ["*", ["*"]], ["*/proxy", [""]]])("flags nodes/proxy reached through %s", async (resource, groups) => {
        const v = await runResource(policy, clusterRole("x", [{ apiGroups: groups, resources: [resource], verbs: ["create"] }]));
        expect(v).toHaveLength(1);
        expect(v[0]).toContain(`through '${resource}'`);
    });

    it("passes node reads without the proxy subresource, and nodes/proxy outside the core group", async () => {
        expect(await runResource(policy, clusterRole("x", [{ apiGroups: [""], resources: ["nodes", "nodes/status"], verbs: ["get"] }]))).toEqual([]);
        expect(await runResource(policy, clusterRole("x", [{ apiGroups: ["metrics.k8s.io"], resources: ["nodes/proxy"], verbs: ["get"] }]))).toEqual([]);
    });
});

describe("rbac-no-cluster-wide-secret-read", () => {
    const policy = rbacNoClusterWideSecretRead();

    it.each(["get", "list", "watch", "*"])("flags a ClusterRole with %s on secrets", async verb => {
        const v = await runResource(policy, clusterRole("x", [{ apiGroups: [""], resources: ["secrets"], verbs: [verb] }]));
        expect(v).toHaveLength(1);
        expect(v[0]).toMatch(/ClusterRole 'x': rules\[0\] grants/);
    });

    it("flags resources '*' in the core group", async () => {
        expect(await runResource(policy, clusterRole("x", [{ apiGroups: [""], resources: ["*"], verbs: ["list"] }]))).toHaveLength(1);
    });

    it("passes writes only, reads narrowed by resourceNames, and namespaced Roles", async () => {
        expect(await runResource(policy, clusterRole("x", [{ apiGroups: [""], resources: ["secrets"], verbs: ["create"] }]))).toEqual([]);
        expect(await runResource(policy, clusterRole("x", [{ apiGroups: [""], resources: ["secrets"], resourceNames: ["bgp-password"], verbs: ["get"] }]))).toEqual([]);
        expect(await runResource(policy, role("x", "ns", [{ apiGroups: [""], resources: ["secrets"], verbs: ["get"] }]))).toEqual([]);
    });

    it("flags a ClusterRoleBinding to a built-in role that reads every secret", async () => {
        const binding = (roleName: string) => ({
            type: CLUSTER_ROLE_BINDING,
            props: { metadata: { name: "b" }, roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: roleName }, subjects: [{ kind: "User", name: "alice" }] },
        });
        expect(await runResource(policy, binding("edit"))).toHaveLength(1);
        expect(await runResource(policy, binding("view"))).toEqual([]);
    });
});

describe("rbac-no-privileged-bindings", () => {
    const policy = rbacNoPrivilegedBindings();
    const binding = (type: string, roleRef: object, subjects: unknown, namespace?: string) => ({
        type,
        props: { metadata: { name: "b", namespace }, roleRef: { apiGroup: "rbac.authorization.k8s.io", ...roleRef }, subjects },
    });

    it("flags binding a user to cluster-admin", async () => {
        const v = await runResource(policy, binding(CLUSTER_ROLE_BINDING, { kind: "ClusterRole", name: "cluster-admin" }, [{ kind: "User", name: "alice" }]));
        expect(v).toHaveLength(1);
        expect(v[0]).toMatch(/binds User:alice to ClusterRole 'cluster-admin'/);
    });

    it("flags cluster-admin through a RoleBinding too", async () => {
        const v = await runResource(policy, binding(ROLE_BINDING, { kind: "ClusterRole", name: "cluster-admin" }, [{ kind: "Group", name: "ops" }], "team-a"));
        expect(v).toHaveLength(1);
    });

    it("flags naming the group system:masters, whatever the role", async () => {
        const v = await runResource(policy, binding(ROLE_BINDING, { kind: "ClusterRole", name: "view" }, [{ kind: "Group", name: "system:masters" }], "team-a"));
        expect(v).toHaveLength(1);
        expect(v[0]).toMatch(/group 'system:masters'/);
    });

    it("allows allow-listed subjects, a ServiceAccount taking the binding's namespace", async () => {
        const config = { allowedSubjects: ["Group:platform-admins", "ServiceAccount:ops/breakglass"] };
        const v = await runResource(policy, binding(ROLE_BINDING, { kind: "ClusterRole", name: "cluster-admin" }, [
            { kind: "Group", name: "platform-admins" },
            { kind: "ServiceAccount", name: "breakglass" },
        ], "ops"), config);
        expect(v).toEqual([]);
    });

    it("passes ordinary bindings, and a namespaced Role that happens to be called cluster-admin", async () => {
        expect(await runResource(policy, binding(ROLE_BINDING, { kind: "ClusterRole", name: "pods-viewer" }, [{ kind: "User", name: "alice" }], "team-a"))).toEqual([]);
        expect(await runResource(policy, binding(ROLE_BINDING, { kind: "Role", name: "cluster-admin" }, [{ kind: "User", name: "alice" }], "team-a"))).toEqual([]);
    });

    it("does not crash on unknown subjects", async () => {
        expect(await runResource(policy, binding(CLUSTER_ROLE_BINDING, { kind: "ClusterRole", name: "cluster-admin" }, UNKNOWN))).toEqual([]);
        expect(await runResource(policy, binding(CLUSTER_ROLE_BINDING, { kind: "ClusterRole", name: UNKNOWN }, [{ kind: "User", name: UNKNOWN }]))).toEqual([]);
    });
});

describe("rbac-cluster-role-binding-allow-list", () => {
    const policy = rbacClusterRoleBindingAllowList();
    const crb = (roleName: unknown) => ({
        type: CLUSTER_ROLE_BINDING,
        props: { metadata: { name: "b" }, roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: roleName }, subjects: [] },
    });

    it("flags a ClusterRoleBinding to a role not on the list", async () => {
        const v = await runResource(policy, crb("pods-viewer"), { allowedClusterRoles: ["flannel"] });
        expect(v).toHaveLength(1);
        expect(v[0]).toMatch(/grants ClusterRole 'pods-viewer' cluster-wide; allowed: flannel/);
    });

    it("passes allow-listed roles", async () => {
        expect(await runResource(policy, crb("flannel"), { allowedClusterRoles: ["flannel"] })).toEqual([]);
    });

    it("does not judge a roleRef that is not known yet", async () => {
        expect(await runResource(policy, crb(UNKNOWN))).toEqual([]);
    });
});

describe("rbac-aggregated-cluster-roles", () => {
    const policy = rbacAggregatedClusterRoles();
    const label = { "kube-baseline/aggregate-to-ops": "true" };
    const aggregate = clusterRole("ops", [], { aggregationRule: { clusterRoleSelectors: [{ matchLabels: label }] } });
    const labelled = (name: string, rules: unknown, labels: unknown = label) => ({
        type: CLUSTER_ROLE, name, props: { metadata: { name, labels }, rules },
    });

    it("flags an aggregated role that pulls in a wildcard role, against the aggregate's URN", async () => {
        const result = await runStack(policy, [aggregate, labelled("wide", [{ apiGroups: ["*"], resources: ["pods"], verbs: ["get"] }])]);
        expect(result.violations).toHaveLength(1);
        expect(result.violations[0].message).toMatch(/ClusterRole 'ops' aggregates ClusterRole 'wide', whose rules\[0\]\.apiGroups has '\*'/);
        expect(result.violations[0].urn).toBe(urnFor(CLUSTER_ROLE, "ops"));
    });

    it("flags secret reads and escalation verbs pulled in through matchExpressions", async () => {
        const agg = clusterRole("ops", [], { aggregationRule: { clusterRoleSelectors: [{ matchExpressions: [{ key: "tier", operator: "In", values: ["ops"] }] }] } });
        const result = await runStack(policy, [agg, labelled("reader", [
            { apiGroups: [""], resources: ["secrets"], verbs: ["list"] },
            { apiGroups: ["rbac.authorization.k8s.io"], resources: ["clusterroles"], verbs: ["bind"] },
        ], { tier: "ops" })]);
        expect(result.violations.map(v => v.message)).toEqual([
            expect.stringMatching(/\(escalation\)/),
            expect.stringMatching(/\(secret read\)/),
        ]);
    });

    it("follows aggregates of aggregates", async () => {
        const middle = { type: CLUSTER_ROLE, name: "middle", props: { metadata: { name: "middle", labels: label }, aggregationRule: { clusterRoleSelectors: [{ matchLabels: { leaf: "yes" } }] } } };
        const result = await runStack(policy, [aggregate, middle, labelled("leaf", [{ apiGroups: [""], resources: ["nodes/proxy"], verbs: ["get"] }], { leaf: "yes" })]);
        // Both aggregated roles end up holding the leaf's rules.
        expect(result.violations.map(v => v.urn)).toEqual([urnFor(CLUSTER_ROLE, "ops"), urnFor(CLUSTER_ROLE, "middle")]);
        expect(result.violations[0].message).toMatch(/'ops' aggregates ClusterRole 'leaf' \(through ClusterRole 'middle'\).*\(nodes\/proxy\)/);
    });

    it("passes when the pulled-in roles are least-privilege or nothing matches", async () => {
        expect((await runStack(policy, [aggregate, labelled("viewer", podsViewer)])).violations).toEqual([]);
        expect((await runStack(policy, [aggregate, labelled("wide", [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }], { other: "x" })])).violations).toEqual([]);
    });

    it("does not match (or crash) on labels unknown at preview", async () => {
        const result = await runStack(policy, [aggregate, labelled("wide", [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }], UNKNOWN)]);
        expect(result.violations).toEqual([]);
        const unknownSelectors = clusterRole("ops", [], { aggregationRule: { clusterRoleSelectors: UNKNOWN } });
        expect((await runStack(policy, [unknownSelectors, labelled("wide", [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }])])).violations).toEqual([]);
    });
});
