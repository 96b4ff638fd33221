// The Node.js language host runs a program as its project file says. The baseline runs compiled ahead
// (`typescript: false`, main below the project file): the host must not put it under ts-node, which would load
// the TypeScript compiler and map every resource's stack trace (toolchain/langhost-shim/project.go). TypeScript
// programs (`typescript: true`, the smoke program and the others under test/e2e/programs) still run through
// ts-node: smoke.test.ts runs one. No cluster needed: the program has no resources.
import * as path from "path";
import { createTestStack, TestStack } from "./support/pulumiStack";
import { repoRoot } from "./support/toolchainEnv";

jest.setTimeout(5 * 60_000);

let stack: TestStack | undefined;

afterAll(async () => {
    await stack?.dispose();
});

test("a JavaScript program whose project says typescript: false runs without ts-node", async () => {
    stack = await createTestStack(path.join(repoRoot, "test/e2e/programs/javascript"), `javascript${process.pid}`, {});
    const up = await stack.stack.up({ onOutput: line => stack!.log.push(line) });
    expect(up.summary.result).toBe("succeeded");
    const outputs = Object.fromEntries(Object.entries(up.outputs).map(([k, v]) => [k, v.value]));
    expect(outputs).toEqual({ tsNodeLoaded: false, typescriptCompilerLoaded: false, typescriptEnv: "unset" });
});
