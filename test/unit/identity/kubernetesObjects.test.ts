// Builders of the Kubernetes objects the components create: RBAC, Namespaces (Pod Security), NetworkPolicies and the
// Calico GlobalNetworkPolicy.

import { validateIdentityConfig, IdentityConfig, NamespaceConfig } from "../../../lib/config/identity";
import { namespaceObject, podSecurityLabels } from "../../../lib/identity/namespaceObjects";
import {
    calicoGlobalDefaultDenyObject, defaultDenyPolicy, namespaceNetworkPolicies,
} from "../../../lib/identity/networkPolicyObjects";
import {
    clusterRoleBindingObject, clusterRoleObject, roleBindingObject, serviceAccountObject, serviceAccountTokenSecretObject,
} from "../../../lib/identity/rbacObjects";

function config(raw: unknown): IdentityConfig {
    const { config, issues } = validateIdentityConfig(raw);
    expect(issues).toEqual([]);
    return config!;
}

const DNS = { namespace: "kube-system", podLabels: { "k8s-app": "kube-dns" } };

describe("RBAC objects", () => {
    const c = config({
        users: [{ name: "wang", authentication: "x509" }],
        rbac: {
            clusterRoles: [{ name: "pods-viewer", template: "pods-viewer" }],
            roleBindings: [{
                name: "wang-pods-viewer", namespace: "dev", roleRef: { kind: "ClusterRole", name: "pods-viewer" },
                subjects: [{ kind: "User", name: "wang" }, { kind: "Group", name: "ops" }, { kind: "ServiceAccount", name: "ci", namespace: "build" }],
            }],
            clusterRoleBindings: [{ name: "auditors-view", roleRef: { kind: "ClusterRole", name: "view" }, subjects: [{ kind: "Group", name: "auditors" }] }],
            serviceAccounts: [{ name: "ci", namespace: "build", longLivedToken: true }],
        },
    });

    test("the pods-viewer template: get/list/watch on pods, services and deployments.apps", () => {
        expect(clusterRoleObject(c.rbac.clusterRoles[0])).toEqual({
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "ClusterRole",
            metadata: { name: "pods-viewer", labels: { "app.kubernetes.io/managed-by": "kube-baseline" } },
            rules: [
                { apiGroups: [""], resources: ["pods", "services"], verbs: ["get", "list", "watch"] },
                { apiGroups: ["apps"], resources: ["deployments"], verbs: ["get", "list", "watch"] },
            ],
        });
    });

    test("a RoleBinding names users and groups through the RBAC group, ServiceAccounts by namespace", () => {
        const rb = roleBindingObject(c.rbac.roleBindings[0]);
        expect(rb.metadata.namespace).toBe("dev");
        expect(rb.roleRef).toEqual({ apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "pods-viewer" });
        expect(rb.subjects).toEqual([
            { kind: "User", name: "wang", apiGroup: "rbac.authorization.k8s.io" },
            { kind: "Group", name: "ops", apiGroup: "rbac.authorization.k8s.io" },
            { kind: "ServiceAccount", name: "ci", namespace: "build" },
        ]);
    });

    test("a ClusterRoleBinding only where the config asks", () => {
        expect(clusterRoleBindingObject(c.rbac.clusterRoleBindings[0])).toMatchObject({
            kind: "ClusterRoleBinding", metadata: { name: "auditors-view" }, roleRef: { kind: "ClusterRole", name: "view" },
        });
    });

    test("ServiceAccounts never mount their token automatically", () => {
        expect(serviceAccountObject(c.rbac.serviceAccounts[0])).toMatchObject({ automountServiceAccountToken: false, metadata: { name: "ci", namespace: "build" } });
    });

    test("the long-lived token Secret is a service-account-token Secret for that account", () => {
        expect(serviceAccountTokenSecretObject(c.rbac.serviceAccounts[0])).toEqual({
            apiVersion: "v1", kind: "Secret", type: "kubernetes.io/service-account-token",
            metadata: {
                name: "ci-token", namespace: "build", labels: { "app.kubernetes.io/managed-by": "kube-baseline" },
                annotations: { "kubernetes.io/service-account.name": "ci" },
            },
        });
    });
});

describe("Namespace objects", () => {
    test("restricted by default on all three modes, with versions", () => {
        const ns = config({ namespaces: [{ name: "dev" }] }).namespaces[0];
        expect(namespaceObject(ns).metadata.labels).toEqual({
            "app.kubernetes.io/managed-by": "kube-baseline",
            "pod-security.kubernetes.io/enforce": "restricted",
            "pod-security.kubernetes.io/enforce-version": "latest",
            "pod-security.kubernetes.io/warn": "restricted",
            "pod-security.kubernetes.io/warn-version": "latest",
            "pod-security.kubernetes.io/audit": "restricted",
            "pod-security.kubernetes.io/audit-version": "latest",
        });
        expect(namespaceObject(ns).metadata).not.toHaveProperty("annotations");
    });

    test("an exemption shows its reason on the namespace, and the tenant label is set", () => {
        const ns = config({ namespaces: [{
            name: "ingress", tenant: "platform", labels: { team: "net" },
            podSecurity: { enforce: "baseline", version: "v1.30", exemptionReason: "binds port 80" },
        }] }).namespaces[0];
        const obj = namespaceObject(ns);
        expect(obj.metadata.labels).toMatchObject({
            team: "net", "kube-baseline.io/tenant": "platform",
            "pod-security.kubernetes.io/enforce": "baseline", "pod-security.kubernetes.io/enforce-version": "v1.30",
            "pod-security.kubernetes.io/warn": "restricted",
        });
        expect(obj.metadata.annotations).toEqual({ "kube-baseline.io/pod-security-exemption": "binds port 80" });
        expect(podSecurityLabels(ns.podSecurity)["pod-security.kubernetes.io/audit"]).toBe("restricted");
    });
});

describe("NetworkPolicy objects", () => {
    const [dev, tools]: NamespaceConfig[] = config({ namespaces: [
        { name: "dev", tenant: "team-a" },
        { name: "tools", networkPolicy: { allowSameNamespace: false, allowIngressFromNamespaces: ["monitoring"] } },
    ] }).namespaces;

    test("default deny selects every pod and allows nothing, both directions", () => {
        expect(defaultDenyPolicy("dev").spec).toEqual({ podSelector: {}, policyTypes: ["Ingress", "Egress"] });
    });

    test("a tenant namespace: deny, DNS to kube-dns on 53/UDP+TCP, same namespace, same tenant", () => {
        const policies = namespaceNetworkPolicies(dev, DNS);
        expect(policies.map(p => p.metadata.name)).toEqual(["default-deny", "allow-dns", "allow-same-namespace", "allow-same-tenant"]);
        expect(policies.every(p => p.metadata.namespace === "dev")).toBe(true);
        expect(policies[1].spec).toEqual({
            podSelector: {},
            policyTypes: ["Egress"],
            egress: [{
                to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } }, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }],
                ports: [{ protocol: "UDP", port: 53 }, { protocol: "TCP", port: 53 }],
            }],
        });
        expect(policies[2].spec.ingress).toEqual([{ from: [{ podSelector: {} }] }]);
        expect(policies[2].spec.egress).toEqual([{ to: [{ podSelector: {} }] }]);
        const tenantPeer = { namespaceSelector: { matchLabels: { "kube-baseline.io/tenant": "team-a" } } };
        expect(policies[3].spec).toMatchObject({ ingress: [{ from: [tenantPeer] }], egress: [{ to: [tenantPeer] }] });
    });

    test("options turn policies off and add named-namespace ingress", () => {
        const policies = namespaceNetworkPolicies(tools, DNS);
        expect(policies.map(p => p.metadata.name)).toEqual(["default-deny", "allow-dns", "allow-ingress-from-namespaces"]);
        expect(policies[2].spec.ingress).toEqual([{ from: [{ namespaceSelector: { matchExpressions: [
            { key: "kubernetes.io/metadata.name", operator: "In", values: ["monitoring"] }] } }] }]);
    });
});

describe("Calico GlobalNetworkPolicy", () => {
    const base = { enabled: true, order: 2000, exemptNamespaces: ["kube-system", "calico-system"] };

    test("crd.projectcalico.org/v1: default-tier name prefix, every field spelled out", () => {
        const gnp = calicoGlobalDefaultDenyObject({ ...base, apiVersion: "crd.projectcalico.org/v1" }, DNS);
        const dnsDestination = { namespaceSelector: "kubernetes.io/metadata.name == 'kube-system'", selector: "k8s-app == 'kube-dns'", ports: [53] };
        expect(gnp).toEqual({
            apiVersion: "crd.projectcalico.org/v1",
            kind: "GlobalNetworkPolicy",
            metadata: { name: "default.kube-baseline-default-deny", labels: { "app.kubernetes.io/managed-by": "kube-baseline" } },
            spec: {
                order: 2000,
                selector: "all()",
                namespaceSelector: "kubernetes.io/metadata.name not in { 'kube-system', 'calico-system' }",
                types: ["Ingress", "Egress"],
                ingress: [],
                egress: [
                    { action: "Allow", protocol: "UDP", destination: dnsDestination },
                    { action: "Allow", protocol: "TCP", destination: dnsDestination },
                ],
            },
        });
    });

    test("projectcalico.org/v3: plain name (Calico's API server adds the tier)", () => {
        const gnp = calicoGlobalDefaultDenyObject({ ...base, apiVersion: "projectcalico.org/v3", exemptNamespaces: [] }, DNS);
        expect(gnp.metadata.name).toBe("kube-baseline-default-deny");
        expect(gnp.spec.namespaceSelector).toBe("all()");
    });

    test("refuses selector values that could change the selector's meaning", () => {
        expect(() => calicoGlobalDefaultDenyObject({ ...base, apiVersion: "projectcalico.org/v3", exemptNamespaces: ["a' || all() || '"] }, DNS))
            .toThrow(/not allowed in a Calico selector/);
    });
});
