// The whole stack configuration, read once and validated before any resource is registered: one ConfigError
// lists every bad key, so nothing is half-applied by a bad config. Every kube-baseline:* key is read, so a
// misspelt top-level key is an error (with a "did you mean") instead of a setting that silently vanishes.

import { ResolvedCluster, resolveClusterConfig } from "./cluster";
import { ConfigError, Issues } from "./configError";
import { SECRET_CONFIG_KEYS, StackConfigValues } from "./configValues";
import { unknownKeyMessage } from "./didYouMean";
import { IDENTITY_CONFIG_KEYS, IdentityConfig, validateIdentityConfig } from "./identity";
import { NETWORK_CONFIG_KEYS, NetworkConfig, validateNetworkConfig } from "./network";
import { checkShape, withoutUndefined } from "./schema";
import { ControlPlaneConfig, ControlPlaneSchema, resolveControlPlane } from "./controlPlane";
import { resolveTenants, TenantConfig, TenantsSchema } from "./tenants";

export interface StackConfig {
    cluster: ResolvedCluster;
    identity: IdentityConfig;
    network: NetworkConfig;
    controlPlane: ControlPlaneConfig;
    /** A baseline stack with tenant stacks: the registry of who owns which namespace (kube-baseline:tenants). */
    tenants?: TenantConfig[];
    warnings: string[];
}

/** Every top-level key the program reads. `tenant` makes a tenant stack (tenantStackConfig.ts), `tenants` a baseline with tenants. */
export const STACK_CONFIG_KEYS: readonly string[] = ["cluster", ...IDENTITY_CONFIG_KEYS, ...NETWORK_CONFIG_KEYS, "controlPlane", "tenants", "tenant", ...SECRET_CONFIG_KEYS];

/**
 * Validates the stack's config (readStackConfigValues of pulumi.runtime.allConfig()). `readSandbox` returns the
 * sandbox description text for `cluster: { source: sandbox }`. Throws one ConfigError with every problem.
 */
export function loadStackConfig(
    values: StackConfigValues,
    readSandbox: (dir: string) => string,
    sandboxDir?: string,
): StackConfig {
    const issues = new Issues();
    for (const key of Object.keys(values)) {
        if (!STACK_CONFIG_KEYS.includes(key)) issues.unknown(key, unknownKeyMessage(key, STACK_CONFIG_KEYS));
    }
    const pick = (keys: readonly string[]) => Object.fromEntries(keys.filter(k => values[k] !== undefined).map(k => [k, values[k]]));

    const cluster = resolveClusterConfig(values.cluster, readSandbox, sandboxDir, issues).resolved;
    if (cluster && cluster.credentials.kind === "config") {
        for (const key of ["adminKubeconfig", "sshPrivateKey"] as const) {
            if (values[key] === undefined) {
                issues.add(key, undefined, `required for an explicit cluster: pulumi config set --secret kube-baseline:${key} < <file>`);
            }
        }
    }

    const network = validateNetworkConfig(pick(NETWORK_CONFIG_KEYS), cluster && {
        podCidr: cluster.cluster.podCidr,
        nodeNames: cluster.cluster.nodes.map(n => n.name),
    });
    issues.issues.push(...network.issues);

    const identity = validateIdentityConfig(pick(IDENTITY_CONFIG_KEYS), { cni: network.config?.cni?.kind });
    issues.issues.push(...identity.issues);

    // Control-plane hardening: its defaults and checks build on the static-token settings.
    let controlPlane: ControlPlaneConfig | undefined;
    const rawControlPlane = withoutUndefined(values.controlPlane ?? {});
    if (checkShape(ControlPlaneSchema, rawControlPlane, ["controlPlane"], issues) && identity.config) {
        controlPlane = resolveControlPlane(rawControlPlane, {
            staticTokens: identity.config.staticTokens,
            hasTokenUsers: identity.config.users.some(u => u.authentication === "token"),
        }, issues);
    }

    // Tenant stacks: the registry, checked against what this stack owns itself.
    if (values.tenant !== undefined) issues.keyOnly("tenant", "a tenant stack is loaded with loadTenantStackConfig (index.ts runs programs/tenant.ts for it)");
    let tenants: TenantConfig[] | undefined;
    if (values.tenants !== undefined && checkShape(TenantsSchema, values.tenants, ["tenants"], issues) && identity.config) {
        tenants = resolveTenants(values.tenants, { namespaces: identity.config.namespaces, clusterRoles: identity.config.rbac.clusterRoles }, issues);
    }

    if (issues.count > 0 || !cluster || !identity.config || !network.config || !controlPlane) {
        throw new ConfigError(issues.issues);
    }
    return { cluster, identity: identity.config, network: network.config, controlPlane, ...(tenants ? { tenants } : {}), warnings: network.warnings };
}
