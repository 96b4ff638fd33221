#!/usr/bin/env bash
# npm run sandbox -- up [--replace-stale]|down|status|regenerate-control-plane : a local kubeadm-like cluster
# (see sandbox/README.md).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
case "${1:-}" in
up | down | status | regenerate-control-plane) exec bash "$here/$1.sh" "${@:2}" ;;
*)
  echo "usage: npm run sandbox -- up [--replace-stale] | down | status | regenerate-control-plane" >&2
  exit 2
  ;;
esac
