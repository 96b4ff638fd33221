// Each case breaks exactly one mandatory rule of the policy pack, next to a compliant baseline namespace, so
// a preview with the pack must fail and name that rule.
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
    case "compliant":
        break;
    default:
        throw new Error(`policy:case = ${JSON.stringify(config.require("case"))}: unknown case`);
}
