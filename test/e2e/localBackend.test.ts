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

// pulumi rewrites a stack file that lacks its encryption salt (blank lines go) and writes in the salt of this machine's
// passphrase. The scripts append the salt as one line instead (scripts/stack-salt.sh), and git does not see that line
// (.gitattributes, the filter scripts/setup.sh configures): a committed stack file stays as committed.
describe("a committed stack file", () => {
    const stackFile = (stack: string) => path.join(work, "project", `Pulumi.${stack}.yaml`);
    const committed = "# The example stack.\nconfig:\n  # first\n  kb-local-backend:a: b\n\n  kb-local-backend:users:\n    - {name: x, groups: [ops]}\n";
    const git = (...args: string[]) => execFileSync("git", ["-c", "user.name=kb", "-c", "user.email=kb@localhost", ...args],
        { cwd: path.join(work, "project"), encoding: "utf8" });
    const stackSalt = (...args: string[]) => execFileSync("bash", ["-c", `source "$1/toolchain/pulumi-env.sh" && exec bash "$1/scripts/stack-salt.sh" "\${@:2}"`,
        "stack-salt", repoRoot, "--project-dir", path.join(work, "project"), ...args],
        { env: { ...process.env, KUBE_BASELINE_STATE_DIR: path.join(work, "state"), PULUMI_HOME: path.join(work, "home") }, encoding: "utf8" });
    /** A preview that fails (the project has no program) after loading the stack's secrets, as every update does. */
    const previewLoadingSecrets = (stack: string) => {
        try {
            pulumiAsScripts(["preview", "--stack", stack, "--non-interactive"]);
        } catch {
            // expected: nothing to run
        }
    };
    const saltLine = /^encryptionsalt: v1:\S+\n$/;

    beforeAll(() => {
        fs.writeFileSync(stackFile("two"), committed);
        fs.writeFileSync(stackFile("three"), committed);
        fs.copyFileSync(path.join(repoRoot, ".gitattributes"), path.join(work, "project/.gitattributes"));
        git("init", "-q");
        // The filter exactly as scripts/setup.sh configured it for this repo.
        git("config", "filter.pulumi-stack-salt.clean", execFileSync("git", ["-C", repoRoot, "config", "filter.pulumi-stack-salt.clean"], { encoding: "utf8" }).trim());
        git("add", "Pulumi.yaml", "Pulumi.two.yaml", "Pulumi.three.yaml", ".gitattributes");
        git("commit", "-q", "-m", "stacks");
    });

    test("gets its salt as one appended line, which git does not see and pulumi leaves alone", () => {
        stackSalt("--create", "two");
        const seeded = fs.readFileSync(stackFile("two"), "utf8");
        expect(seeded.startsWith(committed)).toBe(true);
        const salt = seeded.slice(committed.length);
        expect(salt).toMatch(saltLine);
        expect(pulumiAsScripts(["stack", "ls", "--json"])).toContain('"name": "two"');
        expect(git("status", "--porcelain", "Pulumi.two.yaml")).toBe("");

        previewLoadingSecrets("two");
        expect(fs.readFileSync(stackFile("two"), "utf8")).toBe(seeded);

        // A checkout of another version takes the line away. pulumi alone would rewrite the file (with the salt the
        // state records) ...
        fs.writeFileSync(stackFile("two"), committed);
        previewLoadingSecrets("two");
        const rewritten = fs.readFileSync(stackFile("two"), "utf8");
        expect(rewritten).not.toContain("\n\n");
        expect(rewritten).toContain(salt);
        // ... the scripts give the same line back and nothing else.
        fs.writeFileSync(stackFile("two"), committed);
        stackSalt("two");
        expect(fs.readFileSync(stackFile("two"), "utf8")).toBe(committed + salt);
        expect(git("status", "--porcelain")).not.toContain("Pulumi.two.yaml");
    });

    test("of a stack the backend does not have is left alone without --create", () => {
        stackSalt("three");
        expect(fs.readFileSync(stackFile("three"), "utf8")).toBe(committed);
        expect(pulumiAsScripts(["stack", "ls", "--json"])).not.toContain('"name": "three"');
    });
});
