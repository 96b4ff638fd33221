// compile/closureImports.js: with the deferral installed, importing @pulumi/pulumi loads neither the TypeScript compiler
// nor npm's Arborist (the program, the pack and the stacks command install it at their start); a function serialized
// anyway, and the code paths of a package computed anyway, still work, through the real modules loaded at first use.
// Each case runs in a node process of its own: jest's module registry does not go through Node's loader.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

jest.setTimeout(60_000);

const repo = path.join(__dirname, "../../..");
let dir: string;

beforeAll(() => {
    // A package of its own, with the repo's node_modules, so that computeCodePaths has a small dependency tree to read.
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "kb-closure-imports-"));
    fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "probe", version: "1.0.0", dependencies: { yaml: "*" } }));
    fs.symlinkSync(path.join(repo, "node_modules"), path.join(dir, "node_modules"));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Runs `body` in a node process in the probe package, the deferral installed first when `defer`; returns what it printed as JSON. */
function probe(defer: boolean, body: string): Record<string, unknown> {
    const script = `
const loaded = part => Object.keys(require.cache).some(file => file.includes(part));
const state = () => ({ typescript: loaded("/typescript/lib/typescript.js"), arborist: loaded("/@npmcli/arborist/") });
${defer ? `require(${JSON.stringify(path.join(repo, "compile/closureImports.js"))}).deferClosureImports();` : ""}
const pulumi = require("@pulumi/pulumi");
(async () => { ${body} })().then(out => process.stdout.write(JSON.stringify(out)), err => { console.error(err); process.exit(1); });
`;
    fs.writeFileSync(path.join(dir, "probe.js"), script);
    return JSON.parse(execFileSync(process.execPath, ["probe.js"], { cwd: dir, encoding: "utf8" }));
}

test("importing the SDK loads the TypeScript compiler and Arborist, unless deferred", () => {
    expect(probe(false, "return state();")).toEqual({ typescript: true, arborist: true });
    expect(probe(true, "return state();")).toEqual({ typescript: false, arborist: false });
});

test("a function serialized anyway is parsed by the real compiler", () => {
    const out = probe(true, `
const serialized = await pulumi.runtime.serializeFunction(function addOne(a) { return a + 1; });
return { text: serialized.text, ...state() };`);
    expect(out.text).toContain("return a + 1;");
    expect(out.typescript).toBe(true);
});

test("code paths computed anyway are read by the real Arborist", () => {
    const out = probe(true, `
const paths = await pulumi.runtime.computeCodePaths({ extraIncludePackages: ["yaml"] });
return { yaml: paths.has(require("path").join("node_modules", "yaml")), ...state() };`);
    expect(out).toMatchObject({ yaml: true, arborist: true });
});
