#!/usr/bin/env bash
# sandbox down: stops every sandbox process, removes the namespaces, mounts, links and files `up` made, then
# checks nothing is left. Safe to run on a half-made or already removed sandbox.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$SANDBOX_SCRIPTS/nodes.sh"

[[ $EUID == 0 ]] || die "the sandbox needs root (network and mount namespaces)"

anything=false
[[ -e $SANDBOX_DIR ]] && anything=true
ip link show "$SANDBOX_BRIDGE" >/dev/null 2>&1 && anything=true
for node in "${NODE_NAMES[@]}"; do [[ -e $(netns_file "$node") ]] && anything=true; done
if ! $anything; then
  echo "sandbox is not running; nothing to remove."
  exit 0
fi

mapfile -t ns_inodes < <(sandbox_namespace_inodes)

# 1. Stop the daemons politely; the supervisor stops the apiserver it runs.
for pid_file in "$PID_DIR"/*.pid; do
  [[ -f $pid_file ]] || continue
  kill -TERM "$(cat "$pid_file")" 2>/dev/null || true
done
no_daemon_alive() {
  local pid_file
  for pid_file in "$PID_DIR"/*.pid; do
    [[ -f $pid_file ]] && kill -0 "$(cat "$pid_file")" 2>/dev/null && return 1
  done
  return 0
}
wait_until "$SANDBOX_WAIT_SHORT" no_daemon_alive || warn "some sandbox daemons ignored SIGTERM; killing them"

# 2. Whatever still lives in a sandbox namespace (ssh sessions, a container whose supervisor died) goes too.
nothing_in_namespaces() { [[ -z $(pids_in_namespaces "${ns_inodes[@]}") ]]; }
for signal in TERM KILL; do
  nothing_in_namespaces && break
  # shellcheck disable=SC2046
  kill "-$signal" $(pids_in_namespaces "${ns_inodes[@]}") 2>/dev/null || true
  wait_until 5 nothing_in_namespaces || true
done

# 3. Namespaces, mounts, links, files.
for node in "${NODE_NAMES[@]}"; do
  for file in "$(mntns_file "$node")" "$(utsns_file "$node")"; do
    findmnt -rn --mountpoint "$file" >/dev/null && umount "$file"
  done
  [[ -e $(netns_file "$node") ]] && ip netns delete "$node"
done
findmnt -rn --mountpoint "$NS_DIR" >/dev/null && umount "$NS_DIR"
ip link show "$SANDBOX_BRIDGE" >/dev/null 2>&1 && ip link delete "$SANDBOX_BRIDGE"
if [[ -f $SANDBOX_DIR/made-run-netns-mount ]] && [[ -z $(ls -A /run/netns 2>/dev/null) ]]; then
  umount /run/netns 2>/dev/null || true
fi
# Another sandbox's sshd may still need it.
if [[ -f $SANDBOX_DIR/made-run-sshd ]] && ! pgrep -x sshd >/dev/null; then rmdir /run/sshd 2>/dev/null || true; fi
rm -rf "$SANDBOX_DIR"

# 4. Check.
leftovers=()
for node in "${NODE_NAMES[@]}"; do
  [[ -e $(netns_file "$node") ]] && leftovers+=("network namespace $node")
  ip link show "kbs-$node" >/dev/null 2>&1 && leftovers+=("link kbs-$node")
done
ip link show "$SANDBOX_BRIDGE" >/dev/null 2>&1 && leftovers+=("bridge $SANDBOX_BRIDGE")
while read -r mount_point; do leftovers+=("mount $mount_point"); done < <(awk -v d="$SANDBOX_DIR" '$2 == d || index($2, d "/") == 1 { print $2 }' /proc/mounts)
for pid in $(pids_in_namespaces "${ns_inodes[@]}"); do
  leftovers+=("process $pid ($(tr '\0' ' ' </proc/"$pid"/cmdline 2>/dev/null))")
done
[[ -e $SANDBOX_DIR ]] && leftovers+=("directory $SANDBOX_DIR")
if ((${#leftovers[@]} > 0)); then
  printf 'sandbox: error: down left behind: %s\n' "${leftovers[@]}" >&2
  exit 1
fi
echo "sandbox down: no sandbox process, namespace, mount, link or file is left."
