// kube-baseline:tenant, on a tenant stack: which tenant of which baseline stack this stack is. A tenant stack owns
// its namespaces (Pod Security labels, network policies), the users it issues, its ServiceAccounts, Roles and
// RoleBindings, and nothing else: the cluster (endpoint, CA, CNI, DNS), the ClusterRoles and the registry of who
// owns which namespace come from the baseline stack's outputs. This file checks that a tenant stack's config stays
// inside what its baseline lets it touch; every problem names the exact key, before anything is registered.

import { TenancyOutput, TenantOutput } from "../outputs";
import { Issues } from "./configError";
import { IdentityConfig } from "./identity";
import { NamespaceConfig } from "./namespaces";
import { checkShape, Line, OneOf, Optional, Settings, Static } from "./schema";
import { tenantIdentityPrefix } from "./tenants";

/** Where a tenant stack's credentials come from: secret stack config, or the sandbox's files (like the baseline's). */
export const TENANT_CREDENTIALS = ["config", "sandbox"] as const;

export const TenantSchema = Settings({
    name: Line({ minLength: 1 }),
    baselineStack: Line({ minLength: 1 }),
    credentials: Optional(OneOf(TENANT_CREDENTIALS)),
});

export interface TenantKey {
    name: string;
    /** As the pulumi CLI takes it: "<stack>", or "<organization>/<project>/<stack>". */
    baselineStack: string;
    credentials: typeof TENANT_CREDENTIALS[number];
}

/** The keys a tenant stack may set: its own namespaces and their access. Everything else is the baseline's. */
export const TENANT_STACK_KEYS: readonly string[] = ["tenant", "namespaces", "users", "rbac", "certificates", "adminKubeconfig", "sshPrivateKey"];

/** A stack with kube-baseline:tenant set is a tenant stack. */
export function isTenantStack(values: Record<string, unknown>): boolean {
    return values.tenant !== undefined;
}

/** "stack", "project/stack" or "organization/project/stack", each part what Pulumi accepts in a name. */
const STACK_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*(\/[A-Za-z0-9][A-Za-z0-9._-]*){0,2}$/;

export function resolveTenantKey(raw: unknown, issues: Issues): TenantKey | undefined {
    if (!checkShape(TenantSchema, raw, ["tenant"], issues)) return undefined;
    const before = issues.count;
    if (!STACK_NAME.test(raw.baselineStack)) {
        issues.add("tenant.baselineStack", raw.baselineStack, "must be a stack name as pulumi takes it: <stack> or <organization>/<project>/<stack> (local backend: organization/kube-baseline/<stack>)");
    }
    return issues.count > before ? undefined : { name: raw.name, baselineStack: raw.baselineStack, credentials: raw.credentials ?? "config" };
}

/** What a tenant stack learns about itself from its baseline's registry. */
export interface TenantScope {
    key: TenantKey;
    /** The namespaces the registry gives this tenant. */
    namespaces: string[];
    clusterRoles: string[];
    /** Namespace -> the other tenant that owns it. */
    otherTenants: Map<string, string>;
    baselineNamespaces: string[];
    tenancy: TenancyOutput;
}

/** This tenant's entry in the baseline's registry; an issue at tenant.name when it has none. */
export function tenantScope(key: TenantKey, tenancy: TenancyOutput, issues: Issues): TenantScope | undefined {
    const own = tenancy.tenants[key.name];
    if (own === undefined) {
        const known = Object.keys(tenancy.tenants).sort();
        issues.add("tenant.name", key.name, `is not a tenant of baseline stack ${key.baselineStack} (its tenants: ${known.join(", ") || "none"}); `
            + "add it to kube-baseline:tenants there and update that stack first");
        return undefined;
    }
    const otherTenants = new Map<string, string>();
    for (const [tenant, entry] of Object.entries(tenancy.tenants)) {
        if (tenant !== key.name) for (const ns of entry.namespaces) otherTenants.set(ns, tenant);
    }
    return { key, namespaces: own.namespaces, clusterRoles: own.clusterRoles, otherTenants, baselineNamespaces: tenancy.baselineNamespaces, tenancy };
}

/** Why a namespace is not this tenant's to use, or undefined when it is. */
export function namespaceOwnershipProblem(scope: TenantScope, namespace: string): string | undefined {
    if (scope.namespaces.includes(namespace)) return undefined;
    const where = `kube-baseline:tenants of baseline stack ${scope.key.baselineStack}`;
    const owner = scope.otherTenants.get(namespace);
    if (owner !== undefined) return `belongs to tenant ${owner} (${where}), not to ${scope.key.name}: a tenant stack touches only its own namespaces`;
    if (scope.baselineNamespaces.includes(namespace)) return `is the baseline stack ${scope.key.baselineStack}'s own namespace: a tenant stack touches only its own namespaces`;
    return `is not registered for tenant ${scope.key.name}: add it to its namespaces in ${where} and update that stack first`;
}

/** What a tenant stack may issue and bind, for validateIdentityConfig. */
export function tenantIdentityContext(scope: TenantScope) {
    return {
        users: {
            authentications: ["csr"] as const,
            why: "a tenant stack issues only csr users: x509 needs the cluster CA's private key, a copy of the power to mint any identity "
                + "that is used offline and cannot be revoked or audited; static tokens patch the apiserver (cluster-wide)",
        },
        bindableClusterRoles: {
            names: scope.clusterRoles,
            refused: (name: string) => `ClusterRole "${name}" is not one baseline stack ${scope.key.baselineStack} lets tenant ${scope.key.name} bind `
                + `(kube-baseline:tenants there; allowed: ${scope.clusterRoles.join(", ") || "none"})`,
        },
    };
}

/**
 * Checks a tenant stack's validated identity config against its scope and returns it as the tenant deploys it: its
 * namespaces labelled as the tenant's, network policies aimed at the baseline's DNS, no cluster-wide policy.
 */
export function checkTenantStack(identity: IdentityConfig, scope: TenantScope, issues: Issues): IdentityConfig {
    const tenant = scope.key.name;
    const declared = identity.namespaces.map(n => n.name);
    const inOwnNamespace = (path: string, namespace: string) => {
        const problem = namespaceOwnershipProblem(scope, namespace);
        if (problem !== undefined) issues.add(path, namespace, problem);
        else if (!declared.includes(namespace)) issues.add(path, namespace, `is not one of this stack's kube-baseline:namespaces (${declared.join(", ") || "none"}); declare it there`);
    };

    identity.namespaces.forEach((n, i) => {
        const problem = namespaceOwnershipProblem(scope, n.name);
        if (problem !== undefined) issues.add(`namespaces[${i}].name`, n.name, problem);
        if (n.tenant !== undefined && n.tenant !== tenant) {
            issues.add(`namespaces[${i}].tenant`, n.tenant, `a tenant stack's namespaces carry its own tenant label (${tenant}); leave it unset`);
        }
    });

    const prefix = tenantIdentityPrefix(tenant);
    identity.users.forEach((u, i) => {
        if (!u.name.startsWith(prefix)) {
            issues.add(`users[${i}].name`, u.name, `a tenant stack's users are named ${prefix}<name>, so no tenant can issue another's identity; did you mean "${prefix}${u.name}"?`);
        }
        u.groups.forEach((g, j) => {
            if (!g.startsWith(prefix)) {
                issues.add(`users[${i}].groups[${j}]`, g, `a tenant stack's groups are named ${prefix}<name>: a certificate in another tenant's (or the platform's) group would get its rights; did you mean "${prefix}${g}"?`);
            }
        });
    });

    const { rbac } = identity;
    rbac.clusterRoles.forEach((r, i) => issues.add(`rbac.clusterRoles[${i}].name`, r.name,
        `ClusterRoles are cluster-wide: define it on baseline stack ${scope.key.baselineStack} and let ${tenant} bind it (kube-baseline:tenants[].clusterRoles there)`));
    rbac.clusterRoleBindings.forEach((b, i) => issues.add(`rbac.clusterRoleBindings[${i}].name`, b.name,
        "a ClusterRoleBinding grants in every namespace; a tenant stack binds with RoleBindings in its own namespaces"));
    rbac.roles.forEach((r, i) => inOwnNamespace(`rbac.roles[${i}].namespace`, r.namespace));
    rbac.roleBindings.forEach((b, i) => inOwnNamespace(`rbac.roleBindings[${i}].namespace`, b.namespace));
    rbac.serviceAccounts.forEach((s, i) => inOwnNamespace(`rbac.serviceAccounts[${i}].namespace`, s.namespace));

    const namespaces = identity.namespaces.map((n): NamespaceConfig => ({ ...n, tenant }));
    return {
        ...identity,
        namespaces,
        networkPolicy: {
            dns: { namespace: scope.tenancy.dns.namespace, podLabels: { ...scope.tenancy.dns.podLabels } },
            calicoGlobalDefaultDeny: { ...identity.networkPolicy.calicoGlobalDefaultDeny, enabled: false },
        },
    };
}

/**
 * A tenant stack's kube-baseline:certificates with the baseline's cap: maxValidityHours defaults to the baseline's
 * (so do the defaults derived from it) and may not exceed it. Returns the raw value to validate.
 */
export function tenantCertificates(raw: unknown, scope: TenantScope, issues: Issues): unknown {
    const cap = scope.tenancy.maxCertificateValidityHours;
    if (raw === undefined) return { maxValidityHours: cap };
    if (raw === null || typeof raw !== "object" || Array.isArray(raw)) return raw;
    const given = (raw as Record<string, unknown>).maxValidityHours;
    if (given === undefined) return { ...raw, maxValidityHours: cap };
    if (typeof given === "number" && given > cap) {
        issues.add("certificates.maxValidityHours", given, `is longer than baseline stack ${scope.key.baselineStack} allows tenants (its certificates.maxValidityHours: ${cap})`);
    }
    return raw;
}

/** The tenant stack's output `tenant`: what the baseline lets it touch, as the policy pack checks it. */
export function tenantOutput(scope: TenantScope): TenantOutput {
    return {
        name: scope.key.name,
        baselineStack: scope.key.baselineStack,
        namespaces: [...scope.namespaces],
        clusterRoles: [...scope.clusterRoles],
        identityPrefix: tenantIdentityPrefix(scope.key.name),
    };
}

export type RawTenantKey = Static<typeof TenantSchema>;
