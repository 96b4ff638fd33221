// Each case breaks a mandatory rule of the policy pack (the one the e2e test names; '*' verbs also break the
// rules they include), next to a compliant baseline namespace, so a preview with the pack must fail and name it.
// Only a preview runs: nothing here is created on the cluster.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

const config = new pulumi.Config("policy");
const provider = new k8s.Provider("sandbox", { kubeconfig: config.requireSecret("kubeconfig") });
const opts = { provider };
const suffix = config.require("suffix");

// A compliant namespace: Pod Security restricted and a default-deny NetworkPolicy.
const namespace = new k8s.core.v1.Namespace("ns", {
    metadata: {
        name: `kb-policy-${suffix}`,
        labels: {
            "pod-security.kubernetes.io/enforce": "restricted",
            "pod-security.kubernetes.io/warn": "restricted",
            "pod-security.kubernetes.io/audit": "restricted",
        },
    },
}, opts);
new k8s.networking.v1.NetworkPolicy("default-deny", {
    metadata: { name: "default-deny", namespace: namespace.metadata.name },
    spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
}, opts);

switch (config.require("case")) {
    case "wildcard-verbs":
        new k8s.rbac.v1.ClusterRole("too-broad", {
            metadata: { name: `kb-policy-${suffix}-too-broad` },
            rules: [{ apiGroups: [""], resources: ["pods"], verbs: ["*"] }],
        }, opts);
        break;
    case "cluster-admin-binding":
        new k8s.rbac.v1.ClusterRoleBinding("admin-for-bob", {
            metadata: { name: `kb-policy-${suffix}-admin` },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "cluster-admin" },
            subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: "bob" }],
        }, opts);
        break;
    case "privileged-pod":
        new k8s.core.v1.Pod("privileged", {
            metadata: { name: "privileged", namespace: namespace.metadata.name },
            spec: { containers: [{ name: "c", image: "busybox", securityContext: { privileged: true } }] },
        }, opts);
        break;
    // The escalation paths of issue 16, one case per policy.
    case "pod-exec":
        new k8s.rbac.v1.Role("shell", {
            metadata: { name: "shell", namespace: namespace.metadata.name },
            rules: [{ apiGroups: [""], resources: ["pods/exec"], verbs: ["create"] }],
        }, opts);
        break;
    case "workload-create":
        new k8s.rbac.v1.Role("deployer", {
            metadata: { name: "deployer", namespace: namespace.metadata.name },
            rules: [{ apiGroups: ["apps"], resources: ["deployments"], verbs: ["create"] }],
        }, opts);
        break;
    case "token-request":
        new k8s.rbac.v1.Role("token-minter", {
            metadata: { name: "token-minter", namespace: namespace.metadata.name },
            rules: [{ apiGroups: [""], resources: ["serviceaccounts/token"], verbs: ["create"] }],
        }, opts);
        break;
    case "csr-approval":
        new k8s.rbac.v1.ClusterRole("csr-approver", {
            metadata: { name: `kb-policy-${suffix}-csr-approver` },
            rules: [
                { apiGroups: ["certificates.k8s.io"], resources: ["certificatesigningrequests/approval"], verbs: ["update"] },
                { apiGroups: ["certificates.k8s.io"], resources: ["signers"], resourceNames: ["kubernetes.io/kube-apiserver-client"], verbs: ["approve"] },
            ],
        }, opts);
        break;
    case "webhook-writes":
        new k8s.rbac.v1.ClusterRole("webhook-writer", {
            metadata: { name: `kb-policy-${suffix}-webhook-writer` },
            rules: [{ apiGroups: ["admissionregistration.k8s.io"], resources: ["mutatingwebhookconfigurations"], verbs: ["create", "patch"] }],
        }, opts);
        break;
    case "pv-writes":
        new k8s.rbac.v1.ClusterRole("pv-writer", {
            metadata: { name: `kb-policy-${suffix}-pv-writer` },
            rules: [{ apiGroups: [""], resources: ["persistentvolumes"], verbs: ["create"] }],
        }, opts);
        break;
    case "node-writes":
        new k8s.rbac.v1.ClusterRole("node-writer", {
            metadata: { name: `kb-policy-${suffix}-node-writer` },
            rules: [{ apiGroups: [""], resources: ["nodes"], verbs: ["patch"] }],
        }, opts);
        break;
    case "public-subject": {
        const reader = new k8s.rbac.v1.Role("pods-reader", {
            metadata: { name: "pods-reader", namespace: namespace.metadata.name },
            rules: [{ apiGroups: [""], resources: ["pods"], verbs: ["get"] }],
        }, opts);
        new k8s.rbac.v1.RoleBinding("everyone", {
            metadata: { name: "everyone", namespace: namespace.metadata.name },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: reader.metadata.name },
            subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: "system:authenticated" }],
        }, opts);
        break;
    }
    case "kube-system-secret-read":
        new k8s.rbac.v1.Role("kube-system-secrets", {
            metadata: { name: `kb-policy-${suffix}-secrets`, namespace: "kube-system" },
            rules: [{ apiGroups: [""], resources: ["secrets"], verbs: ["get", "list"] }],
        }, opts);
        break;
    case "compliant":
        break;
    default:
        throw new Error(`policy:case = ${JSON.stringify(config.require("case"))}: unknown case`);
}
