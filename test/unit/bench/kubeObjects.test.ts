// The kubectl floor's objects: from a stack export, reduced to manifests, ordered for one `kubectl apply -f`.
import * as YAML from "yaml";
import { kubeObjectsFromExport, manifestObject, orderForApply, toYamlDocuments } from "../../../bench/kubeObjects";

const resource = (type: string, inputs: Record<string, unknown>, outputs: Record<string, unknown> = {}) =>
    ({ urn: `urn:pulumi:s::p::${type}::x`, type, inputs, outputs });

const exported = {
    version: 3,
    deployment: {
        resources: [
            resource("pulumi:pulumi:Stack", {}),
            resource("pulumi:providers:kubernetes", { kubeconfig: "..." }),
            resource("kube-baseline:identity:Namespaces", {}),
            resource("pulumi-nodejs:dynamic/kube-baseline:PrivateKey", { algorithm: "ECDSA" }),
            resource("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", {
                apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding",
                metadata: { name: "pods-viewers", namespace: "bench-0001", labels: { a: "b" } },
                roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "pods-viewer" },
                subjects: [{ kind: "User", name: "user-0001" }],
            }),
            resource("kubernetes:core/v1:Namespace", {
                apiVersion: "v1", kind: "Namespace",
                metadata: { name: "bench-0001", labels: { x: "y" }, annotations: {}, uid: "1234", resourceVersion: "9", managedFields: [{}] },
                __inputs: { ignored: true },
                status: { phase: "Active" },
            }),
            resource("kubernetes:rbac.authorization.k8s.io/v1:ClusterRole", {
                apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: "pods-viewer" }, rules: [],
            }),
            resource("kubernetes:core/v1:ServiceAccount", {
                apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "app", namespace: "bench-0001" }, automountServiceAccountToken: false,
            }),
        ],
    },
};

test("takes every kubernetes: resource but the provider, from its inputs", () => {
    const objects = kubeObjectsFromExport(exported);
    expect(objects.map(o => `${o.kind}/${o.metadata.name}`)).toEqual(["RoleBinding/pods-viewers", "Namespace/bench-0001", "ClusterRole/pods-viewer", "ServiceAccount/app"]);
});

test("keeps name, namespace, labels and annotations; drops server fields, status, empty maps and Pulumi's own keys", () => {
    const ns = kubeObjectsFromExport(exported)[1];
    expect(ns).toEqual({ apiVersion: "v1", kind: "Namespace", metadata: { name: "bench-0001", labels: { x: "y" } } });
});

test("falls back to the outputs when a resource has no inputs", () => {
    const objects = kubeObjectsFromExport({ deployment: { resources: [
        { urn: "u", type: "kubernetes:core/v1:ConfigMap", outputs: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", namespace: "n" }, data: { k: "v" } } },
    ] } });
    expect(objects).toEqual([{ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", namespace: "n" }, data: { k: "v" } }]);
});

test("a secret value cannot be replayed by kubectl: an error names the resource", () => {
    const secret = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", ciphertext: "v1:abc" };
    expect(() => manifestObject({ apiVersion: "v1", kind: "Secret", metadata: { name: "s" }, data: secret }, "urn:x"))
        .toThrow("urn:x holds a secret value; the kubectl floor cannot replay it");
});

test("an object without apiVersion, kind or name is an error", () => {
    expect(() => manifestObject({ kind: "Namespace", metadata: { name: "a" } }, "urn:y")).toThrow("urn:y has no apiVersion, kind and metadata.name");
    expect(() => kubeObjectsFromExport({ nothing: true })).toThrow("not a `pulumi stack export` document");
});

test("apply order: namespaces, cluster objects, bindings of them, accounts and roles, then the rest; stable within", () => {
    const o = (kind: string, name: string, namespace?: string) => ({ apiVersion: "v1", kind, metadata: { name, ...(namespace ? { namespace } : {}) } });
    const ordered = orderForApply([
        o("NetworkPolicy", "np1", "a"), o("RoleBinding", "rb", "a"), o("ClusterRoleBinding", "crb"), o("ServiceAccount", "sa", "a"),
        o("Namespace", "a"), o("ClusterRole", "cr"), o("NetworkPolicy", "np2", "a"), o("Namespace", "b"), o("CustomResourceDefinition", "crd"),
    ]);
    expect(ordered.map(x => x.metadata.name)).toEqual(["a", "b", "crd", "cr", "crb", "sa", "np1", "rb", "np2"]);
});

test("one multi-document YAML file that parses back to the same objects", () => {
    const objects = orderForApply(kubeObjectsFromExport(exported));
    const text = toYamlDocuments(objects);
    expect(YAML.parseAllDocuments(text).map(d => d.toJS())).toEqual(objects);
});
