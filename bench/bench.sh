#!/usr/bin/env bash
# npm run bench: the benchmark (bench/README.md). Starts a sandbox of its own (name kbb, 192.168.215.0/24,
# /run/kube-baseline-bench, 50 nodes), so the default sandbox and the e2e tests' are never touched; runs
# bench/main.ts; always takes its sandbox down at the end, also after a failure or an interrupt.
#   BENCH_SCALES=ns:1,nodes:1 BENCH_REPEATS=1 npm run bench
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"

export KUBE_BASELINE_SANDBOX_NAME=kbb
export KUBE_BASELINE_SANDBOX_NET=192.168.215
export KUBE_BASELINE_SANDBOX_DIR=/run/kube-baseline-bench
# 49 workers + the control plane = the 50 nodes of the largest node scale. Fewer only to try things out
# quickly: the background work of the simulated nodes is part of what every figure is measured against.
export KUBE_BASELINE_SANDBOX_WORKERS=${BENCH_SANDBOX_WORKERS:-49}

[[ $EUID == 0 ]] || { echo "bench: needs root (the sandbox uses network and mount namespaces)" >&2; exit 1; }

started=$(date +%s)
sandbox() { bash "$repo/sandbox/sandbox.sh" "$@"; }
finish() {
    local status=$?
    trap - EXIT INT TERM
    echo "bench: taking the bench sandbox down"
    sandbox down >/dev/null || { echo "bench: 'sandbox down' failed; run: KUBE_BASELINE_SANDBOX_DIR=$KUBE_BASELINE_SANDBOX_DIR KUBE_BASELINE_SANDBOX_NAME=$KUBE_BASELINE_SANDBOX_NAME npm run sandbox -- down" >&2; status=1; }
    echo "bench: finished in $(( $(date +%s) - started )) s, exit $status"
    exit "$status"
}

# What an interrupted earlier run left goes first (down on nothing changes nothing).
sandbox down >/dev/null
trap finish EXIT
# An interrupt before the benchmark runs (during sandbox up, the compile) ends with its own status, not 0.
trap 'exit 130' INT
trap 'exit 143' TERM
sandbox up

echo "bench: compiling"
"$repo/node_modules/.bin/tsc" --outDir bin/bench --rootDir . --strict --target es2020 --module commonjs \
    --moduleResolution node --esModuleInterop --skipLibCheck --resolveJsonModule --types node bench/main.ts
# The program, the pack and the multi-stack command the split series runs, compiled ahead as the setup does.
node "$repo/compile/build.js"
# In the background so that a signal to this script reaches the benchmark, which ends the running pulumi and
# cleans up before the sandbox goes.
node bin/bench/bench/main.js &
bench_pid=$!
trap 'kill -TERM "$bench_pid" 2>/dev/null || true' INT TERM
status=0
while :; do
    wait "$bench_pid" && status=0 || status=$?
    kill -0 "$bench_pid" 2>/dev/null || break
done
exit "$status"
