// What the program reads from a control-plane node at every preview and up (read-only, over SSH from the program
// itself: a remote.Command does not run at preview): per component the manifest state (readManifestStateScript's
// original, live and written), the files the hardening settings point at, and on the first control-plane node
// kubeadm-config's ClusterConfiguration with kube-baseline's copies of it. Everything travels base64 so no byte is
// lost. The encryption configuration holds keys: the caller keeps what it reads of it secret.

import { ControlPlaneComponent } from "./components";
import { backupPath, ManifestState, NodePatchPaths } from "./nodeScripts";
import { sha256Hex } from "../hash";
import { isPlainAbsolutePath } from "./patchModel";

export interface LiveReadInput {
    components: Array<{ component: ControlPlaneComponent; paths: NodePatchPaths }>;
    /** Files to read when they exist (absent ones are reported absent). */
    files: string[];
    /** Read kubeadm-config too (the first control-plane node). */
    kubeadmConfig?: KubeadmConfigPaths;
}

export interface KubeadmConfigPaths {
    /** The node's admin kubeconfig (kubeadm: /etc/kubernetes/admin.conf). */
    kubeconfig: string;
    stateDirectory: string;
}

export interface TextState { text: string; sha256: string }

export interface KubeadmConfigState {
    /** The ClusterConfiguration now; undefined when the ConfigMap or the key is missing. */
    live?: TextState;
    /** What kube-baseline found before it first wrote it (kept on the node). */
    original?: TextState;
    /** What kube-baseline last wrote. */
    written?: TextState;
    /** The text the last write replaced when it was someone else's (after an upgrade), as recorded on the node. */
    accepted?: TextState;
}

export interface LiveNodeState {
    manifests: Partial<Record<ControlPlaneComponent, ManifestState>>;
    files: Record<string, string>;
    kubeadmConfig?: KubeadmConfigState;
}

export function kubeadmConfigBackupPaths(stateDirectory: string): { original: string; written: string; accepted: string } {
    return { original: `${stateDirectory}/kubeadm-config.orig`, written: `${stateDirectory}/kubeadm-config.written`, accepted: `${stateDirectory}/kubeadm-config.accepted` };
}

/** Prints one JSON line; fails (naming the node) only when a component's manifest is missing altogether. */
export function liveReadScript(input: LiveReadInput): string {
    for (const p of [...input.files, ...input.components.flatMap(c => [c.paths.manifestPath, c.paths.stateDirectory])]) {
        if (!isPlainAbsolutePath(p)) throw new Error(`not a plain absolute path: ${JSON.stringify(p)}`);
    }
    const lines = [
        "set -eu",
        "b64() { base64 < \"$1\" | tr -d '\\n'; }",
        "opt() { if [ -f \"$1\" ]; then b64 \"$1\"; fi; }",
        "sep=''",
        "printf '{\"manifests\":{'",
    ];
    for (const { component, paths } of input.components) {
        const base = paths.manifestPath.slice(paths.manifestPath.lastIndexOf("/") + 1);
        lines.push(
            `m=${q(paths.manifestPath)}; b=${q(backupPath(paths))}; w=${q(`${paths.stateDirectory}/${base}.written`)}`,
            "if [ -f \"$b\" ]; then src=$b; else src=$m; fi",
            `[ -f "$src" ] || { echo "kube-baseline: $m not found on $(uname -n)" >&2; exit 1; }`,
            `e=${q(`${paths.stateDirectory}/${base}.expected`)}; expected=''; [ ! -f "$e" ] || expected=$(head -n1 "$e" | tr -cd '0-9a-f -')`,
            `printf '%s"%s":{"original":"%s","live":"%s","written":"%s","expected":"%s"}' "$sep" ${q(component)} "$(b64 "$src")" "$(opt "$m")" "$( [ ! -s "$w" ] || b64 "$w")" "$expected"`,
            "sep=,",
        );
    }
    lines.push("printf '},\"files\":{'", "sep=''");
    for (const f of input.files) {
        lines.push(`if [ -f ${q(f)} ]; then printf '%s"%s":"%s"' "$sep" ${q(f)} "$(b64 ${q(f)})"; sep=,; fi`);
    }
    lines.push("printf '}'");
    if (input.kubeadmConfig) {
        const k = input.kubeadmConfig;
        const backups = kubeadmConfigBackupPaths(k.stateDirectory);
        lines.push(
            "tmp=$(mktemp); trap 'rm -f \"$tmp\"' EXIT",
            `if kubectl --kubeconfig ${q(k.kubeconfig)} --request-timeout=20s -n kube-system get configmap kubeadm-config -o jsonpath='{.data.ClusterConfiguration}' > "$tmp" 2>/dev/null && [ -s "$tmp" ]; then live=$(b64 "$tmp"); else live=''; fi`,
            `printf ',"kubeadmConfig":{"live":"%s","original":"%s","written":"%s","accepted":"%s"}' "$live" "$(opt ${q(backups.original)})" "$(opt ${q(backups.written)})" "$(opt ${q(backups.accepted)})"`,
        );
    }
    lines.push("printf '}\\n'");
    return lines.join("\n") + "\n";
}

/** Parses liveReadScript's output. Throws unless every text is UTF-8. */
export function parseLiveRead(stdout: string): LiveNodeState {
    const line = stdout.split("\n").map(l => l.trim()).filter(l => l.startsWith("{")).pop();
    if (!line) throw new Error(`reading the control plane printed nothing usable (${JSON.stringify(stdout.slice(0, 120))})`);
    const raw = JSON.parse(line) as {
        manifests: Record<string, { original: string; live: string; written: string; expected?: string }>;
        files: Record<string, string>;
        kubeadmConfig?: { live: string; original: string; written: string; accepted?: string };
    };
    const manifests: LiveNodeState["manifests"] = {};
    for (const [component, m] of Object.entries(raw.manifests)) {
        const original = decode(m.original, `${component} original manifest`)!;
        if (original.text.trim() === "") throw new Error(`the ${component} manifest read from the node is empty`);
        const [liveSha256, backupSha256] = (m.expected ?? "").split(" ").map(x => (/^[0-9a-f]{64}$/.test(x) ? x : undefined));
        manifests[component as ControlPlaneComponent] = {
            original, live: decode(m.live, `${component} manifest`), written: decode(m.written, `${component} written manifest`),
            ...(m.expected ? { recordedExpected: { ...(liveSha256 ? { liveSha256 } : {}), ...(backupSha256 ? { backupSha256 } : {}) } } : {}),
        };
    }
    const files = Object.fromEntries(Object.entries(raw.files).map(([p, b]) => [p, decode(b, p)?.text ?? ""]));
    const out: LiveNodeState = { manifests, files };
    if (raw.kubeadmConfig) {
        out.kubeadmConfig = {
            live: decode(raw.kubeadmConfig.live, "kubeadm-config"),
            original: decode(raw.kubeadmConfig.original, "kubeadm-config backup"),
            written: decode(raw.kubeadmConfig.written, "kubeadm-config record"),
            accepted: decode(raw.kubeadmConfig.accepted ?? "", "kubeadm-config accepted"),
        };
    }
    return out;
}

function decode(b64: string, what: string): TextState | undefined {
    if (b64 === "") return undefined;
    const bytes = Buffer.from(b64, "base64");
    const text = bytes.toString("utf8");
    if (!Buffer.from(text, "utf8").equals(bytes)) throw new Error(`${what} is not UTF-8 text`);
    return { text, sha256: sha256Hex(bytes) };
}

function q(value: string): string {
    return `'${value.replace(/'/g, "'\\''")}'`;
}
