// The file the Pulumi CLI runs for `--policy-pack policies` (package.json main): the pack as compiled ahead,
// compiled here first when a source changed since the last run. Nothing here may print to stdout.
"use strict";
const { requireCompiled } = require("../compile/ahead");
const { deferClosureImports } = require("../compile/closureImports");
const { POLICY_PACK } = require("../compile/targets");

// The pack serializes no function: the SDK's closure serializer need not load npm's Arborist (TypeScript is loaded
// already, by the policy-pack entry's ts-node).
deferClosureImports();
requireCompiled(POLICY_PACK);
