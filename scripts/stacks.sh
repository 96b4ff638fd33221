#!/usr/bin/env bash
# `npm run stacks -- <preview|up|refresh|destroy|list> [options]`: a baseline stack and its tenant stacks in one
# command (scripts/stacks.ts), with the project's pulumi environment (toolchain/pulumi-env.sh: the toolchain on
# PATH, the local backend and passphrase unless PULUMI_BACKEND_URL / PULUMI_CONFIG_PASSPHRASE[_FILE] say otherwise).
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
if [ "${1:-}" != list ] && [ "${1:-}" != --help ] && [ "${1:-}" != -h ]; then
    # shellcheck source=toolchain/pulumi-env.sh
    source "$repo/toolchain/pulumi-env.sh"
fi
# Compiled ahead (compile/ahead.js): recompiled only when a source changed.
exec node compile/stacks.js "$@"
