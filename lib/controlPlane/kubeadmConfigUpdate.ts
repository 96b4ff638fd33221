// kubeadm-config's ClusterConfiguration, kept in step with the manifests so `kubeadm upgrade` regenerates the patch:
// what the program writes there (planned from what it read, like planManifestUpdate), and the scripts that write
// it and put it back, run on the first control-plane node with kubectl and its admin kubeconfig. Each write is a
// JSON patch whose first operation tests that the ClusterConfiguration is still the text the program read, so the
// server refuses it when something changed in between (compare-and-swap). The original is kept on the node (the
// state directory) for the next run's planning; destroy puts it back byte for byte when the ConfigMap is still
// kube-baseline's text, and otherwise stops before changing anything.

import {
    applyClusterConfigurationPatch, ClusterConfigurationPatch, revertClusterConfigurationPatch,
} from "./clusterConfiguration";
import { KubeadmConfigPaths, KubeadmConfigState, kubeadmConfigBackupPaths } from "./liveState";
import { sha256Hex } from "../hash";

export interface KubeadmConfigUpdate {
    original: string;
    desired: string;
    /** The ClusterConfiguration as read: the patch's test operation. */
    live: string;
    /** Someone else's text the script may replace (the live one after an upgrade; later, as recorded). */
    accepted?: string;
    /** The original changed under kube-baseline (an upgrade wrote a new kubernetesVersion): the backup is replaced. */
    rebased: boolean;
    /** The live text is not what kube-baseline last wrote: for a preview message. */
    drifted: boolean;
    upToDate: boolean;
}

export function planKubeadmConfigUpdate(state: KubeadmConfigState, change: ClusterConfigurationPatch): KubeadmConfigUpdate {
    const live = state.live;
    if (!live) throw new Error("kubeadm-config has no ClusterConfiguration");
    const backup = state.original?.text ?? live.text;
    const written = state.written;
    const known = live.sha256 === sha256Hex(backup) || (written !== undefined && live.sha256 === written.sha256);
    // Changed by someone else since kube-baseline wrote it: what it would be without kube-baseline is the new original.
    const original = known || !written ? backup : revertClusterConfigurationPatch(live.text, backup, change);
    const desired = applyClusterConfigurationPatch(original, change);
    const rebased = state.original !== undefined && sha256Hex(original) !== state.original.sha256;
    const unusual = live.text !== original && live.text !== desired;
    return {
        original, desired, live: live.text, rebased,
        accepted: unusual ? live.text : state.accepted?.text,
        drifted: written !== undefined && written.sha256 !== live.sha256,
        upToDate: !rebased && state.original !== undefined && live.text === desired,
    };
}

/** Writes `desired` over the text read (or keeps it when it is there), keeps the original and the record. */
export function applyKubeadmConfigScript(node: string, paths: KubeadmConfigPaths, update: KubeadmConfigUpdate): string {
    const files = kubeadmConfigBackupPaths(paths.stateDirectory);
    const accepted = update.accepted;
    return [
        ...preamble(node, paths),
        // Only a live text that is neither the original nor what is wanted is named here: in the steady state the
        // script is the same from one run to the next.
        `live_sha=${q(accepted !== undefined ? sha256Hex(accepted) : "")}`,
        `desired_sha=${q(sha256Hex(update.desired))}`,
        `original_sha=${q(sha256Hex(update.original))}`,
        `orig=${q(files.original)}; record=${q(files.written)}; accepted=${q(files.accepted)}`,
        "[ -d \"$state\" ] || fail \"the state directory $state is missing (the manifests are patched first)\"",
        "current=$(current_sha)",
        "if [ \"$current\" = \"$desired_sha\" ]; then action=keep",
        `elif [ "$current" = "$original_sha" ]; then action=swap; patch=${q(b64(jsonPatch(update.original, update.desired)))}`,
        `elif [ -n "$live_sha" ] && [ "$current" = "$live_sha" ]; then action=swap; patch=${q(accepted !== undefined ? b64(jsonPatch(accepted, update.desired)) : "")}`,
        "else fail \"kubeadm-config changed since it was read (sha256 $current); nothing was written. Run pulumi up again.\"",
        "fi",
        // A backup that is not the original planned means the program re-based it (an upgrade changed the original).
        `if [ ! -f "$orig" ] || [ "$(sha256sum < "$orig" | cut -d' ' -f1)" != "$original_sha" ]; then`,
        `  printf '%s' ${q(b64(update.original))} | base64 -d > "$orig.tmp"`,
        "  [ \"$(sha256sum < \"$orig.tmp\" | cut -d' ' -f1)\" = \"$original_sha\" ] || fail \"the original damaged on the way\"",
        "  mv -f \"$orig.tmp\" \"$orig\"",
        "fi",
        "if [ \"$action\" = swap ]; then",
        "  printf '%s' \"$patch\" | base64 -d | kc -n kube-system patch configmap kubeadm-config --type=json --patch-file=/dev/stdin > /dev/null ||",
        "    fail \"kubectl could not patch kubeadm-config (it changed in between, or the apiserver refused)\"",
        "fi",
        `printf '%s' ${q(b64(update.desired))} | base64 -d > "$record.tmp" && mv -f "$record.tmp" "$record"`,
        ...(accepted !== undefined ? [`printf '%s' ${q(b64(accepted))} | base64 -d > "$accepted.tmp" && mv -f "$accepted.tmp" "$accepted"`] : []),
        "printf '{\"node\":\"%s\",\"kubeadmConfig\":\"%s\"}\\n' \"$node_name\" \"$( [ \"$action\" = swap ] && echo written || echo unchanged)\"",
    ].join("\n") + "\n";
}

/** Puts `original` back when kubeadm-config is still `desired`; does nothing when it is the original already. */
export function restoreKubeadmConfigScript(node: string, paths: KubeadmConfigPaths, update: Pick<KubeadmConfigUpdate, "original" | "desired">): string {
    const files = kubeadmConfigBackupPaths(paths.stateDirectory);
    return [
        ...preamble(node, paths),
        `desired_sha=${q(sha256Hex(update.desired))}`,
        `original_sha=${q(sha256Hex(update.original))}`,
        `orig=${q(files.original)}; record=${q(files.written)}; accepted=${q(files.accepted)}`,
        "current=$(current_sha)",
        "if [ \"$current\" = \"$desired_sha\" ] && [ \"$desired_sha\" != \"$original_sha\" ]; then",
        `  printf '%s' ${q(b64(jsonPatch(update.desired, update.original)))} | base64 -d | kc -n kube-system patch configmap kubeadm-config --type=json --patch-file=/dev/stdin > /dev/null ||`,
        "    fail \"kubectl could not put kubeadm-config back (it changed in between, or the apiserver refused)\"",
        "  restored=true",
        "elif [ \"$current\" = \"$original_sha\" ]; then restored=false",
        "else",
        "  fail \"kubeadm-config is not the text kube-baseline wrote (changed by kubeadm upgrade or by hand since); nothing was restored. Run pulumi up (it re-applies onto it as it is now), then destroy again. The original is at $orig\"",
        "fi",
        "rm -f \"$orig\" \"$record\" \"$accepted\"",
        "printf '{\"node\":\"%s\",\"kubeadmConfigRestored\":%s}\\n' \"$node_name\" \"$restored\"",
    ].join("\n") + "\n";
}

/** A JSON patch (RFC 6902) that replaces `from` with `to`, tested first. */
export function jsonPatch(from: string, to: string): string {
    return JSON.stringify([
        { op: "test", path: "/data/ClusterConfiguration", value: from },
        { op: "replace", path: "/data/ClusterConfiguration", value: to },
    ]);
}

function preamble(node: string, paths: KubeadmConfigPaths): string[] {
    for (const p of [paths.kubeconfig, paths.stateDirectory]) {
        if (!/^\/[A-Za-z0-9._/-]+$/.test(p)) throw new Error(`not a plain absolute path: ${JSON.stringify(p)}`);
    }
    if (!/^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/.test(node)) throw new Error(`not a node name: ${JSON.stringify(node)}`);
    return [
        "set -eu",
        "umask 077",
        `node_name=${q(node)}`,
        `state=${q(paths.stateDirectory)}`,
        "fail() { echo \"kube-baseline: node $node_name: kubeadm-config: $*\" >&2; exit 1; }",
        `kc() { kubectl --kubeconfig ${q(paths.kubeconfig)} --request-timeout=30s "$@"; }`,
        // Straight into sha256sum: $(...) would drop trailing newlines.
        "current_sha() { kc -n kube-system get configmap kubeadm-config -o jsonpath='{.data.ClusterConfiguration}' | sha256sum | cut -d' ' -f1; }",
    ];
}

function q(value: string): string {
    return `'${value.replace(/'/g, "'\\''")}'`;
}

function b64(text: string): string {
    return Buffer.from(text, "utf8").toString("base64");
}
