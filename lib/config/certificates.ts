// kube-baseline:certificates: the policy for user certificates (x509 and csr users): lifetimes, the key that
// users get by default, and when a certificate is renewed. Kubernetes cannot revoke a client certificate, so
// lifetimes are bounded (a year at most) and short ones are the defence.

import { Issues } from "./configError";
import { checkShape, Int, OneOf, Optional, Settings, Static } from "./schema";

export const KEY_ALGORITHMS = ["RSA", "ECDSA", "ED25519"] as const;
export const ECDSA_CURVES = ["P256", "P384"] as const;

/** RSA below 3072 bits is weaker than P-256 (NIST SP 800-57: 128-bit security needs 3072). */
export const MIN_RSA_BITS = 3072;
export const MAX_RSA_BITS = 8192;
/** One year: the CSR API signer's default maximum; a longer-lived client certificate that cannot be revoked is a mistake. */
export const MAX_VALIDITY_HOURS = 24 * 365;
const HOURS = "hours, at most a year: a client certificate cannot be revoked";

export const KeySpecSchema = Settings({
    algorithm: OneOf(KEY_ALGORITHMS),
    rsaBits: Optional(Int(1, 65536, "bits")),
    ecdsaCurve: Optional(OneOf(ECDSA_CURVES)),
});
export type KeySpec = Static<typeof KeySpecSchema>;
export type KeyAlgorithm = KeySpec["algorithm"];
export type EcdsaCurve = NonNullable<KeySpec["ecdsaCurve"]>;

export const CertificatesSchema = Settings({
    defaultValidityHours: Optional(Int(1, MAX_VALIDITY_HOURS, HOURS)),
    maxValidityHours: Optional(Int(1, MAX_VALIDITY_HOURS, HOURS)),
    defaultKey: Optional(KeySpecSchema),
    renewBeforeHours: Optional(Int(1, MAX_VALIDITY_HOURS, "hours before expiry")),
});

export interface CertificatePolicy {
    defaultValidityHours: number;
    maxValidityHours: number;
    defaultKey: KeySpec;
    /** Renew this many hours before expiry; unset: a third of each user's validity (see renewBeforeHoursFor). */
    renewBeforeHours?: number;
}

export const DEFAULT_KEY: KeySpec = { algorithm: "RSA", rsaBits: 4096 };
export const CERTIFICATE_DEFAULTS = { defaultValidityHours: 24 * 30, maxValidityHours: 24 * 90 } as const;

/** cert-manager's convention: renew at two thirds of the lifetime (a third before expiry), at least an hour before. */
export function renewBeforeHoursFor(validityHours: number, policy: Pick<CertificatePolicy, "renewBeforeHours">): number {
    return policy.renewBeforeHours ?? Math.max(1, Math.floor(validityHours / 3));
}

/** Checks kube-baseline:certificates after its shape passed. */
export function resolveCertificatePolicy(raw: Static<typeof CertificatesSchema>, issues: Issues): CertificatePolicy {
    const maxValidityHours = raw.maxValidityHours ?? CERTIFICATE_DEFAULTS.maxValidityHours;
    const defaultValidityHours = raw.defaultValidityHours ?? Math.min(CERTIFICATE_DEFAULTS.defaultValidityHours, maxValidityHours);
    checkValidity(issues, "certificates.defaultValidityHours", defaultValidityHours, maxValidityHours);
    const defaultKey = raw.defaultKey ? resolveKey(raw.defaultKey) : DEFAULT_KEY;
    checkKey(issues, "certificates.defaultKey", defaultKey);
    return { defaultValidityHours, maxValidityHours, defaultKey, ...(raw.renewBeforeHours !== undefined ? { renewBeforeHours: raw.renewBeforeHours } : {}) };
}

export function checkValidity(issues: Issues, path: string, hours: number, maxHours: number): void {
    if (hours > maxHours) {
        issues.add(path, hours, `certificate validity is above the maximum of ${maxHours} hours (kube-baseline:certificates.maxValidityHours)`);
    }
}

/**
 * A set renewBeforeHours must leave each certificate some time outside its renewal window, or every run would
 * renew it: it must be below every certificate user's validity.
 */
export function checkRenewBefore(issues: Issues, policy: CertificatePolicy, users: Array<{ name: string; validityHours: number; path: string }>): void {
    const renew = policy.renewBeforeHours;
    if (renew === undefined) return;
    for (const u of users) {
        if (renew >= u.validityHours) {
            issues.add("certificates.renewBeforeHours", renew,
                `must be below every certificate user's validity: user "${u.name}" (${u.path}) is valid for ${u.validityHours} hours, and renewing ${renew} hours before expiry would renew it on every run`);
        }
    }
}

/** Fills in the algorithm's defaults; stray fields stay, so checkKey reports them instead of ignoring them. */
export function resolveKey(raw: KeySpec): KeySpec {
    if (raw.algorithm === "RSA") return { ...raw, rsaBits: raw.rsaBits ?? 4096 };
    if (raw.algorithm === "ECDSA") return { ...raw, ecdsaCurve: raw.ecdsaCurve ?? "P256" };
    return { ...raw };
}

export function checkKey(issues: Issues, path: string, spec: KeySpec): void {
    if (spec.algorithm === "RSA") {
        const bits = spec.rsaBits ?? 0;
        if (bits < MIN_RSA_BITS) issues.add(`${path}.rsaBits`, bits, `RSA keys below ${MIN_RSA_BITS} bits are too weak; use 3072 or 4096, or ECDSA P256`);
        else if (bits > MAX_RSA_BITS || bits % 1024 !== 0) issues.add(`${path}.rsaBits`, bits, `must be a multiple of 1024 between ${MIN_RSA_BITS} and ${MAX_RSA_BITS}`);
    } else if (spec.rsaBits !== undefined) {
        issues.add(`${path}.rsaBits`, spec.rsaBits, "only applies to RSA keys");
    }
    if (spec.algorithm !== "ECDSA" && spec.ecdsaCurve !== undefined) {
        issues.add(`${path}.ecdsaCurve`, spec.ecdsaCurve, "only applies to ECDSA keys");
    }
}
