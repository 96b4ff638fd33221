// toolchain/pulumi-env.sh, sourced as the project's scripts source it: pulumi's --parallel, and that the tests'
// own pulumi environment (test/e2e/support/toolchainEnv.ts) agrees with it.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { projectParallel, repoRoot } from "../../e2e/support/toolchainEnv";

let stateDir: string;
beforeEach(() => { stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "kb-pulumi-env-")); });
afterEach(() => fs.rmSync(stateDir, { recursive: true, force: true }));

/** PULUMI_PARALLEL after sourcing pulumi-env.sh, with the given value set beforehand (or none). */
function parallelAfterSourcing(before: string | undefined): string {
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: stateDir, KUBE_BASELINE_STATE_DIR: stateDir, PULUMI_CONFIG_PASSPHRASE: "unused" };
    if (before !== undefined) env.PULUMI_PARALLEL = before;
    return execFileSync("bash", ["-c", 'source toolchain/pulumi-env.sh && printf %s "$PULUMI_PARALLEL"'], { cwd: repoRoot, env, encoding: "utf8" });
}

describe("pulumi-env.sh: pulumi's --parallel", () => {
    const saved = process.env.PULUMI_PARALLEL;
    afterEach(() => { if (saved === undefined) delete process.env.PULUMI_PARALLEL; else process.env.PULUMI_PARALLEL = saved; });

    test("defaults to 64, above pulumi's 4 per CPU: node and API steps wait on the network", () => {
        delete process.env.PULUMI_PARALLEL;
        expect(parallelAfterSourcing(undefined)).toBe("64");
        expect(projectParallel()).toBe("64");
    });

    test("keeps a PULUMI_PARALLEL the user set, and the tests' environment follows it", () => {
        expect(parallelAfterSourcing("5")).toBe("5");
        process.env.PULUMI_PARALLEL = "5";
        expect(projectParallel()).toBe("5");
    });
});
