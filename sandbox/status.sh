#!/usr/bin/env bash
# sandbox status: API server health and flags (from the running process), why a static pod is down if one
# is, the other processes, node readiness and SSH reachability. Exit 0 healthy, 1 unhealthy, 3 down.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if [[ ! -d $SANDBOX_DIR ]]; then
  echo "sandbox: down (no $SANDBOX_DIR)"
  exit 3
fi
[[ -f $SANDBOX_REPO_DIR/toolchain/env.sh ]] && eval "$(bash "$SANDBOX_REPO_DIR/toolchain/env.sh")"
healthy=true
problem() { healthy=false; echo "$@"; }

echo "sandbox: $SANDBOX_DIR"
[[ -f $SANDBOX_DIR/sandbox.json ]] || problem "  (up has not finished: no sandbox.json)"

# What the supervisor (kubelet's role) says about one static pod; for a pod that is down, why.
report_static_pod() {
  local name=$1 file=$STATIC_POD_DIR/$1.json state
  if [[ ! -f $file ]]; then
    problem "$name: DOWN, no manifest $MANIFEST_DIR/$name.yaml on $CP_NODE"
    return
  fi
  state=$(jq -r .state "$file")
  case $state in
  Running)
    echo "$name: running, pid $(jq -r .pid "$file"), started $(jq -r .startedAt "$file"), restarts $(jq -r .restarts "$file")"
    ;;
  CrashLoopBackOff)
    problem "$name: DOWN, CrashLoopBackOff: $(jq -r .error "$file"); next restart $(jq -r .nextRestartAt "$file")"
    if [[ $(jq '.lastExit.logTail | length' "$file") -gt 0 ]]; then
      echo "$name: last log lines:"
      jq -r '.lastExit.logTail[]' "$file" | sed 's/^/  /'
    fi
    ;;
  *)
    problem "$name: DOWN, $state: $(jq -r '.error // ""' "$file")"
    ;;
  esac
}

# --- API server ---------------------------------------------------------------------------------------------
if apiserver_ready; then
  echo "apiserver: ready ($API_SERVER_URL/readyz ok)"
else
  problem "apiserver: NOT READY ($API_SERVER_URL/readyz fails)"
fi
daemon_alive static-pod-supervisor || problem "static-pod supervisor: NOT RUNNING (see $LOG_DIR/static-pod-supervisor.log)"
report_static_pod kube-apiserver
if [[ $(jq -r .state "$STATIC_POD_DIR/kube-apiserver.json" 2>/dev/null) == Running ]]; then
  pid=$(jq -r .pid "$STATIC_POD_DIR/kube-apiserver.json")
  if [[ $(cat "/proc/$pid/comm" 2>/dev/null) == kube-apiserver ]]; then
    echo "kube-apiserver flags (running process):"
    tr '\0' '\n' <"/proc/$pid/cmdline" | tail -n +2 | sed 's/^/  /'
  else
    problem "kube-apiserver: pid $pid is not a running kube-apiserver (yet)"
  fi
fi

# --- the other static pods and processes --------------------------------------------------------------------
others=(kube-controller-manager kube-scheduler)
for file in "$STATIC_POD_DIR"/*.json; do
  [[ -f $file ]] || continue
  name=$(basename "$file" .json)
  [[ " kube-apiserver ${others[*]} " == *" $name "* ]] || others+=("$name")
done
for name in "${others[@]}"; do report_static_pod "$name"; done
line="processes:"
for pid_file in "$PID_DIR"/*.pid; do
  [[ -f $pid_file ]] || continue
  name=$(basename "$pid_file" .pid)
  if daemon_alive "$name"; then line+=" $name=up"; else line+=" $name=DOWN"; healthy=false; fi
done
echo "$line"

# --- nodes --------------------------------------------------------------------------------------------------
echo "nodes:"
if nodes=$(kctl get nodes -o wide 2>&1); then
  sed 's/^/  /' <<<"$nodes"
  ready=$(kctl get nodes -o jsonpath='{range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}' 2>/dev/null | grep -c '^True$')
  [[ $ready == "${#NODE_NAMES[@]}" ]] || problem "  only $ready of ${#NODE_NAMES[@]} nodes Ready"
else
  problem "  cannot list nodes: $(tail -n 1 <<<"$nodes")"
fi

echo "ssh:"
for node in "${NODE_NAMES[@]}"; do
  if answer=$(ssh_node "$node" hostname 2>&1); then
    echo "  $node ${NODE_IP[$node]}:$SANDBOX_SSH_PORT ok (hostname $answer)"
  else
    problem "  $node ${NODE_IP[$node]}:$SANDBOX_SSH_PORT UNREACHABLE: $answer"
  fi
done

if $healthy; then echo "healthy"; exit 0; fi
echo "UNHEALTHY"
exit 1
