// The control-plane hardening settings (config key kube-baseline:controlPlane): their types and defaults, in one
// place. validateSettings.ts checks a typed object; hardeningPatch.ts turns it into a ControlPlanePatch.

import { AuditRule } from "./auditPolicy";
import { HEALTH_ENDPOINTS } from "./anonymousAuth";
import { EncryptionProvider } from "./encryption";

export interface AuditSettings {
    enabled: boolean;
    /** The policy's rules; DEFAULT_AUDIT_RULES when unset. */
    rules?: AuditRule[];
    /** The log file (its directory is mounted writable into kube-apiserver). */
    logPath: string;
    /** --audit-log-maxage (days), --audit-log-maxbackup (files), --audit-log-maxsize (MB). CIS: 30, 10, 100. */
    maxAgeDays: number;
    maxBackups: number;
    maxSizeMegabytes: number;
}

export interface EncryptionSettings {
    /** Secrets encrypted at rest; the key comes from @pulumi/random and stays a Pulumi secret. */
    enabled: boolean;
    provider: EncryptionProvider;
    /** Which key: raising it rotates the key (the new key is added first, every Secret rewritten, the old one dropped). */
    keyGeneration: number;
}

export interface AdmissionSettings {
    /** Added to --enable-admission-plugins (NodeRestriction is always there). */
    enable: string[];
    /** Added to --disable-admission-plugins (and taken out of the enable list). */
    disable: string[];
}

export interface TlsSettings {
    minVersion: "VersionTLS12" | "VersionTLS13";
    /** --tls-cipher-suites; empty leaves Go's defaults (then CIS 1.2.29 fails). */
    cipherSuites: string[];
}

export interface AnonymousSettings {
    /** Anonymous requests only to these paths (AuthenticationConfiguration anonymous.conditions). */
    healthEndpointsOnly: boolean;
    paths: string[];
}

export interface ControlPlaneSettings {
    enabled: boolean;
    audit: AuditSettings;
    encryption: EncryptionSettings;
    admission: AdmissionSettings;
    /** --profiling=false on kube-apiserver, kube-controller-manager and kube-scheduler. */
    disableProfiling: boolean;
    /** On all three components. */
    tls: TlsSettings;
    /** --request-timeout (a Go duration such as "60s"); unset leaves the apiserver's 1m0s unstated. */
    requestTimeout?: string;
    anonymous: AnonymousSettings;
    /** --bind-address of kube-controller-manager and kube-scheduler (CIS 1.3.7, 1.4.2: 127.0.0.1). */
    bindAddress: string;
    /** Where the audit policy, EncryptionConfiguration and AuthenticationConfiguration live on each node (0700). */
    configDirectory: string;
    /** The node scripts' backups and records (0700, outside the manifest directory). */
    stateDirectory: string;
    manifestDirectory: string;
    /** How long a node script waits for a restarted component to be healthy. */
    healthTimeoutSeconds: number;
}

/** The strong TLS 1.2 suites (ECDHE, AEAD) and TLS 1.3's; every one passes CIS 1.2.29. */
export const DEFAULT_CIPHER_SUITES: readonly string[] = [
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
    "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
];

/** File names inside configDirectory. */
export const CONFIG_FILES = {
    auditPolicy: "audit-policy.yaml",
    encryption: "encryption-configuration.yaml",
    authentication: "authentication-configuration.yaml",
} as const;

/** Everything on once enabled; off (nothing patched) unless a stack sets enabled. */
export const DEFAULT_CONTROL_PLANE_SETTINGS: ControlPlaneSettings = {
    enabled: false,
    audit: { enabled: true, logPath: "/var/log/kubernetes/audit/audit.log", maxAgeDays: 30, maxBackups: 10, maxSizeMegabytes: 100 },
    encryption: { enabled: true, provider: "secretbox", keyGeneration: 1 },
    admission: { enable: [], disable: [] },
    disableProfiling: true,
    tls: { minVersion: "VersionTLS12", cipherSuites: [...DEFAULT_CIPHER_SUITES] },
    requestTimeout: "60s",
    anonymous: { healthEndpointsOnly: true, paths: [...HEALTH_ENDPOINTS] },
    bindAddress: "127.0.0.1",
    configDirectory: "/etc/kubernetes/hardening",
    stateDirectory: "/etc/kubernetes/kube-baseline",
    manifestDirectory: "/etc/kubernetes/manifests",
    healthTimeoutSeconds: 300,
};

type DeepPartial<T> = { [K in keyof T]?: T[K] extends Array<infer _> ? T[K] : T[K] extends object ? DeepPartial<T[K]> : T[K] };
export type ControlPlaneSettingsInput = DeepPartial<ControlPlaneSettings>;

/** The settings with every unset field taken from the defaults (lists replace, objects merge). */
export function withControlPlaneDefaults(input: ControlPlaneSettingsInput | undefined): ControlPlaneSettings {
    return merge(DEFAULT_CONTROL_PLANE_SETTINGS, input ?? {}) as ControlPlaneSettings;
}

function merge(base: unknown, over: unknown): unknown {
    if (over === undefined) return structuredClone(base);
    if (Array.isArray(over) || typeof over !== "object" || over === null || typeof base !== "object" || base === null || Array.isArray(base)) {
        return structuredClone(over);
    }
    const out: Record<string, unknown> = { ...(structuredClone(base) as Record<string, unknown>) };
    for (const [k, v] of Object.entries(over as Record<string, unknown>)) out[k] = merge((base as Record<string, unknown>)[k], v);
    return out;
}
