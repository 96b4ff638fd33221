// The file Pulumi runs for every stack (Pulumi.yaml main): the program as compiled ahead, compiled here first when
// a source changed since the last run. Its exports are the stack's outputs.
"use strict";
const { requireCompiled } = require("./ahead");
const { PROGRAM } = require("./targets");

module.exports = requireCompiled(PROGRAM);
