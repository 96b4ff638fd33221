// RBAC least privilege (CIS 5.1.x): no wildcards, no escalation verbs, no nodes/proxy, no cluster-wide
// secret reads, no cluster-admin or system:masters bindings outside an allow-list, ClusterRoleBindings
// only to allow-listed roles, and aggregated ClusterRoles judged by the roles they pull in.

import { EnforcementLevel, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { stringList } from "../lib/config";
import {
    CLUSTER_ROLE_BINDING_TYPES,
    CLUSTER_ROLE_TYPES,
    displayName,
    isPatchType,
    namespaceOf,
    ROLE_BINDING_TYPES,
    ROLE_TYPES,
    selectorMatches,
} from "../lib/k8s";
import { CheckedResource, resourcePolicy, stackPolicy } from "../lib/policy";
import {
    aggregationSelectors,
    bindingSubjects,
    escalationFindings,
    isAggregated,
    nodesProxyFindings,
    RuleFinding,
    secretReadFindings,
    subjectKey,
    wildcardFindings,
} from "../lib/rbac";
import { at, knownString } from "../lib/values";

const ALL_ROLE_TYPES = [...ROLE_TYPES, ...CLUSTER_ROLE_TYPES];
const ALL_BINDING_TYPES = [...ROLE_BINDING_TYPES, ...CLUSTER_ROLE_BINDING_TYPES];

export interface RoleExemptions {
    /** Roles not checked: a ClusterRole by name, a Role by `<namespace>/<name>` or by name. */
    exemptRoles: string[];
}

const exemptRolesSchema = {
    exemptRoles: stringList("Roles this policy does not check: a ClusterRole by name, a Role by '<namespace>/<name>' or name."),
};

function isExemptRole(role: CheckedResource, exemptRoles: string[]): boolean {
    const name = displayName(role.props, role.name);
    const isClusterRole = CLUSTER_ROLE_TYPES.includes(role.type);
    const qualified = isClusterRole ? name : `${namespaceOf(role.props) ?? "?"}/${name}`;
    return exemptRoles.includes(name) || exemptRoles.includes(qualified);
}

function roleLabel(role: CheckedResource): string {
    const kind = CLUSTER_ROLE_TYPES.includes(role.type) ? "ClusterRole" : "Role";
    return `${kind} '${displayName(role.props, role.name)}'`;
}

/** A policy that runs one rule analysis over Role/ClusterRole rules (aggregated roles: see the stack policy). */
function ruleCheck(
    spec: { name: string; description: string; remediationSteps: string; severity: "high" | "critical"; types: string[] },
    analyse: (rules: unknown) => RuleFinding[],
    enforcementLevel: EnforcementLevel,
): ResourceValidationPolicy {
    return resourcePolicy<RoleExemptions>({
        ...spec,
        defaults: { exemptRoles: [] },
        schema: exemptRolesSchema,
        check: (role, config, report) => {
            // An aggregated ClusterRole's rules are overwritten by the controller: judged in the stack policy.
            if (isAggregated(role.props) || isExemptRole(role, config.exemptRoles)) return;
            for (const finding of analyse(at(role.props, "rules"))) report(`${roleLabel(role)}: ${finding.message}.`);
        },
    }, enforcementLevel);
}

export function rbacNoWildcards(enforcementLevel: EnforcementLevel = "mandatory"): ResourceValidationPolicy {
    return ruleCheck({
        name: "rbac-no-wildcards",
        description: "Roles and ClusterRoles name their verbs, API groups and resources: no '*', no 'nodes/*'.",
        remediationSteps: "List the exact verbs, apiGroups and resources the subject needs.",
        severity: "high",
        types: ALL_ROLE_TYPES,
    }, wildcardFindings, enforcementLevel);
}

export function rbacNoEscalationVerbs(enforcementLevel: EnforcementLevel = "mandatory"): ResourceValidationPolicy {
    return ruleCheck({
        name: "rbac-no-escalation-verbs",
        description: "No Role or ClusterRole grants escalate, bind or impersonate.",
        remediationSteps: "Remove escalate, bind and impersonate; grant the target permissions directly instead.",
        severity: "critical",
        types: ALL_ROLE_TYPES,
    }, escalationFindings, enforcementLevel);
}

export function rbacNoNodesProxy(enforcementLevel: EnforcementLevel = "mandatory"): ResourceValidationPolicy {
    return ruleCheck({
        name: "rbac-no-nodes-proxy",
        description: "No Role or ClusterRole grants nodes/proxy (kubelet API access).",
        remediationSteps: "Remove nodes/proxy; use metrics or logs APIs for read access to node data.",
        severity: "critical",
        types: ALL_ROLE_TYPES,
    }, nodesProxyFindings, enforcementLevel);
}

export interface ClusterSecretReadConfig extends RoleExemptions {
    /** ClusterRoles outside the stack known to read every secret; a ClusterRoleBinding to them is flagged. */
    secretReadingClusterRoles: string[];
}

export function rbacNoClusterWideSecretRead(enforcementLevel: EnforcementLevel = "mandatory"): ResourceValidationPolicy {
    return resourcePolicy<ClusterSecretReadConfig>({
        name: "rbac-no-cluster-wide-secret-read",
        description: "No ClusterRole reads secrets (get/list/watch) and no ClusterRoleBinding grants a built-in role that does.",
        remediationSteps: "Read secrets through a namespaced Role and RoleBinding, narrowed by resourceNames where possible.",
        severity: "critical",
        types: [...CLUSTER_ROLE_TYPES, ...CLUSTER_ROLE_BINDING_TYPES],
        defaults: { exemptRoles: [], secretReadingClusterRoles: ["cluster-admin", "admin", "edit"] },
        schema: {
            ...exemptRolesSchema,
            secretReadingClusterRoles: stringList("ClusterRoles not defined in the stack that read every secret (default: cluster-admin, admin, edit)."),
        },
        check: (resource, config, report) => {
            if (CLUSTER_ROLE_BINDING_TYPES.includes(resource.type)) {
                const role = knownString(at(resource.props, "roleRef", "name"));
                if (role && config.secretReadingClusterRoles.includes(role) && !config.exemptRoles.includes(role)) {
                    report(`ClusterRoleBinding '${displayName(resource.props, resource.name)}' grants ClusterRole '${role}' cluster-wide, which reads every secret in every namespace.`);
                }
                return;
            }
            if (isAggregated(resource.props) || isExemptRole(resource, config.exemptRoles)) return;
            for (const finding of secretReadFindings(at(resource.props, "rules"))) {
                report(`${roleLabel(resource)}: ${finding.message}; a ClusterRole reads secrets in every namespace once a ClusterRoleBinding references it.`);
            }
        },
    }, enforcementLevel);
}

export interface PrivilegedBindingConfig {
    /** Subjects that may hold the privileged roles or groups: `User:x`, `Group:x`, `ServiceAccount:ns/name`. */
    allowedSubjects: string[];
    privilegedRoles: string[];
    privilegedGroups: string[];
}

export function rbacNoPrivilegedBindings(enforcementLevel: EnforcementLevel = "mandatory"): ResourceValidationPolicy {
    return resourcePolicy<PrivilegedBindingConfig>({
        name: "rbac-no-privileged-bindings",
        description: "No RoleBinding or ClusterRoleBinding to cluster-admin, and none to the group system:masters, except allow-listed subjects.",
        remediationSteps: "Bind a least-privilege role instead, or add the subject to allowedSubjects as a reviewed break-glass entry.",
        severity: "critical",
        types: ALL_BINDING_TYPES,
        defaults: { allowedSubjects: [], privilegedRoles: ["cluster-admin"], privilegedGroups: ["system:masters"] },
        schema: {
            allowedSubjects: stringList("Subjects allowed to hold privileged roles: 'User:<name>', 'Group:<name>', 'ServiceAccount:<namespace>/<name>'."),
            privilegedRoles: stringList("ClusterRoles that only allow-listed subjects may be bound to (default: cluster-admin)."),
            privilegedGroups: stringList("Groups no binding may name unless allow-listed (default: system:masters)."),
        },
        check: (binding, config, report) => {
            const label = `${CLUSTER_ROLE_BINDING_TYPES.includes(binding.type) ? "ClusterRoleBinding" : "RoleBinding"} '${displayName(binding.props, binding.name)}'`;
            const roleKind = knownString(at(binding.props, "roleRef", "kind"));
            const roleName = knownString(at(binding.props, "roleRef", "name"));
            const privilegedRole = roleKind === "ClusterRole" && roleName !== undefined && config.privilegedRoles.includes(roleName);
            const subjects = bindingSubjects(binding.props, namespaceOf(binding.props));
            for (const subject of subjects) {
                const key = subjectKey(subject);
                if (config.allowedSubjects.includes(key)) continue;
                if (privilegedRole) {
                    report(`${label} binds ${key} to ClusterRole '${roleName}' (full control of the cluster); only allow-listed subjects may hold it.`);
                } else if (subject.kind === "Group" && config.privilegedGroups.includes(subject.name)) {
                    report(`${label} names the group '${subject.name}', which is bound to cluster-admin by a built-in binding RBAC cannot restrict.`);
                }
            }
        },
    }, enforcementLevel);
}

export interface ClusterRoleBindingAllowListConfig {
    allowedClusterRoles: string[];
}

export function rbacClusterRoleBindingAllowList(enforcementLevel: EnforcementLevel = "mandatory"): ResourceValidationPolicy {
    return resourcePolicy<ClusterRoleBindingAllowListConfig>({
        name: "rbac-cluster-role-binding-allow-list",
        description: "ClusterRoleBindings (cluster-wide grants) only reference allow-listed ClusterRoles.",
        remediationSteps: "Bind the ClusterRole per namespace with a RoleBinding, or add it to allowedClusterRoles after review.",
        severity: "high",
        types: CLUSTER_ROLE_BINDING_TYPES,
        defaults: { allowedClusterRoles: [] },
        schema: { allowedClusterRoles: stringList("ClusterRoles that ClusterRoleBindings may reference.") },
        check: (binding, config, report) => {
            const roleRef = at(binding.props, "roleRef", "name");
            const role = knownString(roleRef);
            // A patch that leaves roleRef alone does not change what is granted.
            if (role === undefined) {
                if (roleRef === undefined && !isPatchType(binding.type)) report(`ClusterRoleBinding '${displayName(binding.props, binding.name)}' has no roleRef.name.`);
                return;
            }
            if (!config.allowedClusterRoles.includes(role)) {
                report(`ClusterRoleBinding '${displayName(binding.props, binding.name)}' grants ClusterRole '${role}' cluster-wide; allowed: ${config.allowedClusterRoles.length ? config.allowedClusterRoles.join(", ") : "(none)"}.`);
            }
        },
    }, enforcementLevel);
}

const AGGREGATE_CHECKS: [string, (rules: unknown) => RuleFinding[]][] = [
    ["wildcard", wildcardFindings],
    ["escalation", escalationFindings],
    ["nodes/proxy", nodesProxyFindings],
    ["secret read", secretReadFindings],
];

export function rbacAggregatedClusterRoles(enforcementLevel: EnforcementLevel = "mandatory"): StackValidationPolicy {
    return stackPolicy<RoleExemptions>({
        name: "rbac-aggregated-cluster-roles",
        description: "An aggregated ClusterRole is judged by the ClusterRoles in the stack its selectors pull in: no wildcards, escalation verbs, nodes/proxy or secret reads.",
        remediationSteps: "Narrow the aggregationRule selectors, or fix the rules of the ClusterRoles they match.",
        severity: "high",
        defaults: { exemptRoles: [] },
        schema: exemptRolesSchema,
        check: (resources, config, report) => {
            const clusterRoles = resources.filter(r => CLUSTER_ROLE_TYPES.includes(r.type));
            for (const aggregate of clusterRoles.filter(r => isAggregated(r.props))) {
                if (isExemptRole(aggregate, config.exemptRoles)) continue;
                for (const { source, via } of aggregatedSources(aggregate, clusterRoles)) {
                    const through = via.length ? ` (through ${via.map(roleLabel).join(" -> ")})` : "";
                    for (const [kind, analyse] of AGGREGATE_CHECKS) {
                        for (const finding of analyse(at(source.props, "rules"))) {
                            report(`${roleLabel(aggregate)} aggregates ${roleLabel(source)}${through}, whose ${finding.message} (${kind}).`, aggregate.urn);
                        }
                    }
                }
            }
        },
    }, enforcementLevel);
}

/**
 * The plain (non-aggregated) ClusterRoles an aggregated ClusterRole pulls in, following aggregates of
 * aggregates; `via` is the chain of intermediate aggregated roles. Selectors that cannot be evaluated
 * at preview (unknown labels) match nothing.
 */
export function aggregatedSources(
    aggregate: CheckedResource,
    clusterRoles: CheckedResource[],
): { source: CheckedResource; via: CheckedResource[] }[] {
    const found: { source: CheckedResource; via: CheckedResource[] }[] = [];
    const visited = new Set<CheckedResource>([aggregate]);
    const walk = (role: CheckedResource, via: CheckedResource[]): void => {
        const selectors = aggregationSelectors(role.props) ?? [];
        for (const candidate of clusterRoles) {
            if (visited.has(candidate)) continue;
            const labels = at(candidate.props, "metadata", "labels");
            if (!selectors.some(s => selectorMatches(s, labels) === true)) continue;
            visited.add(candidate);
            if (isAggregated(candidate.props)) walk(candidate, [...via, candidate]);
            else found.push({ source: candidate, via });
        }
    };
    walk(aggregate, []);
    return found;
}
