// RBAC object builders: ClusterRoles, Roles, RoleBindings, ClusterRoleBindings, ServiceAccounts (token automount
// off) and the optional long-lived ServiceAccount token Secret, from validated config. Pure: the Rbac component
// hands these to @pulumi/kubernetes, and the policy pack's tests can reuse them.

import {
    ClusterRoleBindingConfig, ClusterRoleConfig, PolicyRule, RoleBindingConfig, RoleConfig, ServiceAccountConfig, SubjectConfig,
} from "../config/identity";

export const MANAGED_BY_LABELS = { "app.kubernetes.io/managed-by": "kube-baseline" };
const RBAC_GROUP = "rbac.authorization.k8s.io";

export interface RbacSubject { kind: "User" | "Group" | "ServiceAccount"; name: string; namespace?: string; apiGroup?: string }
export interface RbacRule { apiGroups?: string[]; resources?: string[]; verbs: string[]; resourceNames?: string[]; nonResourceURLs?: string[] }

export function policyRule(rule: PolicyRule): RbacRule {
    // Only the fields the config sets, so the live object and the program agree (no spurious diffs).
    const out: RbacRule = { verbs: [...rule.verbs] };
    if (rule.apiGroups !== undefined) out.apiGroups = [...rule.apiGroups];
    if (rule.resources !== undefined) out.resources = [...rule.resources];
    if (rule.resourceNames !== undefined) out.resourceNames = [...rule.resourceNames];
    if (rule.nonResourceURLs !== undefined) out.nonResourceURLs = [...rule.nonResourceURLs];
    return out;
}

export function clusterRoleObject(role: ClusterRoleConfig) {
    return {
        apiVersion: "rbac.authorization.k8s.io/v1" as const,
        kind: "ClusterRole" as const,
        metadata: { name: role.name, labels: { ...MANAGED_BY_LABELS } },
        rules: role.rules.map(policyRule),
    };
}

export function roleObject(role: RoleConfig) {
    return {
        apiVersion: "rbac.authorization.k8s.io/v1" as const,
        kind: "Role" as const,
        metadata: { name: role.name, namespace: role.namespace, labels: { ...MANAGED_BY_LABELS } },
        rules: role.rules.map(policyRule),
    };
}

export function subject(s: SubjectConfig): RbacSubject {
    if (s.kind === "ServiceAccount") {
        if (!s.namespace) throw new Error(`ServiceAccount subject ${s.name} needs a namespace`);
        return { kind: "ServiceAccount", name: s.name, namespace: s.namespace };
    }
    return { kind: s.kind, name: s.name, apiGroup: RBAC_GROUP };
}

export function roleBindingObject(binding: RoleBindingConfig) {
    return {
        apiVersion: "rbac.authorization.k8s.io/v1" as const,
        kind: "RoleBinding" as const,
        metadata: { name: binding.name, namespace: binding.namespace, labels: { ...MANAGED_BY_LABELS } },
        roleRef: { apiGroup: RBAC_GROUP, kind: binding.roleRef.kind, name: binding.roleRef.name },
        subjects: binding.subjects.map(subject),
    };
}

export function clusterRoleBindingObject(binding: ClusterRoleBindingConfig) {
    return {
        apiVersion: "rbac.authorization.k8s.io/v1" as const,
        kind: "ClusterRoleBinding" as const,
        metadata: { name: binding.name, labels: { ...MANAGED_BY_LABELS } },
        roleRef: { apiGroup: RBAC_GROUP, kind: "ClusterRole", name: binding.roleRef.name },
        subjects: binding.subjects.map(subject),
    };
}

export function serviceAccountObject(sa: ServiceAccountConfig) {
    return {
        apiVersion: "v1" as const,
        kind: "ServiceAccount" as const,
        metadata: { name: sa.name, namespace: sa.namespace, labels: { ...MANAGED_BY_LABELS } },
        // Pods that need the API opt in on their own spec; nothing gets a token by accident.
        automountServiceAccountToken: false,
    };
}

export function serviceAccountTokenSecretName(sa: ServiceAccountConfig): string {
    return `${sa.name}-token`.slice(0, 253);
}

/** The legacy long-lived token (the manuals' dashboard login): the token controller fills data.token. */
export function serviceAccountTokenSecretObject(sa: ServiceAccountConfig) {
    return {
        apiVersion: "v1" as const,
        kind: "Secret" as const,
        type: "kubernetes.io/service-account-token",
        metadata: {
            name: serviceAccountTokenSecretName(sa),
            namespace: sa.namespace,
            labels: { ...MANAGED_BY_LABELS },
            annotations: { "kubernetes.io/service-account.name": sa.name },
        },
    };
}

/**
 * What a binding names and so must exist before it: its role ("ClusterRole/<name>" or "Role/<namespace>/<name>")
 * and the ServiceAccounts among its subjects ("<namespace>/<name>"). The Rbac component makes each binding
 * depend on just these (those it manages), so the dependencies grow with the bindings, not with their product.
 */
export function bindingReferences(binding: RoleBindingConfig | ClusterRoleBindingConfig): { role: string; serviceAccounts: string[] } {
    const role = binding.roleRef.kind === "Role" && "namespace" in binding
        ? `Role/${binding.namespace}/${binding.roleRef.name}`
        : `ClusterRole/${binding.roleRef.name}`;
    const serviceAccounts = binding.subjects.filter(s => s.kind === "ServiceAccount").map(s => `${s.namespace}/${s.name}`);
    return { role, serviceAccounts: [...new Set(serviceAccounts)] };
}
