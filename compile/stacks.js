// `npm run stacks` (scripts/stacks.sh): the command over many stacks as compiled ahead, compiled here first when a
// source changed since the last run.
"use strict";
const { requireCompiled } = require("./ahead");
const { STACKS_COMMAND } = require("./targets");

requireCompiled(STACKS_COMMAND);
