// The control-plane settings as one ControlPlanePatch: which flags, files and mounts each setting needs on which
// component. The encryption config is given by the caller, because what it holds depends on the step of
// planEncryptionTransition being applied (and it is secret); everything else follows from the settings alone.

import { DEFAULT_AUDIT_RULES, renderAuditPolicy } from "./auditPolicy";
import { renderAuthenticationConfiguration } from "./anonymousAuth";
import { ControlPlaneComponent } from "./components";
import { OIDC_FLAGS } from "./kubernetesFacts";
import { componentPatch, ComponentPatch, ControlPlanePatch, HostPathMount, ManagedDirectory, mergeControlPlanePatches, parentDirectory } from "./patchModel";
import { CONFIG_FILES, ControlPlaneSettings } from "./settings";

export const CONFIG_VOLUME = "kube-baseline-hardening";
export const AUDIT_LOG_VOLUME = "kube-baseline-audit-log";
const ROOT = "root:root";

export interface HardeningInputs {
    /**
     * The EncryptionConfiguration to install (renderEncryptionConfiguration of the current plan step; secret), or
     * undefined when there is none (never enabled, or removed as the last step of disabling).
     */
    encryptionConfiguration?: string;
}

/** Paths of the files the settings write on every control-plane node. */
export function hardeningFilePaths(s: ControlPlaneSettings): { auditPolicy: string; encryption: string; authentication: string } {
    return {
        auditPolicy: `${s.configDirectory}/${CONFIG_FILES.auditPolicy}`,
        encryption: `${s.configDirectory}/${CONFIG_FILES.encryption}`,
        authentication: `${s.configDirectory}/${CONFIG_FILES.authentication}`,
    };
}

/** The patch these settings make; {} when the settings are off. Throws on contradictions between settings. */
export function controlPlanePatchFromSettings(s: ControlPlaneSettings, inputs: HardeningInputs = {}): ControlPlanePatch {
    if (!s.enabled) return {};
    const files = hardeningFilePaths(s);
    const configDir: ManagedDirectory = { path: s.configDirectory, mode: "0700", owner: ROOT };
    const configMount: HostPathMount = { name: CONFIG_VOLUME, hostPath: s.configDirectory, mountPath: s.configDirectory, readOnly: true, type: "DirectoryOrCreate" };
    const apiserver = (p: Partial<ComponentPatch>): ControlPlanePatch => ({ "kube-apiserver": componentPatch(p) });
    const everyComponent = (p: Partial<ComponentPatch>): ControlPlanePatch =>
        Object.fromEntries((["kube-apiserver", "kube-controller-manager", "kube-scheduler"] as ControlPlaneComponent[]).map(c => [c, componentPatch(p)]));
    const parts: ControlPlanePatch[] = [];

    if (s.audit.enabled) {
        const logDir = parentDirectory(s.audit.logPath);
        parts.push(apiserver({
            flags: {
                "audit-policy-file": files.auditPolicy,
                "audit-log-path": s.audit.logPath,
                "audit-log-maxage": String(s.audit.maxAgeDays),
                "audit-log-maxbackup": String(s.audit.maxBackups),
                "audit-log-maxsize": String(s.audit.maxSizeMegabytes),
            },
            // Someone else's policy is not replaced silently.
            ownedFlags: ["audit-policy-file"],
            directories: [configDir, { path: logDir, mode: "0700", owner: ROOT }],
            files: [{ path: files.auditPolicy, mode: "0600", owner: ROOT, content: renderAuditPolicy(s.audit.rules ?? DEFAULT_AUDIT_RULES) }],
            mounts: [configMount, { name: AUDIT_LOG_VOLUME, hostPath: logDir, mountPath: logDir, readOnly: false, type: "DirectoryOrCreate" }],
        }));
    }

    if (inputs.encryptionConfiguration !== undefined) {
        parts.push(apiserver({
            flags: { "encryption-provider-config": files.encryption },
            // Replacing someone else's EncryptionConfiguration would lose their keys: their Secrets.
            ownedFlags: ["encryption-provider-config"],
            directories: [configDir],
            files: [{ path: files.encryption, mode: "0600", owner: ROOT, content: inputs.encryptionConfiguration, secret: true }],
            mounts: [configMount],
        }));
    }

    parts.push(apiserver({
        listFlags: {
            "enable-admission-plugins": { add: ["NodeRestriction", ...s.admission.enable], remove: s.admission.disable },
            "disable-admission-plugins": { add: s.admission.disable, remove: ["NodeRestriction", ...s.admission.enable] },
        },
    }));

    if (s.disableProfiling) parts.push(everyComponent({ flags: { profiling: "false" } }));

    parts.push(everyComponent({
        flags: {
            "tls-min-version": s.tls.minVersion,
            ...(s.tls.cipherSuites.length > 0 ? { "tls-cipher-suites": s.tls.cipherSuites.join(",") } : {}),
        },
    }));

    if (s.requestTimeout !== undefined) parts.push(apiserver({ flags: { "request-timeout": s.requestTimeout } }));

    if (s.anonymous.healthEndpointsOnly) {
        parts.push(apiserver({
            flags: { "authentication-config": files.authentication },
            // A user's own AuthenticationConfiguration (JWT issuers) is not replaced.
            ownedFlags: ["authentication-config"],
            removeFlags: ["anonymous-auth"],
            conflictingFlags: [...OIDC_FLAGS],
            directories: [configDir],
            files: [{ path: files.authentication, mode: "0600", owner: ROOT, content: renderAuthenticationConfiguration(s.anonymous.paths) }],
            mounts: [configMount],
        }));
    }

    parts.push({
        "kube-controller-manager": componentPatch({ flags: { "bind-address": s.bindAddress } }),
        "kube-scheduler": componentPatch({ flags: { "bind-address": s.bindAddress } }),
    });
    return mergeControlPlanePatches(...parts);
}
