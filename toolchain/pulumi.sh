#!/usr/bin/env bash
# The project's pulumi, with the environment of the dev stack: toolchain on PATH, a local file:// backend,
# a passphrase kept outside the repo, no update checks and no plugin downloads.
#   npm run pulumi -- <args>        e.g.  npm run pulumi -- stack output --show-secrets
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=toolchain/pulumi-env.sh
source "$repo/toolchain/pulumi-env.sh"
cd "$repo"
# First use on this machine: create and select the dev stack, so plain `npm run pulumi -- up` targets it.
if ! pulumi stack --show-name >/dev/null 2>&1; then
    pulumi stack select --create "${KUBE_BASELINE_STACK:-dev}" >/dev/null
fi
exec pulumi "$@"
