// What a tenant stack reads of its baseline stack's outputs (through a StackReference), checked before anything
// uses it: a stack that is no baseline with tenants, one never updated, or one written by a kube-baseline that
// exported another shape is an error at kube-baseline:tenant.baselineStack naming the output, never a crash half way.

import { CniOutput, TenancyOutput } from "../outputs";
import { apiServerUrlProblem } from "./cluster";
import { Issues } from "./configError";
import { checkShape, Static, Type } from "./schema";

/** The baseline outputs a tenant stack reads. */
export const BASELINE_OUTPUT_NAMES = ["apiServerUrl", "clusterCaCertificate", "cni", "tenancy"] as const;
export type BaselineOutputs = Partial<Record<typeof BASELINE_OUTPUT_NAMES[number], unknown>>;

const Names = () => Type.Array(Type.String());
// Extra fields are allowed: a newer baseline may export more than this version reads.
const TenancyOutputSchema = Type.Object({
    clusterName: Type.String({ minLength: 1 }),
    tenants: Type.Record(Type.String(), Type.Object({ namespaces: Names(), clusterRoles: Names() })),
    baselineNamespaces: Names(),
    dns: Type.Object({ namespace: Type.String(), podLabels: Type.Record(Type.String(), Type.String()) }),
    maxCertificateValidityHours: Type.Integer({ minimum: 1 }),
    csrApprovalNode: Type.Union([Type.Null(), Type.Object({
        name: Type.String(),
        ip: Type.String(),
        roles: Names(),
        ssh: Type.Object({ host: Type.String(), port: Type.Integer(), user: Type.String(), hostKey: Type.String() }),
    })]),
});
const CniOutputSchema = Type.Object({ kind: Type.String(), mode: Type.String(), podCidr: Type.String() });

export interface BaselineFacts {
    apiServerUrl: string;
    caCertificatePem: string;
    cni: CniOutput;
    tenancy: TenancyOutput;
}

/** Checks the baseline's outputs; every problem is one issue at tenant.baselineStack. */
export function readBaselineFacts(outputs: BaselineOutputs, baselineStack: string, issues: Issues): BaselineFacts | undefined {
    const at = "tenant.baselineStack";
    const before = issues.count;
    if (outputs.tenancy === undefined) {
        issues.add(at, baselineStack, "exports no tenancy output: it is not a baseline stack with kube-baseline:tenants, or has not been updated since they were set (update it first)");
        return undefined;
    }
    const shape = (name: string, schema: Parameters<typeof checkShape>[0], value: unknown) => {
        const found = new Issues();
        if (checkShape(schema, value, [name], found)) return true;
        const first = found.issues[0];
        issues.add(at, baselineStack, `its output ${first.key.replace(/^kube-baseline:/, "")} is not what this kube-baseline reads (${first.message}): update the baseline stack with this version first`);
        return false;
    };
    const tenancyOk = shape("tenancy", TenancyOutputSchema, outputs.tenancy);
    const cniOk = shape("cni", CniOutputSchema, outputs.cni);
    const url = outputs.apiServerUrl;
    if (typeof url !== "string" || apiServerUrlProblem(url) !== undefined) {
        issues.add(at, baselineStack, "its output apiServerUrl is missing or not an https://<host>[:<port>] URL");
    }
    const ca = outputs.clusterCaCertificate;
    if (typeof ca !== "string" || !ca.includes("-----BEGIN CERTIFICATE-----")) {
        issues.add(at, baselineStack, "its output clusterCaCertificate is missing or not a PEM certificate");
    }
    if (issues.count > before || !tenancyOk || !cniOk) return undefined;
    return {
        apiServerUrl: url as string,
        caCertificatePem: ca as string,
        cni: outputs.cni as CniOutput,
        tenancy: outputs.tenancy as Static<typeof TenancyOutputSchema>,
    };
}
