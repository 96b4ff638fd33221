// The local backend every project script uses (toolchain/pulumi-env.sh) when PULUMI_BACKEND_URL is not set: its
// state and passphrase under KUBE_BASELINE_STATE_DIR, owner-only, and no `.attrs` sidecar beside each file the
// backend writes (`?metadata=skip`; an update rewrites its state after every step, the sidecar's MD5 with it).
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

jest.setTimeout(2 * 60_000);

const repoRoot = path.resolve(__dirname, "../..");
let work: string;

beforeAll(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), "kb-local-backend-"));
    fs.mkdirSync(path.join(work, "project"));
    fs.writeFileSync(path.join(work, "project/Pulumi.yaml"), "name: kb-local-backend\nruntime: nodejs\n");
});
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

/** pulumi with the project scripts' environment and no backend or passphrase of the caller's. */
function pulumiAsScripts(args: string[]): string {
    const env: NodeJS.ProcessEnv = { ...process.env, KUBE_BASELINE_STATE_DIR: path.join(work, "state"), PULUMI_HOME: path.join(work, "home") };
    for (const name of ["PULUMI_BACKEND_URL", "PULUMI_CONFIG_PASSPHRASE", "PULUMI_CONFIG_PASSPHRASE_FILE"]) delete env[name];
    return execFileSync("bash", ["-c", `source "$1/toolchain/pulumi-env.sh" && exec pulumi "\${@:2}"`, "pulumi", repoRoot, ...args],
        { cwd: path.join(work, "project"), env, encoding: "utf8" });
}

/** Every file below dir, relative to it. */
function filesBelow(dir: string): string[] {
    return fs.readdirSync(dir, { recursive: true, encoding: "utf8" }).filter(f => fs.statSync(path.join(dir, f)).isFile());
}

test("keeps stacks and the passphrase owner-only under the state directory, with no .attrs files", () => {
    pulumiAsScripts(["stack", "init", "one", "--non-interactive"]);
    pulumiAsScripts(["config", "set", "--secret", "token", "not-in-plaintext", "--stack", "one"]);

    expect(pulumiAsScripts(["stack", "ls", "--json"])).toContain('"name": "one"');
    const state = path.join(work, "state");
    expect(fs.statSync(state).mode & 0o777).toBe(0o700);
    expect(fs.statSync(path.join(state, "passphrase")).mode & 0o777).toBe(0o600);
    const files = filesBelow(path.join(state, "backend"));
    expect(files).toContain(".pulumi/stacks/kb-local-backend/one.json");
    expect(files.filter(f => f.endsWith(".attrs"))).toEqual([]);
});
