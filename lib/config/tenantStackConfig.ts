// A tenant stack's whole configuration, checked once against its baseline stack's outputs before any resource is
// registered: one ConfigError lists every problem (a cluster-wide key, a namespace another tenant owns, a
// ClusterRole the baseline does not let it bind, a user outside its prefix), so nothing is half-applied.

import { CredentialSource, NodeConfig, NodeRole, NODE_ROLES, resolveClusterConfig } from "./cluster";
import { ConfigError, Issues } from "./configError";
import { SECRET_IS_SET, StackConfigValues } from "./configValues";
import { unknownKeyMessage } from "./didYouMean";
import { IdentityConfig, validateIdentityConfig } from "./identity";
import { BaselineOutputs, readBaselineFacts } from "./baselineOutputs";
import { STACK_CONFIG_KEYS } from "./stackConfig";
import {
    checkTenantStack, resolveTenantKey, TENANT_STACK_KEYS, tenantCertificates, tenantIdentityContext, TenantKey, TenantScope, tenantScope,
} from "./tenant";

export interface TenantStackConfig {
    scope: TenantScope;
    /** The cluster as the baseline describes it. */
    cluster: { name: string; apiServerUrl: string; caCertificatePem: string };
    /** The baseline's CNI kind ("flannel", "calico", "unmanaged"). */
    cni: string;
    identity: IdentityConfig;
    /** The sandbox's files, or secret config (adminKubeconfig, and sshPrivateKey for csr users). */
    credentials: CredentialSource;
    /** Where csr users are approved: the baseline's first control-plane node; set when the stack has csr users. */
    csrApprovalNode?: NodeConfig;
}

/** kube-baseline:tenant alone: which baseline to read. Throws a ConfigError when it is not usable. */
export function loadTenantKey(values: StackConfigValues): TenantKey {
    const issues = new Issues();
    const key = resolveTenantKey(values.tenant, issues);
    if (!key) throw new ConfigError(issues.issues);
    return key;
}

/**
 * Validates a tenant stack's config (readStackConfigValues of pulumi.runtime.allConfig()) against `baseline`, the
 * baseline stack's outputs (BASELINE_OUTPUT_NAMES). `readSandbox` as for loadStackConfig. Throws one ConfigError.
 */
export function loadTenantStackConfig(
    values: StackConfigValues,
    baseline: BaselineOutputs,
    readSandbox: (dir: string) => string,
    sandboxDir?: string,
): TenantStackConfig {
    const issues = new Issues();
    const key = resolveTenantKey(values.tenant, issues);
    for (const name of Object.keys(values)) {
        if (!STACK_CONFIG_KEYS.includes(name)) issues.unknown(name, unknownKeyMessage(name, STACK_CONFIG_KEYS));
        else if (!TENANT_STACK_KEYS.includes(name)) {
            issues.keyOnly(name, `is cluster-wide and belongs to the baseline stack${key ? ` (${key.baselineStack})` : ""}; a tenant stack sets only ${TENANT_STACK_KEYS.join(", ")}`);
        }
    }
    if (!key) throw new ConfigError(issues.issues);

    const facts = readBaselineFacts(baseline, key.baselineStack, issues);
    const scope = facts && tenantScope(key, facts.tenancy, issues);
    if (!facts || !scope) throw new ConfigError(issues.issues);

    const raw = {
        namespaces: values.namespaces,
        users: values.users,
        rbac: values.rbac,
        certificates: tenantCertificates(values.certificates, scope, issues),
    };
    const validated = validateIdentityConfig(raw, { cni: facts.cni.kind, ...tenantIdentityContext(scope) });
    issues.issues.push(...validated.issues);
    const identity = validated.config && checkTenantStack(validated.config, scope, issues);

    const csrUsers = identity ? identity.users.filter(u => u.authentication === "csr").length : 0;
    const credentials = tenantCredentials(key, facts.apiServerUrl, values, csrUsers > 0, readSandbox, sandboxDir, issues);
    const node = facts.tenancy.csrApprovalNode;
    if (csrUsers > 0 && node === null) {
        issues.add("users", values.users, `baseline stack ${key.baselineStack} exports no control-plane node to approve CSRs on (its tenancy.csrApprovalNode)`);
    }

    if (issues.count > 0 || !identity || !credentials) throw new ConfigError(issues.issues);
    return {
        scope,
        cluster: { name: facts.tenancy.clusterName, apiServerUrl: facts.apiServerUrl, caCertificatePem: facts.caCertificatePem },
        cni: facts.cni.kind,
        identity,
        credentials,
        ...(csrUsers > 0 && node ? {
            csrApprovalNode: {
                name: node.name,
                ip: node.ip,
                roles: node.roles.filter((r): r is NodeRole => (NODE_ROLES as readonly string[]).includes(r)),
                ssh: { ...node.ssh },
            },
        } : {}),
    };
}

/** The sandbox's files (for the sandbox the baseline runs on), or the secret config keys, set. */
function tenantCredentials(
    key: TenantKey, apiServerUrl: string, values: StackConfigValues, needsSsh: boolean,
    readSandbox: (dir: string) => string, sandboxDir: string | undefined, issues: Issues,
): CredentialSource | undefined {
    if (key.credentials === "sandbox") {
        const found = resolveClusterConfig({ source: "sandbox" }, readSandbox, sandboxDir, new Issues());
        const sandbox = found.resolved;
        if (!sandbox) {
            for (const issue of found.issues.issues) issues.add("tenant.credentials", "sandbox", issue.message);
            return undefined;
        }
        if (sandbox.cluster.apiServerUrl !== apiServerUrl) {
            issues.add("tenant.credentials", "sandbox", `the sandbox's apiserver ${sandbox.cluster.apiServerUrl} is not the cluster of baseline stack ${key.baselineStack} (${apiServerUrl})`);
            return undefined;
        }
        return sandbox.credentials;
    }
    const missing = (["adminKubeconfig", ...(needsSsh ? ["sshPrivateKey"] : [])]).filter(k => values[k] !== SECRET_IS_SET);
    for (const k of missing) {
        issues.add(k, undefined, `required for this tenant stack${k === "sshPrivateKey" ? " (its csr users are approved on the baseline's control-plane node)" : ""}: `
            + `pulumi config set --secret kube-baseline:${k} < <file> (or tenant.credentials: sandbox)`);
    }
    return missing.length > 0 ? undefined : { kind: "config" };
}
