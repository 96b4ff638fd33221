// RBAC least privilege (CIS 5.1.x): no wildcards, no escalation verbs, no nodes/proxy, no cluster-wide
// secret reads, no cluster-admin or system:masters bindings outside an allow-list, ClusterRoleBindings
// only to allow-listed roles, and aggregated ClusterRoles judged by the roles they pull in. Then the other
// ways to become someone more powerful: a shell in pods, starting pods (with any ServiceAccount), minting
// tokens, approving client certificates, admission webhooks, hostPath PersistentVolumes, node writes,
// bindings to anonymous or every authenticated user, and reads of Secrets where tokens live.

import { EnforcementLevel, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { stringList } from "../lib/config";
import {
    CLUSTER_ROLE_BINDING_TYPES,
    CLUSTER_ROLE_TYPES,
    displayName,
    isPatchType,
    metadataName,
    metadataValue,
    namespaceOf,
    ROLE_BINDING_TYPES,
    ROLE_TYPES,
    SECRET_TYPES,
    selectorMatches,
} from "../lib/k8s";
import { CheckedResource, resourcePolicy, stackPolicy } from "../lib/policy";
import {
    aggregationSelectors,
    bindingSubjects,
    CSR_APPROVAL_WHY,
    csrApprovalFindings,
    csrApprovalParts,
    escalationFindings,
    isAggregated,
    nodesProxyFindings,
    nodeWriteFindings,
    persistentVolumeWriteFindings,
    podExecFindings,
    RuleFinding,
    secretReadFindings,
    subjectKey,
    tokenRequestFindings,
    webhookWriteFindings,
    wildcardFindings,
    workloadCreateFindings,
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

function bindingLabel(binding: CheckedResource): string {
    return `${CLUSTER_ROLE_BINDING_TYPES.includes(binding.type) ? "ClusterRoleBinding" : "RoleBinding"} '${displayName(binding.props, binding.name)}'`;
}

/** A policy that runs one rule analysis over Role/ClusterRole rules (aggregated roles: see the stack policy). */
function ruleCheck(
    spec: {
        name: string; description: string; remediationSteps: string; severity: "high" | "critical"; types: string[];
        /** What exemptRoles is for, when a legitimate holder exists (shown in the config schema). */
        exemptRolesDescription?: string;
    },
    analyse: (rules: unknown) => RuleFinding[],
    enforcementLevel: EnforcementLevel,
): ResourceValidationPolicy {
    const { exemptRolesDescription, ...meta } = spec;
    return resourcePolicy<RoleExemptions>({
        ...meta,
        defaults: { exemptRoles: [] },
        schema: exemptRolesDescription ? { exemptRoles: stringList(exemptRolesDescription) } : exemptRolesSchema,
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

export function rbacNoPodExec(enforcementLevel: EnforcementLevel = "mandatory"): ResourceValidationPolicy {
    return ruleCheck({
        name: "rbac-no-pod-exec",
        description: "No Role or ClusterRole grants pods/exec, pods/attach, pods/portforward or pods/ephemeralcontainers: a shell in the pods, with their tokens.",
        remediationSteps: "Remove these subresources (pods/log reads logs); keep shell access in a reviewed break-glass role listed in exemptRoles.",
        severity: "high",
        types: ALL_ROLE_TYPES,
        exemptRolesDescription: "Roles that may open a shell in pods (a reviewed break-glass or debugging role): a ClusterRole by name, a Role by '<namespace>/<name>' or name.",
    }, podExecFindings, enforcementLevel);
}

export function rbacNoWorkloadCreate(enforcementLevel: EnforcementLevel = "mandatory"): ResourceValidationPolicy {
    return ruleCheck({
        name: "rbac-no-workload-create",
        description: "No Role or ClusterRole creates (or updates or patches) pods, deployments, daemonsets, statefulsets, replicasets, jobs, cronjobs or replicationcontrollers: such a pod can run as any ServiceAccount of its namespace.",
        remediationSteps: "Deploy through a reviewed deployer: a Role in each namespace it deploys to, listed in exemptRoles as '<namespace>/<name>'.",
        severity: "high",
        types: ALL_ROLE_TYPES,
        exemptRolesDescription: "Deployers that may create workloads, e.g. a CI deployer's Role per namespace as '<namespace>/<name>' (a Role by bare name is exempt in every namespace, a ClusterRole wherever it is bound).",
    }, workloadCreateFindings, enforcementLevel);
}

export function rbacNoTokenRequests(enforcementLevel: EnforcementLevel = "mandatory"): ResourceValidationPolicy {
    return ruleCheck({
        name: "rbac-no-token-requests",
        description: "No Role or ClusterRole grants create on serviceaccounts/token: it mints tokens for the namespace's ServiceAccounts.",
        remediationSteps: "Let pods get their own projected tokens; a component that must mint tokens for a named account goes in exemptRoles.",
        severity: "critical",
        types: ALL_ROLE_TYPES,
        exemptRolesDescription: "Roles that may mint ServiceAccount tokens (e.g. calico-node, for its CNI plugin's account): a ClusterRole by name, a Role by '<namespace>/<name>' or name.",
    }, tokenRequestFindings, enforcementLevel);
}

export function rbacNoCsrApproval(enforcementLevel: EnforcementLevel = "mandatory"): ResourceValidationPolicy {
    return ruleCheck({
        name: "rbac-no-csr-approval",
        description: "No Role or ClusterRole both updates certificatesigningrequests/approval and approves for a kube-apiserver client signer: that issues a certificate for any name, system:masters included.",
        remediationSteps: "Leave approval of user certificates to the platform's own reviewed path; an approver that checks what it approves goes in exemptRoles.",
        severity: "critical",
        types: ALL_ROLE_TYPES,
    }, csrApprovalFindings, enforcementLevel);
}

export function rbacNoAdmissionWebhookWrites(enforcementLevel: EnforcementLevel = "mandatory"): ResourceValidationPolicy {
    return ruleCheck({
        name: "rbac-no-admission-webhook-writes",
        description: "No Role or ClusterRole writes mutatingwebhookconfigurations or validatingwebhookconfigurations: a webhook intercepts or rewrites every request it selects.",
        remediationSteps: "Install webhooks from the platform stack itself; a controller that patches its own webhook (e.g. a CA injector) goes in exemptRoles.",
        severity: "critical",
        types: ALL_ROLE_TYPES,
    }, webhookWriteFindings, enforcementLevel);
}

export function rbacNoPersistentVolumeWrites(enforcementLevel: EnforcementLevel = "mandatory"): ResourceValidationPolicy {
    return ruleCheck({
        name: "rbac-no-persistent-volume-writes",
        description: "No Role or ClusterRole writes persistentvolumes: a hostPath PersistentVolume reaches the node's filesystem around Pod Security.",
        remediationSteps: "Let users claim storage through PersistentVolumeClaims and StorageClasses; a CSI provisioner goes in exemptRoles.",
        severity: "high",
        types: ALL_ROLE_TYPES,
        exemptRolesDescription: "Roles that may write PersistentVolumes (a storage provisioner): a ClusterRole by name.",
    }, persistentVolumeWriteFindings, enforcementLevel);
}

export function rbacNoNodeWrites(enforcementLevel: EnforcementLevel = "mandatory"): ResourceValidationPolicy {
    return ruleCheck({
        name: "rbac-no-node-writes",
        description: "No Role or ClusterRole writes nodes or updates/patches nodes/status: node labels, taints and addresses decide where pods (and their tokens) run.",
        remediationSteps: "Change nodes from the platform stack (NodePatch); a CNI agent that must patch node status goes in exemptRoles.",
        severity: "high",
        types: ALL_ROLE_TYPES,
        exemptRolesDescription: "Roles that may write nodes or their status (the CNI's own agents, e.g. flannel, calico-node): a ClusterRole by name.",
    }, nodeWriteFindings, enforcementLevel);
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
            const label = bindingLabel(binding);
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

function isExemptBinding(binding: CheckedResource, exemptBindings: string[]): boolean {
    const name = displayName(binding.props, binding.name);
    const qualified = CLUSTER_ROLE_BINDING_TYPES.includes(binding.type) ? name : `${namespaceOf(binding.props) ?? "?"}/${name}`;
    return exemptBindings.includes(name) || exemptBindings.includes(qualified);
}

/** Who a public name stands for, for messages. */
function whoIs(name: string): string {
    if (name === "system:authenticated") return "every user and ServiceAccount with any valid credential";
    if (name === "system:anonymous" || name === "system:unauthenticated") return "every request that carries no credential";
    return "anyone";
}

export interface PublicSubjectsConfig {
    /** User and group names that stand for anyone. */
    publicSubjects: string[];
    /** Bindings not checked: a ClusterRoleBinding by name, a RoleBinding by `<namespace>/<name>` or name. */
    exemptBindings: string[];
}

export function rbacNoPublicSubjects(enforcementLevel: EnforcementLevel = "mandatory"): ResourceValidationPolicy {
    return resourcePolicy<PublicSubjectsConfig>({
        name: "rbac-no-public-subjects",
        description: "No RoleBinding or ClusterRoleBinding names system:anonymous, system:unauthenticated or system:authenticated: that grants the role to anyone.",
        remediationSteps: "Bind named users, groups or ServiceAccounts; a reviewed public binding (e.g. a discovery document readable before login) goes in exemptBindings.",
        severity: "critical",
        types: ALL_BINDING_TYPES,
        defaults: { publicSubjects: ["system:anonymous", "system:unauthenticated", "system:authenticated"], exemptBindings: [] },
        schema: {
            publicSubjects: stringList("User and group names that stand for anyone (default: system:anonymous, system:unauthenticated, system:authenticated)."),
            exemptBindings: stringList("Bindings not checked: a ClusterRoleBinding by name, a RoleBinding by '<namespace>/<name>' or name."),
        },
        check: (binding, config, report) => {
            if (isExemptBinding(binding, config.exemptBindings)) return;
            const roleKind = knownString(at(binding.props, "roleRef", "kind")) ?? "role";
            const roleName = knownString(at(binding.props, "roleRef", "name"));
            const grants = roleName ? `${roleKind} '${roleName}'` : "its role";
            for (const subject of bindingSubjects(binding.props, namespaceOf(binding.props))) {
                if ((subject.kind !== "User" && subject.kind !== "Group") || !config.publicSubjects.includes(subject.name)) continue;
                report(`${bindingLabel(binding)} grants ${grants} to ${subject.kind} '${subject.name}', that is to ${whoIs(subject.name)}.`);
            }
        },
    }, enforcementLevel);
}

export const SERVICE_ACCOUNT_TOKEN_SECRET = "kubernetes.io/service-account-token";

export interface TokenNamespaceSecretReadConfig extends RoleExemptions {
    /** Namespaces whose Secrets hold tokens of accounts more privileged than their readers. */
    protectedNamespaces: string[];
    /** ClusterRoles outside the stack known to read every secret. */
    secretReadingClusterRoles: string[];
}

interface TokenSecret {
    name: string;
    account?: string;
}

/** The ServiceAccount token Secrets of the stack, by namespace (names unknown at preview are left out). */
function tokenSecretsByNamespace(resources: CheckedResource[]): Map<string, TokenSecret[]> {
    const found = new Map<string, TokenSecret[]>();
    for (const r of resources) {
        if (!SECRET_TYPES.includes(r.type) || knownString(at(r.props, "type")) !== SERVICE_ACCOUNT_TOKEN_SECRET) continue;
        const namespace = namespaceOf(r.props);
        const name = metadataName(r.props);
        if (namespace === undefined || name === undefined) continue;
        const account = metadataValue(r.props, "annotations", "kubernetes.io/service-account.name");
        found.set(namespace, [...(found.get(namespace) ?? []), { name, account: typeof account === "string" ? account : undefined }]);
    }
    return found;
}

export function rbacNoSecretReadInTokenNamespaces(enforcementLevel: EnforcementLevel = "mandatory"): StackValidationPolicy {
    return stackPolicy<TokenNamespaceSecretReadConfig>({
        name: "rbac-no-secret-read-in-token-namespaces",
        description: "No role reads Secrets in kube-system (protectedNamespaces) or in a namespace holding a ServiceAccount token Secret: the reader takes over those accounts.",
        remediationSteps: "Narrow the read with resourceNames to the Secrets needed (not the token Secrets), or move the token Secret to a namespace of its own.",
        severity: "critical",
        defaults: { exemptRoles: [], protectedNamespaces: ["kube-system"], secretReadingClusterRoles: ["cluster-admin", "admin", "edit"] },
        schema: {
            ...exemptRolesSchema,
            protectedNamespaces: stringList("Namespaces whose Secrets no role may read wholesale (default: kube-system); namespaces with a ServiceAccount token Secret in the stack are added."),
            secretReadingClusterRoles: stringList("ClusterRoles not defined in the stack that read every secret (default: cluster-admin, admin, edit)."),
        },
        check: (resources, config, report) => {
            const tokens = tokenSecretsByNamespace(resources);
            const isProtected = (ns: string) => config.protectedNamespaces.includes(ns) || tokens.has(ns);
            const tokenNames = (ns?: string) => (ns === undefined ? [...tokens.values()].flat() : tokens.get(ns) ?? []).map(t => t.name);
            const why = (ns: string): string => {
                const held = tokens.get(ns);
                if (!held) return `namespace '${ns}' holds the ServiceAccount tokens of the control plane and its add-ons`;
                const secrets = held.map(t => `'${t.name}'${t.account ? ` (ServiceAccount '${t.account}')` : ""}`).join(", ");
                return `namespace '${ns}' holds the ServiceAccount token Secret ${secrets}`;
            };
            const clusterRoles = resources.filter(r => CLUSTER_ROLE_TYPES.includes(r.type));
            // What reading a ClusterRole grants: its own rules, or for an aggregated one those of what it pulls in.
            const clusterRoleReads = (name: string, sensitive: string[]): string[] => {
                if (config.exemptRoles.includes(name)) return [];
                if (config.secretReadingClusterRoles.includes(name)) return ["which reads every Secret"];
                return clusterRoles.filter(r => metadataName(r.props) === name).flatMap(role => isAggregated(role.props)
                    ? aggregatedSources(role, clusterRoles).flatMap(({ source }) =>
                        secretReadFindings(at(source.props, "rules"), sensitive).map(f => `which aggregates ${roleLabel(source)}, whose ${f.message}`))
                    : secretReadFindings(at(role.props, "rules"), sensitive).map(f => `whose ${f.message}`));
            };

            for (const r of resources) {
                const ns = namespaceOf(r.props);
                if (ROLE_TYPES.includes(r.type)) {
                    if (ns === undefined || !isProtected(ns) || isExemptRole(r, config.exemptRoles)) continue;
                    for (const f of secretReadFindings(at(r.props, "rules"), tokenNames(ns))) {
                        report(`${roleLabel(r)} in namespace '${ns}': ${f.message}; ${why(ns)}: whoever holds the role reads them and acts as those accounts.`, r.urn);
                    }
                    continue;
                }
                const isRoleBinding = ROLE_BINDING_TYPES.includes(r.type);
                if (!isRoleBinding && !CLUSTER_ROLE_BINDING_TYPES.includes(r.type)) continue;
                // A RoleBinding to a Role is judged through the Role; a ClusterRole is judged where it is bound.
                const roleName = knownString(at(r.props, "roleRef", "name"));
                if (knownString(at(r.props, "roleRef", "kind")) !== "ClusterRole" || roleName === undefined) continue;
                if (isRoleBinding) {
                    if (ns === undefined || !isProtected(ns)) continue;
                    for (const read of clusterRoleReads(roleName, tokenNames(ns))) {
                        report(`${bindingLabel(r)} in namespace '${ns}' grants ClusterRole '${roleName}', ${read}; ${why(ns)}: its subjects read them and act as those accounts.`, r.urn);
                    }
                    continue;
                }
                const everywhere = [...new Set([...config.protectedNamespaces, ...tokens.keys()])];
                if (everywhere.length === 0) continue;
                for (const read of clusterRoleReads(roleName, tokenNames())) {
                    report(`${bindingLabel(r)} grants ClusterRole '${roleName}' in every namespace, ${read}; ${everywhere.map(why).join("; ")}: its subjects read them and act as those accounts.`, r.urn);
                }
            }
        },
    }, enforcementLevel);
}

/** The per-rule checks an aggregated ClusterRole inherits from each role it pulls in. */
const AGGREGATE_CHECKS: [string, (rules: unknown) => RuleFinding[]][] = [
    ["wildcard", wildcardFindings],
    ["escalation", escalationFindings],
    ["nodes/proxy", nodesProxyFindings],
    ["secret read", rules => secretReadFindings(rules)],
    ["pod exec", podExecFindings],
    ["workload create", workloadCreateFindings],
    ["token request", tokenRequestFindings],
    ["admission webhook write", webhookWriteFindings],
    ["PersistentVolume write", persistentVolumeWriteFindings],
    ["node write", nodeWriteFindings],
];

export function rbacAggregatedClusterRoles(enforcementLevel: EnforcementLevel = "mandatory"): StackValidationPolicy {
    return stackPolicy<RoleExemptions>({
        name: "rbac-aggregated-cluster-roles",
        description: "An aggregated ClusterRole is judged by the ClusterRoles in the stack its selectors pull in: no wildcards, escalation verbs, nodes/proxy, secret reads, pod exec, workload create, token requests, CSR approval, webhook, PersistentVolume or node writes.",
        remediationSteps: "Narrow the aggregationRule selectors, or fix the rules of the ClusterRoles they match.",
        severity: "high",
        defaults: { exemptRoles: [] },
        schema: exemptRolesSchema,
        check: (resources, config, report) => {
            const clusterRoles = resources.filter(r => CLUSTER_ROLE_TYPES.includes(r.type));
            for (const aggregate of clusterRoles.filter(r => isAggregated(r.props))) {
                if (isExemptRole(aggregate, config.exemptRoles)) continue;
                const sources = aggregatedSources(aggregate, clusterRoles);
                const describe = ({ source, via }: AggregatedSource) =>
                    `${roleLabel(source)}${via.length ? ` (through ${via.map(roleLabel).join(" -> ")})` : ""}`;
                for (const s of sources) {
                    for (const [kind, analyse] of AGGREGATE_CHECKS) {
                        for (const finding of analyse(at(s.source.props, "rules"))) {
                            report(`${roleLabel(aggregate)} aggregates ${describe(s)}, whose ${finding.message} (${kind}).`, aggregate.urn);
                        }
                    }
                }
                // CSR approval takes two grants, which two aggregated roles may hold between them.
                const parts = sources.map(s => ({ s, parts: csrApprovalParts(at(s.source.props, "rules")) }));
                const approval = parts.flatMap(({ s, parts: p }) => p.approval.map(f => `${describe(s)}, whose ${f.message}`));
                const signers = parts.flatMap(({ s, parts: p }) => p.signers.map(f => `${describe(s)}, whose ${f.message}`));
                if (approval.length > 0 && signers.length > 0) {
                    report(`${roleLabel(aggregate)} aggregates ${[...approval, ...signers].join(", and ")}: ${CSR_APPROVAL_WHY} (CSR approval).`, aggregate.urn);
                }
            }
        },
    }, enforcementLevel);
}

export interface AggregatedSource {
    source: CheckedResource;
    /** The intermediate aggregated roles, outermost first. */
    via: CheckedResource[];
}

/**
 * The plain (non-aggregated) ClusterRoles an aggregated ClusterRole pulls in, following aggregates of
 * aggregates; `via` is the chain of intermediate aggregated roles. Selectors that cannot be evaluated
 * at preview (unknown labels) match nothing.
 */
export function aggregatedSources(aggregate: CheckedResource, clusterRoles: CheckedResource[]): AggregatedSource[] {
    const found: AggregatedSource[] = [];
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
