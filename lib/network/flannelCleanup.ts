// Switching Flannel -> Calico: kubelet picks the first CNI config file in /etc/cni/net.d, and Flannel's
// sorts before Calico's, so it must go; the flannel.1 VXLAN link would keep routes for the old overlay.

import { NodeScriptOptions } from "./kernelScripts";
import { ABSOLUTE_PATH, assertToken, COMMAND, parseScriptResultLine, shellQuote } from "../nodeShell";

export const FLANNEL_CNI_CONFIG = "/etc/cni/net.d/10-flannel.conflist";
export const FLANNEL_LINK = "flannel.1";

/** Idempotent cleanup; prints {"node","removedConfig","removedLink"} as JSON. */
export function renderFlannelCleanupScript(options: NodeScriptOptions): string {
    return `set -eu
NODE=${shellQuote(options.node)}
ROOT=${shellQuote(options.root ?? "")}
fail() { printf 'node %s: %s\\n' "$NODE" "$*" >&2; exit 1; }
conflist="$ROOT${FLANNEL_CNI_CONFIG}"
removed_config=false
removed_link=false
if [ -e "$conflist" ]; then
  rm -f "$conflist" || fail "cannot remove $conflist"
  removed_config=true
fi
if ip link show ${FLANNEL_LINK} >/dev/null 2>&1; then
  ip link delete ${FLANNEL_LINK} || fail "cannot delete link ${FLANNEL_LINK}"
  removed_link=true
fi
printf '{"node":"%s","removedConfig":%s,"removedLink":%s}\\n' "$NODE" "$removed_config" "$removed_link"
`;
}

export interface FlannelCleanupResult {
    node: string;
    removedConfig: boolean;
    removedLink: boolean;
}

/** Parses the JSON line of the cleanup script; errors name the node. */
export function parseFlannelCleanupResult(stdout: string, node: string): FlannelCleanupResult {
    const { line, value } = parseScriptResultLine(stdout, node, "Flannel cleanup");
    const r = value as Partial<FlannelCleanupResult>;
    if (r.node !== node || typeof r.removedConfig !== "boolean" || typeof r.removedLink !== "boolean") {
        throw new Error(`node ${node}: unexpected Flannel cleanup result ${line}`);
    }
    return { node: r.node, removedConfig: r.removedConfig, removedLink: r.removedLink };
}

// The cluster side of the switch. Pulumi deletes what left the program only at the end of the run, after
// Calico is up; Flannel's DaemonSet must stop first (a running flanneld would put its CNI config and
// flannel.1 back on the nodes). So one step on a control-plane node deletes Flannel's DaemonSets and
// ConfigMaps with kubectl and waits until its pods are gone; Pulumi's own later delete of those objects
// then finds them absent, which it treats as done. The namespace and RBAC are left to Pulumi.

/** How upstream's kube-flannel.yml labels the DaemonSet, its pods and the kube-flannel-cfg ConfigMap. */
export const FLANNEL_SELECTOR = "app=flannel,tier=node";

export interface FlannelClusterCleanupOptions {
    /** The control-plane node the script runs on, named in every message. */
    node: string;
    /** Admin kubeconfig on the node (kubeadm: /etc/kubernetes/admin.conf). */
    kubeconfigPath: string;
    kubectl: string;
    /** Bound on waiting for the flannel pods to go. */
    timeoutSeconds: number;
}

/**
 * Idempotent (nothing labelled as Flannel = success); prints
 * {"node","daemonSets":["ns/name"],"configMaps":["ns/name"]} with what it deleted.
 */
export function renderFlannelClusterCleanupScript(options: FlannelClusterCleanupOptions): string {
    checkClusterOptions(options);
    const refs = `jsonpath={range .items[*]}{.metadata.namespace}/{.metadata.name}{" "}{end}`;
    return `set -eu
NODE=${shellQuote(options.node)}
export KUBECONFIG=${shellQuote(options.kubeconfigPath)}
kubectl=${shellQuote(options.kubectl)}
SELECTOR=${shellQuote(FLANNEL_SELECTOR)}
timeout=${options.timeoutSeconds}
fail() { printf 'node %s: %s\\n' "$NODE" "$*" >&2; exit 1; }
command -v "$kubectl" >/dev/null 2>&1 || fail "kubectl not found (it removes Flannel's DaemonSet before Calico starts)"
[ -r "$KUBECONFIG" ] || fail "admin kubeconfig $KUBECONFIG is not readable"
list() { "$kubectl" get "$1" --all-namespaces -l "$SELECTOR" -o ${shellQuote(refs)}; }
remove() {
  for ref in $2; do
    "$kubectl" -n "\${ref%%/*}" delete "$1" "\${ref#*/}" --ignore-not-found --wait=false >/dev/null || fail "cannot delete $1 $ref"
  done
}
json_list() {
  out=""
  for ref in $1; do out="$out\${out:+,}\\"$ref\\""; done
  printf '[%s]' "$out"
}
daemonsets=$(list daemonsets) || fail "cannot list Flannel's DaemonSets ($SELECTOR)"
remove daemonsets "$daemonsets"
deadline=$(( $(date +%s) + timeout ))
while :; do
  pods=$(list pods) || fail "cannot list Flannel's pods ($SELECTOR)"
  [ -n "$pods" ] || break
  [ "$(date +%s)" -lt "$deadline" ] || fail "Flannel pods still present after \${timeout}s: $pods"
  sleep 2
done
configmaps=$(list configmaps) || fail "cannot list Flannel's ConfigMaps ($SELECTOR)"
remove configmaps "$configmaps"
printf '{"node":"%s","daemonSets":%s,"configMaps":%s}\\n' "$NODE" "$(json_list "$daemonsets")" "$(json_list "$configmaps")"
`;
}

export interface FlannelClusterCleanupResult {
    node: string;
    /** "namespace/name" of each object deleted. */
    daemonSets: string[];
    configMaps: string[];
}

/** Parses the JSON line of the cluster cleanup script; errors name the node. */
export function parseFlannelClusterCleanupResult(stdout: string, node: string): FlannelClusterCleanupResult {
    const { line, value } = parseScriptResultLine(stdout, node, "Flannel cluster cleanup");
    const r = value as Partial<FlannelClusterCleanupResult>;
    const isRefs = (v: unknown): v is string[] => Array.isArray(v) && v.every(x => typeof x === "string" && /^[^/\s]+\/[^/\s]+$/.test(x));
    if (r.node !== node || !isRefs(r.daemonSets) || !isRefs(r.configMaps)) {
        throw new Error(`node ${node}: unexpected Flannel cluster cleanup result ${line}`);
    }
    return { node: r.node, daemonSets: r.daemonSets, configMaps: r.configMaps };
}

function checkClusterOptions(o: FlannelClusterCleanupOptions): void {
    assertToken("kubeconfig path", o.kubeconfigPath, ABSOLUTE_PATH);
    assertToken("kubectl command", o.kubectl, COMMAND);
    if (!Number.isInteger(o.timeoutSeconds) || o.timeoutSeconds <= 0) throw new Error(`timeoutSeconds must be a positive integer, got ${o.timeoutSeconds}`);
}
