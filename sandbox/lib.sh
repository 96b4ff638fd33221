# shellcheck shell=bash
# Helpers shared by the sandbox scripts: logging, bounded waits, node namespaces, daemons, templates.
# shellcheck source=sandbox/config.sh
source "$(dirname "${BASH_SOURCE[0]}")/config.sh"

log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*"; }
warn() { printf 'sandbox: warning: %s\n' "$*" >&2; }
die() { printf 'sandbox: error: %s\n' "$*" >&2; exit 1; }

[[ $SANDBOX_NAME =~ ^[a-z0-9]{1,4}$ ]] ||
  die "KUBE_BASELINE_SANDBOX_NAME must be 1-4 lowercase letters or digits, got '$SANDBOX_NAME'"
[[ $SANDBOX_NET_PREFIX =~ ^192\.168\.([0-9]{1,3})$ ]] && ((10#${BASH_REMATCH[1]} <= 255)) ||
  die "KUBE_BASELINE_SANDBOX_NET must be the first three octets of a /24 in 192.168.0.0/16, got '$SANDBOX_NET_PREFIX'"

valid_worker_count() { [[ $1 =~ ^[0-9]{1,3}$ ]] && ((10#$1 >= 1 && 10#$1 <= SANDBOX_MAX_WORKERS)); }
valid_worker_count "$SANDBOX_WORKERS" ||
  die "KUBE_BASELINE_SANDBOX_WORKERS must be a whole number from 1 to $SANDBOX_MAX_WORKERS, got '$SANDBOX_WORKERS'"
SANDBOX_WORKERS=$((10#$SANDBOX_WORKERS))
# A sandbox that exists keeps the worker count `up` recorded: status and down act on the nodes it has, whatever
# the variable says now.
SANDBOX_WORKERS_FILE=$SANDBOX_DIR/workers
if [[ -f $SANDBOX_WORKERS_FILE ]]; then
  _recorded=$(<"$SANDBOX_WORKERS_FILE")
  if ! valid_worker_count "$_recorded"; then
    warn "$SANDBOX_WORKERS_FILE holds '$_recorded', not a worker count; going by KUBE_BASELINE_SANDBOX_WORKERS=$SANDBOX_WORKERS"
  else
    if ((10#$_recorded != SANDBOX_WORKERS)) && [[ -n ${KUBE_BASELINE_SANDBOX_WORKERS:-} ]]; then
      warn "the sandbox in $SANDBOX_DIR has $((10#$_recorded)) workers; KUBE_BASELINE_SANDBOX_WORKERS=$SANDBOX_WORKERS applies from the next up"
    fi
    SANDBOX_WORKERS=$((10#$_recorded))
  fi
  unset _recorded
fi

# --- nodes -------------------------------------------------------------------------------------------------
SANDBOX_NODES=("$SANDBOX_NAME-cp1:10:control-plane")
for ((_i = 1; _i <= SANDBOX_WORKERS; _i++)); do SANDBOX_NODES+=("$SANDBOX_NAME-w$_i:$((10 + _i)):worker"); done
unset _i
NODE_NAMES=()
declare -A NODE_IP NODE_ROLE
for _entry in "${SANDBOX_NODES[@]}"; do
  IFS=: read -r _name _host _role <<<"$_entry"
  NODE_NAMES+=("$_name")
  NODE_IP[$_name]=$SANDBOX_NET_PREFIX.$_host
  NODE_ROLE[$_name]=$_role
done
unset _entry _name _host _role
CP_NODE=${NODE_NAMES[0]}
CP_IP=${NODE_IP[$CP_NODE]}
API_SERVER_URL=https://$CP_IP:$APISERVER_PORT

# Namespaces of a node: the netns is named after it; mount and UTS namespaces are kept alive by bind mounts
# on files under the run dir (so they outlive the process that made them).
NS_DIR=$SANDBOX_DIR/ns
netns_file() { echo "/run/netns/$1"; }
mntns_file() { echo "$NS_DIR/$1.mnt"; }
utsns_file() { echo "$NS_DIR/$1.uts"; }

# Runs a command on a node: its network, mount (/etc) and UTS (hostname) namespaces.
in_node() {
  local node=$1; shift
  nsenter --net="$(netns_file "$node")" --mount="$(mntns_file "$node")" --uts="$(utsns_file "$node")" -- "$@"
}

# The control-plane node's static pods: their manifests (on the node) and the supervisor's view of them.
MANIFEST_DIR=/etc/kubernetes/manifests
APISERVER_MANIFEST=$MANIFEST_DIR/kube-apiserver.yaml
STATIC_POD_DIR=$SANDBOX_DIR/static-pods

# --- daemons -----------------------------------------------------------------------------------------------
PID_DIR=$SANDBOX_DIR/pids
LOG_DIR=$SANDBOX_DIR/logs

# Starts a long-running process on a node in a session of its own; its pid goes to pids/<name>.pid and its
# output to logs/<name>.log. setsid does not fork here (a background job is no group leader), so $! is the
# daemon itself once nsenter has exec'd.
# The daemon does not inherit up's lock (fd 9, see up.sh), or the lock would outlive `up`.
start_daemon() {
  local name=$1 node=$2; shift 2
  setsid nsenter --net="$(netns_file "$node")" --mount="$(mntns_file "$node")" --uts="$(utsns_file "$node")" \
    -- "$@" >>"$LOG_DIR/$name.log" 2>&1 </dev/null 9>&- &
  echo $! >"$PID_DIR/$name.pid"
}

daemon_pid() { cat "$PID_DIR/$1.pid" 2>/dev/null || true; }
daemon_alive() {
  local pid; pid=$(daemon_pid "$1")
  [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null
}

# --- waiting -----------------------------------------------------------------------------------------------
# wait_until <seconds> <command...>: retries every 0.25 s, bounded both by the deadline and by a try count.
wait_until() {
  local timeout=$1; shift
  local deadline=$((SECONDS + timeout)) tries=0 max_tries=$((timeout * 4))
  while ((tries < max_tries)); do
    "$@" >/dev/null 2>&1 && return 0
    ((SECONDS >= deadline)) && break
    sleep 0.25
    tries=$((tries + 1))
  done
  return 1
}

# --- templates ---------------------------------------------------------------------------------------------
# Prints a template with every {{NAME}} replaced by the shell variable NAME; an unset name is an error.
render() {
  local file=$1 text name value
  text=$(<"$file")
  for name in $(grep -o '{{[A-Z_][A-Z0-9_]*}}' "$file" | sort -u | tr -d '{}'); do
    [[ -v $name ]] || die "template $file uses {{$name}}, which is not set"
    value=${!name}
    text=${text//"{{$name}}"/"$value"}
  done
  printf '%s\n' "$text"
}

# --- toolchain ---------------------------------------------------------------------------------------------
SANDBOX_BINARIES=(etcd kube-apiserver kube-controller-manager kube-scheduler kubectl kwok)

# Puts the project's toolchain on PATH (when built) and checks every binary the sandbox runs is there.
load_toolchain() {
  local env_script=$SANDBOX_REPO_DIR/toolchain/env.sh bin missing=()
  if [[ -f $env_script ]]; then
    eval "$(bash "$env_script")"
  fi
  for bin in "${SANDBOX_BINARIES[@]}" sshd:/usr/sbin/sshd openssl ssh ssh-keygen nsenter unshare ip jq curl node; do
    if [[ $bin == *:* ]]; then [[ -x ${bin#*:} ]] || missing+=("${bin%%:*}"); continue; fi
    command -v "$bin" >/dev/null || missing+=("$bin")
  done
  ((${#missing[@]} == 0)) ||
    die "missing on PATH: ${missing[*]} (kube binaries: run 'npm run toolchain'; others: the Debian packages in sandbox/DEBIAN_PACKAGES)"
  # kwok's stage files: set explicitly, or shipped next to the kwok binary, or in kwok's Go module.
  if [[ -z $KWOK_STAGE_DIR ]]; then
    KWOK_STAGE_DIR=$(dirname "$(command -v kwok)")/stage
    if [[ ! -d $KWOK_STAGE_DIR ]] && command -v go >/dev/null; then
      KWOK_STAGE_DIR=$(go env GOMODCACHE)/sigs.k8s.io/kwok@$KWOK_VERSION/kustomize/stage
    fi
  fi
  [[ -n $KWOK_STAGE_DIR && -d $KWOK_STAGE_DIR ]] ||
    die "kwok's stage files not found (looked in '${KWOK_STAGE_DIR:-}'): build kwok with 'npm run toolchain' or set KWOK_STAGE_DIR"
}

kctl() { kubectl --kubeconfig "$SANDBOX_DIR/admin.kubeconfig" --request-timeout=10s "$@"; }

# The apiserver's /readyz, authenticated with the admin client cert.
apiserver_ready() {
  local cfg=$SANDBOX_DIR/admin.kubeconfig
  [[ -f $cfg ]] || return 1
  kctl get --raw /readyz >/dev/null 2>&1
}

ssh_node() {
  local node=$1; shift
  ssh -i "$SANDBOX_DIR/ssh/id_ed25519" -p "$SANDBOX_SSH_PORT" \
    -o UserKnownHostsFile="$SANDBOX_DIR/ssh/known_hosts" -o StrictHostKeyChecking=yes \
    -o BatchMode=yes -o ConnectTimeout=3 -o LogLevel=ERROR \
    "$SANDBOX_SSH_USER@${NODE_IP[$node]}" "$@"
}
