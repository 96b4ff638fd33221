// Compiling ahead (compile/ahead.js): one compilation per set of sources, a new one when any source changes,
// transpiling without a type check, and errors that name the file and line. And for each real target: every
// relative require in its compiled output resolves inside that output (a source directory missing from the target
// would only show as a failed run otherwise).
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

// Plain JavaScript modules of the repo (they run before anything is compiled).
// eslint-disable-next-line @typescript-eslint/no-var-requires
const { compileAhead, isCompiledSource, sourceFiles } = require("../../../compile/ahead") as {
    compileAhead: (t: Target) => { entryFile: string; compiled: boolean; digest: string };
    isCompiledSource: (file: string) => boolean;
    sourceFiles: (root: string, sources: string[]) => string[];
};
// eslint-disable-next-line @typescript-eslint/no-var-requires
const targets = require("../../../compile/targets") as Record<string, Target>;

interface Target { root: string; sources: string[]; entry: string; outRoot: string }

const repo = path.join(__dirname, "../../..");
let dir: string;

function write(relative: string, text: string): void {
    fs.mkdirSync(path.dirname(path.join(dir, relative)), { recursive: true });
    fs.writeFileSync(path.join(dir, relative), text);
}

const target = (): Target => ({ root: dir, sources: ["index.ts", "lib"], entry: "index.ts", outRoot: "bin/out" });

beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "kb-compile-"));
    fs.symlinkSync(path.join(repo, "node_modules"), path.join(dir, "node_modules"));
    write("tsconfig.json", JSON.stringify({ compilerOptions: { strict: true, target: "es2020", module: "commonjs", esModuleInterop: true, resolveJsonModule: true } }));
    write("index.ts", 'import { twice } from "./lib/twice";\nimport limits from "./lib/limits.json";\nexport const value = twice(limits.base);\n');
    write("lib/twice.ts", "export function twice(n: number): number { return 2 * n; }\n");
    write("lib/limits.json", '{ "base": 21 }\n');
    write("lib/twice.test.ts", "this is not compiled\n");
    write("lib/types.d.ts", "declare const nothing: never;\n");
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

test("the first run compiles, the next finds the same compilation, and the output runs", () => {
    const first = compileAhead(target());
    expect(first.compiled).toBe(true);
    expect(require(first.entryFile).value).toBe(42);
    const second = compileAhead(target());
    expect(second).toEqual({ ...first, compiled: false });
    // Nothing half-written is left beside the compilation.
    expect(fs.readdirSync(path.join(dir, "bin/out"))).toEqual([first.digest]);
});

test("a changed source is a new compilation with the change in it", () => {
    const before = compileAhead(target());
    write("lib/twice.ts", "export function twice(n: number): number { return n + n + 1; }\n");
    const after = compileAhead(target());
    expect(after.compiled).toBe(true);
    expect(after.digest).not.toBe(before.digest);
    expect(require(after.entryFile).value).toBe(43);
    write("lib/limits.json", '{ "base": 1 }\n');
    expect(compileAhead(target()).digest).not.toBe(after.digest);
    write("tsconfig.json", JSON.stringify({ compilerOptions: { strict: true, target: "es2022", module: "commonjs", esModuleInterop: true, resolveJsonModule: true } }));
    expect(compileAhead(target()).compiled).toBe(true);
});

test("only the newest compilations are kept", () => {
    const digests: string[] = [];
    for (let i = 0; i < 5; i++) {
        write("lib/twice.ts", `export function twice(n: number): number { return 2 * n + ${i}; }\n`);
        digests.push(compileAhead(target()).digest);
    }
    expect(fs.readdirSync(path.join(dir, "bin/out")).sort()).toEqual(digests.slice(-3).sort());
});

test("no type check at run time: a type error still runs (npm test's tsc --noEmit is where it fails)", () => {
    write("lib/twice.ts", 'export function twice(n: number): number { const s: string = n as any; return 2 * (s as any); }\nconst wrong: number = "x" as unknown as string;\n');
    expect(compileAhead(target()).compiled).toBe(true);
});

test("a syntax error names the file and the line, and leaves no compilation behind", () => {
    write("lib/twice.ts", "export function twice(n: number): number {\n  return 2 * n;\n)\n");
    expect(() => compileAhead(target())).toThrow(/^compile: lib\/twice\.ts:3: /);
    expect(fs.existsSync(path.join(dir, "bin/out")) ? fs.readdirSync(path.join(dir, "bin/out")) : []).toEqual([]);
});

test("an entry outside the sources is refused by name", () => {
    expect(() => compileAhead({ ...target(), entry: "main.ts" })).toThrow("compile: the entry main.ts is not among the sources index.ts, lib");
});

test.each([
    ["index.ts", true],
    ["lib/limits.json", true],
    ["lib/types.d.ts", false],
    ["lib/twice.test.ts", false],
    ["run.sh", false],
    ["README.md", false],
])("%s is compiled: %s", (file, compiled) => {
    expect(isCompiledSource(file)).toBe(compiled);
});

describe.each(Object.entries(targets))("the %s target", (_name, real) => {
    test("every relative require in its compiled output resolves inside it", () => {
        const out = fs.mkdtempSync(path.join(os.tmpdir(), "kb-compile-real-"));
        try {
            const outRoot = path.relative(real.root, out);
            const { entryFile, digest } = compileAhead({ ...real, outRoot });
            expect(fs.existsSync(entryFile)).toBe(true);
            const digestDir = path.join(out, digest);
            const unresolved: string[] = [];
            for (const file of sourceFiles(real.root, real.sources).filter(f => f.endsWith(".ts"))) {
                const compiled = path.join(digestDir, file.replace(/\.ts$/, ".js"));
                for (const [, request] of fs.readFileSync(compiled, "utf8").matchAll(/require\("(\.{1,2}\/[^"]+)"\)/g)) {
                    try {
                        const resolved = require.resolve(request, { paths: [path.dirname(compiled)] });
                        if (!resolved.startsWith(digestDir + path.sep)) unresolved.push(`${file}: ${request} -> ${resolved}`);
                    } catch {
                        unresolved.push(`${file}: ${request}`);
                    }
                }
            }
            expect(unresolved).toEqual([]);
        } finally {
            fs.rmSync(out, { recursive: true, force: true });
        }
    });
});
