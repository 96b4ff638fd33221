// `npm run stacks` (scripts/stacks.sh): the command over many stacks as compiled ahead, compiled here first when a
// source changed since the last run.
"use strict";
const { requireCompiled } = require("./ahead");
const { deferClosureImports } = require("./closureImports");
const { STACKS_COMMAND } = require("./targets");

// The command serializes no function (its Automation API imports the whole SDK): see closureImports.js.
deferClosureImports();
requireCompiled(STACKS_COMMAND);
