// A second Pulumi project that builds on a kube-baseline stack through its outputs contract (README "Outputs"):
// it reads the baseline's outputs with a StackReference, makes a Kubernetes provider from ONE user's kubeconfig
// (output userKubeconfigs, a secret) and acts on the cluster as that user, with exactly that user's rights.
//
// Config (project namespace kube-baseline-consumer):
//   baselineStack  the baseline stack, fully qualified: organization/kube-baseline/dev on a local (file://) backend,
//                  <org>/kube-baseline/<stack> on Pulumi Cloud
//   user           a user of the baseline (a key of userKubeconfigs), e.g. alice
//   namespace      one of the baseline's namespaces (a key of the output namespaces), e.g. dev
//   pod            an existing Pod in that namespace, read as the user (pods-viewer allows get/list/watch)
//   tryForbidden   true: also create a ConfigMap in the namespace, which pods-viewer does not allow: the update
//                  must fail with the apiserver's Forbidden
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

const config = new pulumi.Config();
const baselineStack = config.require("baselineStack");
const user = config.require("user");
const namespaceName = config.require("namespace");
const podName = config.require("pod");
const tryForbidden = config.getBoolean("tryForbidden") ?? false;

const baseline = new pulumi.StackReference(baselineStack);

// The user's kubeconfig stays a secret end to end; a missing user is reported by name, never with kubeconfigs.
const userKubeconfigs = baseline.requireOutput("userKubeconfigs") as pulumi.Output<Record<string, string>>;
const kubeconfig = pulumi.secret(userKubeconfigs.apply(all => {
    const found = all[user];
    if (found === undefined) {
        throw new Error(`stack ${baselineStack} has no user ${user} (its users: ${Object.keys(all).sort().join(", ")})`);
    }
    return found;
}));

// Only namespaces the baseline manages (with Pod Security labels and default-deny policies) are used.
const baselineNamespaces = baseline.requireOutput("namespaces") as pulumi.Output<Record<string, unknown>>;
const namespace = baselineNamespaces.apply(all => {
    if (!(namespaceName in all)) {
        throw new Error(`stack ${baselineStack} manages no namespace ${namespaceName} (its namespaces: ${Object.keys(all).sort().join(", ")})`);
    }
    return namespaceName;
});

// Everything below runs with the user's credentials, not an admin's.
const asUser = new k8s.Provider(`as-${user}`, { kubeconfig });

// Permitted: read an existing Pod (a read, not a resource this stack owns).
const pod = k8s.core.v1.Pod.get("pod", pulumi.interpolate`${namespace}/${podName}`, { provider: asUser });

// Forbidden for a pods-viewer: writing a ConfigMap. The apiserver answers 403 Forbidden and the update fails.
if (tryForbidden) {
    new k8s.core.v1.ConfigMap("forbidden-write", {
        metadata: { name: "kube-baseline-consumer-probe", namespace },
        data: { writtenBy: user },
    }, { provider: asUser });
}

export const actingAs = user;
export const apiServerUrl = baseline.requireOutput("apiServerUrl");
export const podUid = pod.metadata.uid;
export const podPhase = pod.status.phase;
