import {
    defaultDenyDirections,
    namespaceDefaultDenyNetworkPolicy,
    namespacePodSecurityEnforce,
    serviceAccountNoTokenAutomount,
    workloadsNoHostAccess,
} from "../rules/workloads";
import { runResource, runStack, UNKNOWN, urnFor } from "./harness";

const NAMESPACE = "kubernetes:core/v1:Namespace";
const NAMESPACE_PATCH = "kubernetes:core/v1:NamespacePatch";
const SERVICE_ACCOUNT = "kubernetes:core/v1:ServiceAccount";
const NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
const ENFORCE = "pod-security.kubernetes.io/enforce";

function namespace(name: string, enforce?: unknown) {
    return { type: NAMESPACE, name, props: { metadata: { name, labels: enforce === undefined ? {} : { [ENFORCE]: enforce } } } };
}

describe("namespace-pod-security-enforce", () => {
    const policy = namespacePodSecurityEnforce();

    it("flags a namespace without the enforce label, or at privileged", async () => {
        expect(await runResource(policy, namespace("team-a"))).toEqual([expect.stringMatching(/Namespace 'team-a' has no pod-security.kubernetes.io\/enforce label/)]);
        expect(await runResource(policy, namespace("team-a", "privileged"))).toEqual([expect.stringMatching(/enforces Pod Security level 'privileged'/)]);
    });

    it("passes baseline and restricted", async () => {
        expect(await runResource(policy, namespace("team-a", "restricted"))).toEqual([]);
        expect(await runResource(policy, namespace("team-a", "baseline"))).toEqual([]);
    });

    it("honours configured levels and exemptions", async () => {
        expect(await runResource(policy, namespace("team-a", "baseline"), { allowedLevels: ["restricted"] })).toHaveLength(1);
        expect(await runResource(policy, namespace("kube-flannel", "privileged"), { exemptNamespaces: ["kube-flannel"] })).toEqual([]);
    });

    it("judges a NamespacePatch only by the label it sets", async () => {
        expect(await runResource(policy, { type: NAMESPACE_PATCH, props: { metadata: { name: "kube-system", labels: { team: "x" } } } })).toEqual([]);
        expect(await runResource(policy, { type: NAMESPACE_PATCH, props: { metadata: { name: "default", labels: { [ENFORCE]: "privileged" } } } })).toHaveLength(1);
    });

    it("does not crash on an unknown label or name", async () => {
        expect(await runResource(policy, namespace("team-a", UNKNOWN))).toEqual([]);
        expect(await runResource(policy, { type: NAMESPACE, name: "ns", props: { metadata: { name: UNKNOWN, labels: UNKNOWN } } })).toEqual([]);
    });
});

describe("workloads-no-host-access", () => {
    const policy = workloadsNoHostAccess();
    const restricted = namespace("apps", "restricted");
    const pod = (spec: object, namespaceName: unknown = "apps") => ({
        type: "kubernetes:core/v1:Pod", name: "p", props: { metadata: { name: "p", namespace: namespaceName }, spec },
    });
    const container = { name: "app", image: "nginx" };

    it.each([
        ["hostNetwork", { hostNetwork: true, containers: [container] }, /hostNetwork: true/],
        ["hostPID", { hostPID: true, containers: [container] }, /hostPID: true/],
        ["hostIPC", { hostIPC: true, containers: [container] }, /hostIPC: true/],
        ["hostPath", { containers: [container], volumes: [{ name: "root", hostPath: { path: "/" } }] }, /hostPath volume 'root' \(\/\)/],
        ["privileged", { containers: [{ ...container, securityContext: { privileged: true } }] }, /privileged container 'app'/],
    ])("flags a %s pod in a restricted namespace", async (_what, spec, message) => {
        const result = await runStack(policy, [restricted, pod(spec)]);
        expect(result.violations).toHaveLength(1);
        expect(result.violations[0].message).toMatch(message);
        expect(result.violations[0].urn).toBe(urnFor("kubernetes:core/v1:Pod", "p"));
    });

    it("looks into every workload's pod template, init containers included", async () => {
        const template = { template: { spec: { initContainers: [{ name: "init", securityContext: { privileged: true } }], containers: [container] } } };
        const kinds = ["apps/v1:Deployment", "apps/v1:DaemonSet", "apps/v1:StatefulSet", "apps/v1:ReplicaSet", "batch/v1:Job", "core/v1:ReplicationController"];
        const workloads = kinds.map(k => ({ type: `kubernetes:${k}`, name: k, props: { metadata: { name: "w", namespace: "apps" }, spec: template } }));
        const cronJob = { type: "kubernetes:batch/v1:CronJob", name: "cron", props: { metadata: { namespace: "apps" }, spec: { jobTemplate: { spec: template } } } };
        const result = await runStack(policy, [restricted, ...workloads, cronJob]);
        expect(result.violations).toHaveLength(kinds.length + 1);
    });

    it("leaves pods in other namespaces alone, and passes compliant pods in restricted ones", async () => {
        const privileged = { hostNetwork: true, containers: [container] };
        expect((await runStack(policy, [restricted, namespace("kube-flannel", "privileged"), pod(privileged, "kube-flannel")])).violations).toEqual([]);
        expect((await runStack(policy, [restricted, pod({ containers: [container], volumes: [{ name: "tmp", emptyDir: {} }] })])).violations).toEqual([]);
    });

    it("treats configured namespaces as restricted, the default namespace for pods without one", async () => {
        const noNamespace = { type: "kubernetes:core/v1:Pod", name: "p", props: { metadata: { name: "p" }, spec: { hostPID: true, containers: [container] } } };
        expect((await runStack(policy, [noNamespace], { restrictedNamespaces: ["default"] })).violations).toHaveLength(1);
        expect((await runStack(policy, [noNamespace])).violations).toEqual([]);
    });

    it("does not crash on unknown namespaces or pod fields", async () => {
        expect((await runStack(policy, [restricted, pod({ hostNetwork: true }, UNKNOWN)])).violations).toEqual([]);
        const unknownFields = pod({ hostNetwork: UNKNOWN, volumes: [UNKNOWN, { name: "v", hostPath: UNKNOWN }], containers: UNKNOWN });
        expect((await runStack(policy, [restricted, unknownFields])).violations).toEqual([]);
        expect((await runStack(policy, [restricted, { ...pod({}), props: { metadata: { namespace: "apps" }, spec: UNKNOWN } }])).violations).toEqual([]);
    });
});

describe("serviceaccount-no-token-automount", () => {
    const policy = serviceAccountNoTokenAutomount();
    const sa = (automount: unknown, type = SERVICE_ACCOUNT) => ({
        type, name: "sa", props: { metadata: { name: "deployer", namespace: "ci" }, automountServiceAccountToken: automount },
    });

    it("flags a ServiceAccount that leaves automount unset or sets it true", async () => {
        expect(await runResource(policy, sa(undefined))).toEqual([expect.stringMatching(/'ci\/deployer' leaves automountServiceAccountToken unset/)]);
        expect(await runResource(policy, sa(true))).toHaveLength(1);
    });

    it("passes automount false, exempt accounts, patches that leave it alone, and unknowns", async () => {
        expect(await runResource(policy, sa(false))).toEqual([]);
        expect(await runResource(policy, sa(undefined), { exemptServiceAccounts: ["ci/deployer"] })).toEqual([]);
        expect(await runResource(policy, sa(undefined, "kubernetes:core/v1:ServiceAccountPatch"))).toEqual([]);
        expect(await runResource(policy, sa(true, "kubernetes:core/v1:ServiceAccountPatch"))).toHaveLength(1);
        expect(await runResource(policy, sa(UNKNOWN))).toEqual([]);
    });
});

describe("namespace-default-deny-network-policy", () => {
    const policy = namespaceDefaultDenyNetworkPolicy();
    const netpol = (name: string, namespaceName: unknown, spec: unknown) => ({ type: NETWORK_POLICY, name, props: { metadata: { name, namespace: namespaceName }, spec } });
    const denyAll = { podSelector: {}, policyTypes: ["Ingress", "Egress"] };

    it("flags a namespace with no NetworkPolicy", async () => {
        const result = await runStack(policy, [namespace("apps", "restricted")]);
        expect(result.violations).toEqual([{ message: expect.stringMatching(/Namespace 'apps' has no default-deny NetworkPolicy for Ingress and Egress/), urn: urnFor(NAMESPACE, "apps") }]);
    });

    it("passes a namespace with podSelector {}, both policy types and no rules", async () => {
        expect((await runStack(policy, [namespace("apps"), netpol("deny", "apps", denyAll)])).violations).toEqual([]);
        expect((await runStack(policy, [namespace("apps"), netpol("deny", "apps", { ...denyAll, ingress: [], egress: [] })])).violations).toEqual([]);
    });

    it("accepts separate ingress and egress default-deny policies", async () => {
        const result = await runStack(policy, [namespace("apps"),
            netpol("deny-in", "apps", { podSelector: {}, policyTypes: ["Ingress"] }),
            netpol("deny-out", "apps", { podSelector: {}, policyTypes: ["Egress"] })]);
        expect(result.violations).toEqual([]);
    });

    it("does not count policies that select some pods, allow traffic, or leave out Egress", async () => {
        const cases = [
            { podSelector: { matchLabels: { app: "web" } }, policyTypes: ["Ingress", "Egress"] },
            { ...denyAll, ingress: [{ from: [{ podSelector: {} }] }] },
            { podSelector: {} }, // no policyTypes: Ingress only
        ];
        for (const spec of cases) {
            const result = await runStack(policy, [namespace("apps"), netpol("p", "apps", spec)]);
            expect(result.violations).toHaveLength(1);
        }
        expect((await runStack(policy, [namespace("apps"), netpol("p", "apps", { podSelector: {} })])).violations[0].message).toMatch(/for Egress:/);
    });

    it("counts a policy only in its own namespace, and skips exempt namespaces", async () => {
        expect((await runStack(policy, [namespace("apps"), namespace("db"), netpol("deny", "apps", denyAll)])).violations).toHaveLength(1);
        expect((await runStack(policy, [namespace("kube-flannel")], { exemptNamespaces: ["kube-flannel"] })).violations).toEqual([]);
    });

    it("waits (no violation, no crash) while a policy's namespace or spec is unknown", async () => {
        expect((await runStack(policy, [namespace("apps"), netpol("deny", UNKNOWN, denyAll)])).violations).toEqual([]);
        expect((await runStack(policy, [namespace("apps"), netpol("deny", "apps", UNKNOWN)])).violations).toEqual([]);
        expect((await runStack(policy, [namespace("apps"), netpol("deny", "apps", { podSelector: UNKNOWN, policyTypes: ["Ingress", "Egress"] })])).violations).toEqual([]);
    });

    it("reads NetworkPolicy directions the way the API server does", () => {
        expect(defaultDenyDirections({ spec: { podSelector: {}, egress: [{ to: [] }] } })).toEqual({ ingress: true, egress: false });
        expect(defaultDenyDirections({ spec: { podSelector: { matchExpressions: [] }, policyTypes: ["Egress"] } })).toEqual({ ingress: false, egress: true });
    });
});
