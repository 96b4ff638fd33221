#!/usr/bin/env bash
# `npm run up`: the main job on a fresh machine, and a no-op update the second time.
#   1. installs what is missing (scripts/setup.sh: Debian packages, npm packages, the Go-built toolchain);
#   2. starts the sandbox cluster when the stack's kube-baseline:cluster says `source: sandbox` (`up` is idempotent);
#   3. `pulumi up --yes` of the stack (dev, or $KUBE_BASELINE_STACK) on the local backend of toolchain/pulumi.sh;
#   4. prints the stack outputs (secrets hidden) and the access summary (also written to ./access-summary.md).
# Prints the elapsed time after each step. Exits non-zero when a step fails or a user could not be checked.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"

export KUBE_BASELINE_STACK=${KUBE_BASELINE_STACK:-dev}
stack=$KUBE_BASELINE_STACK
started=$(date +%s)
elapsed() {
    local s=$(( $(date +%s) - started ))
    printf '%dm%02ds' $((s / 60)) $((s % 60))
}
step() { printf '\n== %s  [%s]\n' "$*" "$(elapsed)"; }
# shellcheck disable=SC2317  # invoked by the EXIT trap
on_exit() {
    local status=$?
    [ "$status" = 0 ] || printf '\nnpm run up: failed after %s (exit %s)\n' "$(elapsed)" "$status" >&2
}
trap on_exit EXIT

step "installing what is missing"
bash scripts/setup.sh

# What the stack file says about its cluster: `source: sandbox`, or an explicit description of a real cluster.
stack_file="Pulumi.$stack.yaml"
[ -f "$stack_file" ] || { echo "npm run up: $stack_file not found (stack $stack has no config)" >&2; exit 1; }
cluster_source=$(node -e '
const fs = require("fs");
const YAML = require("yaml");
const doc = YAML.parse(fs.readFileSync(process.argv[1], "utf8")) || {};
const cluster = (doc.config || {})["kube-baseline:cluster"] || {};
process.stdout.write(cluster.source === "sandbox" ? "sandbox" : "explicit");
' "$stack_file")

if [ "$cluster_source" = sandbox ]; then
    step "starting the sandbox cluster (nothing to do when it already runs)"
    npm run --silent sandbox -- up
else
    step "stack $stack describes its own cluster: not starting the sandbox"
fi

step "pulumi up --yes --stack $stack"
# Creates the stack on this machine's local backend the first time, with its salt appended to the stack file rather than
# the file rewritten by pulumi (scripts/stack-salt.sh), and selects it.
(source toolchain/pulumi-env.sh && bash scripts/stack-salt.sh --create "$stack")
npm run --silent pulumi -- stack select "$stack"
npm run --silent pulumi -- up --yes --stack "$stack"

step "stack outputs (secrets hidden; show them with: npm run pulumi -- stack output --show-secrets)"
npm run --silent pulumi -- stack output --stack "$stack"

step "access summary: what each user may do, asked as that user"
summary_status=0
npm run --silent access-summary -- --stack "$stack" --out "$repo/access-summary.md" || summary_status=$?

printf '\nnpm run up: stack %s done in %s\n' "$stack" "$(elapsed)"
exit "$summary_status"
