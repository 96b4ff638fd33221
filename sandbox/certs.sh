#!/usr/bin/env bash
# Makes the control plane's PKI and kubeconfigs the way kubeadm lays them out. Run on the control-plane node
# (inside its mount namespace) so the CA key only ever exists in that node's /etc/kubernetes/pki.
#   certs.sh <node-name> <node-ip> <kubernetes-service-ip> <dns-domain> <api-server-url>
set -euo pipefail
node_name=$1 node_ip=$2 service_ip=$3 dns_domain=$4 server=$5
pki=/etc/kubernetes/pki
conf_dir=/etc/kubernetes

install -d -m 0755 "$conf_dir"
install -d -m 0700 "$pki"
umask 077
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

new_key() { openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1" 2>/dev/null; }

# sign <out.crt> <key> <subject> <extensions...>: a leaf cert signed by the cluster CA, valid one year.
sign() {
  local out=$1 key=$2 subject=$3; shift 3
  openssl req -new -key "$key" -subj "$subject" -out "$work/req.csr"
  printf '%s\n' "$@" >"$work/ext.cnf"
  openssl x509 -req -in "$work/req.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" -CAcreateserial \
    -days 365 -sha256 -extfile "$work/ext.cnf" -out "$out" 2>/dev/null
}

# Cluster CA, ten years, like kubeadm's.
new_key "$pki/ca.key"
openssl req -x509 -new -key "$pki/ca.key" -subj "/CN=kubernetes" -days 3650 -sha256 \
  -addext "basicConstraints=critical,CA:TRUE" \
  -addext "keyUsage=critical,digitalSignature,keyEncipherment,keyCertSign" \
  -out "$pki/ca.crt"

# API server serving cert: every name and address a client may dial.
new_key "$pki/apiserver.key"
sign "$pki/apiserver.crt" "$pki/apiserver.key" "/CN=kube-apiserver" \
  "keyUsage=critical,digitalSignature,keyEncipherment" \
  "extendedKeyUsage=serverAuth" \
  "subjectAltName=DNS:$node_name,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.$dns_domain,IP:$service_ip,IP:$node_ip,IP:127.0.0.1"

# Service account token signing key pair.
new_key "$pki/sa.key"
openssl pkey -in "$pki/sa.key" -pubout -out "$pki/sa.pub"

# kubeconfig <file> <user> <subject>: a client cert for <subject>, embedded with the CA in a kubeconfig.
kubeconfig() {
  local file=$1 user=$2 subject=$3
  new_key "$work/client.key"
  sign "$work/client.crt" "$work/client.key" "$subject" \
    "keyUsage=critical,digitalSignature,keyEncipherment" "extendedKeyUsage=clientAuth"
  cat >"$file" <<KUBECONFIG
apiVersion: v1
kind: Config
clusters:
- name: kubernetes
  cluster:
    server: $server
    certificate-authority-data: $(base64 -w0 <"$pki/ca.crt")
users:
- name: $user
  user:
    client-certificate-data: $(base64 -w0 <"$work/client.crt")
    client-key-data: $(base64 -w0 <"$work/client.key")
contexts:
- name: $user@kubernetes
  context:
    cluster: kubernetes
    user: $user
current-context: $user@kubernetes
preferences: {}
KUBECONFIG
}

kubeconfig "$conf_dir/admin.conf" kubernetes-admin "/O=system:masters/CN=kubernetes-admin"
kubeconfig "$conf_dir/controller-manager.conf" system:kube-controller-manager "/CN=system:kube-controller-manager"
kubeconfig "$conf_dir/scheduler.conf" system:kube-scheduler "/CN=system:kube-scheduler"
rm -f "$pki/ca.srl"
chmod 0644 "$pki/ca.crt" "$pki/apiserver.crt" "$pki/sa.pub"
