// The file Pulumi runs for every stack (Pulumi.yaml main): the program as compiled ahead, compiled here first when
// a source changed since the last run. Its exports are the stack's outputs.
"use strict";
const { requireCompiled } = require("./ahead");
const { PROGRAM } = require("./targets");

// Pulumi starts a program in the directory of its main file; relative paths in the stack config (a CNI manifest's
// path, say) mean the project directory, as they did when the program ran from there.
process.chdir(PROGRAM.root);
module.exports = requireCompiled(PROGRAM);
