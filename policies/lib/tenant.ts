// What a tenant stack may touch, as the pack judges it: the stack's own output `tenant` (which the program takes
// from its baseline's registry) says its namespaces, the ClusterRoles it may bind and the prefix of the identities
// it issues; every Kubernetes object must be namespaced into one of those namespaces (or be one of them). Pure.

const STACK_TYPE = "pulumi:pulumi:Stack";
import { at, isUnknown, knownString, knownStrings } from "./values";

export interface TenantScope {
    name: string;
    namespaces: string[];
    clusterRoles: string[];
    identityPrefix: string;
}

/**
 * The tenant scope a stack exports (its root resource's output `tenant`): undefined when the stack is no tenant
 * stack, "unknown" when the value is not known yet.
 */
export function tenantScopeOf(resources: Array<{ type: string; props: unknown }>): TenantScope | "unknown" | undefined {
    const stack = resources.find(r => r.type === STACK_TYPE);
    const tenant = stack && at(stack.props, "tenant");
    if (tenant === undefined || tenant === null) return undefined;
    const name = knownString(at(tenant, "name"));
    const prefix = knownString(at(tenant, "identityPrefix"));
    const lists = ["namespaces", "clusterRoles"].map(k => at(tenant, k));
    if (isUnknown(tenant) || name === undefined || prefix === undefined || lists.some(l => !Array.isArray(l))) return "unknown";
    return { name, namespaces: knownStrings(lists[0]), clusterRoles: knownStrings(lists[1]), identityPrefix: prefix };
}

/** Cluster-scoped kinds by API group ("core" for the core group); a Patch of one is as cluster-wide. */
const CLUSTER_SCOPED: Record<string, string[]> = {
    "core": ["Namespace", "Node", "PersistentVolume", "ComponentStatus"],
    "rbac.authorization.k8s.io": ["ClusterRole", "ClusterRoleBinding"],
    "apiextensions.k8s.io": ["CustomResourceDefinition"],
    "admissionregistration.k8s.io": ["MutatingWebhookConfiguration", "ValidatingWebhookConfiguration", "ValidatingAdmissionPolicy",
        "ValidatingAdmissionPolicyBinding", "MutatingAdmissionPolicy", "MutatingAdmissionPolicyBinding"],
    "apiregistration.k8s.io": ["APIService"],
    "certificates.k8s.io": ["CertificateSigningRequest", "ClusterTrustBundle"],
    "scheduling.k8s.io": ["PriorityClass"],
    "storage.k8s.io": ["StorageClass", "CSIDriver", "CSINode", "VolumeAttachment", "VolumeAttributesClass"],
    "networking.k8s.io": ["IngressClass", "IPAddress", "ServiceCIDR"],
    "node.k8s.io": ["RuntimeClass"],
    "flowcontrol.apiserver.k8s.io": ["FlowSchema", "PriorityLevelConfiguration"],
    "resource.k8s.io": ["DeviceClass", "ResourceSlice"],
    "crd.projectcalico.org": ["GlobalNetworkPolicy", "GlobalNetworkSet", "StagedGlobalNetworkPolicy", "Tier", "IPPool", "IPReservation",
        "BGPConfiguration", "BGPPeer", "BGPFilter", "FelixConfiguration", "ClusterInformation", "HostEndpoint", "KubeControllersConfiguration",
        "IPAMBlock", "IPAMConfig", "IPAMHandle", "BlockAffinity"],
    "operator.tigera.io": ["Installation", "APIServer", "ImageSet", "TigeraStatus"],
};
CLUSTER_SCOPED["projectcalico.org"] = CLUSTER_SCOPED["crd.projectcalico.org"];

/** Components whose objects reach the engine as resources of their own (and are judged one by one). */
const EXPANDING_COMPONENTS = [/^kubernetes:yaml(\/v\d+)?:/, /^kubernetes:helm\.sh\/v[34]:Chart$/, /^kubernetes:kustomize(\/v\d+)?:Directory$/];
/** A Helm release installs whatever its chart holds, out of the engine's (and this pack's) sight. */
export const HELM_RELEASE_TYPE = "kubernetes:helm.sh/v3:Release";

export interface KubernetesKind { group: string; kind: string; patch: boolean }

/** The API group and kind of a Kubernetes type token, kubernetes:<group>/<version>:<Kind>; undefined for others. */
export function kubernetesKind(type: string): KubernetesKind | undefined {
    const m = /^kubernetes:([^:]+):([A-Za-z0-9]+)$/.exec(type);
    if (!m || EXPANDING_COMPONENTS.some(c => c.test(type))) return undefined;
    const groupVersion = m[1];
    const group = groupVersion.includes("/") ? groupVersion.slice(0, groupVersion.lastIndexOf("/")) : "core";
    const patch = m[2].endsWith("Patch");
    return { group, kind: patch ? m[2].slice(0, -"Patch".length) : m[2], patch };
}

export function isClusterScoped(kind: KubernetesKind): boolean {
    return (CLUSTER_SCOPED[kind.group] ?? []).includes(kind.kind);
}

/** The types of a resource's ancestors and its own, from its URN (urn:pulumi:<stack>::<project>::<a>$<b>$<type>::<name>). */
export function urnTypeChain(urn: string): string[] {
    const parts = urn.split("::");
    return parts.length >= 4 ? parts[2].split("$") : [];
}
