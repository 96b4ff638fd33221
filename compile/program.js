// The file Pulumi runs for every stack (Pulumi.yaml main): the program as compiled ahead, compiled here first when
// a source changed since the last run. Its exports are the stack's outputs.
"use strict";
const { requireCompiled } = require("./ahead");
const { deferClosureImports } = require("./closureImports");
const { PROGRAM } = require("./targets");

// Pulumi starts a program in the directory of its main file; relative paths in the stack config (a CNI manifest's
// path, say) mean the project directory, as they did when the program ran from there.
process.chdir(PROGRAM.root);
// @pulumi/pulumi's run entry installs source-map-support, which formats every stack trace in JavaScript, frame by
// frame. The SDK takes one per resource (its source position, every frame) and one per debuggable promise, and the
// program compiled ahead has no source maps to apply: V8's own formatter writes the same frames, about 4x faster.
Error.prepareStackTrace = undefined;
// The program serializes no function: the SDK's closure serializer need not load TypeScript and npm's Arborist.
deferClosureImports();
module.exports = requireCompiled(PROGRAM);
