// The file the Pulumi CLI runs for `--policy-pack policies` (package.json main): the pack as compiled ahead,
// compiled here first when a source changed since the last run. Nothing here may print to stdout.
"use strict";
const { requireCompiled } = require("../compile/ahead");
const { POLICY_PACK } = require("../compile/targets");

requireCompiled(POLICY_PACK);
