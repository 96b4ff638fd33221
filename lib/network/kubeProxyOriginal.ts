// kube-proxy's config.conf as it was before kube-baseline first edited it, kept on a control-plane node so
// destroy can put it back. The edit itself is a server-side-apply patch that cannot be released (that
// would delete config.conf), and every later run reads an already edited ConfigMap: so the original is
// saved once, by the first run, to a root-only file; the restore writes it back in one merge patch and
// restarts the kube-proxy pods (they read their config only at start), then removes the file.
// Both scripts run kubectl with the node's admin kubeconfig; pure string builders.

import { KUBE_PROXY_CONFIG_KEY, KUBE_PROXY_CONFIGMAP, KUBE_PROXY_NAMESPACE } from "./kubeProxyConfig";
import { ABSOLUTE_PATH, assertToken, COMMAND, parseScriptResultLine, shellQuote } from "../nodeShell";

export const KUBE_PROXY_BACKUP_DIR = "/var/lib/kube-baseline/kube-proxy";
export const KUBE_PROXY_BACKUP_FILE = `${KUBE_PROXY_BACKUP_DIR}/${KUBE_PROXY_CONFIG_KEY}`;
const KUBE_PROXY_DAEMONSET = "kube-proxy";

export interface KubeProxyOriginalOptions {
    /** The control-plane node the script runs on, named in every message. */
    node: string;
    /** Admin kubeconfig on the node (kubeadm: /etc/kubernetes/admin.conf). */
    kubeconfigPath: string;
    kubectl: string;
    /** Prefix for the backup path; "" on a real node, a scratch directory in tests. */
    root?: string;
}

function prelude(o: KubeProxyOriginalOptions): string {
    assertToken("kubeconfig path", o.kubeconfigPath, ABSOLUTE_PATH);
    assertToken("kubectl command", o.kubectl, COMMAND);
    return [
        "umask 077",
        `NODE=${shellQuote(o.node)}`,
        `ROOT=${shellQuote(o.root ?? "")}`,
        `export KUBECONFIG=${shellQuote(o.kubeconfigPath)}`,
        `kubectl=${shellQuote(o.kubectl)}`,
        `BACKUP_DIR="$ROOT${KUBE_PROXY_BACKUP_DIR}"`,
        `BACKUP="$ROOT${KUBE_PROXY_BACKUP_FILE}"`,
        `CM=${shellQuote(`${KUBE_PROXY_NAMESPACE}/${KUBE_PROXY_CONFIGMAP}`)}`,
        `fail() { printf 'node %s: %s\\n' "$NODE" "$*" >&2; exit 1; }`,
        `warn() { printf 'node %s: warning: %s\\n' "$NODE" "$*" >&2; }`,
        `need_kubectl() {`,
        `  command -v "$kubectl" >/dev/null 2>&1 || fail "kubectl not found (it keeps kube-proxy's original config for destroy)"`,
        `  [ -r "$KUBECONFIG" ] || fail "admin kubeconfig $KUBECONFIG is not readable"`,
        `}`,
        `digest() { sha256sum < "$1" | cut -d' ' -f1; }`,
    ].join("\n");
}

/**
 * Create (and update): saves config.conf unless a saved copy exists, so a re-run never overwrites the
 * original with an edited version. Prints {"node","backup":"saved"|"kept","sha256"} (digest of the copy).
 */
export function renderKubeProxySaveScript(options: KubeProxyOriginalOptions): string {
    const jsonpath = `jsonpath={.data.${KUBE_PROXY_CONFIG_KEY.replace(/\./g, "\\.")}}`;
    return `set -eu
${prelude(options)}
if [ -f "$BACKUP" ]; then
  state=kept
else
  need_kubectl
  mkdir -p "$BACKUP_DIR"
  chmod 0700 "$BACKUP_DIR"
  # Straight to a file: a command substitution would drop trailing newlines.
  "$kubectl" -n ${shellQuote(KUBE_PROXY_NAMESPACE)} get configmap ${shellQuote(KUBE_PROXY_CONFIGMAP)} -o ${shellQuote(jsonpath)} > "$BACKUP.tmp" \\
    || { rm -f "$BACKUP.tmp"; fail "cannot read ${KUBE_PROXY_CONFIG_KEY} of ConfigMap $CM"; }
  [ -s "$BACKUP.tmp" ] || { rm -f "$BACKUP.tmp"; fail "ConfigMap $CM has no ${KUBE_PROXY_CONFIG_KEY}"; }
  mv -f "$BACKUP.tmp" "$BACKUP"
  state=saved
fi
printf '{"node":"%s","backup":"%s","sha256":"%s"}\\n' "$NODE" "$state" "$(digest "$BACKUP")"
`;
}

/**
 * Delete: writes the saved config.conf back (one merge patch: the other keys stay as they are), restarts
 * the kube-proxy DaemonSet and removes the copy. Without a saved copy there is nothing to restore: a
 * warning, and success (a destroy that is retried after the restore went through).
 */
export function renderKubeProxyRestoreScript(options: KubeProxyOriginalOptions): string {
    return `set -eu
${prelude(options)}
if [ ! -f "$BACKUP" ]; then
  warn "no saved ${KUBE_PROXY_CONFIG_KEY} at $BACKUP: nothing to restore"
  printf '{"node":"%s","restored":false}\\n' "$NODE"
  exit 0
fi
need_kubectl
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# kubectl JSON-encodes the file for the patch, byte for byte.
"$kubectl" create configmap ${shellQuote(KUBE_PROXY_CONFIGMAP)} --from-file=${KUBE_PROXY_CONFIG_KEY}="$BACKUP" --dry-run=client -o 'jsonpath={.data}' > "$tmp/data.json" \\
  || fail "cannot encode $BACKUP"
printf '{"data":%s}' "$(cat "$tmp/data.json")" > "$tmp/patch.json"
"$kubectl" -n ${shellQuote(KUBE_PROXY_NAMESPACE)} patch configmap ${shellQuote(KUBE_PROXY_CONFIGMAP)} --type merge --patch-file "$tmp/patch.json" >/dev/null \\
  || fail "cannot write the saved ${KUBE_PROXY_CONFIG_KEY} back to ConfigMap $CM (kept in $BACKUP)"
"$kubectl" -n ${shellQuote(KUBE_PROXY_NAMESPACE)} rollout restart daemonset/${KUBE_PROXY_DAEMONSET} >/dev/null \\
  || fail "${KUBE_PROXY_CONFIG_KEY} restored, but DaemonSet ${KUBE_PROXY_NAMESPACE}/${KUBE_PROXY_DAEMONSET} could not be restarted"
sum=$(digest "$BACKUP")
rm -f "$BACKUP"
rmdir "$BACKUP_DIR" "$(dirname "$BACKUP_DIR")" 2>/dev/null || true
printf '{"node":"%s","restored":true,"sha256":"%s"}\\n' "$NODE" "$sum"
`;
}

export interface KubeProxySaveResult {
    node: string;
    backup: "saved" | "kept";
    /** sha256 of the saved config.conf. */
    sha256: string;
}

/** Parses the JSON line of the save script; errors name the node. */
export function parseKubeProxySaveResult(stdout: string, node: string): KubeProxySaveResult {
    const { line, value } = parseScriptResultLine(stdout, node, `saving kube-proxy's ${KUBE_PROXY_CONFIG_KEY}`);
    const r = value as Partial<KubeProxySaveResult>;
    if (r.node !== node || (r.backup !== "saved" && r.backup !== "kept") || typeof r.sha256 !== "string" || !/^[0-9a-f]{64}$/.test(r.sha256)) {
        throw new Error(`node ${node}: unexpected kube-proxy save result ${line}`);
    }
    return { node: r.node, backup: r.backup, sha256: r.sha256 };
}
