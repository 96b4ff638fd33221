// @ts-check
// Compiling ahead (README "Compiled ahead"): the program and the policy pack run as JavaScript that was transpiled
// from their TypeScript once, not type-checked and compiled by ts-node at every run. The type check lives in
// `npm test` (tsc --noEmit, with isolatedModules so that file-by-file transpiling means what tsc means).
//
// The output of one set of sources sits in <outRoot>/<digest of the sources>/, so a changed source is simply a new
// digest: it is transpiled at the next run (a few hundred milliseconds), with no stale output to invalidate and
// no build step anyone has to remember. The setup runs the same thing ahead (compile/build.js), so the first run
// after a checkout is already fast. Plain JavaScript: it runs before anything is compiled.
"use strict";

const crypto = require("crypto");
const fs = require("fs");
const path = require("path");

/** How many compiled digests to keep beside the newest (a run that started before a change may still load from its own). */
const KEEP_PREVIOUS = 2;
const COMPLETE_MARK = ".complete";

/**
 * @typedef {object} CompileTarget
 * @property {string} root the package directory: its tsconfig.json and its node_modules' typescript are used
 * @property {string[]} sources files and directories (relative to root) whose .ts and .json files make up the code
 * @property {string} entry the entry file, relative to root (a .ts file among the sources)
 * @property {string} outRoot where the compiled digests live, relative to root
 */

/** The .ts (not .d.ts, not tests) and .json files under the sources, relative to root, sorted. */
function sourceFiles(root, sources) {
    /** @type {string[]} */
    const found = [];
    const visit = (relative) => {
        const full = path.join(root, relative);
        const stat = fs.statSync(full);
        if (stat.isDirectory()) {
            for (const name of fs.readdirSync(full).sort()) {
                if (name === "node_modules" || name === "test" || name.startsWith(".")) continue;
                visit(path.join(relative, name));
            }
        } else if (isCompiledSource(relative)) {
            found.push(relative);
        }
    };
    for (const source of sources) visit(source);
    return [...new Set(found)].sort();
}

/** @param {string} file */
function isCompiledSource(file) {
    if (file.endsWith(".d.ts") || /\.test\.ts$/.test(file)) return false;
    return file.endsWith(".ts") || file.endsWith(".json");
}

/**
 * Names the exact inputs of one compilation: every source's path and bytes, the compiler's version, the tsconfig,
 * this file. Read without loading the compiler (loading it is most of a run's start-up when nothing changed).
 */
function sourcesDigest(root, files) {
    const hash = crypto.createHash("sha256");
    const compilerManifest = require.resolve("typescript/package.json", { paths: [root] });
    hash.update(`typescript ${JSON.parse(fs.readFileSync(compilerManifest, "utf8")).version}\n`);
    hash.update(fs.readFileSync(path.join(root, "tsconfig.json")));
    hash.update(fs.readFileSync(__filename));
    for (const file of files) {
        const bytes = fs.readFileSync(path.join(root, file));
        hash.update(`\0${file}\0${bytes.length}\0`);
        hash.update(bytes);
    }
    return hash.digest("hex").slice(0, 16);
}

/** The package's tsconfig compiler options, as transpiling needs them (no emit-only-types, no type-check options). */
function transpileOptions(ts, root) {
    const configPath = path.join(root, "tsconfig.json");
    const read = ts.readConfigFile(configPath, ts.sys.readFile);
    if (read.error) throw new Error(`${configPath}: ${ts.flattenDiagnosticMessageText(read.error.messageText, "\n")}`);
    const converted = ts.convertCompilerOptionsFromJson(read.config.compilerOptions || {}, root);
    if (converted.errors.length > 0) {
        throw new Error(`${configPath}: ${ts.flattenDiagnosticMessageText(converted.errors[0].messageText, "\n")}`);
    }
    const { outDir, rootDir, noEmit, declaration, sourceMap, types, ...options } = converted.options;
    return { ...options, isolatedModules: true };
}

/**
 * Transpiles every source into a fresh directory and moves it into place in one rename, so a run never sees a
 * half-written digest (two runs compiling at once both succeed; the second's copy is dropped).
 */
function compileInto(ts, root, files, options, digestDir) {
    const staging = `${digestDir}.tmp-${process.pid}-${crypto.randomBytes(4).toString("hex")}`;
    fs.mkdirSync(staging, { recursive: true });
    try {
        for (const file of files) {
            const source = fs.readFileSync(path.join(root, file), "utf8");
            const target = path.join(staging, file.replace(/\.ts$/, ".js"));
            fs.mkdirSync(path.dirname(target), { recursive: true });
            if (file.endsWith(".json")) {
                fs.writeFileSync(target, source);
                continue;
            }
            const out = ts.transpileModule(source, { compilerOptions: options, fileName: path.join(root, file), reportDiagnostics: true });
            const errors = (out.diagnostics || []).filter(d => d.category === ts.DiagnosticCategory.Error);
            if (errors.length > 0) {
                const first = errors[0];
                const where = first.file && first.start !== undefined
                    ? `:${first.file.getLineAndCharacterOfPosition(first.start).line + 1}` : "";
                throw new Error(`compile: ${file}${where}: ${ts.flattenDiagnosticMessageText(first.messageText, "\n")}`);
            }
            fs.writeFileSync(target, out.outputText);
        }
        fs.writeFileSync(path.join(staging, COMPLETE_MARK), "");
        try {
            fs.renameSync(staging, digestDir);
        } catch (err) {
            // Another run put the same digest in place first: its output is the same bytes.
            if (!fs.existsSync(path.join(digestDir, COMPLETE_MARK))) throw err;
        }
    } finally {
        fs.rmSync(staging, { recursive: true, force: true });
    }
}

/** Drops all but the newest few digests, and staging directories that a killed run left behind. */
function pruneOld(outDir, current) {
    const entries = fs.readdirSync(outDir).map(name => {
        const full = path.join(outDir, name);
        return { name, full, mtime: fs.statSync(full).mtimeMs };
    });
    const hourAgo = Date.now() - 3600_000;
    for (const entry of entries) {
        if (entry.name.includes(".tmp-") && entry.mtime < hourAgo) fs.rmSync(entry.full, { recursive: true, force: true });
    }
    const digests = entries.filter(e => !e.name.includes(".tmp-") && e.name !== current).sort((a, b) => b.mtime - a.mtime);
    for (const old of digests.slice(KEEP_PREVIOUS)) fs.rmSync(old.full, { recursive: true, force: true });
}

/**
 * Compiles the target if its sources changed since the last compilation and returns the compiled entry file.
 * @param {CompileTarget} target
 * @returns {{ entryFile: string, compiled: boolean, digest: string }}
 */
function compileAhead(target) {
    const files = sourceFiles(target.root, target.sources);
    const entry = path.normalize(target.entry);
    if (!files.includes(entry)) throw new Error(`compile: the entry ${target.entry} is not among the sources ${target.sources.join(", ")}`);
    const digest = sourcesDigest(target.root, files);
    const outDir = path.join(target.root, target.outRoot);
    const digestDir = path.join(outDir, digest);
    const entryFile = path.join(digestDir, entry.replace(/\.ts$/, ".js"));
    if (fs.existsSync(path.join(digestDir, COMPLETE_MARK))) return { entryFile, compiled: false, digest };
    const ts = require(require.resolve("typescript", { paths: [target.root] }));
    compileInto(ts, target.root, files, transpileOptions(ts, target.root), digestDir);
    pruneOld(outDir, digest);
    return { entryFile, compiled: true, digest };
}

/** Requires the target's compiled entry, compiling first if a source changed. @param {CompileTarget} target */
function requireCompiled(target) {
    return require(compileAhead(target).entryFile);
}

module.exports = { compileAhead, requireCompiled, sourceFiles, isCompiledSource };
