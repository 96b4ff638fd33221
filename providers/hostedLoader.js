// Loads one of kube-baseline's providers by name, in Pulumi's provider host (see hosted.ts). Plain JavaScript:
// the delegates in the state require this file before anything can load TypeScript, and keeping the loading
// here rather than in each delegate keeps every dynamic resource's state small.
"use strict";
const path = require("path");

const REGISTRY = path.join(__dirname, "registry.ts");

/** Registers Pulumi's ts-node, as Pulumi does for the program, without type checking (the program run checked). */
function registerTypeScript() {
    if (require.extensions[".ts"]) return;
    const repoRoot = path.dirname(__dirname);
    const tsutils = require(require.resolve("@pulumi/pulumi/tsutils", { paths: [repoRoot] }));
    const { tsnodeRequire, typescriptRequire } = tsutils.typeScriptRequireStrings();
    require(tsnodeRequire).register({ compiler: typescriptRequire, transpileOnly: true, project: path.join(repoRoot, "tsconfig.json") });
}

/** The provider registered under `name` in registry.ts. */
module.exports = function loadHostedProvider(name) {
    let registry;
    try {
        registerTypeScript();
        registry = require(REGISTRY);
    } catch (error) {
        throw new Error(`kube-baseline: cannot load the resource providers from ${REGISTRY}: ${error instanceof Error ? error.message : String(error)}`);
    }
    const provider = registry.hostedProviders && registry.hostedProviders[name];
    if (!provider) {
        throw new Error(`kube-baseline: ${REGISTRY} has no provider "${name}" (it has: ${Object.keys(registry.hostedProviders || {}).join(", ")})`);
    }
    return provider;
};
