// Validation of the control-plane settings, as a pure function over the typed object (defaults applied): every
// problem is one ConfigIssue naming the key (kube-baseline:controlPlane.<path>) and the bad value, so the stack
// stops before anything is changed. The shape (types, unknown keys) is the schema's job; this checks meaning.

import { ConfigIssue } from "../config/configError";
import { checkAuditRules } from "./auditPolicy";
import { ENCRYPTION_PROVIDERS } from "./encryption";
import {
    ADMISSION_PLUGINS, ADMISSION_PLUGINS_NEEDING_CONFIG, INSECURE_CIPHER_SUITES, SECURE_CIPHER_SUITES, TLS_VERSIONS,
} from "./kubernetesFacts";
import { isPlainAbsolutePath, isWithin, parentDirectory } from "./patchModel";
import { goDurationSeconds } from "./goDuration";
import { ControlPlaneSettings } from "./settings";

export const CONTROL_PLANE_KEY = "kube-baseline:controlPlane";

/** Plugins a baseline must not run (AlwaysAdmit: CIS 1.2.10) or that stop the cluster (AlwaysDeny). */
const FORBIDDEN_ENABLE: Record<string, string> = {
    AlwaysAdmit: "admits every request unchecked (CIS 1.2.10)",
    AlwaysDeny: "refuses every request",
};
/** Plugins a baseline relies on. */
const REQUIRED: Record<string, string> = {
    NodeRestriction: "limits what each kubelet may change (CIS 1.2.14); it is always on",
    NamespaceLifecycle: "keeps objects out of terminating namespaces (CIS 1.2.13)",
    ServiceAccount: "gives pods their ServiceAccounts (CIS 1.2.12)",
    PodSecurity: "enforces the Pod Security labels kube-baseline puts on namespaces",
};

export function validateControlPlaneSettings(s: ControlPlaneSettings): ConfigIssue[] {
    const issues: ConfigIssue[] = [];
    const push = (path: string, value: unknown, message: string) => issues.push({ key: `${CONTROL_PLANE_KEY}.${path}`, value, message });
    if (!s.enabled) return issues;

    // Where things live on the nodes.
    for (const [key, value] of [["configDirectory", s.configDirectory], ["stateDirectory", s.stateDirectory], ["manifestDirectory", s.manifestDirectory]] as const) {
        if (!isPlainAbsolutePath(value)) push(key, value, "must be a plain absolute path (letters, digits, . _ - /)");
    }
    if (isWithin(s.stateDirectory, s.manifestDirectory) || isWithin(s.configDirectory, s.manifestDirectory)) {
        push(isWithin(s.stateDirectory, s.manifestDirectory) ? "stateDirectory" : "configDirectory",
            isWithin(s.stateDirectory, s.manifestDirectory) ? s.stateDirectory : s.configDirectory,
            `must be outside ${s.manifestDirectory}: kubelet runs every file there as a static pod`);
    }
    if (s.configDirectory === s.stateDirectory) push("configDirectory", s.configDirectory, "must not be the stateDirectory (that one holds manifest backups, which kube-apiserver must not see)");
    if (!Number.isInteger(s.healthTimeoutSeconds) || s.healthTimeoutSeconds < 30 || s.healthTimeoutSeconds > 3600) {
        push("healthTimeoutSeconds", s.healthTimeoutSeconds, "must be a whole number of seconds from 30 to 3600");
    }

    // Audit.
    if (s.audit.enabled) {
        if (!isPlainAbsolutePath(s.audit.logPath)) {
            push("audit.logPath", s.audit.logPath, "must be a plain absolute file path (\"-\", stdout, is not a log file CIS 1.2.16 accepts)");
        } else {
            const dir = parentDirectory(s.audit.logPath);
            if (dir === "/" || [s.configDirectory, s.stateDirectory, s.manifestDirectory].some(d => isWithin(dir, d) || isWithin(d, dir))) {
                push("audit.logPath", s.audit.logPath, "its directory is mounted writable into kube-apiserver: it must be a directory of its own, not /, the configDirectory, the stateDirectory or the manifestDirectory");
            }
        }
        for (const [key, value, min, max, cis] of [
            ["audit.maxAgeDays", s.audit.maxAgeDays, 1, 3650, 30], ["audit.maxBackups", s.audit.maxBackups, 1, 1000, 10],
            ["audit.maxSizeMegabytes", s.audit.maxSizeMegabytes, 1, 100000, 100],
        ] as const) {
            if (!Number.isInteger(value) || value < min || value > max) push(key, value, `must be a whole number from ${min} to ${max} (CIS asks for at least ${cis})`);
        }
        if (s.audit.rules !== undefined) {
            for (const problem of checkAuditRules(s.audit.rules)) push("audit.rules", s.audit.rules, problem);
        }
    }

    // Encryption.
    if (s.encryption.enabled && !ENCRYPTION_PROVIDERS.includes(s.encryption.provider)) {
        push("encryption.provider", s.encryption.provider, `must be one of ${ENCRYPTION_PROVIDERS.join(", ")}`);
    }
    if (s.encryption.enabled && (!Number.isInteger(s.encryption.keyGeneration) || s.encryption.keyGeneration < 1 || s.encryption.keyGeneration > 999999)) {
        push("encryption.keyGeneration", s.encryption.keyGeneration, "must be a whole number from 1 to 999999 (raise it by one to rotate the key)");
    }

    // Admission.
    s.admission.enable.forEach((name, i) => {
        const key = `admission.enable[${i}]`;
        if (!ADMISSION_PLUGINS.includes(name)) push(key, name, unknownPlugin(name));
        else if (FORBIDDEN_ENABLE[name]) push(key, name, `must not be enabled: it ${FORBIDDEN_ENABLE[name]}`);
        else if (ADMISSION_PLUGINS_NEEDING_CONFIG.includes(name)) push(key, name, "needs an admission configuration file, which kube-baseline does not write; the apiserver would not start");
        if (s.admission.disable.includes(name)) push(key, name, "is also in admission.disable");
    });
    s.admission.disable.forEach((name, i) => {
        const key = `admission.disable[${i}]`;
        if (!ADMISSION_PLUGINS.includes(name)) push(key, name, unknownPlugin(name));
        else if (REQUIRED[name]) push(key, name, `must stay enabled: it ${REQUIRED[name]}`);
    });

    // TLS.
    if (!TLS_VERSIONS.includes(s.tls.minVersion)) {
        push("tls.minVersion", s.tls.minVersion, "must be VersionTLS12 or VersionTLS13");
    } else if (s.tls.minVersion !== "VersionTLS12" && s.tls.minVersion !== "VersionTLS13") {
        push("tls.minVersion", s.tls.minVersion, "is older than TLS 1.2; must be VersionTLS12 or VersionTLS13");
    }
    s.tls.cipherSuites.forEach((name, i) => {
        const key = `tls.cipherSuites[${i}]`;
        if (INSECURE_CIPHER_SUITES.includes(name)) push(key, name, "is one of Go's insecure cipher suites (tls.InsecureCipherSuites); pick from the secure ones");
        else if (!SECURE_CIPHER_SUITES.includes(name)) push(key, name, `is not a cipher suite kube-apiserver ${"v1.35"} accepts; one of ${SECURE_CIPHER_SUITES.join(", ")}`);
    });
    const duplicates = s.tls.cipherSuites.filter((c, i, all) => all.indexOf(c) !== i);
    if (duplicates.length > 0) push("tls.cipherSuites", s.tls.cipherSuites, `lists ${duplicates[0]} twice`);

    // Request timeout.
    if (s.requestTimeout !== undefined) {
        const seconds = goDurationSeconds(s.requestTimeout);
        if (seconds === undefined) push("requestTimeout", s.requestTimeout, "must be a Go duration such as \"60s\", \"5m\" or \"1m30s\"");
        else if (seconds < 1 || seconds > 3600) push("requestTimeout", s.requestTimeout, "must be from 1s to 1h");
    }

    // Anonymous access.
    if (s.anonymous.healthEndpointsOnly) {
        if (s.anonymous.paths.length === 0) push("anonymous.paths", s.anonymous.paths, "must list at least one path: kubelet's probes of kube-apiserver are anonymous");
        s.anonymous.paths.forEach((p, i) => {
            if (!/^\/[A-Za-z0-9._/-]*$/.test(p) || p === "/") push(`anonymous.paths[${i}]`, p, "must be an exact path such as /livez (the apiserver matches it exactly; no wildcards, not /)");
        });
    }

    // Controller-manager and scheduler.
    if (!isIpLiteral(s.bindAddress)) push("bindAddress", s.bindAddress, "must be an IP address such as 127.0.0.1 (CIS 1.3.7 and 1.4.2 ask for 127.0.0.1)");
    return issues;
}

function unknownPlugin(name: string): string {
    const near = ADMISSION_PLUGINS.find(p => p.toLowerCase() === name.toLowerCase());
    return near ? `is not an admission plugin; did you mean ${near}?` : "is not an admission plugin kube-apiserver v1.35 knows";
}

function isIpLiteral(text: string): boolean {
    const v4 = /^(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])(\.(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])){3}$/;
    return v4.test(text) || (/^[0-9a-fA-F:]+$/.test(text) && text.includes(":") && text.split("::").length <= 2);
}
