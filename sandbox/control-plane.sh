# shellcheck shell=bash
# The control plane on the first node: PKI, etcd, the static pods kube-apiserver, kube-controller-manager and
# kube-scheduler (run by the supervisor from /etc/kubernetes/manifests), kwok; then the objects kubeadm leaves
# in a new cluster.
# Sourced by up.sh (after lib.sh and nodes.sh).

control_plane_pki() {
  in_node "$CP_NODE" bash "$SANDBOX_SCRIPTS/certs.sh" "$CP_NODE" "$CP_IP" "$KUBERNETES_SERVICE_IP" "$DNS_DOMAIN" "$API_SERVER_URL"
  # The admin kubeconfig and the CA cert (never its key) are copied out for clients in the root namespace.
  (umask 077 && in_node "$CP_NODE" cat /etc/kubernetes/admin.conf >"$SANDBOX_DIR/admin.kubeconfig")
  in_node "$CP_NODE" cat /etc/kubernetes/pki/ca.crt >"$SANDBOX_DIR/ca.crt"
}

# control_plane_manifest <pod>: one of kubeadm's static pod manifests, into the node's manifest directory.
control_plane_manifest() {
  render "$SANDBOX_SCRIPTS/templates/$1.yaml.tmpl" |
    in_node "$CP_NODE" sh -c 'mkdir -p "$(dirname "$1")" && cat > "$1"' sh "$MANIFEST_DIR/$1.yaml"
}

etcd_healthy() { nsenter --net="$(netns_file "$CP_NODE")" curl -fsS --max-time 2 http://127.0.0.1:2379/health | grep -q '"health":"true"'; }

control_plane_etcd() {
  local port
  for port in 2379 2380 2381; do assert_port_free "$CP_NODE" "$port"; done
  # fsync is off: the sandbox's data is thrown away on `down`, and fsync is most of etcd's start-up time.
  start_daemon etcd "$CP_NODE" etcd --name="$CP_NODE" --data-dir="$SANDBOX_DIR/etcd" \
    --listen-client-urls=http://127.0.0.1:2379 --advertise-client-urls=http://127.0.0.1:2379 \
    --listen-peer-urls=http://127.0.0.1:2380 --initial-advertise-peer-urls=http://127.0.0.1:2380 \
    --initial-cluster="$CP_NODE=http://127.0.0.1:2380" --listen-metrics-urls=http://127.0.0.1:2381 \
    --unsafe-no-fsync --log-level=warn
  wait_until "$SANDBOX_WAIT_SHORT" etcd_healthy || die "etcd did not become healthy; see $LOG_DIR/etcd.log"
}

# The kubelet's part: the supervisor runs whatever the manifests on the node say.
control_plane_static_pods() {
  local port
  for port in "$APISERVER_PORT" 10257 10259; do assert_port_free "$CP_NODE" "$port"; done
  mkdir -p "$STATIC_POD_DIR"
  start_daemon static-pod-supervisor "$CP_NODE" node "$SANDBOX_SCRIPTS/supervisor/static-pod-supervisor.js" \
    --manifest-dir "$MANIFEST_DIR" --state-dir "$STATIC_POD_DIR" --log-dir "$LOG_DIR"
  if ! wait_until "$SANDBOX_WAIT_LONG" apiserver_ready; then
    tail -n 20 "$LOG_DIR/kube-apiserver.log" >&2 || true
    die "kube-apiserver did not become ready at $API_SERVER_URL within ${SANDBOX_WAIT_LONG}s; see $LOG_DIR/kube-apiserver.log and $STATIC_POD_DIR/kube-apiserver.json"
  fi
  # Written once the apiserver serves: started earlier, the controller-manager fails its first start on RBAC
  # that is not bootstrapped yet and then sits out kubelet's 10 s back-off.
  control_plane_manifest kube-controller-manager
  control_plane_manifest kube-scheduler
}

# kwok plays every node's kubelet: it only writes Node status and leases and Pod status; the Node objects
# themselves (names, labels, taints, InternalIPs) come from cluster_nodes.
control_plane_kwok() {
  local stages=() file
  for file in "$KWOK_STAGE_DIR"/node/fast/*.yaml "$KWOK_STAGE_DIR"/node/heartbeat-with-lease/*.yaml "$KWOK_STAGE_DIR"/pod/fast/*.yaml; do
    [[ $(basename "$file") == kustomization.yaml ]] || stages+=("--config=$file")
  done
  start_daemon kwok "$CP_NODE" kwok --kubeconfig=/etc/kubernetes/admin.conf --manage-all-nodes=true \
    --cidr="$POD_SUBNET" --node-lease-duration-seconds=40 "${stages[@]}"
}

# Node objects named and addressed like the SSH nodes, as kubelet would register them. kwok keeps the
# addresses and nodeInfo it finds, so they report the node IP and the cluster's version, not kwok's.
cluster_nodes() {
  local node template os_image status
  os_image=$(. /etc/os-release && echo "$PRETTY_NAME")
  for node in "${NODE_NAMES[@]}"; do
    template=$SANDBOX_SCRIPTS/templates/node-worker.yaml.tmpl
    [[ ${NODE_ROLE[$node]} == control-plane ]] && template=$SANDBOX_SCRIPTS/templates/node-control-plane.yaml.tmpl
    NODE_NAME=$node render "$template" | kctl create -f - >/dev/null
    status=$(jq -cn --arg ip "${NODE_IP[$node]}" --arg name "$node" --arg version "$KUBERNETES_VERSION" \
      --arg os "$os_image" --arg kernel "$(uname -r)" \
      '{status: {addresses: [{type: "InternalIP", address: $ip}, {type: "Hostname", address: $name}],
        nodeInfo: {kubeletVersion: $version, kubeProxyVersion: $version, osImage: $os, kernelVersion: $kernel,
          operatingSystem: "linux", architecture: "amd64", containerRuntimeVersion: "containerd://2.1.0",
          machineID: "", systemUUID: "", bootID: ""}}}')
    kctl patch node "$node" --subresource=status --type=merge -p "$status" >/dev/null
  done
}

# kubeadm's add-ons and records, created (not applied) under kubeadm's field manager name, as kubeadm does.
cluster_addons() {
  wait_until "$SANDBOX_WAIT_SHORT" kctl get namespace kube-system || die "namespace kube-system did not appear"
  local template
  for template in kubeadm-config kube-proxy coredns; do
    render "$SANDBOX_SCRIPTS/templates/$template.yaml.tmpl" | kctl create --field-manager=kubeadm -f - >/dev/null
  done
}

# RBAC's bootstrap policy binds system:masters to cluster-admin; the sandbox relies on it, so check it.
cluster_check_builtin_bindings() {
  local binding
  binding=$(kctl get clusterrolebinding cluster-admin -o jsonpath='{.roleRef.name}/{.subjects[*].kind}:{.subjects[*].name}')
  [[ $binding == "cluster-admin/Group:system:masters" ]] ||
    die "the built-in cluster-admin binding is not cluster-admin -> Group system:masters (got '$binding')"
}

nodes_all_ready() {
  local ready
  ready=$(kctl get nodes -o jsonpath='{range .items[*]}{.metadata.name}={.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}' | grep -c '=True$')
  [[ $ready == "${#NODE_NAMES[@]}" ]]
}

addons_running() {
  local dns proxy
  dns=$(kctl -n kube-system get deployment coredns -o jsonpath='{.status.readyReplicas}')
  proxy=$(kctl -n kube-system get daemonset kube-proxy -o jsonpath='{.status.numberReady}')
  [[ $dns == 2 && $proxy == "${#NODE_NAMES[@]}" ]]
}
