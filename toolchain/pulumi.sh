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
if ! stack=$(pulumi stack --show-name 2>/dev/null); then
    stack=${KUBE_BASELINE_STACK:-dev}
    bash "$repo/scripts/stack-salt.sh" --create "$stack"
    pulumi stack select "$stack" >/dev/null
fi
# The stack this command names (--stack/-s), else the selected one: its file gets its salt appended, not rewritten by
# pulumi (scripts/stack-salt.sh). Nothing is created here.
args=("$@")
for i in "${!args[@]}"; do
    case "${args[$i]}" in
        --stack=*) stack=${args[$i]#--stack=} ;;
        --stack | -s) stack=${args[$((i + 1))]:-$stack} ;;
    esac
done
[ ! -f "Pulumi.$stack.yaml" ] || bash "$repo/scripts/stack-salt.sh" "$stack"
exec pulumi "$@"
