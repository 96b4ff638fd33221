// kube-baseline:controlPlane: the control-plane hardening (audit logging, encryption at rest, admission plugins,
// profiling, TLS, request timeout, anonymous access, bind addresses) and where its files live on the nodes. The
// shape is this schema; defaults come from lib/controlPlane/settings.ts and the meaning is checked by
// validateControlPlaneSettings (lib/controlPlane/validateSettings.ts), each problem naming its exact key.
//
// The static-token file is one user of the same patch mechanism: where earlier versions kept the apiserver's
// backup (staticTokens.backupDirectory) is the default state directory, so a stack that had static tokens finds
// its backup again, and the token patch goes into the same manifest directory.

import { ControlPlaneSettings, ControlPlaneSettingsInput, withControlPlaneDefaults } from "../controlPlane/settings";
import { validateControlPlaneSettings } from "../controlPlane/validateSettings";
import { parentDirectory } from "../controlPlane/patchModel";
import { Issues } from "./configError";
import { dedicatedDirectoryProblem, isInside, normalizeAbsolutePath } from "./paths";
import { Bool, Int, Line, List, Optional, Settings, Static, Type } from "./schema";
import { StaticTokensConfig } from "./staticTokens";

const Lines = () => List(Line());

const AuditRuleSchema = Settings({
    level: Line(),
    users: Optional(Lines()),
    userGroups: Optional(Lines()),
    verbs: Optional(Lines()),
    resources: Optional(List(Settings({ group: Line(), resources: Optional(Lines()), resourceNames: Optional(Lines()) }))),
    namespaces: Optional(Lines()),
    nonResourceURLs: Optional(Lines()),
    omitStages: Optional(Lines()),
});

export const ControlPlaneSchema = Settings({
    enabled: Optional(Bool()),
    audit: Optional(Settings({
        enabled: Optional(Bool()),
        rules: Optional(List(AuditRuleSchema, { minItems: 1 })),
        logPath: Optional(Line()),
        maxAgeDays: Optional(Type.Number()),
        maxBackups: Optional(Type.Number()),
        maxSizeMegabytes: Optional(Type.Number()),
    })),
    encryption: Optional(Settings({
        enabled: Optional(Bool()),
        provider: Optional(Line()),
        keyGeneration: Optional(Type.Number()),
    })),
    admission: Optional(Settings({ enable: Optional(Lines()), disable: Optional(Lines()) })),
    disableProfiling: Optional(Bool()),
    tls: Optional(Settings({ minVersion: Optional(Line()), cipherSuites: Optional(Lines()) })),
    requestTimeout: Optional(Line()),
    anonymous: Optional(Settings({ healthEndpointsOnly: Optional(Bool()), paths: Optional(Lines()) })),
    bindAddress: Optional(Line()),
    configDirectory: Optional(Line()),
    stateDirectory: Optional(Line()),
    manifestDirectory: Optional(Line()),
    healthTimeoutSeconds: Optional(Int(1, 86400, "seconds")),
});
export type RawControlPlaneConfig = Static<typeof ControlPlaneSchema>;

export interface ControlPlaneConfig {
    settings: ControlPlaneSettings;
    /** The apiserver's health URL on every node when staticTokens.readyzUrl says it; else derived per node. */
    apiserverHealthUrl?: string;
}

/** What the control-plane settings need from the static-token settings (validated already). */
export interface ControlPlaneContext {
    staticTokens: StaticTokensConfig;
    /** Whether any user authenticates with a static token: the token file is then part of the patch. */
    hasTokenUsers: boolean;
}

/** The settings with defaults applied (some taken from staticTokens) and every problem added to `issues`. */
export function resolveControlPlane(raw: RawControlPlaneConfig, context: ControlPlaneContext, issues: Issues): ControlPlaneConfig {
    const tokens = context.staticTokens;
    const input = raw as ControlPlaneSettingsInput;
    const settings = withControlPlaneDefaults({
        stateDirectory: tokens.backupDirectory,
        manifestDirectory: parentDirectory(tokens.manifestPath),
        healthTimeoutSeconds: Math.max(30, tokens.readyTimeoutSeconds),
        ...input,
    });
    // Paths are normalised first, so the checks compare what the node will really touch.
    for (const key of ["configDirectory", "stateDirectory", "manifestDirectory"] as const) {
        if (raw[key] === undefined) continue;
        const n = normalizeAbsolutePath(raw[key]!);
        if (n.problem !== undefined) issues.add(`controlPlane.${key}`, raw[key], n.problem);
        else settings[key] = n.path;
    }
    if (raw.audit?.logPath !== undefined) {
        const n = normalizeAbsolutePath(raw.audit.logPath);
        if (n.path !== undefined) settings.audit.logPath = n.path;
    }
    const patches = settings.enabled || context.hasTokenUsers;
    if (!patches) return { settings };

    issues.issues.push(...validateControlPlaneSettings({ ...settings, enabled: true }).filter(i => settings.enabled || isLocationKey(i.key)));
    const owned: Array<[string, string]> = [["controlPlane.stateDirectory", settings.stateDirectory]];
    if (settings.enabled) owned.push(["controlPlane.configDirectory", settings.configDirectory]);
    if (settings.enabled && settings.audit.enabled) owned.push(["controlPlane.audit.logPath", parentDirectory(settings.audit.logPath)]);
    const reported = (key: string) => issues.issues.some(i => i.key === `kube-baseline:${key}`);
    for (const [key, dir] of owned) {
        const problem = dedicatedDirectoryProblem(dir, settings.manifestDirectory);
        if (problem !== undefined && !reported(key)) issues.add(key, key.endsWith("logPath") ? settings.audit.logPath : dir, problem);
    }
    if (context.hasTokenUsers) {
        const expected = `${settings.manifestDirectory}/kube-apiserver.yaml`;
        if (tokens.manifestPath !== expected) {
            issues.add("staticTokens.manifestPath", tokens.manifestPath,
                `must be the kube-apiserver manifest in controlPlane.manifestDirectory (${expected}): the token file is one part of the control-plane patch`);
        }
        if (raw.stateDirectory !== undefined && settings.stateDirectory !== tokens.backupDirectory) {
            issues.add("controlPlane.stateDirectory", settings.stateDirectory,
                `must be staticTokens.backupDirectory (${tokens.backupDirectory}) while there are token users: that is where the apiserver's original manifest is kept`);
        }
        for (const [key, dir] of owned) {
            const path = key.endsWith("logPath") ? settings.audit.logPath : dir;
            if (isInside(dir, tokens.directory) || isInside(tokens.directory, dir)) {
                issues.add(key, path, `must not be staticTokens.directory (${tokens.directory}) or inside it or around it: each directory is mounted and removed on its own`);
            }
        }
    }
    const apiserverHealthUrl = tokens.readyzUrl;
    return apiserverHealthUrl === undefined ? { settings } : { settings, apiserverHealthUrl };
}

function isLocationKey(key: string): boolean {
    return /^kube-baseline:controlPlane\.(stateDirectory|manifestDirectory|healthTimeoutSeconds)$/.test(key);
}
