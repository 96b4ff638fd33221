// kube-baseline:staticTokens: where token.csv lives on the control-plane nodes and how the apiserver patch waits.
// The token directory is created with mode 0700 and mounted into the apiserver; the backup directory keeps the
// original manifest. Both must be directories of their own (paths.ts): a token directory of /etc would chmod /etc on
// every control-plane node, and a backup inside the static-pod directory would be run by kubelet as a pod.

import { Issues } from "./configError";
import { isHostName } from "./names";
import { dedicatedDirectoryProblem, isInside, normalizeAbsolutePath, parentOf, SYSTEM_DIRECTORIES } from "./paths";
import { Bool, Int, Line, Optional, Settings, Static } from "./schema";

export const StaticTokensSchema = Settings({
    allowed: Optional(Bool()),
    directory: Optional(Line()),
    fileName: Optional(Line()),
    manifestPath: Optional(Line()),
    backupDirectory: Optional(Line()),
    readyTimeoutSeconds: Optional(Int(10, 3600, "seconds to wait for the apiserver after a change")),
    readyzUrl: Optional(Line()),
});

export interface StaticTokensConfig {
    /** Static tokens fail CIS 1.2.2: forbidden unless an environment opts in. */
    allowed: boolean;
    /** Normalised absolute paths. */
    directory: string;
    fileName: string;
    manifestPath: string;
    backupDirectory: string;
    readyTimeoutSeconds: number;
    /** Where the node itself asks /readyz; derived from the manifest when unset. */
    readyzUrl?: string;
}

export const STATIC_TOKEN_DEFAULTS = {
    allowed: false,
    directory: "/etc/kubernetes/auth",
    fileName: "token.csv",
    manifestPath: "/etc/kubernetes/manifests/kube-apiserver.yaml",
    backupDirectory: "/etc/kubernetes/kube-baseline",
    readyTimeoutSeconds: 300,
} as const;

const PLAIN_FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const MANIFEST_FILE = /\.(ya?ml|json)$/;

export function resolveStaticTokens(raw: Static<typeof StaticTokensSchema>, issues: Issues): StaticTokensConfig {
    const d = STATIC_TOKEN_DEFAULTS;
    const path = (field: "directory" | "manifestPath" | "backupDirectory"): string | undefined => {
        const value = raw[field] ?? d[field];
        const normalized = normalizeAbsolutePath(value);
        if (normalized.problem !== undefined) issues.add(`staticTokens.${field}`, value, normalized.problem);
        return normalized.path;
    };
    const directory = path("directory");
    const manifestPath = path("manifestPath");
    const backupDirectory = path("backupDirectory");
    const cfg: StaticTokensConfig = {
        allowed: raw.allowed ?? d.allowed,
        directory: directory ?? "",
        fileName: raw.fileName ?? d.fileName,
        manifestPath: manifestPath ?? "",
        backupDirectory: backupDirectory ?? "",
        readyTimeoutSeconds: raw.readyTimeoutSeconds ?? d.readyTimeoutSeconds,
        ...(raw.readyzUrl !== undefined ? { readyzUrl: raw.readyzUrl } : {}),
    };
    if (!PLAIN_FILE_NAME.test(cfg.fileName) || cfg.fileName.length > 255) {
        issues.add("staticTokens.fileName", cfg.fileName, "must be a plain file name (letters, digits, '.', '_', '-'), starting with a letter or digit");
    }
    let staticPodDirOk = manifestPath !== undefined;
    if (manifestPath !== undefined && !MANIFEST_FILE.test(manifestPath)) {
        issues.add("staticTokens.manifestPath", manifestPath, "must be the apiserver's static pod manifest file (a .yaml, .yml or .json file in kubelet's manifest directory)");
    } else if (manifestPath !== undefined && SYSTEM_DIRECTORIES.includes(parentOf(manifestPath))) {
        issues.add("staticTokens.manifestPath", manifestPath, `is directly in the system directory ${parentOf(manifestPath)}; kubelet's manifest directory is a directory of its own such as /etc/kubernetes/manifests`);
        staticPodDirOk = false;
    }
    if (manifestPath !== undefined && staticPodDirOk) {
        const staticPodDir = parentOf(manifestPath);
        for (const [field, dir] of [["directory", directory], ["backupDirectory", backupDirectory]] as const) {
            if (dir === undefined) continue;
            const problem = dedicatedDirectoryProblem(dir, staticPodDir);
            if (problem !== undefined) issues.add(`staticTokens.${field}`, dir, problem);
        }
    }
    if (directory !== undefined && backupDirectory !== undefined) {
        if (directory === backupDirectory) {
            issues.add("staticTokens.backupDirectory", backupDirectory, "must differ from staticTokens.directory (that one is mounted into the apiserver)");
        } else if (isInside(backupDirectory, directory) || isInside(directory, backupDirectory)) {
            issues.add("staticTokens.backupDirectory", backupDirectory, `must not be inside staticTokens.directory ${directory} or contain it: each is created and removed on its own`);
        }
    }
    if (cfg.readyzUrl !== undefined && readyzUrlProblem(cfg.readyzUrl) !== undefined) {
        issues.add("staticTokens.readyzUrl", cfg.readyzUrl, readyzUrlProblem(cfg.readyzUrl)!);
    }
    return cfg;
}

/** http(s)://<host>[:<port>][/<plain path>]: the script passes it to curl, so nothing else. */
export function readyzUrlProblem(url: string): string | undefined {
    const m = /^https?:\/\/(\[[0-9A-Fa-f:.]+\]|[^/:?#@\s]+)(?::([0-9]{1,5}))?(\/[A-Za-z0-9._/-]*)?$/.exec(url);
    const problem = "must be an http(s) URL such as https://127.0.0.1:6443/readyz (host, optional port, plain path)";
    if (!m) return problem;
    if (!m[1].startsWith("[") && !isHostName(m[1])) return problem;
    if (m[2] !== undefined && (Number(m[2]) < 1 || Number(m[2]) > 65535)) return problem;
    return undefined;
}
