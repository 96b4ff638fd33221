// The tenant program: a stack with kube-baseline:tenant (index.ts). It owns one tenant's namespaces (Pod Security
// labels, network policies), the users it issues, its ServiceAccounts, Roles and RoleBindings, and reads everything
// else from its baseline stack's outputs through a StackReference: the cluster's endpoint, CA and CNI, the DNS
// target, the ClusterRoles it may bind and which namespaces the other tenants own. The whole config is checked
// against those outputs before any other resource is registered, so a stack that reaches outside its namespaces
// stops before it changes anything.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as fs from "fs";
import * as path from "path";
import { Identity } from "../components/identity";
import { BASELINE_OUTPUT_NAMES, BaselineOutputs } from "../lib/config/baselineOutputs";
import { DEFAULT_SANDBOX_DIR } from "../lib/config/cluster";
import { ConfigError } from "../lib/config/configError";
import { StackConfigValues } from "../lib/config/configValues";
import { tenantOutput } from "../lib/config/tenant";
import { loadTenantKey, loadTenantStackConfig } from "../lib/config/tenantStackConfig";
import { namespacesOutput } from "../lib/outputs";
import { announceRenewals } from "./certificateRenewals";
import { readAdminKubeconfig, readSshPrivateKey } from "./credentials";

/** Runs the tenant stack; resolves to its outputs. */
export async function tenantProgram(values: StackConfigValues): Promise<Record<string, unknown>> {
    try {
        return await run(values);
    } catch (err) {
        return failNow(err);
    }
}

/**
 * Reports an error of the program (a config error, a baseline it cannot read) and ends the program. A rejection that comes
 * after the program's first await would leave Node.js running until its gRPC connections to the engine time out
 * (some 20 to 40 s here); a config error must stop the stack at once. Exit code 32 is the Node.js SDK's own "the error
 * was logged" (nodeJSProcessExitedAfterLoggingUserActionableMessage): the engine reports the run as failed, with this
 * message and nothing more.
 */
async function failNow(err: unknown): Promise<never> {
    const message = err instanceof ConfigError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err);
    await pulumi.log.error(message);
    process.exit(32);
}

async function run(values: StackConfigValues): Promise<Record<string, unknown>> {
    const key = loadTenantKey(values);
    const baseline = new pulumi.StackReference("baseline", { name: key.baselineStack });
    const baselineOutputs = await readOutputs(baseline);

    const sandboxDir = process.env.KUBE_BASELINE_SANDBOX_DIR ?? DEFAULT_SANDBOX_DIR;
    const stackConfig = loadTenantStackConfig(values, baselineOutputs, dir => fs.readFileSync(path.join(dir, "sandbox.json"), "utf8"), sandboxDir);
    const { scope, identity: identityConfig, credentials } = stackConfig;

    const provider = new k8s.Provider("cluster", { kubeconfig: readAdminKubeconfig(credentials), enableServerSideApply: true });
    const identity = new Identity("identity", {
        config: identityConfig,
        cluster: stackConfig.cluster,
        controlPlaneNodes: stackConfig.csrApprovalNode ? [stackConfig.csrApprovalNode] : [],
        ...(stackConfig.csrApprovalNode ? { sshPrivateKey: readSshPrivateKey(credentials) } : {}),
        cni: stackConfig.cni,
    }, { provider });

    // The identity part of the outputs contract (README "Outputs"), plus what this tenant may touch.
    return {
        apiServerUrl: stackConfig.cluster.apiServerUrl,
        clusterCaCertificate: stackConfig.cluster.caCertificatePem,
        userKubeconfigs: pulumi.secret(identity.kubeconfigs),
        certificateExpiry: identity.certificateExpiry,
        certificateRenewals: announceRenewals(identityConfig.users),
        tokenUsers: [],
        namespaces: namespacesOutput(identityConfig.namespaces),
        cni: baselineOutputs.cni,
        tenant: tenantOutput(scope),
    };
}

/** The baseline outputs a tenant reads, as plain values (none of them is secret). */
async function readOutputs(baseline: pulumi.StackReference): Promise<BaselineOutputs> {
    const read = await Promise.all(BASELINE_OUTPUT_NAMES.map(async name => [name, (await baseline.getOutputDetails(name)).value] as const));
    return Object.fromEntries(read.filter(([, value]) => value !== undefined));
}
