// @ts-check
// What is compiled ahead (compile/ahead.js): the program Pulumi runs for every stack, the policy pack, and the
// command over many stacks.
"use strict";
const path = require("path");

const repo = path.join(__dirname, "..");

/** @type {import("./ahead").CompileTarget} */
const PROGRAM = { root: repo, sources: ["index.ts", "programs", "components", "lib"], entry: "index.ts", outRoot: "bin/program" };

/** @type {import("./ahead").CompileTarget} */
const POLICY_PACK = {
    root: path.join(repo, "policies"),
    sources: ["index.ts", "pack.ts", "lib", "rules"],
    entry: "index.ts",
    outRoot: "bin/pack",
};

/** @type {import("./ahead").CompileTarget} `npm run stacks` (scripts/stacks.sh). */
const STACKS_COMMAND = { root: repo, sources: ["scripts", "lib"], entry: "scripts/stacks.ts", outRoot: "bin/stacks-command" };

module.exports = { PROGRAM, POLICY_PACK, STACKS_COMMAND };
