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
npx tsc --outDir bin/stacks --rootDir . --strict --target es2020 --module commonjs --moduleResolution node --esModuleInterop \
    --skipLibCheck --types node scripts/stacks.ts
exec node bin/stacks/scripts/stacks.js "$@"
