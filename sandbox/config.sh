# shellcheck shell=bash disable=SC2034
# The sandbox's settings, in one place. Sourced by every sandbox script.

SANDBOX_REPO_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SANDBOX_SCRIPTS=$SANDBOX_REPO_DIR/sandbox

# Run-time state lives outside the repo so a fresh clone never sees a stale sandbox.
SANDBOX_DIR=${KUBE_BASELINE_SANDBOX_DIR:-/run/kube-baseline-sandbox}

# One sandbox per run dir. A second one next to it (the sandbox's own e2e test runs one) needs its own
# name (the node names' and bridge's prefix: 1-4 lowercase letters or digits) and its own /24.
SANDBOX_NAME=${KUBE_BASELINE_SANDBOX_NAME:-kb}
# The sandbox's /24 (its first three octets, within 192.168.0.0/16): .1 is the bridge in the root
# namespace, nodes take the host numbers below. Nodes get no default route, so nothing outside this /24 is
# reachable from them.
SANDBOX_NET_PREFIX=${KUBE_BASELINE_SANDBOX_NET:-192.168.213}
SANDBOX_BRIDGE=$SANDBOX_NAME-br0
SANDBOX_BRIDGE_IP=$SANDBOX_NET_PREFIX.1

# Nodes: the control plane <name>-cp1 (host number 10) and workers <name>-w1..<name>-wN (11..10+N). N is
# KUBE_BASELINE_SANDBOX_WORKERS, 1 to 60 (the benchmark runs 49 for 50 nodes); lib.sh checks it and builds
# SANDBOX_NODES (name:host-number:role). A running sandbox keeps the count it was made with.
# Names double as netns names and hostnames; the host-side veth is "kbs-<name>" (15 characters at most).
SANDBOX_WORKERS=${KUBE_BASELINE_SANDBOX_WORKERS:-2}
SANDBOX_MAX_WORKERS=60

SANDBOX_SSH_USER=root
SANDBOX_SSH_PORT=22

POD_SUBNET=10.244.0.0/16
SERVICE_SUBNET=10.96.0.0/12
KUBERNETES_SERVICE_IP=10.96.0.1
DNS_SERVICE_IP=10.96.0.10
DNS_DOMAIN=cluster.local
APISERVER_PORT=6443
COREDNS_VERSION=v1.13.1

# Versions come from the toolchain's pins so the sandbox and the built binaries agree.
# shellcheck source=toolchain/pins.sh
source "$SANDBOX_REPO_DIR/toolchain/pins.sh"

# Where the node stage definitions kwok needs come from (its Go module ships them).
KWOK_STAGE_DIR=${KWOK_STAGE_DIR:-}

# Every wait loop uses these bounds (seconds).
SANDBOX_WAIT_SHORT=20
SANDBOX_WAIT_LONG=120
