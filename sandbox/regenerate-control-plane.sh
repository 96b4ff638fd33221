#!/usr/bin/env bash
# sandbox regenerate-control-plane: what `kubeadm upgrade` does to the control plane's static pod manifests, so
# tests can simulate an upgrade. It reads the ClusterConfiguration from the kubeadm-config ConfigMap (as upgrade
# does), adds the control-plane node's InitConfiguration (its advertise address and name), and runs
# `kubeadm init phase control-plane all --config ...` where the control-plane node's /etc is (its mount namespace),
# which rewrites /etc/kubernetes/manifests/kube-{apiserver,controller-manager,scheduler}.yaml from that
# configuration alone: a flag or mount edited only into a manifest is gone afterwards. Then it waits until the
# supervisor runs every regenerated manifest and the apiserver is ready, and says which manifests changed.
#   npm run sandbox -- regenerate-control-plane
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[[ $EUID == 0 ]] || die "the sandbox needs root (network and mount namespaces)"
[[ $# == 0 ]] || die "regenerate-control-plane takes no arguments"
[[ -f $SANDBOX_DIR/sandbox.json ]] && daemon_alive static-pod-supervisor || die "the sandbox in $SANDBOX_DIR is not running; start it with 'npm run sandbox -- up'"
[[ -f $SANDBOX_REPO_DIR/toolchain/env.sh ]] && eval "$(bash "$SANDBOX_REPO_DIR/toolchain/env.sh")"
command -v kubeadm >/dev/null || die "kubeadm is not on PATH; it is built with the toolchain (npm run toolchain)"

PODS=(kube-apiserver kube-controller-manager kube-scheduler)
work=$SANDBOX_DIR/regenerate
rm -rf "$work"
install -d -m 0700 "$work"

cluster_configuration=$(kctl -n kube-system get configmap kubeadm-config -o jsonpath='{.data.ClusterConfiguration}')
[[ -n $cluster_configuration ]] || die "the kubeadm-config ConfigMap has no ClusterConfiguration"
api_version=$(printf '%s\n' "$cluster_configuration" | awk '$1 == "apiVersion:" { print $2; exit }')
case $api_version in
kubeadm.k8s.io/v1beta3 | kubeadm.k8s.io/v1beta4) ;;
*) die "kubeadm-config's ClusterConfiguration has apiVersion '$api_version'; kubeadm $KUBERNETES_VERSION reads kubeadm.k8s.io/v1beta4 and v1beta3" ;;
esac

# The node's own part, which upgrade takes from the node: where its apiserver listens, and its name. The CRI
# socket is named so kubeadm does not go looking for one (no container runtime runs here).
{
  cat <<INIT
apiVersion: $api_version
kind: InitConfiguration
localAPIEndpoint:
  advertiseAddress: $CP_IP
  bindPort: $APISERVER_PORT
nodeRegistration:
  criSocket: unix:///run/containerd/containerd.sock
  name: $CP_NODE
---
INIT
  printf '%s\n' "$cluster_configuration"
} >"$work/kubeadm.yaml"

# The supervisor's identity of a manifest (what its status file reports once it runs it).
manifest_identity() {
  in_node "$CP_NODE" cat "$MANIFEST_DIR/$1.yaml" | node -e '
    const supervisor = require(process.argv[1]);
    let text = "";
    process.stdin.on("data", d => (text += d)).on("end", () => console.log(supervisor.launchSpecFromManifest(text).identity));
  ' "$SANDBOX_SCRIPTS/supervisor/static-pod-supervisor.js"
}
pod_runs() { [[ $(jq -r '.state + " " + (.manifestHash // "")' "$STATIC_POD_DIR/$1.json" 2>/dev/null) == "Running $2" ]]; }
sha_of() { in_node "$CP_NODE" sh -c '[ ! -f "$1" ] || sha256sum < "$1" | cut -d" " -f1' sh "$MANIFEST_DIR/$1.yaml"; }

declare -A before
for pod in "${PODS[@]}"; do
  before[$pod]=$(sha_of "$pod")
  in_node "$CP_NODE" cat "$MANIFEST_DIR/$pod.yaml" >"$work/$pod.before.yaml" 2>/dev/null || true
done

log "kubeadm init phase control-plane all, on $CP_NODE, from kubeadm-config ($api_version)"
if ! in_node "$CP_NODE" kubeadm init phase control-plane all --config "$work/kubeadm.yaml" >"$work/kubeadm.log" 2>&1; then
  cat "$work/kubeadm.log" >&2
  die "kubeadm could not generate the manifests (its output is above and in $work/kubeadm.log)"
fi

changed=()
for pod in "${PODS[@]}"; do
  in_node "$CP_NODE" cat "$MANIFEST_DIR/$pod.yaml" >"$work/$pod.after.yaml"
  if [[ $(sha_of "$pod") != "${before[$pod]}" ]]; then changed+=("$pod"); fi
done

for pod in "${PODS[@]}"; do
  identity=$(manifest_identity "$pod")
  # The controller-manager and scheduler exit while the apiserver restarts and come back after kubelet's back-off.
  wait_until "$SANDBOX_WAIT_LONG" pod_runs "$pod" "$identity" ||
    die "$pod does not run the regenerated manifest within ${SANDBOX_WAIT_LONG}s; see $STATIC_POD_DIR/$pod.json and $LOG_DIR/$pod.log"
done
wait_until "$SANDBOX_WAIT_LONG" apiserver_ready || die "kube-apiserver is not ready within ${SANDBOX_WAIT_LONG}s after the regeneration; see $LOG_DIR/kube-apiserver.log"

for pod in "${PODS[@]}"; do
  if [[ " ${changed[*]} " == *" $pod "* ]]; then
    echo "$pod: regenerated (before: $work/$pod.before.yaml, after: $work/$pod.after.yaml)"
    diff <(grep -E '^    - --' "$work/$pod.before.yaml" | sort) <(grep -E '^    - --' "$work/$pod.after.yaml" | sort) |
      sed -n 's/^<     - /  flag gone:  /p; s/^>     - /  flag added: /p' || true
  else
    echo "$pod: unchanged"
  fi
done
echo "control plane regenerated from kubeadm-config and running (${#changed[@]} manifest(s) changed)"
