// kube-baseline:namespaces: namespaces the program creates, each with Pod Security labels (restricted unless an
// exemption is written down), an optional tenant, extra labels, and its NetworkPolicy choices.

import { Issues } from "./configError";
import { checkNamespaceName, RFC1123_LABEL } from "./names";
import { Bool, Line, List, OneOf, Optional, Settings, Static, StringMap } from "./schema";

export const POD_SECURITY_LEVELS = ["privileged", "baseline", "restricted"] as const;
export type PodSecurityLevel = typeof POD_SECURITY_LEVELS[number];
/** Label that marks a namespace's tenant; tenant isolation policies select on it. */
export const TENANT_LABEL = "kube-baseline.io/tenant";
export const BUILT_IN_NAMESPACES = ["default", "kube-system", "kube-public", "kube-node-lease"];
export const DEFAULT_POD_SECURITY_VERSION = "latest";

const Level = () => Optional(OneOf(POD_SECURITY_LEVELS));
const NamespaceSchema = Settings({
    name: Line(),
    tenant: Optional(Line()),
    labels: Optional(StringMap()),
    podSecurity: Optional(Settings({
        enforce: Level(), warn: Level(), audit: Level(),
        version: Optional(Line()),
        exemptionReason: Optional(Line({ maxLength: 1024 })),
    })),
    networkPolicy: Optional(Settings({
        defaultDeny: Optional(Bool()),
        allowDns: Optional(Bool()),
        allowSameNamespace: Optional(Bool()),
        allowIngressFromNamespaces: Optional(List(Line())),
    })),
});
export const NamespacesSchema = List(NamespaceSchema);
type RawNamespace = Static<typeof NamespaceSchema>;

export interface PodSecurityConfig {
    enforce: PodSecurityLevel;
    warn: PodSecurityLevel;
    audit: PodSecurityLevel;
    version: string;
    exemptionReason?: string;
}
export type NamespaceNetworkPolicyConfig = Required<NonNullable<RawNamespace["networkPolicy"]>>;
export interface NamespaceConfig {
    name: string;
    tenant?: string;
    labels: Record<string, string>;
    podSecurity: PodSecurityConfig;
    networkPolicy: NamespaceNetworkPolicyConfig;
}

const POD_SECURITY_VERSION = /^(latest|v1\.[0-9]{1,3})$/;
const LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

export function resolveNamespaces(raw: RawNamespace[], issues: Issues): NamespaceConfig[] {
    const seen = new Map<string, number>();
    return raw.map((n, i): NamespaceConfig => {
        const at = `namespaces[${i}]`;
        checkNamespaceName(issues, `${at}.name`, n.name);
        if (BUILT_IN_NAMESPACES.includes(n.name)) {
            issues.add(`${at}.name`, n.name, "exists in every cluster; kube-baseline only manages namespaces it creates");
        }
        const first = seen.get(n.name);
        if (first !== undefined) issues.add(`${at}.name`, n.name, `duplicate namespace: already defined at namespaces[${first}]`);
        else seen.set(n.name, i);

        if (n.tenant !== undefined && (n.tenant.length > 63 || !RFC1123_LABEL.test(n.tenant))) {
            issues.add(`${at}.tenant`, n.tenant, "must be a lowercase RFC 1123 label (a-z, 0-9, '-'), it becomes a label value");
        }
        const labels = n.labels ?? {};
        for (const [k, v] of Object.entries(labels)) {
            if (k.startsWith("pod-security.kubernetes.io/") || k === TENANT_LABEL || k === "kubernetes.io/metadata.name") {
                issues.add(`${at}.labels.${k}`, v, "is managed by kube-baseline; use podSecurity or tenant instead");
            } else if (!LABEL_KEY.test(k) || k.length > 316) {
                issues.add(`${at}.labels.${k}`, v, "the label key is invalid (an optional DNS prefix and '/', then a name of letters, digits, '-', '_', '.')");
            } else if (!LABEL_VALUE.test(v) || v.length > 63) {
                issues.add(`${at}.labels.${k}`, v, "invalid label value (max 63 letters, digits, '-', '_', '.')");
            }
        }

        const ps = n.podSecurity ?? {};
        const levels = {
            enforce: ps.enforce ?? "restricted",
            warn: ps.warn ?? "restricted",
            audit: ps.audit ?? "restricted",
        };
        const version = ps.version ?? DEFAULT_POD_SECURITY_VERSION;
        if (!POD_SECURITY_VERSION.test(version)) {
            issues.add(`${at}.podSecurity.version`, version, "must be \"latest\" or a Kubernetes minor version like \"v1.30\"");
        }
        const relaxed = (["enforce", "warn", "audit"] as const).filter(m => levels[m] !== "restricted");
        const reason = ps.exemptionReason?.trim();
        if (relaxed.length > 0 && !reason) {
            issues.add(`${at}.podSecurity.${relaxed[0]}`, levels[relaxed[0]],
                "namespaces are restricted by default; a weaker level needs podSecurity.exemptionReason explaining why");
        }

        const np = n.networkPolicy ?? {};
        if (n.tenant !== undefined && np.defaultDeny === false) {
            issues.add(`${at}.networkPolicy.defaultDeny`, false, "tenant isolation rests on the default deny; a tenant namespace cannot turn it off");
        }
        const allowFrom = np.allowIngressFromNamespaces ?? [];
        allowFrom.forEach((name, j) => checkNamespaceName(issues, `${at}.networkPolicy.allowIngressFromNamespaces[${j}]`, name));
        return {
            name: n.name,
            ...(n.tenant !== undefined ? { tenant: n.tenant } : {}),
            labels,
            podSecurity: { ...levels, version, ...(reason ? { exemptionReason: reason } : {}) },
            networkPolicy: {
                defaultDeny: np.defaultDeny ?? true,
                allowDns: np.allowDns ?? true,
                allowSameNamespace: np.allowSameNamespace ?? true,
                allowIngressFromNamespaces: allowFrom,
            },
        };
    });
}
