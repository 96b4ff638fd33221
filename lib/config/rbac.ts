// kube-baseline:rbac: ClusterRoles and Roles (rules or a template), their bindings, and ServiceAccounts.
// A role is privileged when it lets a subject gain rights it was not given: escalate, bind or impersonate,
// written out or through "*" (which covers every verb, those included). Binding a privileged role, like binding
// cluster-admin, is a break-glass action: the binding must be listed in breakGlass.clusterAdminBindings.

import { BreakGlassConfig } from "./breakGlass";
import { Issues } from "./configError";
import { checkNamespaceName, checkObjectName, checkPrincipalName, reportDuplicates, SYSTEM_MASTERS } from "./names";
import { Bool, Line, List, OneOf, Optional, Settings, Static } from "./schema";

const Strings = () => Optional(List(Line()));
export const PolicyRuleSchema = Settings({
    apiGroups: Strings(),
    resources: Strings(),
    verbs: List(Line()),
    resourceNames: Strings(),
    nonResourceURLs: Strings(),
});
const ClusterRoleSchema = Settings({ name: Line(), template: Optional(Line()), rules: Optional(List(PolicyRuleSchema)) });
const RoleSchema = Settings({ name: Line(), namespace: Line(), template: Optional(Line()), rules: Optional(List(PolicyRuleSchema)) });
export const SubjectSchema = Settings({ kind: OneOf(["User", "Group", "ServiceAccount"]), name: Line(), namespace: Optional(Line()) });
const RoleRefSchema = Settings({ kind: OneOf(["ClusterRole", "Role"]), name: Line() });
const RoleBindingSchema = Settings({ name: Line(), namespace: Line(), roleRef: RoleRefSchema, subjects: List(SubjectSchema) });
const ClusterRoleBindingSchema = Settings({
    name: Line(),
    roleRef: Settings({ kind: OneOf(["ClusterRole"]), name: Line() }),
    subjects: List(SubjectSchema),
});
const ServiceAccountSchema = Settings({ name: Line(), namespace: Line(), longLivedToken: Optional(Bool()) });
export const RbacSchema = Settings({
    clusterRoles: Optional(List(ClusterRoleSchema)),
    roles: Optional(List(RoleSchema)),
    roleBindings: Optional(List(RoleBindingSchema)),
    clusterRoleBindings: Optional(List(ClusterRoleBindingSchema)),
    serviceAccounts: Optional(List(ServiceAccountSchema)),
});

export type PolicyRule = Static<typeof PolicyRuleSchema>;
export type SubjectConfig = Static<typeof SubjectSchema>;
export type RoleRefConfig = Static<typeof RoleRefSchema>;
export type RoleBindingConfig = Static<typeof RoleBindingSchema>;
export type ClusterRoleBindingConfig = Static<typeof ClusterRoleBindingSchema>;
export type ServiceAccountConfig = Required<Static<typeof ServiceAccountSchema>>;
export interface ClusterRoleConfig { name: string; template?: string; rules: PolicyRule[] }
export interface RoleConfig { name: string; namespace: string; template?: string; rules: PolicyRule[] }
export interface RbacConfig {
    clusterRoles: ClusterRoleConfig[];
    roles: RoleConfig[];
    roleBindings: RoleBindingConfig[];
    clusterRoleBindings: ClusterRoleBindingConfig[];
    serviceAccounts: ServiceAccountConfig[];
}

/** ClusterRoles every cluster has; bindings may reference them without defining them. */
export const BUILT_IN_CLUSTER_ROLES = ["view", "edit", "admin", "cluster-admin"] as const;

/** Role templates a ClusterRole or Role may name instead of spelling out rules. */
export const ROLE_TEMPLATES: Record<string, PolicyRule[]> = {
    // The manuals' pods-viewer: read pods, services and deployments, nothing else.
    "pods-viewer": [
        { apiGroups: [""], resources: ["pods", "services"], verbs: ["get", "list", "watch"] },
        { apiGroups: ["apps"], resources: ["deployments"], verbs: ["get", "list", "watch"] },
    ],
};

/** Verbs that let a subject grant itself more than it has (CIS 5.1.x). */
export const ESCALATING_VERBS = ["escalate", "bind", "impersonate"];
/** Lowercase words, or "*": a verb in another form ("Get") silently grants nothing. */
const VERB = /^([a-z]+|\*)$/;

/** Where a role's rules make it privileged: the exact verb entry and why. */
export interface PrivilegedGrant { path: string; verb: string; why: string }

/** The verbs of `rules` (at `at`) that make the role privileged, "*" counted as every verb it covers. */
export function privilegedGrants(at: string, rules: PolicyRule[]): PrivilegedGrant[] {
    const grants: PrivilegedGrant[] = [];
    rules.forEach((rule, j) => rule.verbs.forEach((verb, k) => {
        const path = `${at}.rules[${j}].verbs[${k}]`;
        if (verb === "*") {
            const everything = (rule.resources ?? []).includes("*") || (rule.nonResourceURLs ?? []).includes("*");
            grants.push({ path, verb, why: everything ? "'*' verbs on '*' grant every right, like cluster-admin" : "'*' covers escalate, bind and impersonate" });
        } else if (ESCALATING_VERBS.includes(verb)) {
            grants.push({ path, verb, why: `${verb} lets a subject grant itself more rights` });
        }
    }));
    return grants;
}

/** ClusterRoles defined elsewhere that bindings here may reference, instead of the built-in ones (a tenant stack binds
 *  only what its baseline lets it), and what to say about any other. */
export interface BindableClusterRoles { names: readonly string[]; refused(name: string): string }

export function resolveRbac(raw: Static<typeof RbacSchema>, breakGlass: BreakGlassConfig, issues: Issues, bindable?: BindableClusterRoles): RbacConfig {
    const clusterRoles = (raw.clusterRoles ?? []).map((r, i): ClusterRoleConfig => {
        const at = `rbac.clusterRoles[${i}]`;
        checkObjectName(issues, `${at}.name`, r.name, "ClusterRole");
        if ((BUILT_IN_CLUSTER_ROLES as readonly string[]).includes(r.name) || r.name.startsWith("system:")) {
            issues.add(`${at}.name`, r.name, "is a built-in ClusterRole; choose another name");
        }
        return { name: r.name, ...(r.template ? { template: r.template } : {}), rules: resolveRules(issues, at, r, true) };
    });
    reportDuplicates(issues, clusterRoles.map(r => r.name), i => `rbac.clusterRoles[${i}].name`, "ClusterRole");

    const roles = (raw.roles ?? []).map((r, i): RoleConfig => {
        const at = `rbac.roles[${i}]`;
        checkObjectName(issues, `${at}.name`, r.name, "Role");
        checkNamespaceName(issues, `${at}.namespace`, r.namespace);
        return { name: r.name, namespace: r.namespace, ...(r.template ? { template: r.template } : {}), rules: resolveRules(issues, at, r, false) };
    });
    reportDuplicates(issues, roles.map(r => `${r.namespace}/${r.name}`), i => `rbac.roles[${i}].name`, "Role in this namespace", i => roles[i].name);

    const definedClusterRoles = new Set<string>([...(bindable ? bindable.names : BUILT_IN_CLUSTER_ROLES), ...clusterRoles.map(r => r.name)]);
    const undefinedClusterRole = (name: string) => bindable
        ? bindable.refused(name)
        : `no ClusterRole "${name}" is defined (kube-baseline:rbac.clusterRoles) or built in (${BUILT_IN_CLUSTER_ROLES.join(", ")})`;
    const definedRoles = new Set(roles.map(r => `${r.namespace}/${r.name}`));
    // Privileged roles, by how a roleRef reaches them: "ClusterRole/<name>" or "Role/<namespace>/<name>".
    const privileged = new Map<string, { what: string; grants: PrivilegedGrant[]; boundByBreakGlass: boolean; bound: boolean }>();
    clusterRoles.forEach((r, i) => {
        const grants = privilegedGrants(`rbac.clusterRoles[${i}]`, r.rules);
        if (grants.length > 0) privileged.set(`ClusterRole/${r.name}`, { what: `ClusterRole "${r.name}"`, grants, boundByBreakGlass: false, bound: false });
    });
    roles.forEach((r, i) => {
        const grants = privilegedGrants(`rbac.roles[${i}]`, r.rules);
        if (grants.length > 0) privileged.set(`Role/${r.namespace}/${r.name}`, { what: `Role "${r.name}" in ${r.namespace}`, grants, boundByBreakGlass: false, bound: false });
    });
    const checkPrivilegedRef = (at: string, bindingName: string, roleRef: { kind: string; name: string }, namespace?: string) => {
        const breakGlassed = breakGlass.clusterAdminBindings.includes(bindingName);
        const hint = `list "${bindingName}" in kube-baseline:breakGlass.clusterAdminBindings to do it deliberately`;
        if (roleRef.kind === "ClusterRole" && roleRef.name === "cluster-admin") {
            if (!breakGlassed) issues.add(`${at}.roleRef.name`, roleRef.name, `binding to cluster-admin is a break-glass action; ${hint}`);
            return;
        }
        const role = privileged.get(roleRef.kind === "ClusterRole" ? `ClusterRole/${roleRef.name}` : `Role/${namespace}/${roleRef.name}`);
        if (role === undefined) return;
        role.bound = true;
        if (breakGlassed) role.boundByBreakGlass = true;
        else issues.add(`${at}.roleRef.name`, roleRef.name, `${role.what} is privileged (${role.grants[0].path}: ${role.grants[0].why}); binding it is a break-glass action; ${hint}`);
    };

    const roleBindings = (raw.roleBindings ?? []).map((b, i) => {
        const at = `rbac.roleBindings[${i}]`;
        checkObjectName(issues, `${at}.name`, b.name, "RoleBinding");
        checkNamespaceName(issues, `${at}.namespace`, b.namespace);
        if (b.roleRef.kind === "Role" && !definedRoles.has(`${b.namespace}/${b.roleRef.name}`)) {
            issues.add(`${at}.roleRef.name`, b.roleRef.name, `no Role "${b.roleRef.name}" is defined in namespace ${b.namespace} (kube-baseline:rbac.roles)`);
        }
        if (b.roleRef.kind === "ClusterRole" && !definedClusterRoles.has(b.roleRef.name)) {
            issues.add(`${at}.roleRef.name`, b.roleRef.name, undefinedClusterRole(b.roleRef.name));
        }
        checkPrivilegedRef(at, b.name, b.roleRef, b.namespace);
        checkSubjects(issues, at, b.subjects);
        return b;
    });
    reportDuplicates(issues, roleBindings.map(b => `${b.namespace}/${b.name}`), i => `rbac.roleBindings[${i}].name`, "RoleBinding in this namespace", i => roleBindings[i].name);

    const clusterRoleBindings = (raw.clusterRoleBindings ?? []).map((b, i) => {
        const at = `rbac.clusterRoleBindings[${i}]`;
        checkObjectName(issues, `${at}.name`, b.name, "ClusterRoleBinding");
        if (!definedClusterRoles.has(b.roleRef.name)) {
            issues.add(`${at}.roleRef.name`, b.roleRef.name, undefinedClusterRole(b.roleRef.name));
        }
        checkPrivilegedRef(at, b.name, b.roleRef);
        checkSubjects(issues, at, b.subjects);
        return b;
    });
    reportDuplicates(issues, clusterRoleBindings.map(b => b.name), i => `rbac.clusterRoleBindings[${i}].name`, "ClusterRoleBinding");

    // A privileged role nothing binds deliberately is a grant waiting for a binding (a tenant stack's, say).
    for (const role of privileged.values()) {
        if (!role.bound) {
            const g = role.grants[0];
            issues.add(g.path, g.verb, `${g.why}; a privileged role must be bound by a break-glass binding (kube-baseline:breakGlass.clusterAdminBindings), and none binds ${role.what}`);
        }
    }

    const allBindings = [...roleBindings, ...clusterRoleBindings];
    const serviceAccounts = (raw.serviceAccounts ?? []).map((s, i): ServiceAccountConfig => {
        const at = `rbac.serviceAccounts[${i}]`;
        checkObjectName(issues, `${at}.name`, s.name, "ServiceAccount");
        checkNamespaceName(issues, `${at}.namespace`, s.namespace);
        const longLivedToken = s.longLivedToken ?? false;
        const bound = allBindings.some(b => b.subjects.some(sub => sub.kind === "ServiceAccount" && sub.name === s.name && sub.namespace === s.namespace));
        if (longLivedToken && !bound) {
            issues.add(`${at}.longLivedToken`, true, "a long-lived token for a ServiceAccount no binding grants anything to; bind it to a least-privilege role");
        }
        return { name: s.name, namespace: s.namespace, longLivedToken };
    });
    reportDuplicates(issues, serviceAccounts.map(s => `${s.namespace}/${s.name}`), i => `rbac.serviceAccounts[${i}].name`, "ServiceAccount in this namespace", i => serviceAccounts[i].name);

    return { clusterRoles, roles, roleBindings, clusterRoleBindings, serviceAccounts };
}

function resolveRules(issues: Issues, at: string, r: { template?: string; rules?: PolicyRule[] }, clusterScoped: boolean): PolicyRule[] {
    if (r.template !== undefined && r.rules !== undefined) {
        issues.add(`${at}.template`, r.template, "set either template or rules, not both");
        return [];
    }
    if (r.template !== undefined) {
        const rules = ROLE_TEMPLATES[r.template];
        if (!rules) issues.add(`${at}.template`, r.template, `unknown role template; known: ${Object.keys(ROLE_TEMPLATES).join(", ")}`);
        return rules ?? [];
    }
    const rules = r.rules ?? [];
    if (rules.length === 0) issues.add(`${at}.rules`, rules, "a role needs rules or a template");
    rules.forEach((rule, j) => {
        const ruleAt = `${at}.rules[${j}]`;
        if (rule.verbs.length === 0) issues.add(`${ruleAt}.verbs`, rule.verbs, "must list at least one verb");
        rule.verbs.forEach((verb, k) => {
            if (!VERB.test(verb)) issues.add(`${ruleAt}.verbs[${k}]`, verb, "must be a lowercase verb such as get, list or watch (or '*')");
        });
        if (rule.nonResourceURLs !== undefined) {
            if (!clusterScoped) issues.add(`${ruleAt}.nonResourceURLs`, rule.nonResourceURLs, "only ClusterRoles can grant non-resource URLs");
            if (rule.resources !== undefined || rule.apiGroups !== undefined) {
                issues.add(`${ruleAt}.nonResourceURLs`, rule.nonResourceURLs, "a rule grants either resources or nonResourceURLs, not both");
            }
        } else if (!rule.resources || rule.resources.length === 0 || rule.apiGroups === undefined) {
            issues.add(`${ruleAt}.resources`, rule.resources, "a resource rule needs apiGroups (\"\" is the core group) and at least one resource");
        }
    });
    return rules;
}

function checkSubjects(issues: Issues, at: string, subjects: SubjectConfig[]): void {
    if (subjects.length === 0) issues.add(`${at}.subjects`, subjects, "a binding needs at least one subject");
    subjects.forEach((s, k) => {
        const subAt = `${at}.subjects[${k}]`;
        if (s.kind === "ServiceAccount") {
            checkObjectName(issues, `${subAt}.name`, s.name, "ServiceAccount");
            if (s.namespace === undefined) issues.add(`${subAt}.namespace`, undefined, "ServiceAccount subjects need a namespace");
            else checkNamespaceName(issues, `${subAt}.namespace`, s.namespace);
            return;
        }
        if (s.namespace !== undefined) issues.add(`${subAt}.namespace`, s.namespace, "only ServiceAccount subjects have a namespace");
        if (s.kind === "Group" && s.name === SYSTEM_MASTERS) {
            issues.add(`${subAt}.name`, s.name, "system:masters already has every right; binding it is meaningless");
        } else {
            checkPrincipalName(issues, `${subAt}.name`, s.name, s.kind === "User" ? "user" : "group");
        }
    });
}
