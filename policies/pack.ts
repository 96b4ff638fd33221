// The pack's policies, each built by its factory at its default (strictest sensible) enforcement
// level; config/<env>.json lowers some to advisory per environment.

import { Policies } from "@pulumi/policy";
import {
    identityCertificateValidity,
    identityKeyStrength,
    identityNoStaticTokens,
    identityNoSystemMastersCertificates,
} from "./rules/identity";
import { controlPlaneCisNoRegression } from "./rules/controlPlane";
import { calicoIPPoolSane, calicoRouteReflectorClusterId, calicoRouteReflectorRedundancy } from "./rules/network";
import {
    rbacAggregatedClusterRoles,
    rbacClusterRoleBindingAllowList,
    rbacNoAdmissionWebhookWrites,
    rbacNoClusterWideSecretRead,
    rbacNoCsrApproval,
    rbacNoEscalationVerbs,
    rbacNoNodesProxy,
    rbacNoNodeWrites,
    rbacNoPersistentVolumeWrites,
    rbacNoPodExec,
    rbacNoPrivilegedBindings,
    rbacNoPublicSubjects,
    rbacNoSecretReadInTokenNamespaces,
    rbacNoTokenRequests,
    rbacNoWildcards,
    rbacNoWorkloadCreate,
} from "./rules/rbac";
import { secretOutputs } from "./rules/secrets";
import { tenantStaysInItsNamespaces } from "./rules/tenancy";
import {
    namespaceDefaultDenyNetworkPolicy,
    namespacePodSecurityEnforce,
    serviceAccountNoTokenAutomount,
    workloadsNoHostAccess,
} from "./rules/workloads";

export const PACK_NAME = "kube-baseline";

export const PACK_DESCRIPTION =
    "kube-baseline least privilege and cluster baseline: RBAC, identity, Pod Security, NetworkPolicy, Calico, control-plane CIS checks, secret outputs, tenant stacks.";

export function packPolicies(): Policies {
    return [
        rbacNoWildcards(),
        rbacNoEscalationVerbs(),
        rbacNoNodesProxy(),
        rbacNoClusterWideSecretRead(),
        rbacNoPrivilegedBindings(),
        rbacClusterRoleBindingAllowList(),
        rbacAggregatedClusterRoles(),
        rbacNoPodExec(),
        rbacNoWorkloadCreate(),
        rbacNoTokenRequests(),
        rbacNoCsrApproval(),
        rbacNoAdmissionWebhookWrites(),
        rbacNoPersistentVolumeWrites(),
        rbacNoNodeWrites(),
        rbacNoPublicSubjects(),
        rbacNoSecretReadInTokenNamespaces(),
        identityKeyStrength(),
        identityCertificateValidity(),
        identityNoSystemMastersCertificates(),
        identityNoStaticTokens(),
        namespacePodSecurityEnforce(),
        workloadsNoHostAccess(),
        serviceAccountNoTokenAutomount(),
        namespaceDefaultDenyNetworkPolicy(),
        calicoIPPoolSane(),
        calicoRouteReflectorClusterId(),
        calicoRouteReflectorRedundancy(),
        controlPlaneCisNoRegression(),
        secretOutputs(),
        tenantStaysInItsNamespaces(),
    ];
}
