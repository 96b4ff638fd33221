// Says, as stack outputs, how the language host ran this JavaScript program: whether ts-node (and with it the
// TypeScript compiler) was loaded, and what the host told the SDK about TypeScript.
"use strict";
const loaded = Object.keys(require.cache);
module.exports = {
    tsNodeLoaded: loaded.some(file => /[\\/]ts-node[@\\/]/.test(file)),
    typescriptCompilerLoaded: loaded.some(file => /[\\/]node_modules[\\/]typescript[\\/]/.test(file)),
    typescriptEnv: process.env.PULUMI_NODEJS_TYPESCRIPT ?? "unset",
};
