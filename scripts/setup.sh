#!/usr/bin/env bash
# Installs everything the project needs on a fresh machine, and is a no-op the second time:
# Debian packages (sandbox/DEBIAN_PACKAGES), npm packages (root and policies/), the Go-built toolchain, the
# program and policy pack compiled ahead.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"

step() { echo "setup: $*"; }

# Debian packages: only when one is missing, so the second run does not touch apt.
missing=()
while read -r pkg; do
    [ -z "$pkg" ] && continue
    case "$pkg" in \#*) continue ;; esac
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done < <(cat sandbox/DEBIAN_PACKAGES 2>/dev/null || true)
if [ ${#missing[@]} -gt 0 ]; then
    step "installing Debian packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# npm packages, as the lock file pins them, when node_modules does not match it (stamp keyed by the lock's
# hash). `npm install --no-save` rather than `npm ci`: npm 11 with this machine's npm settings writes lock files
# without other platforms' optional binaries, which `npm ci` then refuses; --no-save leaves the lock untouched.
npm_ci_if_needed() {
    local dir=$1 stamp want
    stamp="$dir/node_modules/.kube-baseline-lock-hash"
    want=$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)
    if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
        step "npm packages in ${dir#"$repo"/}"
        (cd "$dir" && npm install --no-save --no-audit --no-fund --loglevel=error)
        echo "$want" > "$stamp"
    fi
}
npm_ci_if_needed "$repo"
[ -f policies/package-lock.json ] && npm_ci_if_needed "$repo/policies"

bash toolchain/install.sh

# Git does not see a stack file's encryptionsalt line: it is this machine's (scripts/stack-salt.sh, .gitattributes).
if git -C "$repo" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    git -C "$repo" config filter.pulumi-stack-salt.clean "sed -e '/^encryptionsalt:/d'"
fi

# The program, the policy pack and the stacks command as JavaScript (compile/ahead.js): the first run after a
# checkout does not pay for compiling, and a later change is recompiled by the run itself.
node compile/build.js
