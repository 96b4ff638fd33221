// Switching Flannel -> Calico: kubelet picks the first CNI config file in /etc/cni/net.d, and Flannel's
// sorts before Calico's, so it must go; the flannel.1 VXLAN link would keep routes for the old overlay.

import { NodeScriptOptions } from "./kernelScripts";
import { shellQuote } from "./shell";

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
    const line = stdout.split("\n").map(l => l.trim()).filter(l => l.startsWith("{")).pop();
    if (line === undefined) throw new Error(`node ${node}: Flannel cleanup printed no result`);
    const r = JSON.parse(line) as Partial<FlannelCleanupResult>;
    if (r.node !== node || typeof r.removedConfig !== "boolean" || typeof r.removedLink !== "boolean") {
        throw new Error(`node ${node}: unexpected Flannel cleanup result ${line}`);
    }
    return { node: r.node, removedConfig: r.removedConfig, removedLink: r.removedLink };
}
