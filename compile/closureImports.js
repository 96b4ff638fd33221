// @pulumi/pulumi's index loads its closure serializer eagerly, and with it the TypeScript compiler (to parse a
// function's text) and npm's Arborist (to find the packages a serialized function needs): about 0.6 CPU s of every
// process that imports the SDK, for a feature only dynamic providers and `pulumi.runtime.serializeFunction` use. The
// program and the policy pack use neither. `deferClosureImports()` makes those two imports of the serializer lazy:
// each stands in for its module until a property of it is first read, and then loads the real one, so code that does
// serialize a function works as before. Nothing else is touched.
"use strict";
const Module = require("module");
const path = require("path");

const SERIALIZER_DIR = `${path.sep}@pulumi${path.sep}pulumi${path.sep}runtime${path.sep}closure${path.sep}`;

/** Whether `request` from `parent` is one of the two imports to defer. */
function isDeferredImport(request, parent) {
    if (request !== "@npmcli/arborist" && request !== "../../typescript-shim") return false;
    return Boolean(parent && parent.filename && parent.filename.includes(SERIALIZER_DIR));
}

/**
 * A stand-in for a module that loads it at the first property read. It says `__esModule: true` until then, so that
 * TypeScript's `__importStar` keeps the stand-in instead of copying (and so loading) the module's properties.
 */
function deferredModule(load) {
    let loaded;
    const real = () => (loaded === undefined ? (loaded = load()) : loaded);
    return new Proxy(Object.create(null), {
        get: (_, key) => (key === "__esModule" && loaded === undefined ? true : real()[key]),
        has: (_, key) => key in real(),
    });
}

let installed = false;

/** Installs the deferral for this process (once). */
function deferClosureImports() {
    if (installed) return;
    installed = true;
    const load = Module._load;
    Module._load = function (request, parent, isMain) {
        if (!isDeferredImport(request, parent)) return load.apply(this, arguments);
        return deferredModule(() => load.call(Module, request, parent, false));
    };
}

module.exports = { deferClosureImports };
