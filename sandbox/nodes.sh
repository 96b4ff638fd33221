# shellcheck shell=bash
# The sandbox nodes: a bridge in the root namespace, and per node a network namespace wired to it by a veth
# pair, a mount namespace whose /etc, /root and /var/lib (state programs keep per node) are overlays of the
# machine's, a UTS namespace carrying the
# node's hostname, and an sshd. Sourced by up.sh and down.sh (after lib.sh).

# The bridge, and per node a netns with eth0 on the sandbox /24 and no default route.
nodes_network_up() {
  ip link add "$SANDBOX_BRIDGE" type bridge
  ip addr add "$SANDBOX_BRIDGE_IP/24" dev "$SANDBOX_BRIDGE"
  ip link set "$SANDBOX_BRIDGE" up
  local node
  for node in "${NODE_NAMES[@]}"; do
    ip netns add "$node"
    ip link add "kbs-$node" type veth peer name eth0 netns "$node"
    ip link set "kbs-$node" master "$SANDBOX_BRIDGE" up
    ip -n "$node" addr add "${NODE_IP[$node]}/24" dev eth0
    ip -n "$node" link set lo up
    ip -n "$node" link set eth0 up
  done
}

# Mount and UTS namespaces per node, pinned by bind mounts on files under ns/ (which must sit on a private
# mount, or the kernel refuses to pin a mount namespace there).
nodes_namespaces_up() {
  mkdir -p "$NS_DIR"
  mount --bind "$NS_DIR" "$NS_DIR"
  mount --make-private "$NS_DIR"
  local node dir
  for node in "${NODE_NAMES[@]}"; do
    dir=$SANDBOX_DIR/nodes/$node
    mkdir -p "$dir/etc-upper" "$dir/etc-work" "$dir/root-upper" "$dir/root-work" "$dir/varlib-upper" "$dir/varlib-work"
    # root's home is per node too, starting with a stock Debian shell setup: the machine's own dotfiles
    # (toolchain managers and the like) would slow down, and leak into, every command run over SSH.
    cp /etc/skel/.bashrc /etc/skel/.profile "$dir/root-upper/" 2>/dev/null || : >"$dir/root-upper/.bashrc"
    touch "$(mntns_file "$node")" "$(utsns_file "$node")"
    # sysfs is mounted anew from inside the netns so /sys/class/net shows the node's own interfaces.
    nsenter --net="$(netns_file "$node")" \
      unshare --mount="$(mntns_file "$node")" --uts="$(utsns_file "$node")" --propagation private \
      sh -c 'mount -t overlay node-etc -o "lowerdir=/etc,upperdir=$1/etc-upper,workdir=$1/etc-work" /etc &&
             mount -t overlay node-root -o "lowerdir=/root,upperdir=$1/root-upper,workdir=$1/root-work" /root &&
             mount -t overlay node-varlib -o "lowerdir=/var/lib,upperdir=$1/varlib-upper,workdir=$1/varlib-work" /var/lib &&
             mount -t sysfs node-sysfs /sys && hostname "$2"' \
      sh "$dir" "$node"
    in_node "$node" sh -c 'echo "$1" > /etc/hostname' sh "$node"
    nodes_hosts_file | in_node "$node" sh -c 'cat > /etc/hosts'
  done
}

nodes_hosts_file() {
  local node
  printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n'
  for node in "${NODE_NAMES[@]}"; do printf '%s\t%s\n' "${NODE_IP[$node]}" "$node"; done
}

# The sandbox's SSH client key, a host key per node, and sshd on port 22 of every node.
nodes_sshd_up() {
  local ssh_dir=$SANDBOX_DIR/ssh node dir
  install -d -m 0700 "$ssh_dir"
  ssh-keygen -q -t ed25519 -N '' -C "kube-baseline-sandbox" -f "$ssh_dir/id_ed25519"
  cp "$ssh_dir/id_ed25519.pub" "$ssh_dir/authorized_keys"
  : >"$ssh_dir/known_hosts"
  # sshd's privilege-separation directory; made (and later removed) only when the machine has none.
  if [[ ! -d /run/sshd ]]; then
    mkdir -m 0755 /run/sshd
    touch "$SANDBOX_DIR/made-run-sshd"
  fi
  for node in "${NODE_NAMES[@]}"; do
    dir=$SANDBOX_DIR/nodes/$node
    ssh-keygen -q -t ed25519 -N '' -C "root@$node" -f "$dir/ssh_host_ed25519_key"
    printf '%s,%s %s\n' "$node" "${NODE_IP[$node]}" "$(cut -d' ' -f1,2 "$dir/ssh_host_ed25519_key.pub")" >>"$ssh_dir/known_hosts"
    NODE_NAME=$node NODE_ADDRESS=${NODE_IP[$node]} HOST_KEY_FILE=$dir/ssh_host_ed25519_key \
      KUBECTL_DIR=$(dirname "$(command -v kubectl)") \
      AUTHORIZED_KEYS_FILE=$ssh_dir/authorized_keys render "$SANDBOX_SCRIPTS/templates/sshd_config.tmpl" >"$dir/sshd_config"
    assert_port_free "$node" "$SANDBOX_SSH_PORT"
    start_daemon "sshd-$node" "$node" /usr/sbin/sshd -D -e -f "$dir/sshd_config"
  done
  for node in "${NODE_NAMES[@]}"; do
    wait_until "$SANDBOX_WAIT_SHORT" ssh_node "$node" true ||
      die "sshd on $node (${NODE_IP[$node]}:$SANDBOX_SSH_PORT) did not accept the sandbox key; see $LOG_DIR/sshd-$node.log"
  done
}

# A listener that finds its port taken fails obscurely: say which port, on which node, is in use by what.
assert_port_free() {
  local node=$1 port=$2 holder
  holder=$(nsenter --net="$(netns_file "$node")" ss -Hltnp "sport = :$port" 2>/dev/null || true)
  [[ -z $holder ]] || die "port $port on node $node is already in use: $holder"
}

# --- teardown ----------------------------------------------------------------------------------------------

# Inode numbers of the sandbox's pinned namespaces (node netns and node mount namespaces).
sandbox_namespace_inodes() {
  local node file
  for node in "${NODE_NAMES[@]}"; do
    for file in "$(netns_file "$node")" "$(mntns_file "$node")"; do
      # Only a pinned namespace counts (a leftover placeholder file is no namespace).
      [[ $(stat -f -c %T "$file" 2>/dev/null) == nsfs ]] && stat -L -c %i "$file"
    done
  done
  return 0
}

# pids_in_namespaces <inode...>: every process whose network or mount namespace is one of them.
pids_in_namespaces() {
  (($# > 0)) || return 0
  stat -L -c '%n %i' /proc/[0-9]*/ns/net /proc/[0-9]*/ns/mnt 2>/dev/null |
    awk -v want=" $* " 'index(want, " " $2 " ") { split($1, part, "/"); print part[3] }' | sort -un
}
