// kube-baseline:tenants, on a baseline stack: the registry of tenant stacks. Each tenant is listed with the
// namespaces it owns and the ClusterRoles it may bind in them. The baseline exports the registry (the output
// `tenancy`); each tenant stack reads it through a StackReference and may touch only its own namespaces.
// A namespace has one owner: two tenants claiming it, or a tenant claiming one of the baseline's own, is an
// error naming both, found here before anything is applied.

import { Issues } from "./configError";
import { BUILT_IN_NAMESPACES, NamespaceConfig } from "./namespaces";
import { checkNamespaceName, RFC1123_LABEL } from "./names";
import { ClusterRoleConfig, privilegedGrants } from "./rbac";
import { Line, List, Optional, Settings, Static } from "./schema";

/**
 * Tenant names prefix the identities a tenant stack issues ("<tenant>:<user>", "<tenant>:<group>"), so that no
 * tenant can issue a certificate for another tenant's user or group; with the ":" the prefix must leave room in a
 * certificate's 64-character common name.
 */
export const MAX_TENANT_NAME = 32;
/** Built-in ClusterRoles a baseline may let tenants bind in their namespaces; cluster-admin never. */
export const TENANT_BINDABLE_BUILT_IN_ROLES = ["view", "edit", "admin"] as const;

const TenantEntrySchema = Settings({
    name: Line(),
    namespaces: List(Line(), { minItems: 1 }),
    clusterRoles: Optional(List(Line())),
});
export const TenantsSchema = List(TenantEntrySchema, { minItems: 1 });
type RawTenant = Static<typeof TenantEntrySchema>;

export interface TenantConfig {
    name: string;
    namespaces: string[];
    /** The ClusterRoles its RoleBindings may reference. */
    clusterRoles: string[];
}

/** What the baseline itself defines, which the registry is checked against. */
export interface TenantsContext {
    namespaces: NamespaceConfig[];
    clusterRoles: ClusterRoleConfig[];
}

/** The prefix every user and group a tenant stack issues must carry. */
export function tenantIdentityPrefix(tenant: string): string {
    return `${tenant}:`;
}

export function resolveTenants(raw: RawTenant[], baseline: TenantsContext, issues: Issues): TenantConfig[] {
    const ownNamespaces = new Map(baseline.namespaces.map((n, i) => [n.name, i]));
    // Privileged ClusterRoles (escalate, bind, impersonate, '*') are break-glass grants: never a tenant's to bind.
    const bindable = baseline.clusterRoles.filter((r, i) => privilegedGrants(`rbac.clusterRoles[${i}]`, r.rules).length === 0).map(r => r.name);
    const defined = new Set(baseline.clusterRoles.map(r => r.name));
    const tenantNames = new Map<string, number>();
    // Namespace -> where it was first claimed.
    const claims = new Map<string, { tenant: string; path: string }>();

    const tenants = raw.map((t, i): TenantConfig => {
        const at = `tenants[${i}]`;
        if (t.name.length > MAX_TENANT_NAME || !RFC1123_LABEL.test(t.name)) {
            issues.add(`${at}.name`, t.name, `must be a lowercase RFC 1123 label (a-z, 0-9, '-') of at most ${MAX_TENANT_NAME} characters: it becomes a label value and the prefix of the tenant's users and groups`);
        } else if (t.name === "system") {
            issues.add(`${at}.name`, t.name, "\"system:\" users and groups belong to Kubernetes components; choose another tenant name");
        }
        const first = tenantNames.get(t.name);
        if (first !== undefined) issues.add(`${at}.name`, t.name, `duplicate tenant: already defined at tenants[${first}]`);
        else tenantNames.set(t.name, i);

        t.namespaces.forEach((ns, j) => {
            const path = `${at}.namespaces[${j}]`;
            checkNamespaceName(issues, path, ns);
            if (BUILT_IN_NAMESPACES.includes(ns)) {
                issues.add(path, ns, "exists in every cluster and belongs to it; a tenant owns only namespaces it creates");
                return;
            }
            const own = ownNamespaces.get(ns);
            if (own !== undefined) {
                issues.add(path, ns, `is the baseline stack's own namespace (namespaces[${own}]); a namespace has one owner`);
                return;
            }
            const claim = claims.get(ns);
            if (claim === undefined) {
                claims.set(ns, { tenant: t.name, path });
            } else if (claim.tenant === t.name) {
                issues.add(path, ns, `is listed twice for tenant ${t.name} (also ${claim.path})`);
            } else {
                issues.add(path, ns, `is claimed by two tenants, ${claim.tenant} (${claim.path}) and ${t.name}; a namespace has one owner`);
            }
        });

        let clusterRoles = bindable;
        if (t.clusterRoles !== undefined) {
            clusterRoles = t.clusterRoles;
            t.clusterRoles.forEach((role, j) => {
                const path = `${at}.clusterRoles[${j}]`;
                if (t.clusterRoles!.indexOf(role) !== j) issues.add(path, role, `is listed twice (also ${at}.clusterRoles[${t.clusterRoles!.indexOf(role)}])`);
                else if (role === "cluster-admin") issues.add(path, role, "cluster-admin is a break-glass grant of the whole cluster, never a tenant's to bind");
                else if (defined.has(role) && !bindable.includes(role)) {
                    issues.add(path, role, "is a privileged ClusterRole (escalate, bind, impersonate or '*'): binding it is a break-glass action, never a tenant's");
                } else if (!defined.has(role) && !(TENANT_BINDABLE_BUILT_IN_ROLES as readonly string[]).includes(role)) {
                    issues.add(path, role, `is not a ClusterRole of this stack (kube-baseline:rbac.clusterRoles) nor one of the built-in ${TENANT_BINDABLE_BUILT_IN_ROLES.join(", ")}`);
                }
            });
        }
        return { name: t.name, namespaces: t.namespaces, clusterRoles: [...clusterRoles] };
    });

    // A baseline namespace labelled as a tenant's would join that tenant's network (allow-same-tenant) and blur
    // who owns it.
    baseline.namespaces.forEach((n, i) => {
        if (n.tenant !== undefined && tenantNames.has(n.tenant)) {
            issues.add(`namespaces[${i}].tenant`, n.tenant, `${n.tenant} is a tenant stack (kube-baseline:tenants[${tenantNames.get(n.tenant)}]): its namespaces are its own, a baseline namespace cannot join them`);
        }
    });
    return tenants;
}
