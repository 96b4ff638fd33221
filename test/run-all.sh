#!/usr/bin/env bash
# `npm test`: installs what is missing (scripts/setup.sh), then runs every test: unit tests of the program,
# the policy pack's tests, and the end-to-end tests on the sandbox cluster. Prints one closing line
# "N passed, N failed".
set -uo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
bash scripts/setup.sh || { echo "0 passed, 1 failed"; exit 1; }

results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT
status=0
run_jest() { # name, dir, jest args...
    local name=$1 dir=$2; shift 2
    echo "== $name"
    (cd "$dir" && npx jest --ci --json --outputFile="$results/$name.json" "$@") || status=1
}
echo "== type check"
type_errors=0
npx tsc --noEmit -p "$repo" || type_errors=1
[ -f policies/tsconfig.json ] && { (cd policies && npx tsc --noEmit -p .) || type_errors=1; }
[ $type_errors = 0 ] || status=1

# The toolchain's own Go code: the language-host shim, lifeline, plugintmp, the provider plugins (not their mains: the bridged
# ones embed schemas generated at build time). Counted like jest's results.
run_go() { # name, dir, packages...
    local name=$1 dir=$2; shift 2
    echo "== go $name"
    (cd "$repo/$dir" && go test -json "$@") > "$results/go-$name.jsonl" 2>&1 || status=1
    node -e '
const fs = require("fs"); let passed = 0, failed = 0, buildFailed = 0;
for (const line of fs.readFileSync(process.argv[1], "utf8").split("\n")) {
  let e; try { e = JSON.parse(line); } catch { if (line.trim() !== "") process.stdout.write(line + "\n"); continue; }
  if (e.Action === "output" && /^(--- FAIL|FAIL|panic:)/.test(e.Output || "")) process.stdout.write(e.Output);
  if (!e.Test) { if (e.Action === "fail") buildFailed++; continue; }
  if (e.Action === "pass") passed++;
  if (e.Action === "fail") failed++;
}
console.log(`go ${process.argv[3]}: ${passed} passed, ${failed} failed`);
fs.writeFileSync(process.argv[2], JSON.stringify({ numPassedTests: passed, numFailedTests: failed, numRuntimeErrorTestSuites: failed === 0 ? buildFailed : 0 }));
' "$results/go-$name.jsonl" "$results/go-$name.json" "$name"
    rm -f "$results/go-$name.jsonl"
}
run_go langhost-shim toolchain/langhost-shim ./...
run_go lifeline toolchain/lifeline ./...
run_go plugintmp toolchain/plugintmp ./...
run_go plugins toolchain/plugins ./bridged/... ./command/...

run_jest unit "$repo" --selectProjects unit
[ -f policies/package.json ] && run_jest policies "$repo/policies"
run_jest e2e "$repo" --selectProjects e2e --runInBand

node -e '
const fs = require("fs"); let passed = 0, failed = 0;
for (const f of fs.readdirSync(process.argv[1])) {
  const r = JSON.parse(fs.readFileSync(process.argv[1] + "/" + f, "utf8"));
  passed += r.numPassedTests; failed += r.numFailedTests + r.numRuntimeErrorTestSuites;
}
failed += Number(process.argv[2]);
console.log(`${passed} passed, ${failed} failed`);' "$results" "$type_errors"
exit $status
