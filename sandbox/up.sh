#!/usr/bin/env bash
# sandbox up: nodes (netns + /etc overlay + sshd), control plane, kubeadm's objects; waits until healthy.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$SANDBOX_SCRIPTS/nodes.sh"
source "$SANDBOX_SCRIPTS/control-plane.sh"

started_ns=$(date +%s%N)
elapsed() { awk -v a="$started_ns" -v b="$(date +%s%N)" 'BEGIN { printf "%.1f", (b - a) / 1e9 }'; }

[[ $EUID == 0 ]] || die "the sandbox needs root (network and mount namespaces)"

replace_stale=false
for arg in "$@"; do
  case $arg in
  --replace-stale) replace_stale=true ;;
  *) die "up: unknown option '$arg' (the only one is --replace-stale)" ;;
  esac
done

# One `up` per run dir at a time. The lock tells a sandbox still starting from one whose `up` died; it lives
# in /run/lock (a tmpfs, for lock files) so that `down` never removes it under a holder. It is held on fd 9,
# which start_daemon closes for the daemons: the lock must end with `up`.
lock_dir=/run/lock
[[ -d $lock_dir ]] || lock_dir=/run
exec 9>"$lock_dir/$(basename "$SANDBOX_DIR").up.lock"
flock -n 9 || die "another 'sandbox up' for $SANDBOX_DIR is still running"

# --- preflight: an existing sandbox is left alone; anything in the way is named ------------------------------
if [[ -f $SANDBOX_DIR/sandbox.json ]] && daemon_alive static-pod-supervisor; then
  echo "sandbox is already running; nothing changed."
  echo "  description: $SANDBOX_DIR/sandbox.json"
  echo "  kubeconfig:  $SANDBOX_DIR/admin.kubeconfig"
  echo "  (npm run sandbox -- status shows its health)"
  exit 0
fi
# Nobody holds the lock and the supervisor is dead: whatever is here was left by an `up` that failed or by a
# sandbox whose processes were killed (with the test run that started it, say). It is kept for inspection
# unless asked to replace it.
if $replace_stale; then
  bash "$SANDBOX_SCRIPTS/down.sh" | sed 's/^/--replace-stale: /'
  # Again from the start: the worker count is then the one asked for now, not the one the old sandbox recorded.
  exec 9>&-
  exec bash "${BASH_SOURCE[0]}"
fi
[[ ! -e $SANDBOX_DIR ]] ||
  die "$SANDBOX_DIR is left from a sandbox that is not running; run 'npm run sandbox -- down' first (or 'up --replace-stale')"
ip link show "$SANDBOX_BRIDGE" >/dev/null 2>&1 && die "network interface $SANDBOX_BRIDGE already exists; run 'npm run sandbox -- down' first"
for node in "${NODE_NAMES[@]}"; do
  [[ ! -e $(netns_file "$node") ]] || die "network namespace $node already exists; run 'npm run sandbox -- down' first"
  ip link show "kbs-$node" >/dev/null 2>&1 && die "network interface kbs-$node already exists"
done
in_use=$(ip -o -4 addr show | awk -v p="$SANDBOX_NET_PREFIX." 'index($4, p) == 1 { print $2 " " $4 }')
[[ -z $in_use ]] || die "the sandbox subnet $SANDBOX_NET_PREFIX.0/24 is already in use on this machine: $in_use"
[[ -z $(ip -4 route show match "$SANDBOX_NET_PREFIX.0/24" | grep -v '^default') ]] ||
  die "the sandbox subnet $SANDBOX_NET_PREFIX.0/24 is already routed: $(ip -4 route show match "$SANDBOX_NET_PREFIX.0/24" | grep -v '^default' | head -1)"
load_toolchain

# --- build -------------------------------------------------------------------------------------------------
on_exit() {
  local code=$?
  ((code == 0)) && return
  echo "sandbox up failed after $(elapsed) s. Logs: $LOG_DIR. What was made is left for inspection;" >&2
  echo "'npm run sandbox -- down' removes it." >&2
}
trap on_exit EXIT

install -d -m 0700 "$SANDBOX_DIR"
# First, so that status and down know every node even of a half-made sandbox.
echo "$SANDBOX_WORKERS" >"$SANDBOX_WORKERS_FILE"
mkdir -p "$PID_DIR" "$LOG_DIR"
# `ip netns add` turns /run/netns into a mount point if it is none; down undoes that only if we caused it.
mountpoint -q /run/netns || touch "$SANDBOX_DIR/made-run-netns-mount"

log "nodes: ${NODE_NAMES[*]} on $SANDBOX_NET_PREFIX.0/24 (bridge $SANDBOX_BRIDGE)"
nodes_network_up
nodes_namespaces_up
nodes_sshd_up
log "sshd up on every node"

log "control plane on $CP_NODE ($CP_IP)"
control_plane_pki
control_plane_manifest kube-apiserver
control_plane_etcd
control_plane_static_pods
log "kube-apiserver ready at $API_SERVER_URL"
cluster_nodes
control_plane_kwok
cluster_addons
cluster_check_builtin_bindings

log "waiting for nodes Ready and kube-proxy/CoreDNS pods Running"
kctl wait --for=condition=Ready node --all --timeout="${SANDBOX_WAIT_LONG}s" >/dev/null ||
  die "nodes did not become Ready; see $LOG_DIR/kwok.log and $LOG_DIR/kube-controller-manager.log"
wait_until "$SANDBOX_WAIT_LONG" addons_running ||
  die "kube-proxy and CoreDNS pods did not become Ready; see $LOG_DIR/kube-scheduler.log and $LOG_DIR/kwok.log"

# --- describe ----------------------------------------------------------------------------------------------
node_json() {
  local node=$1 roles='["worker"]'
  [[ ${NODE_ROLE[$node]} == control-plane ]] && roles='["control-plane"]'
  jq -n --arg name "$node" --arg ip "${NODE_IP[$node]}" --argjson roles "$roles" --argjson port "$SANDBOX_SSH_PORT" \
    --arg user "$SANDBOX_SSH_USER" --arg key "$SANDBOX_DIR/ssh/id_ed25519" \
    --arg hostKey "$(cut -d' ' -f1,2 "$SANDBOX_DIR/nodes/$node/ssh_host_ed25519_key.pub")" \
    '{name: $name, ip: $ip, roles: $roles, sshPort: $port, user: $user, privateKeyPath: $key, hostKey: $hostKey}'
}
for node in "${NODE_NAMES[@]}"; do node_json "$node"; done | jq -s \
  --arg endpoint "$API_SERVER_URL" --arg kubeconfig "$SANDBOX_DIR/admin.kubeconfig" \
  --arg caPath "$SANDBOX_DIR/ca.crt" --rawfile caPem "$SANDBOX_DIR/ca.crt" \
  --arg version "$KUBERNETES_VERSION" --arg pods "$POD_SUBNET" --arg services "$SERVICE_SUBNET" \
  --arg dns "$DNS_SERVICE_IP" --arg domain "$DNS_DOMAIN" --arg manifest "$APISERVER_MANIFEST" --arg manifestDir "$MANIFEST_DIR" --arg cp "$CP_NODE" \
  --arg runDir "$SANDBOX_DIR" --arg logDir "$LOG_DIR" --arg knownHosts "$SANDBOX_DIR/ssh/known_hosts" \
  '{apiServerEndpoint: $endpoint, kubeconfigPath: $kubeconfig, caCertPath: $caPath, caCertPem: $caPem,
    kubernetesVersion: $version, podSubnet: $pods, serviceSubnet: $services, dnsServiceIP: $dns, dnsDomain: $domain,
    controlPlaneNode: $cp, apiServerManifestPath: $manifest, staticPodManifestDir: $manifestDir,
    sshKnownHostsPath: $knownHosts,
    runDir: $runDir, logDir: $logDir, nodes: .}' >"$SANDBOX_DIR/sandbox.json.tmp"
mv "$SANDBOX_DIR/sandbox.json.tmp" "$SANDBOX_DIR/sandbox.json"

echo
echo "sandbox up and healthy in $(elapsed) s"
echo "  API server:  $API_SERVER_URL"
echo "  kubeconfig:  $SANDBOX_DIR/admin.kubeconfig"
echo "  description: $SANDBOX_DIR/sandbox.json"
echo "  SSH:         ssh -i $SANDBOX_DIR/ssh/id_ed25519 -o UserKnownHostsFile=$SANDBOX_DIR/ssh/known_hosts root@<node>"
for node in "${NODE_NAMES[@]}"; do
  printf '               %-8s %s (%s)\n' "$node" "${NODE_IP[$node]}" "${NODE_ROLE[$node]}"
done
echo "  logs:        $LOG_DIR"
