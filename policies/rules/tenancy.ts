// Tenant stacks stay in their namespaces: a stack that exports `tenant` (kube-baseline's tenant program does, from
// its baseline's registry) may create Kubernetes objects only inside its own namespaces (and those namespaces
// themselves), bind only the ClusterRoles its baseline allows, run no node commands but its CSR-API approvals, sign
// nothing with the cluster CA, and issue only identities under its own prefix. The same rule as the tenant stack's
// config validation, checked on what the program actually registers.

import { EnforcementLevel, StackValidationPolicy } from "@pulumi/policy";
import { csrSubjects } from "../lib/csrSubject";
import { COMMAND_TYPES, STATIC_TOKENS_COMPONENT_TYPE, TLS_LOCALLY_SIGNED_CERT_TYPE } from "../lib/identity";
import { metadataName, namespaceOf } from "../lib/k8s";
import { CheckedResource, stackPolicy } from "../lib/policy";
import { HELM_RELEASE_TYPE, isClusterScoped, kubernetesKind, TenantScope, tenantScopeOf, urnTypeChain } from "../lib/tenant";
import { at, knownString } from "../lib/values";

export interface TenantConfig {
    /** This pack config is for tenant stacks: a stack that exports no `tenant` fails. */
    requireTenantOutput: boolean;
}

/** The only node command a tenant stack runs: approving its own users' CSRs (kube-baseline's CsrApiUser). */
export const CSR_API_USER_TYPE = "kube-baseline:identity:CsrApiUser";
const CA_KEY_TYPE = "kube-baseline:identity:ClusterCaKey";

/** What in one resource reaches outside the tenant's scope, as messages (empty when nothing does). Pure. */
export function tenantFindings(resource: CheckedResource, scope: TenantScope): string[] {
    const { type, props } = resource;
    const label = `${type.split(":").pop()} '${metadataName(props) ?? resource.name}'`;
    const own = (ns: string) => scope.namespaces.includes(ns);
    const findings: string[] = [];

    if (type === HELM_RELEASE_TYPE) return [`${label} installs whatever its chart holds, which cannot be checked here; a tenant stack renders charts (helm.sh/v4 Chart) so each object is judged`];
    if (type === TLS_LOCALLY_SIGNED_CERT_TYPE || type === CA_KEY_TYPE) {
        return [`${label} signs with the cluster CA's private key, the power to mint any identity; a tenant stack issues csr users only`];
    }
    if (type === STATIC_TOKENS_COMPONENT_TYPE) return [`${label} patches the kube-apiserver on every control-plane node: cluster-wide`];

    if (COMMAND_TYPES.includes(type)) {
        const chain = urnTypeChain(resource.urn);
        if (chain[chain.length - 2] !== CSR_API_USER_TYPE) return [`${label} runs a command on a node or this machine: a tenant stack runs none but its users' CSR approvals`];
        const stdin = knownString(at(props, "stdin"));
        const subjects = stdin === undefined ? undefined : csrSubjects(stdin);
        if (stdin !== undefined && subjects === undefined) return [`${label}: its certificate request cannot be read, so who it would issue is unknown`];
        for (const cn of subjects?.commonNames ?? []) {
            if (!cn.startsWith(scope.identityPrefix)) findings.push(`${label} issues a certificate for user '${cn}', outside the tenant's prefix '${scope.identityPrefix}': another tenant's or the platform's identity`);
        }
        for (const o of subjects?.organizations ?? []) {
            if (!o.startsWith(scope.identityPrefix)) findings.push(`${label} issues a certificate in group '${o}', outside the tenant's prefix '${scope.identityPrefix}': its holder gets that group's rights`);
        }
        return findings;
    }

    const kind = kubernetesKind(type);
    if (kind === undefined) return [];
    if (kind.group === "core" && kind.kind === "Namespace") {
        const name = metadataName(props);
        if (name !== undefined && !own(name)) findings.push(`${label} is not one of tenant ${scope.name}'s namespaces (${scope.namespaces.join(", ")})`);
        return findings;
    }
    if (isClusterScoped(kind)) return [`${label} is cluster-scoped: a tenant stack touches only objects in its own namespaces`];
    const namespace = namespaceOf(props);
    if (namespace !== undefined && !own(namespace)) {
        findings.push(`${label} is in namespace '${namespace}', not one of tenant ${scope.name}'s (${scope.namespaces.join(", ")})`);
    }
    if (kind.group === "rbac.authorization.k8s.io" && kind.kind === "RoleBinding" && knownString(at(props, "roleRef", "kind")) === "ClusterRole") {
        const role = knownString(at(props, "roleRef", "name"));
        if (role !== undefined && !scope.clusterRoles.includes(role)) {
            findings.push(`${label} binds ClusterRole '${role}', which the baseline does not let tenant ${scope.name} bind (allowed: ${scope.clusterRoles.join(", ") || "none"})`);
        }
    }
    return findings;
}

export function tenantStaysInItsNamespaces(enforcementLevel: EnforcementLevel = "mandatory"): StackValidationPolicy {
    return stackPolicy<TenantConfig>({
        name: "tenant-stays-in-its-namespaces",
        description: "A tenant stack creates objects only in its own namespaces, binds only the ClusterRoles its baseline allows, and issues only identities under its prefix.",
        remediationSteps: "Move cluster-wide objects (ClusterRoles, CNI, CRDs, webhooks, ...) to the baseline stack, keep namespaced objects in the tenant's "
            + "namespaces (the baseline's kube-baseline:tenants lists them), and name users and groups <tenant>:<name>.",
        severity: "critical",
        defaults: { requireTenantOutput: false },
        schema: {
            requireTenantOutput: { type: "boolean", description: "Fail a stack that exports no tenant output (for the pack config of tenant stacks)." },
        },
        check: (resources, config, report) => {
            const scope = tenantScopeOf(resources);
            if (scope === "unknown") return;
            if (scope === undefined) {
                if (config.requireTenantOutput) report("This stack exports no 'tenant' output, but the pack config is for tenant stacks: is kube-baseline:tenant set in its stack config?");
                return;
            }
            for (const resource of resources) {
                for (const finding of tenantFindings(resource, scope)) report(`${finding}.`, resource.urn);
            }
        },
    }, enforcementLevel);
}
