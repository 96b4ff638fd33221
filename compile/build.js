// `npm run build` (also run by scripts/setup.sh): compiles the program, the policy pack and the stacks command ahead, so that the
// first run after a checkout or a change does not pay for it. Prints one line per target.
"use strict";
const { compileAhead } = require("./ahead");
const { PROGRAM, POLICY_PACK, STACKS_COMMAND } = require("./targets");

for (const [name, target] of [["program", PROGRAM], ["policy pack", POLICY_PACK], ["stacks command", STACKS_COMMAND]]) {
    const started = process.hrtime.bigint();
    const result = compileAhead(target);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    console.log(`compile: ${name} ${result.digest} ${result.compiled ? "compiled" : "up to date"} in ${ms.toFixed(0)} ms`);
}
