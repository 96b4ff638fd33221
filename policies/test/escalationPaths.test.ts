// The escalation paths of issue 16: each policy with violating and compliant roles, wildcard forms and the
// aggregated-ClusterRole form, plus the matcher they share.
import * as fs from "fs";
import * as path from "path";
import { ResourceValidationPolicy } from "@pulumi/policy";
import { coveringResource, readRules, ruleGrants } from "../lib/rbac";
import {
    rbacAggregatedClusterRoles,
    rbacNoAdmissionWebhookWrites,
    rbacNoCsrApproval,
    rbacNoNodeWrites,
    rbacNoPersistentVolumeWrites,
    rbacNoPodExec,
    rbacNoPublicSubjects,
    rbacNoSecretReadInTokenNamespaces,
    rbacNoTokenRequests,
    rbacNoWorkloadCreate,
} from "../rules/rbac";
import { runResource, runStack, TestResource, UNKNOWN, urnFor } from "./harness";

const RBAC = "kubernetes:rbac.authorization.k8s.io/v1";
const CLUSTER_ROLE = `${RBAC}:ClusterRole`;
const CLUSTER_ROLE_PATCH = `${RBAC}:ClusterRolePatch`;
const ROLE = `${RBAC}:Role`;
const ROLE_BINDING = `${RBAC}:RoleBinding`;
const CLUSTER_ROLE_BINDING = `${RBAC}:ClusterRoleBinding`;
const SECRET = "kubernetes:core/v1:Secret";

type Rule = { apiGroups?: string[]; resources?: string[]; verbs: string[]; resourceNames?: string[] };

function clusterRole(name: string, rules: unknown, extra: object = {}): TestResource {
    return { type: CLUSTER_ROLE, name, props: { metadata: { name }, rules, ...extra } };
}
function role(name: string, namespace: string, rules: unknown): TestResource {
    return { type: ROLE, name: `${namespace}-${name}`, props: { metadata: { name, namespace }, rules } };
}
function binding(type: string, name: string, namespace: string | undefined, roleRef: { kind: string; name: string }, subjects: unknown): TestResource {
    return {
        type,
        name: namespace ? `${namespace}-${name}` : name,
        props: { metadata: { name, namespace }, roleRef: { apiGroup: "rbac.authorization.k8s.io", ...roleRef }, subjects },
    };
}
const core = (resources: string[], verbs: string[], extra: Partial<Rule> = {}): Rule => ({ apiGroups: [""], resources, verbs, ...extra });

const podsViewer: Rule[] = [
    core(["pods", "services"], ["get", "list", "watch"]),
    { apiGroups: ["apps"], resources: ["deployments"], verbs: ["get", "list", "watch"] },
];

describe("the RBAC matcher", () => {
    it.each([
        [["pods/exec"], "pods/exec", "pods/exec"],
        [["*"], "pods/exec", "*"],
        [["*/exec"], "pods/exec", "*/exec"],
        [["pods/*"], "pods/exec", "pods/*"],
        [["*"], "pods", "*"],
        [["pods"], "pods", "pods"],
        [["pods"], "pods/exec", undefined],
        [["*/exec"], "pods", undefined],
        [["pods/*"], "pods", undefined],
        [["*/log"], "pods/exec", undefined],
        [["nodes/*"], "pods/exec", undefined],
    ])("resources %j cover %s through %s", (resources, resource, via) => {
        expect(coveringResource(resources, resource)).toBe(via);
    });

    const grant = (rule: Rule, apiGroup: string, resource: string, verbs: string[] | "any") => ruleGrants(readRules([rule])[0], { apiGroup, resource, verbs });

    it("counts verbs '*' as every verb and apiGroups '*' as every group", () => {
        expect(grant({ apiGroups: ["*"], resources: ["pods"], verbs: ["*"] }, "", "pods", ["create"])).toMatchObject({ verbs: ["*"], via: "pods", anyGroup: true });
        expect(grant(core(["pods"], ["get", "create", "patch"]), "", "pods", ["create", "update", "patch"])).toMatchObject({ verbs: ["create", "patch"], anyGroup: false });
    });

    it("needs the group, the resource and one of the verbs", () => {
        expect(grant({ apiGroups: ["apps"], resources: ["pods"], verbs: ["create"] }, "", "pods", ["create"])).toBeUndefined();
        expect(grant(core(["services"], ["create"]), "", "pods", ["create"])).toBeUndefined();
        expect(grant(core(["pods"], ["get"]), "", "pods", ["create"])).toBeUndefined();
        expect(grant(core(["pods"], []), "", "pods", "any")).toBeUndefined();
    });

    it("grants no create (nor deletecollection) on a top-level resource through resourceNames, which create requests never match", () => {
        expect(grant(core(["pods"], ["create"], { resourceNames: ["web"] }), "", "pods", ["create"])).toBeUndefined();
        expect(grant(core(["pods"], ["*"], { resourceNames: ["web"] }), "", "pods", ["create"])).toBeUndefined();
        expect(grant(core(["pods"], ["create", "patch"], { resourceNames: ["web"] }), "", "pods", ["create", "patch"])).toMatchObject({ verbs: ["patch"] });
        expect(grant(core(["pods"], ["*"], { resourceNames: ["web"] }), "", "pods", ["create", "patch"])).toMatchObject({ verbs: ["*"] });
        // A subresource request names its parent object, so resourceNames narrows it and create stays granted.
        expect(grant(core(["serviceaccounts/token"], ["create"], { resourceNames: ["ci"] }), "", "serviceaccounts/token", ["create"])).toMatchObject({ verbs: ["create"], resourceNames: ["ci"] });
    });
});

interface RulePolicyCase {
    policy: ResourceValidationPolicy;
    /** [what, rules]: each must be reported, the message naming the policy's resource. */
    violating: [string, Rule[]][];
    compliant: [string, Rule[]][];
    /** A phrase every violation message contains. */
    says: RegExp;
}

const RULE_POLICIES: Record<string, RulePolicyCase> = {
    "rbac-no-pod-exec": {
        policy: rbacNoPodExec(),
        violating: [
            ["create on pods/exec", [core(["pods/exec"], ["create"])]],
            ["get on pods/attach (the WebSocket form)", [core(["pods/attach"], ["get"])]],
            ["create on pods/portforward", [core(["pods/portforward"], ["create"])]],
            ["patch on pods/ephemeralcontainers (kubectl debug)", [core(["pods/ephemeralcontainers"], ["patch"])]],
            ["verbs '*' on pods/exec", [core(["pods/exec"], ["*"])]],
            ["resources '*' in the core group", [core(["*"], ["create"])]],
            ["'*/exec'", [core(["*/exec"], ["create"])]],
            ["'pods/*'", [core(["pods/*"], ["get"])]],
            ["apiGroups '*'", [{ apiGroups: ["*"], resources: ["pods/exec"], verbs: ["create"] }]],
            ["pods/exec narrowed to one pod", [core(["pods/exec"], ["create"], { resourceNames: ["db-0"] })]],
        ],
        compliant: [
            ["pods-viewer", podsViewer],
            ["logs", [core(["pods/log"], ["get", "list"])]],
            ["pods/exec in another API group", [{ apiGroups: ["metrics.k8s.io"], resources: ["pods/exec"], verbs: ["create"] }]],
            ["reading ephemeral containers", [core(["pods/ephemeralcontainers"], ["get"])]],
        ],
        says: /a shell in \(or a tunnel into\) every pod it covers/,
    },
    "rbac-no-workload-create": {
        policy: rbacNoWorkloadCreate(),
        violating: [
            ["create on pods", [core(["pods"], ["create"])]],
            ["create on deployments", [{ apiGroups: ["apps"], resources: ["deployments"], verbs: ["create"] }]],
            ["update on daemonsets", [{ apiGroups: ["apps"], resources: ["daemonsets"], verbs: ["update"] }]],
            ["patch on cronjobs", [{ apiGroups: ["batch"], resources: ["cronjobs"], verbs: ["patch"] }]],
            ["create on replicationcontrollers", [core(["replicationcontrollers"], ["create"])]],
            ["verbs '*' on statefulsets", [{ apiGroups: ["apps"], resources: ["statefulsets"], verbs: ["*"] }]],
            ["resources '*' in batch", [{ apiGroups: ["batch"], resources: ["*"], verbs: ["create"] }]],
            ["apiGroups '*' with jobs", [{ apiGroups: ["*"], resources: ["jobs"], verbs: ["create"] }]],
            ["patch on a named deployment", [{ apiGroups: ["apps"], resources: ["deployments"], resourceNames: ["web"], verbs: ["patch"] }]],
        ],
        compliant: [
            ["pods-viewer", podsViewer],
            ["delete on pods", [core(["pods"], ["delete", "deletecollection"])]],
            ["deployments in the core group, which serves none", [core(["deployments"], ["create"])]],
            ["deployments/scale", [{ apiGroups: ["apps"], resources: ["deployments/scale"], verbs: ["update", "patch"] }]],
            ["create narrowed by resourceNames, which never matches a create", [core(["pods"], ["create"], { resourceNames: ["web"] })]],
        ],
        says: /the pods it starts can mount any ServiceAccount of their namespace/,
    },
    "rbac-no-token-requests": {
        policy: rbacNoTokenRequests(),
        violating: [
            ["create on serviceaccounts/token", [core(["serviceaccounts/token"], ["create"])]],
            ["'serviceaccounts/*'", [core(["serviceaccounts/*"], ["create"])]],
            ["'*/token'", [core(["*/token"], ["create"])]],
            ["resources and verbs '*'", [core(["*"], ["*"])]],
            ["a token for one named account", [core(["serviceaccounts/token"], ["create"], { resourceNames: ["calico-cni-plugin"] })]],
        ],
        compliant: [
            ["pods-viewer", podsViewer],
            ["managing ServiceAccounts themselves", [core(["serviceaccounts"], ["get", "create", "patch"])]],
            ["get on serviceaccounts/token", [core(["serviceaccounts/token"], ["get"])]],
        ],
        says: /it mints tokens for the ServiceAccounts it covers/,
    },
    "rbac-no-csr-approval": {
        policy: rbacNoCsrApproval(),
        violating: [
            ["update on approval with approve on the kube-apiserver-client signer", [
                { apiGroups: ["certificates.k8s.io"], resources: ["certificatesigningrequests/approval"], verbs: ["update"] },
                { apiGroups: ["certificates.k8s.io"], resources: ["signers"], resourceNames: ["kubernetes.io/kube-apiserver-client"], verbs: ["approve"] },
            ]],
            ["patch on approval with approve on every signer", [
                { apiGroups: ["certificates.k8s.io"], resources: ["certificatesigningrequests/approval"], verbs: ["patch"] },
                { apiGroups: ["certificates.k8s.io"], resources: ["signers"], verbs: ["approve"] },
            ]],
            ["approve on kubernetes.io/*, approval through '*/approval'", [
                { apiGroups: ["certificates.k8s.io"], resources: ["*/approval"], verbs: ["update"] },
                { apiGroups: ["certificates.k8s.io"], resources: ["signers"], resourceNames: ["kubernetes.io/*"], verbs: ["approve"] },
            ]],
            ["the kubelet client signer (node identities)", [
                { apiGroups: ["certificates.k8s.io"], resources: ["certificatesigningrequests/approval", "signers"], resourceNames: ["kubernetes.io/kube-apiserver-client-kubelet"], verbs: ["update", "approve"] },
            ]],
            ["one rule with '*' resources and verbs in the group", [{ apiGroups: ["certificates.k8s.io"], resources: ["*"], verbs: ["*"] }]],
            ["everything", [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }]],
        ],
        compliant: [
            ["pods-viewer", podsViewer],
            ["the approval half alone", [{ apiGroups: ["certificates.k8s.io"], resources: ["certificatesigningrequests/approval"], verbs: ["update"] }]],
            ["the signer half alone", [{ apiGroups: ["certificates.k8s.io"], resources: ["signers"], verbs: ["approve"] }]],
            ["approval for a signer of its own", [
                { apiGroups: ["certificates.k8s.io"], resources: ["certificatesigningrequests/approval"], verbs: ["update"] },
                { apiGroups: ["certificates.k8s.io"], resources: ["signers"], resourceNames: ["example.com/internal-ca"], verbs: ["approve"] },
            ]],
            ["approval for kubelet serving certificates", [
                { apiGroups: ["certificates.k8s.io"], resources: ["certificatesigningrequests/approval"], verbs: ["update"] },
                { apiGroups: ["certificates.k8s.io"], resources: ["signers"], resourceNames: ["kubernetes.io/kubelet-serving"], verbs: ["approve"] },
            ]],
            ["creating and reading CSRs", [{ apiGroups: ["certificates.k8s.io"], resources: ["certificatesigningrequests"], verbs: ["create", "get", "list", "watch"] }]],
        ],
        says: /together they approve a client certificate request for any user name and group, system:masters included/,
    },
    "rbac-no-admission-webhook-writes": {
        policy: rbacNoAdmissionWebhookWrites(),
        violating: [
            ["create on mutatingwebhookconfigurations", [{ apiGroups: ["admissionregistration.k8s.io"], resources: ["mutatingwebhookconfigurations"], verbs: ["create"] }]],
            ["patch on a named validatingwebhookconfiguration", [{ apiGroups: ["admissionregistration.k8s.io"], resources: ["validatingwebhookconfigurations"], resourceNames: ["guard"], verbs: ["patch"] }]],
            ["delete on validatingwebhookconfigurations", [{ apiGroups: ["admissionregistration.k8s.io"], resources: ["validatingwebhookconfigurations"], verbs: ["delete"] }]],
            ["resources '*' in the group", [{ apiGroups: ["admissionregistration.k8s.io"], resources: ["*"], verbs: ["update"] }]],
            ["apiGroups '*' and verbs '*'", [{ apiGroups: ["*"], resources: ["mutatingwebhookconfigurations"], verbs: ["*"] }]],
        ],
        compliant: [
            ["pods-viewer", podsViewer],
            ["reading webhook configurations", [{ apiGroups: ["admissionregistration.k8s.io"], resources: ["mutatingwebhookconfigurations", "validatingwebhookconfigurations"], verbs: ["get", "list", "watch"] }]],
        ],
        says: /receives \(and may change or refuse\) every API request it selects/,
    },
    "rbac-no-persistent-volume-writes": {
        policy: rbacNoPersistentVolumeWrites(),
        violating: [
            ["create on persistentvolumes", [core(["persistentvolumes"], ["create"])]],
            ["patch on persistentvolumes", [core(["persistentvolumes"], ["patch"])]],
            ["verbs '*'", [core(["persistentvolumes"], ["*"])]],
            ["resources '*' in the core group", [core(["*"], ["create"])]],
        ],
        compliant: [
            ["pods-viewer", podsViewer],
            ["claims", [core(["persistentvolumeclaims"], ["create", "delete"])]],
            ["reading volumes", [core(["persistentvolumes"], ["get", "list", "watch"])]],
            ["persistentvolumes in another group", [{ apiGroups: ["storage.k8s.io"], resources: ["persistentvolumes"], verbs: ["create"] }]],
        ],
        says: /can be a hostPath on a node/,
    },
    "rbac-no-node-writes": {
        policy: rbacNoNodeWrites(),
        violating: [
            ["patch on nodes", [core(["nodes"], ["patch"])]],
            ["delete on nodes", [core(["nodes"], ["delete"])]],
            ["update on nodes/status", [core(["nodes/status"], ["update"])]],
            ["patch through 'nodes/*'", [core(["nodes/*"], ["patch"])]],
            ["patch through '*/status'", [core(["*/status"], ["patch"])]],
            ["verbs '*' on nodes", [core(["nodes"], ["*"])]],
            ["the flannel agent's own rule, when not exempt", [core(["nodes/status"], ["patch"])]],
        ],
        compliant: [
            ["pods-viewer", podsViewer],
            ["reading nodes and their status", [core(["nodes", "nodes/status"], ["get", "list", "watch"])]],
            ["nodes in another group", [{ apiGroups: ["metrics.k8s.io"], resources: ["nodes"], verbs: ["update"] }]],
        ],
        says: /it rewrites node labels, taints, addresses or conditions/,
    },
};

describe.each(Object.entries(RULE_POLICIES))("%s", (name, { policy, violating, compliant, says }) => {
    it("is named as configured", () => {
        expect(policy.name).toBe(name);
    });

    it.each(violating)("flags %s, in a ClusterRole, a Role and a ClusterRolePatch", async (_what, rules) => {
        for (const resource of [
            clusterRole("wide", rules),
            role("wide", "team-a", rules),
            { type: CLUSTER_ROLE_PATCH, name: "edit", props: { metadata: { name: "edit" }, rules } },
        ]) {
            const v = await runResource(policy, resource);
            expect(v).toHaveLength(1);
            expect(v[0]).toMatch(/^(Cluster)?Role '(wide|edit)': rules\[\d+\] grants /);
            expect(v[0]).toMatch(says);
        }
    });

    it.each(compliant)("passes %s", async (_what, rules) => {
        expect(await runResource(policy, clusterRole("narrow", rules))).toEqual([]);
    });

    it("skips exempt roles: a ClusterRole by name, a Role only in its namespace", async () => {
        const rules = violating[0][1];
        expect(await runResource(policy, clusterRole("agent", rules), { exemptRoles: ["agent"] })).toEqual([]);
        expect(await runResource(policy, role("deployer", "ci", rules), { exemptRoles: ["ci/deployer"] })).toEqual([]);
        expect(await runResource(policy, role("deployer", "prod", rules), { exemptRoles: ["ci/deployer"] })).toHaveLength(1);
    });

    it("leaves an aggregated ClusterRole to rbac-aggregated-cluster-roles (the controller overwrites its rules)", async () => {
        const aggregated = clusterRole("agg", violating[0][1]);
        (aggregated.props as Record<string, unknown>).aggregationRule = { clusterRoleSelectors: [{ matchLabels: { agg: "true" } }] };
        expect(await runResource(policy, aggregated)).toEqual([]);
    });

    it("does not crash on unknowns at preview", async () => {
        expect(await runResource(policy, clusterRole("x", UNKNOWN))).toEqual([]);
        expect(await runResource(policy, clusterRole("x", [UNKNOWN, { apiGroups: UNKNOWN, resources: UNKNOWN, verbs: UNKNOWN }]))).toEqual([]);
    });
});

describe("rbac-no-pod-exec messages", () => {
    it("name each subresource and how it is reached", async () => {
        const v = await runResource(rbacNoPodExec(), clusterRole("debug", [core(["*"], ["create", "get"], { resourceNames: ["db-0"] })]));
        expect(v).toEqual([expect.stringContaining("rules[0] grants 'create', 'get' on pods/exec, pods/attach, pods/portforward named 'db-0' (through '*')")]);
    });
});

describe("rbac-no-csr-approval messages", () => {
    it("name both halves", async () => {
        const v = await runResource(rbacNoCsrApproval(), clusterRole("approver", RULE_POLICIES["rbac-no-csr-approval"].violating[0][1]));
        expect(v[0]).toMatch(/rules\[0\] grants 'update' on certificatesigningrequests\/approval and rules\[1\] grants 'approve' on signers named 'kubernetes.io\/kube-apiserver-client'/);
    });
});

describe("rbac-aggregated-cluster-roles with the new paths", () => {
    const policy = rbacAggregatedClusterRoles();
    const label = { "kube-baseline/aggregate-to-ops": "true" };
    const aggregate = clusterRole("ops", [], { aggregationRule: { clusterRoleSelectors: [{ matchLabels: label }] } });
    const labelled = (name: string, rules: unknown) => ({ type: CLUSTER_ROLE, name, props: { metadata: { name, labels: label }, rules } });

    it.each([
        ["pod exec", RULE_POLICIES["rbac-no-pod-exec"].violating[0][1]],
        ["workload create", RULE_POLICIES["rbac-no-workload-create"].violating[1][1]],
        ["token request", RULE_POLICIES["rbac-no-token-requests"].violating[0][1]],
        ["admission webhook write", RULE_POLICIES["rbac-no-admission-webhook-writes"].violating[0][1]],
        ["PersistentVolume write", RULE_POLICIES["rbac-no-persistent-volume-writes"].violating[0][1]],
        ["node write", RULE_POLICIES["rbac-no-node-writes"].violating[0][1]],
        ["CSR approval", RULE_POLICIES["rbac-no-csr-approval"].violating[0][1]],
    ])("flags an aggregated role that pulls in %s", async (kind, rules) => {
        const result = await runStack(policy, [aggregate, labelled("source", rules)]);
        expect(result.violations).toEqual([{ message: expect.stringContaining(`(${kind}).`), urn: urnFor(CLUSTER_ROLE, "ops") }]);
        expect(result.violations[0].message).toMatch(/^ClusterRole 'ops' aggregates ClusterRole 'source'/);
    });

    it("flags CSR approval split over two aggregated roles", async () => {
        const [approval, signer] = RULE_POLICIES["rbac-no-csr-approval"].violating[0][1];
        const result = await runStack(policy, [aggregate, labelled("approves", [approval]), labelled("signs", [signer])]);
        expect(result.violations).toHaveLength(1);
        expect(result.violations[0].message).toMatch(/aggregates ClusterRole 'approves', whose rules\[0\] grants 'update'.*, and ClusterRole 'signs', whose rules\[0\] grants 'approve'.*\(CSR approval\)\.$/);
    });

    it("passes an aggregate of least-privilege roles", async () => {
        expect((await runStack(policy, [aggregate, labelled("viewer", podsViewer), labelled("approves", [RULE_POLICIES["rbac-no-csr-approval"].violating[0][1][0]])])).violations).toEqual([]);
    });
});

describe("rbac-no-public-subjects", () => {
    const policy = rbacNoPublicSubjects();

    it.each([
        ["Group", "system:authenticated", /every user and ServiceAccount with any valid credential/],
        ["Group", "system:unauthenticated", /every request that carries no credential/],
        ["User", "system:anonymous", /every request that carries no credential/],
        ["Group", "system:anonymous", /every request that carries no credential/],
    ])("flags a binding to %s %s", async (kind, name, who) => {
        for (const b of [
            binding(ROLE_BINDING, "open", "team-a", { kind: "ClusterRole", name: "view" }, [{ kind, name }]),
            binding(CLUSTER_ROLE_BINDING, "open", undefined, { kind: "ClusterRole", name: "view" }, [{ kind: "User", name: "alice" }, { kind, name }]),
        ]) {
            const v = await runResource(policy, b);
            expect(v).toHaveLength(1);
            expect(v[0]).toMatch(new RegExp(`RoleBinding 'open' grants ClusterRole 'view' to ${kind} '${name}', that is to `));
            expect(v[0]).toMatch(who);
        }
    });

    it("passes bindings to named users, groups and ServiceAccounts (the dev stack's)", async () => {
        const subjects = [{ kind: "User", name: "wang" }, { kind: "Group", name: "ops" }, { kind: "ServiceAccount", name: "dashboard", namespace: "dev" }];
        expect(await runResource(policy, binding(ROLE_BINDING, "pods-viewers", "dev", { kind: "ClusterRole", name: "pods-viewer" }, subjects))).toEqual([]);
    });

    it("skips exempt bindings (a RoleBinding by namespace/name) and takes more public names from config", async () => {
        const clusterInfo = binding(ROLE_BINDING, "cluster-info", "kube-public", { kind: "Role", name: "cluster-info-reader" }, [{ kind: "User", name: "system:anonymous" }]);
        expect(await runResource(policy, clusterInfo, { exemptBindings: ["kube-public/cluster-info"] })).toEqual([]);
        expect(await runResource(policy, clusterInfo, { exemptBindings: ["default/cluster-info"] })).toHaveLength(1);
        const allServiceAccounts = binding(CLUSTER_ROLE_BINDING, "sa", undefined, { kind: "ClusterRole", name: "view" }, [{ kind: "Group", name: "system:serviceaccounts" }]);
        expect(await runResource(policy, allServiceAccounts)).toEqual([]);
        expect(await runResource(policy, allServiceAccounts, { publicSubjects: ["system:serviceaccounts"] })).toHaveLength(1);
    });

    it("does not crash on unknown subjects", async () => {
        expect(await runResource(policy, binding(CLUSTER_ROLE_BINDING, "b", undefined, { kind: "ClusterRole", name: UNKNOWN }, UNKNOWN))).toEqual([]);
        expect(await runResource(policy, binding(CLUSTER_ROLE_BINDING, "b", undefined, { kind: "ClusterRole", name: "view" }, [{ kind: "Group", name: UNKNOWN }]))).toEqual([]);
    });
});

describe("rbac-no-secret-read-in-token-namespaces", () => {
    const policy = rbacNoSecretReadInTokenNamespaces();
    const readSecrets = [core(["secrets"], ["get", "list", "watch"])];
    const tokenSecret: TestResource = {
        type: SECRET,
        name: "dashboard-token",
        props: {
            type: "kubernetes.io/service-account-token",
            metadata: { name: "dashboard-token", namespace: "dev", annotations: { "kubernetes.io/service-account.name": "dashboard" } },
        },
    };
    const run = async (resources: TestResource[], config: object = {}) => (await runStack(policy, resources, config)).violations;

    it("flags a Role that reads Secrets in kube-system, against the Role", async () => {
        const v = await run([role("reader", "kube-system", readSecrets)]);
        expect(v).toEqual([{
            message: expect.stringMatching(/^Role 'reader' in namespace 'kube-system': rules\[0\] grants 'get', 'list', 'watch' on secrets; namespace 'kube-system' holds the ServiceAccount tokens/),
            urn: urnFor(ROLE, "kube-system-reader"),
        }]);
    });

    it("counts '*' resources and verbs as a read", async () => {
        expect(await run([role("all", "kube-system", [core(["*"], ["*"])])])).toHaveLength(1);
    });

    it("passes reads narrowed to named Secrets (the program's BGP password reader) and reads in other namespaces", async () => {
        expect(await run([role("kube-baseline-bgp-passwords", "kube-system", [core(["secrets"], ["get", "list", "watch"], { resourceNames: ["bgp-password"] })])])).toEqual([]);
        expect(await run([role("reader", "team-a", readSecrets)])).toEqual([]);
    });

    it("flags reads in a namespace that holds a ServiceAccount token Secret, naming it", async () => {
        const v = await run([tokenSecret, role("reader", "dev", readSecrets)]);
        expect(v).toHaveLength(1);
        expect(v[0].message).toMatch(/namespace 'dev' holds the ServiceAccount token Secret 'dashboard-token' \(ServiceAccount 'dashboard'\)/);
        expect(await run([role("reader", "dev", readSecrets)])).toEqual([]);
    });

    it("flags a read narrowed to the token Secret itself, not one narrowed to other Secrets", async () => {
        const named = (names: string[]) => role("reader", "dev", [core(["secrets"], ["get"], { resourceNames: names })]);
        const v = await run([tokenSecret, named(["app-config", "dashboard-token"])]);
        expect(v).toHaveLength(1);
        expect(v[0].message).toMatch(/grants 'get' on secrets named 'dashboard-token'/);
        expect(await run([tokenSecret, named(["app-config"])])).toEqual([]);
    });

    it("flags a RoleBinding there to a built-in or a stack ClusterRole that reads Secrets, against the binding", async () => {
        const toEdit = binding(ROLE_BINDING, "editors", "kube-system", { kind: "ClusterRole", name: "edit" }, [{ kind: "Group", name: "ops" }]);
        expect(await run([toEdit])).toEqual([{
            message: expect.stringMatching(/^RoleBinding 'editors' in namespace 'kube-system' grants ClusterRole 'edit', which reads every Secret; /),
            urn: urnFor(ROLE_BINDING, "kube-system-editors"),
        }]);
        const toReader = binding(ROLE_BINDING, "readers", "dev", { kind: "ClusterRole", name: "secret-reader" }, [{ kind: "User", name: "alice" }]);
        const v = await run([tokenSecret, clusterRole("secret-reader", readSecrets), toReader]);
        expect(v.map(x => x.message)).toEqual([expect.stringMatching(/^RoleBinding 'readers' in namespace 'dev' grants ClusterRole 'secret-reader', whose rules\[0\] grants 'get', 'list', 'watch' on secrets; namespace 'dev' holds the ServiceAccount token Secret 'dashboard-token'/)]);
    });

    it("follows a RoleBinding to an aggregated ClusterRole into the roles it pulls in", async () => {
        const label = { "kube-baseline/aggregate-to-ops": "true" };
        const aggregate = clusterRole("ops", [], { aggregationRule: { clusterRoleSelectors: [{ matchLabels: label }] } });
        const source = { type: CLUSTER_ROLE, name: "reader", props: { metadata: { name: "reader", labels: label }, rules: readSecrets } };
        const toOps = binding(ROLE_BINDING, "ops", "kube-system", { kind: "ClusterRole", name: "ops" }, [{ kind: "Group", name: "ops" }]);
        const v = await run([aggregate, source, toOps]);
        expect(v).toHaveLength(1);
        expect(v[0].message).toMatch(/grants ClusterRole 'ops', which aggregates ClusterRole 'reader', whose rules\[0\] grants 'get', 'list', 'watch' on secrets/);
    });

    it("flags a ClusterRoleBinding to a ClusterRole that reads Secrets: it reads them in kube-system too", async () => {
        const v = await run([clusterRole("secret-reader", readSecrets), binding(CLUSTER_ROLE_BINDING, "readers", undefined, { kind: "ClusterRole", name: "secret-reader" }, [{ kind: "User", name: "alice" }])]);
        expect(v).toHaveLength(1);
        expect(v[0].message).toMatch(/^ClusterRoleBinding 'readers' grants ClusterRole 'secret-reader' in every namespace, whose rules\[0\] grants /);
        expect(v[0].message).toMatch(/namespace 'kube-system'/);
    });

    it("takes protectedNamespaces and exemptRoles from config", async () => {
        const reader = role("reader", "vault", readSecrets);
        expect(await run([reader])).toEqual([]);
        expect(await run([reader], { protectedNamespaces: ["vault"] })).toHaveLength(1);
        expect(await run([role("reader", "kube-system", readSecrets)], { exemptRoles: ["kube-system/reader"] })).toEqual([]);
        const toEdit = binding(ROLE_BINDING, "editors", "kube-system", { kind: "ClusterRole", name: "edit" }, []);
        expect(await run([toEdit], { exemptRoles: ["edit"] })).toEqual([]);
    });

    it("passes the dev stack's RBAC: pods-viewer bound in dev next to the dashboard's token Secret", async () => {
        const subjects = [{ kind: "User", name: "wang" }, { kind: "User", name: "alice" }, { kind: "Group", name: "ops" }];
        const v = await run([
            tokenSecret,
            clusterRole("pods-viewer", podsViewer),
            binding(ROLE_BINDING, "pods-viewers", "dev", { kind: "ClusterRole", name: "pods-viewer" }, subjects),
            binding(ROLE_BINDING, "dashboard-pods-viewer", "dev", { kind: "ClusterRole", name: "pods-viewer" }, [{ kind: "ServiceAccount", name: "dashboard", namespace: "dev" }]),
            binding(ROLE_BINDING, "pods-viewers", "staging", { kind: "ClusterRole", name: "pods-viewer" }, [{ kind: "Group", name: "ops" }]),
        ]);
        expect(v).toEqual([]);
    });

    it("does not crash on unknowns at preview", async () => {
        const v = await run([
            { type: SECRET, name: "s", props: { type: UNKNOWN, metadata: { name: "s", namespace: "dev" } } },
            { type: ROLE, name: "r", props: { metadata: { name: "r", namespace: UNKNOWN }, rules: readSecrets } },
            binding(ROLE_BINDING, "b", "kube-system", { kind: "ClusterRole", name: UNKNOWN }, []),
        ]);
        expect(v).toEqual([]);
    });
});

describe("the shipped configs and the dev stack", () => {
    // The dev stack's roles (Pulumi.dev.yaml and the Flannel-shaped fixture it installs) under config/dev.json.
    const devConfig = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "config", "dev.json"), "utf8")) as Record<string, object>;
    const flannel = clusterRole("flannel", [
        core(["pods"], ["get"]),
        core(["nodes"], ["get", "list", "watch"]),
        core(["nodes/status"], ["patch"]),
    ]);

    it.each(Object.keys(RULE_POLICIES))("%s passes pods-viewer and Flannel's ClusterRole", async name => {
        const { policy } = RULE_POLICIES[name];
        for (const r of [clusterRole("pods-viewer", podsViewer), flannel]) expect(await runResource(policy, r, devConfig[name])).toEqual([]);
    });

    it("exempts Flannel from rbac-no-node-writes only by name", async () => {
        expect(await runResource(rbacNoNodeWrites(), flannel)).toHaveLength(1);
    });
});
