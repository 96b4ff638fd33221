// Identity: user certificates with strong keys and short lives, no system:masters certificates unless
// break-glass is declared, and static token authentication (CIS 1.2.2) flagged per environment.

import { EnforcementLevel, ResourceValidationPolicy } from "@pulumi/policy";
import { stringList } from "../lib/config";
import {
    COMMAND_TYPES,
    DYNAMIC_TYPES,
    identityKindOf,
    isClientCsr,
    STATIC_TOKENS_COMPONENT_TYPE,
    TLS_CERT_REQUEST_TYPE,
    TLS_LOCALLY_SIGNED_CERT_TYPE,
    TLS_PRIVATE_KEY_TYPE,
} from "../lib/identity";
import { csrOrganizations } from "../lib/csrSubject";
import { CSR_TYPE } from "../lib/k8s";
import { CheckedResource, resourcePolicy } from "../lib/policy";
import { at, isUnknown, knownArray, knownNumber, knownString, knownStrings } from "../lib/values";

/** What a key generator uses when rsaBits / ecdsaCurve are left out (undefined: not known, not judged). */
export interface KeyDefaults {
    rsaBits?: number;
    ecdsaCurve?: string;
    /** Who sets the default, for messages. */
    source: string;
}

// @pulumi/tls's documented defaults, and kube-baseline's own PrivateKey's (providers/keySpec.ts).
const KEY_DEFAULTS: Record<string, KeyDefaults> = {
    [TLS_PRIVATE_KEY_TYPE]: { rsaBits: 2048, ecdsaCurve: "P224", source: "@pulumi/tls" },
    "pulumi-nodejs:dynamic/kube-baseline:PrivateKey": { rsaBits: 4096, ecdsaCurve: "P256", source: "kube-baseline's PrivateKey" },
};

export function keyDefaultsFor(type: string): KeyDefaults {
    return KEY_DEFAULTS[type] ?? { source: "the key generator" };
}

export interface KeyStrengthConfig {
    minRsaBits: number;
    allowedEcdsaCurves: string[];
    allowedAlgorithms: string[];
}

/** Why a key is too weak, or undefined when it is strong enough (or not known yet). Pure. */
export function keyWeakness(props: unknown, config: KeyStrengthConfig, defaults: KeyDefaults): string | undefined {
    const algorithm = knownString(at(props, "algorithm"))?.toUpperCase();
    if (algorithm === undefined) return undefined;
    if (!config.allowedAlgorithms.map(a => a.toUpperCase()).includes(algorithm)) {
        return `algorithm '${algorithm}' is not allowed (allowed: ${config.allowedAlgorithms.join(", ")})`;
    }
    const unsetNote = (value: unknown) => (value === undefined || value === null ? ` (unset: ${defaults.source}'s default)` : "");
    if (algorithm === "RSA") {
        const bitsValue = at(props, "rsaBits");
        if (isUnknown(bitsValue)) return undefined;
        const bits = bitsValue === undefined || bitsValue === null ? defaults.rsaBits : knownNumber(bitsValue);
        if (bits === undefined) {
            return bitsValue === undefined || bitsValue === null ? undefined : `rsaBits ${JSON.stringify(bitsValue)} is not a number`;
        }
        if (bits < config.minRsaBits) return `RSA key of ${bits} bits${unsetNote(bitsValue)} is below the floor of ${config.minRsaBits}`;
    }
    if (algorithm === "ECDSA") {
        const curveValue = at(props, "ecdsaCurve");
        if (isUnknown(curveValue)) return undefined;
        const curve = curveValue === undefined || curveValue === null ? defaults.ecdsaCurve : knownString(curveValue) ?? JSON.stringify(curveValue);
        if (curve === undefined) return undefined;
        if (!config.allowedEcdsaCurves.includes(curve)) {
            return `ECDSA curve '${curve}'${unsetNote(curveValue)} is not allowed (allowed: ${config.allowedEcdsaCurves.join(", ")})`;
        }
    }
    return undefined;
}

function label(resource: CheckedResource, kind: string): string {
    return `${kind} '${resource.name}'`;
}

export function identityKeyStrength(enforcementLevel: EnforcementLevel = "mandatory"): ResourceValidationPolicy {
    return resourcePolicy<KeyStrengthConfig>({
        name: "identity-key-strength",
        description: "Private keys meet a strength floor: RSA of at least minRsaBits, ECDSA on P256 or stronger (an unset field counts as its generator's default).",
        remediationSteps: "Use RSA with rsaBits >= the floor, ECDSA with ecdsaCurve P256/P384/P521, or ED25519.",
        severity: "high",
        types: [...DYNAMIC_TYPES, TLS_PRIVATE_KEY_TYPE],
        defaults: { minRsaBits: 2048, allowedEcdsaCurves: ["P256", "P384", "P521"], allowedAlgorithms: ["RSA", "ECDSA", "ED25519"] },
        schema: {
            minRsaBits: { type: "integer", minimum: 1024, description: "Smallest RSA modulus allowed, in bits." },
            allowedEcdsaCurves: stringList("ECDSA curves allowed."),
            allowedAlgorithms: stringList("Key algorithms allowed."),
        },
        check: (key, config, report) => {
            if (identityKindOf(key.type, key.name, key.props) !== "PrivateKey") return;
            const weakness = keyWeakness(key.props, config, keyDefaultsFor(key.type));
            if (weakness) report(`${label(key, "PrivateKey")}: ${weakness}.`);
        },
    }, enforcementLevel);
}

export interface ValidityConfig {
    maxValidityHours: number;
}

/** A certificate's requested lifetime in hours: a number, "unknown", or "unset". Pure. */
export function certificateValidityHours(type: string, props: unknown): number | "unknown" | "unset" {
    const value = type === CSR_TYPE ? at(props, "spec", "expirationSeconds")
        : type === TLS_LOCALLY_SIGNED_CERT_TYPE ? at(props, "validityPeriodHours")
            : at(props, "validityHours");
    if (isUnknown(value)) return "unknown";
    const number = knownNumber(value);
    if (number === undefined) return "unset";
    return type === CSR_TYPE ? number / 3600 : number;
}

export function identityCertificateValidity(enforcementLevel: EnforcementLevel = "mandatory"): ResourceValidationPolicy {
    return resourcePolicy<ValidityConfig>({
        name: "identity-certificate-validity",
        description: "User (client) certificates are short-lived: requested validity at most maxValidityHours.",
        remediationSteps: "Lower validityHours / validityPeriodHours / expirationSeconds and renew certificates on a schedule.",
        severity: "medium",
        types: [...DYNAMIC_TYPES, TLS_LOCALLY_SIGNED_CERT_TYPE, CSR_TYPE],
        defaults: { maxValidityHours: 720 },
        schema: { maxValidityHours: { type: "number", minimum: 1, description: "Longest validity allowed for a user certificate, in hours." } },
        check: (cert, config, report) => {
            const kind = identityKindOf(cert.type, cert.name, cert.props);
            if (kind === "CertificateSigningRequest") {
                if (!isClientCsr(cert.props)) return;
            } else if (kind === "ClientCertificate") {
                // A tls certificate is a user certificate when it is for client auth.
                const uses = at(cert.props, "allowedUses");
                if (cert.type === TLS_LOCALLY_SIGNED_CERT_TYPE && Array.isArray(uses) && !uses.some(isUnknown) && !knownStrings(uses).includes("client_auth")) return;
            } else {
                return;
            }
            const hours = certificateValidityHours(cert.type, cert.props);
            if (hours === "unknown") return;
            if (hours === "unset") {
                const why = kind === "CertificateSigningRequest"
                    ? "spec.expirationSeconds is unset, so the signer's default applies (kube-controller-manager --cluster-signing-duration, one year by default)"
                    : "no validity is set";
                report(`${label(cert, kind)}: ${why}; the ceiling is ${config.maxValidityHours}h.`);
            } else if (hours > config.maxValidityHours) {
                report(`${label(cert, kind)}: validity of ${hours}h exceeds the ceiling of ${config.maxValidityHours}h.`);
            }
        },
    }, enforcementLevel);
}

export interface SystemMastersConfig {
    /** Set to true, for a reviewed break-glass change, to allow certificates in the forbidden organizations. */
    breakGlass: boolean;
    forbiddenOrganizations: string[];
}

/**
 * The organizations (groups) a certificate asks for: known ones only; undefined when a request is there but cannot
 * be read. Pure. A tls LocallySignedCert signs the subject of its certRequestPem; a CSR-API user's node command
 * carries its request on stdin.
 */
export function certificateOrganizations(type: string, props: unknown): string[] | undefined {
    if (type === TLS_LOCALLY_SIGNED_CERT_TYPE) return csrOrganizations(knownString(at(props, "certRequestPem")) ?? "");
    if (COMMAND_TYPES.includes(type)) return csrOrganizations(knownString(at(props, "stdin")) ?? "");
    if (type === TLS_CERT_REQUEST_TYPE) {
        const single = knownString(at(props, "subject", "organization"));
        // Older @pulumi/tls versions took a list of subjects.
        const legacy = (knownArray(at(props, "subjects")) ?? []).map(s => knownString(at(s, "organization")));
        return [single, ...legacy].filter((o): o is string => o !== undefined);
    }
    return knownStrings(at(props, "organizations"));
}

export function identityNoSystemMastersCertificates(enforcementLevel: EnforcementLevel = "mandatory"): ResourceValidationPolicy {
    return resourcePolicy<SystemMastersConfig>({
        name: "identity-no-system-masters-certificates",
        description: "No user certificate carries the organization system:masters (cluster-admin that RBAC cannot revoke) unless breakGlass is set.",
        remediationSteps: "Give the user a normal group bound to a least-privilege role; for an emergency, set breakGlass: true in the pack config for that change only.",
        severity: "critical",
        types: [...DYNAMIC_TYPES, TLS_CERT_REQUEST_TYPE, TLS_LOCALLY_SIGNED_CERT_TYPE, ...COMMAND_TYPES],
        defaults: { breakGlass: false, forbiddenOrganizations: ["system:masters"] },
        schema: {
            breakGlass: { type: "boolean", description: "Allow certificates in the forbidden organizations (a reviewed emergency change)." },
            forbiddenOrganizations: stringList("Organizations (groups) user certificates may not carry."),
        },
        check: (cert, config, report) => {
            if (config.breakGlass) return;
            const kind = identityKindOf(cert.type, cert.name, cert.props);
            const isCommand = COMMAND_TYPES.includes(cert.type);
            if (kind !== "ClientCertificate" && kind !== "CertRequest" && !isCommand) return;
            const organizations = certificateOrganizations(cert.type, cert.props);
            if (organizations === undefined) {
                report(`${isCommand ? `Command '${cert.name}'` : label(cert, kind!)}: carries a certificate request whose subject cannot be read; the pack cannot tell which groups it asks for.`);
                return;
            }
            for (const org of organizations) {
                if (config.forbiddenOrganizations.includes(org)) {
                    report(`${isCommand ? `Command '${cert.name}' (a certificate request on stdin)` : label(cert, kind!)}: organization '${org}' makes the holder cluster-admin through a built-in binding RBAC cannot restrict; set breakGlass only for a reviewed emergency.`);
                }
            }
        },
    }, enforcementLevel);
}

export function identityNoStaticTokens(enforcementLevel: EnforcementLevel = "advisory"): ResourceValidationPolicy {
    return resourcePolicy<Record<string, never>>({
        name: "identity-no-static-tokens",
        description: "Static token authentication (--token-auth-file) is not used: CIS Kubernetes Benchmark 1.2.2.",
        remediationSteps: "Use X509 client certificates (the CSR API) or an OIDC provider instead of static tokens.",
        severity: "high",
        types: [...DYNAMIC_TYPES, STATIC_TOKENS_COMPONENT_TYPE, ...COMMAND_TYPES],
        defaults: {},
        schema: {},
        check: (resource, _config, report) => {
            const kind = identityKindOf(resource.type, resource.name, resource.props);
            const cis = "static tokens never expire and fail CIS 1.2.2 ('Ensure that the --token-auth-file parameter is not set')";
            if (resource.type === STATIC_TOKENS_COMPONENT_TYPE) {
                report(`StaticTokens '${resource.name}' installs a token file on the apiserver: ${cis}.`);
            } else if (kind === "KubeadmToken") {
                report(`KubeadmToken '${resource.name}' is a static bearer token: ${cis}.`);
            } else if (COMMAND_TYPES.includes(resource.type)) {
                const commands = ["create", "update"].map(k => knownString(at(resource.props, k)) ?? "");
                if (commands.some(c => c.includes("--token-auth-file"))) {
                    report(`Command '${resource.name}' sets --token-auth-file on the apiserver: ${cis}.`);
                }
            }
        },
    }, enforcementLevel);
}
